//! When a failed webhook delivery is tried again: exponential backoff with jitter, and the age past
//! which a delivery is given up. Pure arithmetic, so that the rule is tested on its own.

use std::time::Duration;

/// The longest wait between two attempts, however many failed before.
pub const MAX_DELAY: Duration = Duration::from_secs(6 * 3600);

/// The wait after the `attempts`-th failed attempt (1 for the first): `base` doubled for each
/// earlier failure, at most [`MAX_DELAY`], then spread by `jitter` (0 ≤ jitter < 1) over its upper
/// half, so that receivers that failed together are not all tried again at the same moment.
pub fn retry_delay(base: Duration, attempts: u32, jitter: f64) -> Duration {
    let doublings = attempts.saturating_sub(1).min(31);
    let full = base.saturating_mul(1u32 << doublings).min(MAX_DELAY);
    let jitter = jitter.clamp(0.0, 1.0);
    full.div_f64(2.0) + full.div_f64(2.0).mul_f64(jitter)
}

/// Whether a delivery made `age` ago is past `max_age` and so dead after a failure.
pub fn is_expired(age: Duration, max_age: Duration) -> bool {
    age >= max_age
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BASE: Duration = Duration::from_secs(30);

    #[test]
    fn the_wait_doubles_from_the_base_and_stops_at_six_hours() {
        assert_eq!(retry_delay(BASE, 1, 1.0), Duration::from_secs(30));
        assert_eq!(retry_delay(BASE, 1, 0.0), Duration::from_secs(15));
        assert_eq!(retry_delay(BASE, 2, 1.0), Duration::from_secs(60));
        assert_eq!(retry_delay(BASE, 3, 1.0), Duration::from_secs(120));
        // 30 s × 2^9 = 15,360 s; one more doubling would pass 6 h (21,600 s).
        assert_eq!(retry_delay(BASE, 10, 1.0), Duration::from_secs(15_360));
        assert_eq!(retry_delay(BASE, 11, 1.0), MAX_DELAY);
        assert_eq!(retry_delay(BASE, u32::MAX, 1.0), MAX_DELAY);
        assert_eq!(retry_delay(Duration::ZERO, 5, 0.7), Duration::ZERO);
    }

    #[test]
    fn a_delivery_is_expired_from_its_maximum_age_on() {
        let day = Duration::from_secs(86_400);
        assert!(!is_expired(day - Duration::from_secs(1), day));
        assert!(is_expired(day, day));
    }

    proptest! {
        #[test]
        fn the_wait_lies_in_the_upper_half_of_the_full_delay(attempts in 1u32..64, jitter in 0.0f64..1.0) {
            let full = BASE.saturating_mul(1u32 << attempts.saturating_sub(1).min(31)).min(MAX_DELAY);
            let wait = retry_delay(BASE, attempts, jitter);
            prop_assert!(wait >= full / 2 && wait <= full);
        }

        #[test]
        fn more_failures_never_mean_a_shorter_full_delay(attempts in 1u32..64) {
            prop_assert!(retry_delay(BASE, attempts + 1, 1.0) >= retry_delay(BASE, attempts, 1.0));
        }
    }
}
