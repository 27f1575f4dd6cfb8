//! The in-process limiter: one `governor` keyed GCRA per policy. It decides alone without Redis, and in the meantime
//! while Redis is unreachable.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use governor::{
    clock::{Clock, MonotonicClock},
    middleware::StateInformationMiddleware,
    state::keyed::HashMapStateStore,
    Quota, RateLimiter,
};

use super::{ClientKey, Decision, Policy};

/// How many checks between two sweeps of the clients whose budget is full again (they are indistinguishable from
/// clients never seen): bounds the map by the clients of about that many requests.
const SWEEP_EVERY: u64 = 4096;

type Keyed = RateLimiter<
    ClientKey,
    HashMapStateStore<ClientKey>,
    MonotonicClock,
    StateInformationMiddleware,
>;

pub(super) struct Local {
    policy: Policy,
    limiter: Keyed,
    checks: AtomicU64,
}

impl Local {
    pub(super) fn new(policy: Policy) -> Local {
        let quota = Quota::per_minute(policy.per_minute).allow_burst(policy.burst);
        Local {
            policy,
            limiter: RateLimiter::new(quota, HashMapStateStore::default(), MonotonicClock),
            checks: AtomicU64::new(0),
        }
    }

    pub(super) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(super) fn check(&self, key: &ClientKey, cost: u32) -> Decision {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let policy = self.policy;
        let charge = policy.charge(cost);
        let interval = policy.interval();
        let burst = policy.burst.get();
        match self.limiter.check_key_n(key, charge) {
            Ok(Ok(snapshot)) => {
                let remaining = snapshot.remaining_burst_capacity().min(burst);
                Decision {
                    policy,
                    allowed: true,
                    remaining,
                    // An upper bound: `governor` does not show the TAT itself.
                    reset: interval * (burst - remaining),
                    retry_after: Duration::ZERO,
                }
            }
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                Decision {
                    policy,
                    allowed: false,
                    remaining: 0,
                    reset: wait + interval * (burst - charge.get()),
                    retry_after: wait,
                }
            }
            // Unreachable: `charge` caps the cost at the burst. Refuse for a whole budget's time if it happens.
            Err(_) => Decision {
                policy,
                allowed: false,
                remaining: 0,
                reset: interval * burst,
                retry_after: interval * burst,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::Kind;

    #[test]
    fn clients_have_budgets_of_their_own() {
        let local = Local::new(Policy::new(Kind::Anonymous, 12).expect("limited")); // burst 2, T = 5 s
        let a = ClientKey::address("203.0.113.1".parse().expect("ip"));
        let b = ClientKey::address("203.0.113.2".parse().expect("ip"));
        let first = local.check(&a, 1);
        assert!(first.allowed);
        assert_eq!(first.remaining, 1);
        assert!(local.check(&a, 1).allowed);
        let refused = local.check(&a, 1);
        assert!(!refused.allowed);
        assert!(
            refused.retry_after > Duration::ZERO && refused.retry_after <= Duration::from_secs(5)
        );
        assert!(refused.reset >= refused.retry_after);
        assert!(
            local.check(&b, 5).allowed,
            "a cost above the burst is capped, not refused forever"
        );
        assert!(!local.check(&b, 1).allowed);
    }
}
