//! A circuit breaker: after `threshold` consecutive failures the circuit opens and calls fail at once for `cooldown`;
//! then one trial call is let through (half-open): its success closes the circuit, its failure opens it again.

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
    /// A trial call is in flight; others are refused until it answers.
    HalfOpen,
}

#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means a panic elsewhere while holding it; the state is still a valid enum.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May a call go out now? Moves an expired open circuit to half-open and lets exactly one trial through.
    pub fn allow(&self) -> bool {
        let mut inner = self.lock();
        match *inner {
            Inner::Closed { .. } => true,
            Inner::HalfOpen => false,
            Inner::Open { until } if Instant::now() >= until => {
                *inner = Inner::HalfOpen;
                true
            }
            Inner::Open { .. } => false,
        }
    }

    pub fn success(&self) {
        *self.lock() = Inner::Closed { failures: 0 };
    }

    pub fn failure(&self) {
        let mut inner = self.lock();
        let failures = match *inner {
            Inner::Closed { failures } => failures + 1,
            Inner::HalfOpen | Inner::Open { .. } => self.threshold,
        };
        *inner = if failures >= self.threshold {
            Inner::Open {
                until: Instant::now() + self.cooldown,
            }
        } else {
            Inner::Closed { failures }
        };
    }

    pub fn state(&self) -> CircuitState {
        match *self.lock() {
            Inner::Closed { .. } => CircuitState::Closed,
            Inner::HalfOpen => CircuitState::HalfOpen,
            Inner::Open { until } if Instant::now() >= until => CircuitState::HalfOpen,
            Inner::Open { .. } => CircuitState::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_half_opens_after_the_cooldown() {
        let b = Breaker::new(3, Duration::ZERO);
        b.failure();
        b.failure();
        assert_eq!(b.state(), CircuitState::Closed);
        b.success();
        b.failure();
        b.failure();
        assert_eq!(b.state(), CircuitState::Closed, "success resets the count");
        b.failure();
        // Zero cooldown: the next caller is the trial, and only it.
        assert!(b.allow());
        assert!(!b.allow());
        b.failure();
        assert!(
            b.allow(),
            "a failed trial opens again, for another cooldown"
        );
        b.success();
        assert_eq!(b.state(), CircuitState::Closed);
        assert!(b.allow() && b.allow());
    }

    #[test]
    fn an_open_circuit_refuses_until_the_cooldown_ends() {
        let b = Breaker::new(1, Duration::from_secs(3600));
        b.failure();
        assert_eq!(b.state(), CircuitState::Open);
        assert!(!b.allow());
    }
}
