//! The GCRA (generic cell rate algorithm) arithmetic shared by the in-process limiter (which `governor` runs) and the
//! Redis script (which mirrors [`step`] in Lua), and the reading of its state into a [`Decision`].
//!
//! A client's whole state is one instant, its theoretical arrival time (TAT): when its budget would be full again
//! had it sent nothing more. A request of cost `n` moves it `n` emission intervals `T` on; it is allowed while the
//! TAT stays within `burst × T` of now.

use std::{num::NonZeroU32, time::Duration};

/// Which budget a client draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An anonymous client, by address.
    Anonymous,
    /// An agency, by its token.
    Agency,
}

impl Kind {
    /// The policy's name in `RateLimit-Policy` and in Redis keys.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Anonymous => "anonymous",
            Kind::Agency => "agency",
        }
    }
}

/// `per_minute` requests a minute, sent at an even pace or in bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub kind: Kind,
    pub per_minute: NonZeroU32,
    /// A sixth of `per_minute` (ten seconds' worth), at least 1: a client that was quiet may send this many at once.
    pub burst: NonZeroU32,
}

impl Policy {
    /// The policy of `per_minute` requests a minute; `None` for 0 (no limit).
    pub fn new(kind: Kind, per_minute: u32) -> Option<Policy> {
        let per_minute = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(per_minute.get() / 6).unwrap_or(NonZeroU32::MIN);
        Some(Policy {
            kind,
            per_minute,
            burst,
        })
    }

    /// `T`: one request's worth of time (as `governor::Quota::per_minute` computes it).
    pub fn interval(&self) -> Duration {
        Duration::from_secs(60) / self.per_minute.get()
    }

    /// What a request of `cost` is charged: at least 1, and at most the burst, so that no request is refused forever.
    pub fn charge(&self, cost: u32) -> NonZeroU32 {
        NonZeroU32::new(cost.min(self.burst.get())).unwrap_or(NonZeroU32::MIN)
    }

    /// `T` counted in `unit`, at least 1.
    pub fn interval_in(&self, unit: Unit) -> u64 {
        unit.count(self.interval()).max(1)
    }

    /// The decision of a check whose TAT is `tat` after it (the new one if allowed, the unchanged one if not); both
    /// instants counted in `unit`.
    pub fn decision(&self, allowed: bool, tat: u64, now: u64, cost: u32, unit: Unit) -> Decision {
        let interval = self.interval_in(unit);
        let burst = u64::from(self.burst.get());
        let tolerance = burst * interval;
        let ahead = tat.saturating_sub(now);
        let (remaining, retry_after) = if allowed {
            (tolerance.saturating_sub(ahead) / interval, 0)
        } else {
            let charged = u64::from(self.charge(cost).get()) * interval;
            (0, (tat.max(now) + charged).saturating_sub(now + tolerance))
        };
        Decision {
            policy: *self,
            allowed,
            remaining: u32::try_from(remaining.min(burst)).unwrap_or(u32::MAX),
            reset: unit.duration(ahead),
            retry_after: unit.duration(retry_after),
        }
    }
}

/// The unit a clock counts instants in: `governor`'s nanoseconds or Redis's microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Nanos,
    Micros,
}

impl Unit {
    fn nanos(self) -> u64 {
        match self {
            Unit::Nanos => 1,
            Unit::Micros => 1_000,
        }
    }

    /// How many units `d` holds (rounded down).
    pub fn count(self, d: Duration) -> u64 {
        u64::try_from(d.as_nanos() / u128::from(self.nanos())).unwrap_or(u64::MAX)
    }

    pub fn duration(self, units: u64) -> Duration {
        Duration::from_nanos(units.saturating_mul(self.nanos()))
    }
}

/// One check: the TAT stored for the client (`None`: a client never seen, or long quiet), now, the cost and the
/// interval, in one unit. Returns whether the request is allowed and the TAT to keep (unchanged when refused).
/// `SCRIPT` below is this function in Lua; this copy is the one the tests hold against `governor`.
#[cfg(test)]
fn step(stored: Option<u64>, now: u64, cost: u64, interval: u64, burst: u64) -> (bool, u64) {
    let tat = stored.unwrap_or(now).max(now);
    let next = tat + cost * interval;
    if next - now > burst * interval {
        (false, tat)
    } else {
        (true, next)
    }
}

/// [`step`] in Redis, atomically, on Redis's clock (so the replicas' clocks need not agree). KEYS[1]: the client's
/// key; ARGV: interval (µs), burst, cost. Returns `{allowed (0/1), TAT (µs), now (µs)}`; keeps the key only as long as
/// its TAT is ahead of now (past that, a missing key means the same). `string.format('%d')` because Redis would
/// write a Lua number with 14 significant digits.
pub const SCRIPT: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now) or now
if tat < now then tat = now end
local next = tat + cost * interval
if next - now > burst * interval then
  return {0, tat, now}
end
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.ceil((next - now) / 1000))
return {1, next, now}
";

/// The outcome of a check, with what the `RateLimit` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub policy: Policy,
    pub allowed: bool,
    /// Requests that could be sent right now.
    pub remaining: u32,
    /// Until the budget is full again.
    pub reset: Duration,
    /// Until this request would be allowed (zero when it is).
    pub retry_after: Duration,
}

/// Whole seconds, rounded up: what `Retry-After` and `RateLimit` carry.
pub fn seconds_up(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::{
        clock::FakeRelativeClock, middleware::StateInformationMiddleware,
        state::keyed::HashMapStateStore, Quota, RateLimiter,
    };

    #[test]
    fn burst_is_a_sixth_and_at_least_one() {
        let p = |n| Policy::new(Kind::Anonymous, n).map(|p| p.burst.get());
        assert_eq!(p(0), None);
        assert_eq!(p(1), Some(1));
        assert_eq!(p(6), Some(1));
        assert_eq!(p(600), Some(100));
        assert_eq!(p(6000), Some(1000));
        let policy = Policy::new(Kind::Agency, 600).expect("limited");
        assert_eq!(policy.interval(), Duration::from_millis(100));
        assert_eq!(policy.charge(0).get(), 1);
        assert_eq!(
            policy.charge(5000).get(),
            100,
            "a cost above the burst is capped"
        );
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        // 6 per minute, burst 1, in seconds: T = 10.
        let (t, b) = (10, 1);
        assert_eq!(step(None, 100, 1, t, b), (true, 110));
        assert_eq!(step(Some(110), 105, 1, t, b), (false, 110));
        assert_eq!(step(Some(110), 110, 1, t, b), (true, 120));
        // Burst 3: three at once, the fourth waits one interval.
        let mut tat = None;
        for _ in 0..3 {
            let (allowed, next) = step(tat, 0, 1, t, 3);
            assert!(allowed);
            tat = Some(next);
        }
        assert_eq!(step(tat, 0, 1, t, 3), (false, 30));
        assert_eq!(step(tat, 10, 1, t, 3), (true, 40));
        // A cost of 2 needs two intervals' room.
        assert_eq!(step(Some(30), 10, 2, t, 3), (false, 30));
        assert_eq!(step(Some(30), 20, 2, t, 3), (true, 50));
    }

    #[test]
    fn decisions_report_remaining_reset_and_retry_after() {
        let policy = Policy::new(Kind::Anonymous, 18).expect("limited"); // burst 3, T = 10/3 s
        let t = policy.interval_in(Unit::Nanos);
        let first = policy.decision(true, t, 0, 1, Unit::Nanos);
        assert_eq!((first.remaining, first.reset), (2, policy.interval()));
        let full = policy.decision(false, 3 * t, 0, 1, Unit::Nanos);
        assert_eq!(full.remaining, 0);
        assert_eq!(full.retry_after, policy.interval());
        assert_eq!(full.reset, policy.interval() * 3);
        assert_eq!(seconds_up(full.retry_after), 4);
        assert_eq!(seconds_up(Duration::from_secs(10)), 10);
        assert_eq!(seconds_up(Duration::ZERO), 0);
        // The same reading in microseconds (Redis's unit).
        let us = policy.interval_in(Unit::Micros);
        let micro = policy.decision(false, 3 * us, 0, 1, Unit::Micros);
        assert_eq!(micro.retry_after.as_micros(), full.retry_after.as_micros());
    }

    /// `step` (and so the Lua script) decides as `governor` does, request by request, on a fake clock.
    #[test]
    fn step_agrees_with_governor() {
        for (per_minute, costs) in [
            (6u32, [1u32, 1, 1, 1]),
            (60, [1, 3, 2, 10]),
            (600, [5, 50, 100, 1]),
        ] {
            let policy = Policy::new(Kind::Agency, per_minute).expect("limited");
            let quota = Quota::per_minute(policy.per_minute).allow_burst(policy.burst);
            let clock = FakeRelativeClock::default();
            let limiter: RateLimiter<u8, HashMapStateStore<u8>, _, StateInformationMiddleware> =
                RateLimiter::new(quota, HashMapStateStore::default(), clock.clone());
            let t = policy.interval_in(Unit::Nanos);
            let (mut now, mut tat) = (0u64, None);
            for i in 0..200u64 {
                let cost = policy.charge(costs[(i % 4) as usize]);
                let ours = step(
                    tat,
                    now,
                    u64::from(cost.get()),
                    t,
                    u64::from(policy.burst.get()),
                );
                let theirs = limiter.check_key_n(&0, cost).expect("within capacity");
                assert_eq!(
                    ours.0,
                    theirs.is_ok(),
                    "{per_minute}/min, request {i} at {now} ns"
                );
                if let Ok(snapshot) = theirs {
                    let ours = policy.decision(true, ours.1, now, cost.get(), Unit::Nanos);
                    assert_eq!(ours.remaining, snapshot.remaining_burst_capacity());
                }
                tat = Some(ours.1);
                // An irregular pace: sometimes quicker than the rate, sometimes slower.
                let gap = t * (i % 7) / 3 + (i % 5) * 1_000_003;
                clock.advance(Duration::from_nanos(gap));
                now += gap;
            }
        }
    }
}
