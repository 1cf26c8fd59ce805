//! Settings that protect the service from misuse: how long idempotency keys live, whom to
//! believe about a client's address, and how fast one address may try passwords.

use std::net::IpAddr;
use std::time::Duration;

use super::{SettingsError, invalid, number};

/// | variable | default | meaning |
/// |---|---|---|
/// | `KLINIK_IDEMPOTENCY_TTL_HOURS` | `24` | how long a create's `Idempotency-Key` replays its answer (1–720) |
/// | `KLINIK_TRUSTED_PROXIES` | none | comma-separated addresses or CIDR ranges of reverse proxies whose `Forwarded` / `X-Forwarded-For` is believed |
/// | `KLINIK_SIGN_IN_PER_MINUTE` | `10` | sign-in and token requests one client address may make a minute (1–10000) |
/// | `KLINIK_CORS_ORIGINS` | `http://localhost:*` and `http://127.0.0.1:*` in development; none in production | comma-separated origins (`scheme://host[:port]`) whose pages may call the API from a browser |
/// | `KLINIK_LOCKOUT_ATTEMPTS` | `5` | wrong passwords for one username from one address before that pair is locked for 15 minutes (1–100) |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    pub idempotency_ttl: Duration,
    pub trusted_proxies: Vec<IpRange>,
    pub sign_in_per_minute: u32,
    pub lockout_attempts: u32,
    pub cors: CorsOrigins,
}

/// Which web origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any port of `http://localhost` and `http://127.0.0.1`: a frontend's dev server.
    LocalDevelopment,
    /// Exactly these (none: no browser on another origin may call).
    Listed(Vec<String>),
}

impl CorsOrigins {
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            CorsOrigins::LocalDevelopment => {
                ["http://localhost", "http://127.0.0.1"].iter().any(|host| {
                    origin == *host
                        || origin
                            .strip_prefix(host)
                            .and_then(|rest| rest.strip_prefix(':'))
                            .is_some_and(|port| {
                                !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                            })
                })
            }
            CorsOrigins::Listed(origins) => origins.iter().any(|o| o == origin),
        }
    }
}

/// `scheme://host[:port]`, nothing more: what a browser sends as `Origin`.
fn is_origin(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

impl Default for Protection {
    fn default() -> Self {
        Protection {
            idempotency_ttl: Duration::from_secs(24 * 3600),
            trusted_proxies: Vec::new(),
            sign_in_per_minute: 10,
            lockout_attempts: 5,
            cors: CorsOrigins::LocalDevelopment,
        }
    }
}

impl Protection {
    /// `production` decides the default of `KLINIK_CORS_ORIGINS` (none).
    pub fn from_lookup_for(
        lookup: &dyn Fn(&str) -> Option<String>,
        production: bool,
    ) -> Result<Self, SettingsError> {
        let cors = match lookup("KLINIK_CORS_ORIGINS") {
            None if production => CorsOrigins::Listed(Vec::new()),
            None => CorsOrigins::LocalDevelopment,
            Some(raw) => {
                let origins: Vec<String> = raw
                    .split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect();
                if !origins.iter().all(|o| is_origin(o)) {
                    return Err(invalid(
                        "KLINIK_CORS_ORIGINS",
                        "must be comma-separated origins such as https://klinik.kotabogor.go.id or http://localhost:5173",
                    ));
                }
                CorsOrigins::Listed(origins)
            }
        };
        Ok(Protection {
            cors,
            ..Self::from_lookup(lookup)?
        })
    }

    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let hours: u64 = number(lookup, "KLINIK_IDEMPOTENCY_TTL_HOURS", 24, 1, 720)?;
        let trusted_proxies = match lookup("KLINIK_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<IpRange>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    invalid(
                        "KLINIK_TRUSTED_PROXIES",
                        "must be comma-separated IP addresses or CIDR ranges such as 10.0.0.0/8",
                    )
                })?,
        };
        Ok(Protection {
            idempotency_ttl: Duration::from_secs(hours * 3600),
            trusted_proxies,
            sign_in_per_minute: number(lookup, "KLINIK_SIGN_IN_PER_MINUTE", 10, 1, 10_000)?,
            lockout_attempts: number(lookup, "KLINIK_LOCKOUT_ATTEMPTS", 5, 1, 100)?,
            cors: CorsOrigins::LocalDevelopment,
        })
    }

    /// Whether a peer at `address` is one of the configured reverse proxies.
    pub fn is_trusted_proxy(&self, address: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|r| r.contains(address))
    }
}

/// An address range in CIDR notation (a bare address is a range of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for IpRange {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (address, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = address.parse().map_err(|_| ())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or(())?,
        };
        Ok(IpRange { network, prefix })
    }
}

impl IpRange {
    pub fn contains(&self, address: IpAddr) -> bool {
        // Both families as the top bits of a u128, so a prefix counts from the top for either.
        let top_aligned = |a: IpAddr| match a {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, true),
            IpAddr::V6(v6) => (u128::from(v6), false),
        };
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        let ((net, net_v4), (addr, addr_v4)) = (top_aligned(self.network), top_aligned(address));
        if net_v4 != addr_v4 {
            return false;
        }
        let mask = match self.prefix {
            0 => 0,
            p => u128::MAX << (128 - u32::from(p)),
        };
        net & mask == addr & mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> IpRange {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_hold_their_addresses_and_no_others_at_the_boundaries() {
        let r = range("10.1.0.0/16");
        assert!(r.contains("10.1.0.0".parse().unwrap()));
        assert!(r.contains("10.1.255.255".parse().unwrap()));
        assert!(!r.contains("10.2.0.0".parse().unwrap()));
        assert!(!r.contains("10.0.255.255".parse().unwrap()));
        assert!(range("127.0.0.1").contains("127.0.0.1".parse().unwrap()));
        assert!(!range("127.0.0.1").contains("127.0.0.2".parse().unwrap()));
        assert!(range("0.0.0.0/0").contains("203.0.113.9".parse().unwrap()));
        assert!(!range("0.0.0.0/0").contains("2001:db8::1".parse().unwrap()));
        assert!(range("2001:db8::/32").contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!range("2001:db8::/32").contains("2001:db9::1".parse().unwrap()));
        assert!(
            range("192.0.2.0/24").contains("::ffff:192.0.2.7".parse().unwrap()),
            "an IPv4-mapped peer address is its IPv4 address"
        );
    }

    #[test]
    fn cors_origins_are_local_in_development_none_in_production_or_as_listed() {
        let none = |_: &str| None;
        let dev = Protection::from_lookup_for(&none, false).unwrap().cors;
        assert!(dev.allows("http://localhost:5173") && dev.allows("http://127.0.0.1:8081"));
        assert!(
            !dev.allows("http://localhost.evil.example") && !dev.allows("https://evil.example")
        );
        assert!(!dev.allows("http://localhost:"), "a port is digits");
        let prod = Protection::from_lookup_for(&none, true).unwrap().cors;
        assert!(!prod.allows("http://localhost:5173"));
        let only = |value: &'static str| {
            move |name: &str| (name == "KLINIK_CORS_ORIGINS").then(|| value.to_owned())
        };
        let listed = only("https://klinik.kotabogor.go.id, http://localhost:5173/");
        let cors = Protection::from_lookup_for(&listed, true).unwrap().cors;
        assert!(
            cors.allows("https://klinik.kotabogor.go.id") && cors.allows("http://localhost:5173")
        );
        assert!(!cors.allows("http://localhost:5174"));
        let bad = only("https://ok.example, https://x.example/path");
        assert_eq!(
            Protection::from_lookup_for(&bad, false)
                .unwrap_err()
                .variable,
            "KLINIK_CORS_ORIGINS"
        );
    }

    #[test]
    fn bad_ranges_are_refused() {
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "example.org",
            "10.0.0.0/x",
        ] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
        let lookup =
            |name: &str| (name == "KLINIK_TRUSTED_PROXIES").then(|| "10.0.0.1, nope".to_owned());
        assert_eq!(
            Protection::from_lookup(&lookup).unwrap_err().variable,
            "KLINIK_TRUSTED_PROXIES"
        );
    }
}
