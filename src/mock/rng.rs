//! Deterministic randomness for the mock data: splitmix64 streams keyed by (seed, stream, index), so any record can
//! be recomputed from its index alone; affine bijections that turn a record's index into a fixed-width identifier and
//! back (identifiers need no lookup table); and the civil-date arithmetic the records need.

const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The splitmix64 finaliser: a good 64-bit mix of `z`.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A splitmix64 stream.
pub struct Rng(u64);

impl Rng {
    /// The stream of record `index` of kind `stream` under `seed`: independent of every other record's.
    pub fn new(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix(seed
            ^ mix(
                stream.wrapping_mul(GAMMA) ^ mix(index.wrapping_add(GAMMA))
            )))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// Uniform in `[0, n)` (the modulo bias is negligible for the small `n` used here).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in `[lo, hi]`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index into `weights`, drawn in proportion to them.
    pub fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u64 = weights.clone().map(u64::from).sum();
        let mut x = self.below(total);
        for (i, w) in weights.enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }
}

/// `x ↦ (a·x + b) mod 10^digits`: a bijection because `a` is coprime with 10. Record `i` gets identifier
/// `encode(i)`, and `decode` finds the record again without a table.
pub struct Perm {
    m: u64,
    a: u64,
    a_inv: u64,
    b: u64,
}

impl Perm {
    pub fn new(seed: u64, stream: u64, digits: u32) -> Perm {
        let m = 10u64.pow(digits);
        let mut r = Rng::new(seed, stream, u64::MAX);
        let a = loop {
            let a = r.below(m) | 1;
            if a > 1 && !a.is_multiple_of(5) {
                break a;
            }
        };
        Perm {
            m,
            a,
            a_inv: inverse(a, m),
            b: r.below(m),
        }
    }

    pub fn encode(&self, i: u64) -> u64 {
        ((u128::from(self.a) * u128::from(i % self.m) + u128::from(self.b)) % u128::from(self.m))
            as u64
    }

    pub fn decode(&self, x: u64) -> u64 {
        let shifted = (x % self.m + self.m - self.b) % self.m;
        ((u128::from(shifted) * u128::from(self.a_inv)) % u128::from(self.m)) as u64
    }
}

/// The inverse of `a` modulo `m` (extended Euclid); `a` and `m` are coprime.
fn inverse(a: u64, m: u64) -> u64 {
    let (mut t, mut new_t) = (0i128, 1i128);
    let (mut r, mut new_r) = (i128::from(m), i128::from(a));
    while new_r != 0 {
        let q = r / new_r;
        (t, new_t) = (new_t, t - q * new_t);
        (r, new_r) = (new_r, r - q * new_r);
    }
    t.rem_euclid(i128::from(m)) as u64
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of `days` since 1970-01-01.
pub fn civil(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `YYYY-MM-DD`.
pub fn ymd(days: i32) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A uniformly drawn day of year `y`.
pub fn day_in_year(r: &mut Rng, y: i32) -> i32 {
    let start = days(y, 1, 1);
    start + r.below((days(y + 1, 1, 1) - start) as u64) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perm_round_trips() {
        let p = Perm::new(7, 3, 8);
        for i in [0u64, 1, 2, 99_999, 12_345_678] {
            assert_eq!(p.decode(p.encode(i)), i);
        }
        assert_ne!(p.encode(1), p.encode(2));
    }

    #[test]
    fn dates_round_trip() {
        for d in [-25_000, -1, 0, 1, 10_957, 20_000] {
            let (y, m, dd) = civil(d);
            assert_eq!(days(y, m, dd), d);
        }
        assert_eq!(ymd(days(2024, 2, 29)), "2024-02-29");
    }
}
