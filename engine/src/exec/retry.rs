//! Which failures another attempt may fix, and how long to wait before it.

use std::time::Duration;

use crate::flow::{Backoff, RetryOn, RetryPolicy};
use crate::step_error::{ErrorKind, StepError};

/// The longest `Retry-After` honoured; a service asking for more fails the step instead.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

/// Whether `policy` retries `error`.
pub(crate) fn retries(policy: &RetryPolicy, error: &StepError) -> bool {
    if error.kind == ErrorKind::Cancelled {
        return false;
    }
    policy.on.iter().any(|on| match on {
        RetryOn::Any => true,
        RetryOn::Network => error.kind == ErrorKind::Network,
        RetryOn::Timeout => error.kind == ErrorKind::Timeout,
        RetryOn::ServerError => {
            error.kind == ErrorKind::Http && error.status.is_some_and(|s| s >= 500)
        }
        RetryOn::RateLimited => error.kind == ErrorKind::Http && error.status == Some(429),
    })
}

/// The delay before attempt `next_attempt` (2 for the first retry). A `Retry-After` from the service
/// wins over the policy's backoff (up to [`MAX_RETRY_AFTER`]); `None` means give up.
pub(crate) fn delay(
    policy: &RetryPolicy,
    next_attempt: u32,
    error: &StepError,
) -> Option<Duration> {
    if let Some(after) = error.retry_after {
        return (after <= MAX_RETRY_AFTER).then_some(after);
    }
    let initial = policy.initial_delay_ms as f64;
    let exponent = next_attempt.saturating_sub(2).min(30);
    let base = match policy.backoff {
        Backoff::Fixed => initial,
        Backoff::Exponential => initial * 2f64.powi(exponent as i32),
    };
    let capped = base.min(policy.max_delay_ms as f64);
    let jittered = if policy.jitter { capped * (0.75 + fastrand::f64() * 0.5) } else { capped };
    Some(Duration::from_micros((jittered * 1000.0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(backoff: Backoff, jitter: bool) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            backoff,
            initial_delay_ms: 100,
            max_delay_ms: 350,
            jitter,
            on: RetryOn::defaults(),
        }
    }

    #[test]
    fn exponential_doubles_up_to_the_cap() {
        let p = policy(Backoff::Exponential, false);
        let e = StepError::network("x");
        let ms: Vec<u128> = (2..=5).map(|n| delay(&p, n, &e).unwrap().as_millis()).collect();
        assert_eq!(ms, vec![100, 200, 350, 350]);
    }

    #[test]
    fn fixed_stays_put_and_jitter_stays_within_a_quarter() {
        let p = policy(Backoff::Fixed, true);
        for n in 2..20 {
            let d = delay(&p, n, &StepError::network("x")).unwrap().as_millis();
            assert!((75..=125).contains(&d), "{d}");
        }
    }

    #[test]
    fn retry_after_wins_and_is_bounded() {
        let p = policy(Backoff::Exponential, true);
        let e = StepError::http(429, "slow down").with_retry_after(Some(Duration::from_secs(7)));
        assert_eq!(delay(&p, 2, &e), Some(Duration::from_secs(7)));
        let e = StepError::http(429, "later").with_retry_after(Some(Duration::from_secs(3600)));
        assert_eq!(delay(&p, 2, &e), None);
    }

    #[test]
    fn classification_follows_the_policy() {
        let p = policy(Backoff::Fixed, false);
        assert!(retries(&p, &StepError::network("x")));
        assert!(retries(&p, &StepError::http(503, "x")));
        assert!(retries(&p, &StepError::http(429, "x")));
        assert!(!retries(&p, &StepError::http(404, "x")));
        assert!(!retries(&p, &StepError::invalid_input("x")));
        let any = RetryPolicy { on: vec![RetryOn::Any], ..p };
        assert!(retries(&any, &StepError::http(404, "x")));
    }
}
