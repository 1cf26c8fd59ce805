//! Where a webhook may be posted. A subscription's URL must not turn the server into a way into
//! the office's own network: loopback, private, link-local and other special addresses are refused,
//! both as written in the URL and as a host name resolves at each attempt (so a name that later
//! points inside is caught too); redirects are not followed.

use std::net::{IpAddr, SocketAddr};

use klinik_domain::msg;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::Error;

/// Which targets the server posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetRule {
    /// Only `https://` on public addresses (the default).
    PublicOnly,
    /// Also `http://`, and private or loopback addresses (`KLINIK_WEBHOOK_ALLOW_PRIVATE`: tests
    /// and receivers inside the office's network).
    AllowPrivate,
}

/// Whether an address is one a webhook must not reach.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                // 100.64.0.0/10: carrier-grade NAT, inside someone's network.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xC0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (first & 0xFE00) == 0xFC00
                || (first & 0xFFC0) == 0xFE80
        }
    }
}

fn refused(code: &'static str, message: klinik_domain::Message) -> Error {
    Error::validation("url", code, message)
}

/// Checks a subscription's URL as written (422 naming `url`).
pub fn check_url(text: &str, rule: TargetRule) -> Result<(), Error> {
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(refused(
            "invalid_length",
            msg!("must be 1 to 2000 characters"),
        ));
    }
    let url =
        Url::parse(text).map_err(|_| refused("invalid_url", msg!("is not an absolute URL")))?;
    let private = rule == TargetRule::AllowPrivate;
    match url.scheme() {
        "https" => {}
        "http" if private => {}
        _ => return Err(refused("https_required", msg!("must start with https://"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(
            "credentials_in_url",
            msg!("must not carry a user name or password"),
        ));
    }
    let Some(host) = url.host_str() else {
        return Err(refused("invalid_url", msg!("is not an absolute URL")));
    };
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>()
        && is_internal(ip)
        && !private
    {
        return Err(refused(
            "internal_address",
            msg!("must not point at a loopback, private or link-local address"),
        ));
    }
    Ok(())
}

/// The system resolver, with internal addresses taken out unless the rule allows them: a name
/// that resolves only inside fails the attempt.
pub struct GuardedResolver(pub TargetRule);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let rule = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| rule == TargetRule::AllowPrivate || !is_internal(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_told_apart_from_public_ones() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["8.8.8.8", "103.10.20.30", "100.128.0.1", "2001:4860::8888"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_url_must_be_https_public_and_without_credentials_unless_allowed() {
        let public = TargetRule::PublicOnly;
        assert!(check_url("https://sikopdes.jabarprov.go.id/hook", public).is_ok());
        for (url, code) in [
            ("http://sikopdes.jabarprov.go.id/hook", "https_required"),
            ("https://127.0.0.1:8443/hook", "internal_address"),
            ("https://[::1]/hook", "internal_address"),
            ("https://user:pw@example.go.id/hook", "credentials_in_url"),
            ("not a url", "invalid_url"),
            ("ftp://example.go.id/", "https_required"),
        ] {
            match check_url(url, public) {
                Err(Error::Validation { errors }) => assert_eq!(errors[0].code, code, "{url}"),
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(check_url("http://127.0.0.1:9000/hook", TargetRule::AllowPrivate).is_ok());
    }
}
