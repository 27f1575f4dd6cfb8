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

/// A keyed bijection on `[0, 10^digits)`: record `i` gets identifier `encode(i)` and `decode` finds the record again
/// without a table. A four-round Feistel network on two halves of decimal digits, with cycle walking for an odd
/// digit count, so consecutive records get unrelated identifiers (an affine map would space them evenly).
pub struct Perm {
    half: u64,
    m: u64,
    keys: [u64; 4],
}

impl Perm {
    pub fn new(seed: u64, stream: u64, digits: u32) -> Perm {
        let mut r = Rng::new(seed, stream, u64::MAX);
        Perm {
            half: 10u64.pow(digits.div_ceil(2)),
            m: 10u64.pow(digits),
            keys: [r.next_u64(), r.next_u64(), r.next_u64(), r.next_u64()],
        }
    }

    fn round(&self, key: u64, x: u64) -> u64 {
        mix(key ^ x) % self.half
    }

    fn forward(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x / self.half, x % self.half);
        for k in self.keys {
            (l, r) = (r, (l + self.round(k, r)) % self.half);
        }
        l * self.half + r
    }

    fn backward(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x / self.half, x % self.half);
        for k in self.keys.iter().rev() {
            (l, r) = ((r + self.half - self.round(*k, l)) % self.half, l);
        }
        l * self.half + r
    }

    pub fn encode(&self, i: u64) -> u64 {
        let mut x = self.forward(i % self.m);
        while x >= self.m {
            x = self.forward(x);
        }
        x
    }

    pub fn decode(&self, x: u64) -> u64 {
        let mut i = self.backward(x % self.m);
        while i >= self.m {
            i = self.backward(i);
        }
        i
    }
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
    fn perm_is_a_bijection_that_round_trips() {
        for digits in [3, 7, 8] {
            let p = Perm::new(7, 3, digits);
            let m = 10u64.pow(digits);
            for i in (0..m).step_by((m / 997).max(1) as usize) {
                let x = p.encode(i);
                assert!(x < m);
                assert_eq!(p.decode(x), i);
            }
        }
        let p = Perm::new(7, 3, 3);
        let mut all: Vec<u64> = (0..1000).map(|i| p.encode(i)).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 1000);
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
