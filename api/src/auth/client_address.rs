//! The client's address as the audit trail, the sign-in lockout and the sign-in rate limit see
//! it. Behind a reverse proxy the peer is the proxy; its `Forwarded` (RFC 7239) or
//! `X-Forwarded-For` header is believed only when the peer is one of `KLINIK_TRUSTED_PROXIES`,
//! and then only as far back as the chain of trusted proxies goes: a client cannot name
//! itself someone else by sending the header itself.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::web;
use klinik_app::settings::Protection;

/// The client address of `req`: the peer, or the address a trusted proxy forwarded.
pub fn of(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let Some(app) = req.app_data::<web::Data<klinik_app::App>>() else {
        return Some(peer);
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    Some(resolve(
        peer,
        header("forwarded"),
        header("x-forwarded-for"),
        &app.protection,
    ))
}

/// The first address, walking back from `peer` through the forwarded chain, that is not a
/// trusted proxy (or the oldest one, when every hop is trusted). `Forwarded` wins over
/// `X-Forwarded-For`; an unreadable entry ends the walk there.
pub fn resolve(
    peer: IpAddr,
    forwarded: Option<&str>,
    x_forwarded_for: Option<&str>,
    protection: &Protection,
) -> IpAddr {
    if !protection.is_trusted_proxy(peer) {
        return peer;
    }
    let chain: Vec<Option<IpAddr>> = match (forwarded, x_forwarded_for) {
        (Some(f), _) => f.split(',').map(forwarded_for).collect(),
        (None, Some(x)) => x.split(',').map(|a| address(a.trim())).collect(),
        (None, None) => return peer,
    };
    let mut client = peer;
    for hop in chain.into_iter().rev() {
        match hop {
            Some(address) => {
                client = address;
                if !protection.is_trusted_proxy(address) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// The `for=` address of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.eq_ignore_ascii_case("for")
            .then(|| address(value.trim().trim_matches('"')))
            .flatten()
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`,
/// `2001:db8::1`.
fn address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusting(proxies: &str) -> Protection {
        let lookup = |name: &str| (name == "KLINIK_TRUSTED_PROXIES").then(|| proxies.to_owned());
        Protection::from_lookup(&lookup).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let none = Protection::default();
        let peer = ip("203.0.113.9");
        assert_eq!(
            resolve(peer, Some("for=192.0.2.1"), Some("192.0.2.2"), &none),
            peer
        );
    }

    #[test]
    fn a_trusted_proxy_s_header_names_the_client() {
        let p = trusting("10.0.0.0/8");
        let proxy = ip("10.0.0.2");
        assert_eq!(resolve(proxy, None, Some("192.0.2.1"), &p), ip("192.0.2.1"));
        assert_eq!(
            resolve(
                proxy,
                Some(r#"for="[2001:db8:cafe::17]:4711";proto=https"#),
                None,
                &p
            ),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            resolve(proxy, Some("for=192.0.2.60:8080"), Some("198.51.100.1"), &p),
            ip("192.0.2.60"),
            "Forwarded wins"
        );
        assert_eq!(resolve(proxy, None, None, &p), proxy, "no header: the peer");
    }

    #[test]
    fn a_client_cannot_prepend_a_forged_address_past_the_trusted_chain() {
        let p = trusting("10.0.0.0/8");
        // The client sent "X-Forwarded-For: 1.2.3.4"; two trusted proxies appended.
        let chain = "1.2.3.4, 198.51.100.7, 10.0.0.5";
        assert_eq!(
            resolve(ip("10.0.0.2"), None, Some(chain), &p),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), None, Some("junk, 10.0.0.5"), &p),
            ip("10.0.0.5"),
            "an unreadable hop ends the walk at the last trusted one"
        );
    }
}
