//! The clock that decisions about time read: whether a data-sharing grant is in its period, which day a quota counts.
//! A leaf: the application is built with one ([`SystemClock`] unless told otherwise), and tests build it with a
//! [`ManualClock`] they move forward, so that expiry is tested without sleeping.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

/// Milliseconds since the Unix epoch, as the application sees them.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}

/// A clock that stands still until it is set or advanced (tests).
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock standing at `now_ms`.
    pub fn at(now_ms: i64) -> Arc<ManualClock> {
        Arc::new(ManualClock(AtomicI64::new(now_ms)))
    }

    /// A clock standing at the system's time now.
    pub fn now() -> Arc<ManualClock> {
        ManualClock::at(SystemClock.now_ms())
    }

    pub fn set(&self, now_ms: i64) {
        self.0.store(now_ms, Ordering::SeqCst);
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A clock shared by every part of one application.
pub type SharedClock = Arc<dyn Clock>;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Vietnam's offset from UTC (UTC+7, no daylight saving): days, as quotas and periods of validity count them, begin at
/// midnight in Vietnam.
pub const VIETNAM_OFFSET_MS: i64 = 7 * 3_600_000;

/// The day (days since 1970-01-01, in Vietnam) of `ms`.
pub fn day_of(ms: i64) -> i64 {
    (ms + VIETNAM_OFFSET_MS).div_euclid(DAY_MS)
}

/// The instant (ms) the day `day` begins in Vietnam.
pub fn start_of_day(day: i64) -> i64 {
    day * DAY_MS - VIETNAM_OFFSET_MS
}

/// The day of a date `YYYY-MM-DD` (a valid calendar date), or `None`.
pub fn day_of_date(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The date `YYYY-MM-DD` of day `day`.
pub fn date_of_day(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_days_round_trip() {
        assert_eq!(day_of_date("1970-01-01"), Some(0));
        assert_eq!(day_of_date("2026-12-04"), Some(20_791));
        for day in [0, 59, 365, 11_016, 20_791, 30_000] {
            assert_eq!(day_of_date(&date_of_day(day)), Some(day));
        }
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "26-01-01x",
            "2025-02-29",
        ] {
            assert_eq!(day_of_date(bad), None, "{bad}");
        }
        assert_eq!(
            day_of_date("2024-02-29").map(date_of_day).as_deref(),
            Some("2024-02-29")
        );
    }

    #[test]
    fn days_begin_at_midnight_in_vietnam() {
        let day = day_of_date("2026-12-04").unwrap_or_default();
        let start = start_of_day(day);
        assert_eq!(day_of(start), day);
        assert_eq!(day_of(start - 1), day - 1);
        // 17:00 UTC is midnight in Vietnam.
        assert_eq!(start.rem_euclid(DAY_MS), 17 * 3_600_000);
        let clock = ManualClock::at(start);
        clock.advance_ms(DAY_MS);
        assert_eq!(day_of(clock.now_ms()), day + 1);
    }
}
