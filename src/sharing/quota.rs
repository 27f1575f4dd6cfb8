//! The daily quota of a grant: the expected frequency of its request (calls a day) is what an agency may call the
//! service in one day (Vietnam time), counted per agency and service. Shared by every replica through the rate limits'
//! Redis when one is configured; counted in process otherwise, or while Redis does not answer (as the rate limits
//! fall back).

use std::{collections::HashMap, sync::Arc, sync::Mutex};

use crate::{
    clock::{day_of, start_of_day, SharedClock},
    error::{Error, Result},
    rate_limit::Limiter,
};

/// Counts calls per agency, service and day.
pub struct Quota {
    limiter: Option<Arc<Limiter>>,
    clock: SharedClock,
    /// In process: (agency, service) → (day, calls that day).
    local: Mutex<HashMap<(String, String), (i64, u64)>>,
}

impl Quota {
    pub fn new(limiter: Option<Arc<Limiter>>, clock: SharedClock) -> Quota {
        Quota {
            limiter,
            clock,
            local: Mutex::new(HashMap::new()),
        }
    }

    /// Counts `calls` more of `agency` on `service` today; `RATE_LIMITED` (with the quota) when that passes `limit`.
    pub async fn spend(&self, agency: &str, service: &str, calls: u32, limit: u32) -> Result<()> {
        let now = self.clock.now_ms();
        let day = day_of(now);
        let key = format!("quota:{service}:{agency}:{day}");
        // Two days: the counter outlives its day whatever the clocks of the replicas say.
        let shared = match &self.limiter {
            Some(l) => l.count_shared(&key, u64::from(calls), 2 * 86_400).await,
            None => None,
        };
        let used = match shared {
            Some(used) => used,
            None => {
                let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
                let entry = local
                    .entry((agency.to_owned(), service.to_owned()))
                    .or_insert((day, 0));
                if entry.0 != day {
                    *entry = (day, 0);
                }
                entry.1 += u64::from(calls);
                entry.1
            }
        };
        if used > u64::from(limit) {
            let retry_after_s = ((start_of_day(day + 1) - now).max(0) as u64).div_ceil(1000);
            return Err(Error::QuotaExceeded {
                upstream: service.to_owned(),
                limit,
                used,
                retry_after_s,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{ManualClock, DAY_MS};

    #[tokio::test]
    async fn a_day_s_calls_stop_at_the_limit_and_the_next_day_starts_afresh() {
        let clock = ManualClock::at(start_of_day(20_000) + 1000);
        let quota = Quota::new(None, clock.clone());
        for _ in 0..3 {
            assert!(quota.spend("A", "population", 1, 3).await.is_ok());
        }
        match quota.spend("A", "population", 1, 3).await {
            Err(Error::QuotaExceeded {
                limit: 3,
                used: 4,
                retry_after_s,
                ..
            }) => assert_eq!(retry_after_s, (DAY_MS as u64 - 1000) / 1000),
            other => panic!("{other:?}"),
        }
        // Another agency, another service: their own quotas.
        assert!(quota.spend("B", "population", 3, 3).await.is_ok());
        assert!(quota.spend("A", "land", 3, 3).await.is_ok());
        clock.advance_ms(DAY_MS);
        assert!(quota.spend("A", "population", 3, 3).await.is_ok());
    }
}
