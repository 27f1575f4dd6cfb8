//! A circuit breaker: after `threshold` consecutive failures the circuit opens and calls fail at once for `cooldown`;
//! then one trial call is let through (half-open): its success closes the circuit, its failure opens it again.
//!
//! Every call that may go out holds a [`Permit`]. A trial that ends without a verdict (its future was dropped because
//! the client went away, or the hub's own concurrency limit refused it) gives the trial back when its permit drops, so
//! the next caller becomes the trial. A trial that neither answers nor drops (a hung call) stops blocking others after
//! `trial_timeout`: then another trial may go.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// The state as integrators see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug)]
enum Inner {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// Trial `trial` is in flight; others are refused until it answers, gives up, or `deadline` passes.
    HalfOpen {
        trial: u64,
        deadline: Instant,
    },
}

#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    trial_timeout: Duration,
    inner: Mutex<Inner>,
    /// Numbers the trials, so that a late trial cannot hand back a newer one's turn.
    trials: std::sync::atomic::AtomicU64,
}

/// Leave to make one call. Report its outcome with [`Permit::success`] or [`Permit::failure`]; dropping it without a
/// verdict says nothing about the upstream (and gives a half-open trial back).
#[derive(Debug)]
#[must_use = "a permit reports the call's outcome; dropping it at once wastes a half-open trial"]
pub struct Permit<'a> {
    breaker: &'a Breaker,
    /// Set while this permit is the half-open trial and has not reported.
    trial: Option<u64>,
}

impl Permit<'_> {
    /// The upstream answered as it should.
    pub fn success(mut self) {
        self.trial = None;
        self.breaker.success();
    }

    /// The upstream failed (timed out, could not be reached, answered 5xx or nonsense).
    pub fn failure(self) {
        self.failure_at(Instant::now());
    }

    fn failure_at(mut self, now: Instant) {
        self.trial = None;
        self.breaker.failure_at(now);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(trial) = self.trial.take() {
            self.breaker.give_back(trial);
        }
    }
}

impl Breaker {
    /// `trial_timeout`: how long a half-open trial may stay unanswered before another is let through.
    pub fn new(threshold: u32, cooldown: Duration, trial_timeout: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            trial_timeout,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
            trials: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means a panic elsewhere while holding it; the state is still a valid enum.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May a call go out now? An expired open circuit (or a half-open one whose trial is overdue) lets exactly one
    /// trial through.
    pub fn allow(&self) -> Option<Permit<'_>> {
        self.allow_at(Instant::now())
    }

    fn allow_at(&self, now: Instant) -> Option<Permit<'_>> {
        let mut inner = self.lock();
        let trial_may_go = match *inner {
            Inner::Closed { .. } => {
                return Some(Permit {
                    breaker: self,
                    trial: None,
                })
            }
            Inner::Open { until } => now >= until,
            Inner::HalfOpen { deadline, .. } => now >= deadline,
        };
        if !trial_may_go {
            return None;
        }
        let trial = self
            .trials
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *inner = Inner::HalfOpen {
            trial,
            deadline: now + self.trial_timeout,
        };
        Some(Permit {
            breaker: self,
            trial: Some(trial),
        })
    }

    fn success(&self) {
        *self.lock() = Inner::Closed { failures: 0 };
    }

    fn failure_at(&self, now: Instant) {
        let mut inner = self.lock();
        let failures = match *inner {
            Inner::Closed { failures } => failures + 1,
            Inner::HalfOpen { .. } | Inner::Open { .. } => self.threshold,
        };
        *inner = if failures >= self.threshold {
            Inner::Open {
                until: now + self.cooldown,
            }
        } else {
            Inner::Closed { failures }
        };
    }

    /// Trial `trial` ended without a verdict: if it is still the one in flight, the next caller may be the trial.
    fn give_back(&self, trial: u64) {
        let mut inner = self.lock();
        if matches!(*inner, Inner::HalfOpen { trial: t, .. } if t == trial) {
            *inner = Inner::Open {
                until: Instant::now(),
            };
        }
    }

    pub fn state(&self) -> CircuitState {
        match *self.lock() {
            Inner::Closed { .. } => CircuitState::Closed,
            Inner::HalfOpen { .. } => CircuitState::HalfOpen,
            Inner::Open { until } if Instant::now() >= until => CircuitState::HalfOpen,
            Inner::Open { .. } => CircuitState::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn fail(b: &Breaker) {
        b.allow().expect("a permit").failure();
    }

    #[test]
    fn opens_after_the_threshold_and_half_opens_after_the_cooldown() {
        let b = Breaker::new(3, Duration::ZERO, HOUR);
        fail(&b);
        fail(&b);
        assert_eq!(b.state(), CircuitState::Closed);
        b.allow().expect("closed").success();
        fail(&b);
        fail(&b);
        assert_eq!(b.state(), CircuitState::Closed, "success resets the count");
        fail(&b);
        // Zero cooldown: the next caller is the trial, and only it.
        let trial = b.allow().expect("the trial");
        assert!(b.allow().is_none(), "one trial at a time");
        assert_eq!(b.state(), CircuitState::HalfOpen);
        trial.failure();
        let trial = b
            .allow()
            .expect("a failed trial opens again, for another cooldown");
        trial.success();
        assert_eq!(b.state(), CircuitState::Closed);
        let (one, two) = (b.allow(), b.allow());
        assert!(one.is_some() && two.is_some(), "closed: every call goes");
    }

    #[test]
    fn an_open_circuit_refuses_until_the_cooldown_ends() {
        let b = Breaker::new(1, HOUR, HOUR);
        let now = Instant::now();
        b.allow_at(now).expect("closed").failure_at(now);
        assert_eq!(b.state(), CircuitState::Open);
        assert!(b.allow_at(now).is_none());
        assert!(b.allow_at(now + HOUR / 2).is_none());
        let trial = b.allow_at(now + HOUR).expect("the cooldown is over");
        assert!(b.allow_at(now + HOUR).is_none());
        trial.failure();
        assert_eq!(b.state(), CircuitState::Open, "the failed trial reopens");
    }

    #[test]
    fn a_dropped_trial_lets_the_next_call_be_the_trial() {
        let b = Breaker::new(1, Duration::ZERO, HOUR);
        fail(&b);
        let trial = b.allow().expect("the trial");
        assert!(b.allow().is_none());
        // The caller went away (its future was dropped) before the upstream answered.
        drop(trial);
        let next = b.allow().expect("the trial was given back");
        assert!(b.allow().is_none(), "still one trial at a time");
        next.success();
        assert_eq!(b.state(), CircuitState::Closed);
    }

    #[test]
    fn a_trial_that_never_reports_blocks_others_only_until_its_deadline() {
        let timeout = Duration::from_secs(30);
        let b = Breaker::new(1, Duration::ZERO, timeout);
        let now = Instant::now();
        b.allow_at(now).expect("closed").failure_at(now);
        let hung = b.allow_at(now).expect("the trial");
        assert!(b.allow_at(now + timeout / 2).is_none());
        let second = b
            .allow_at(now + timeout)
            .expect("past its deadline, another trial goes");
        assert!(b.allow_at(now + timeout).is_none());
        // The overdue first trial gives up late: it must not hand back the second trial's turn.
        drop(hung);
        assert!(b.allow_at(now + timeout).is_none());
        second.success();
        assert!(b.allow().is_some());
    }

    #[test]
    fn permits_of_a_closed_circuit_report_nothing_when_dropped() {
        let b = Breaker::new(2, HOUR, HOUR);
        fail(&b);
        drop(b.allow().expect("closed"));
        assert_eq!(b.state(), CircuitState::Closed);
        fail(&b);
        assert_eq!(b.state(), CircuitState::Open, "the count was kept");
    }
}
