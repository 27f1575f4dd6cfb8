//! The synthetic population, generated at start from the seed into compact vectors: citizens in households (couples,
//! their children, single adults), with parents, spouses and former spouses consistent both ways; land parcels owned
//! by household heads and their spouses. Everything else (addresses, enterprises, insurance, civil-status and judicial
//! records) is recomputed on demand from a record's index, so memory stays at a few tens of bytes per citizen.
//!
//! Identifiers: personal numbers are `PPP G YY RRRRRR` (birth province, century/sex digit, birth year, random) with a
//! hash map back to the citizen; the other identifiers are an affine bijection of the record's index ([`Perm`]) behind
//! a province prefix, so they decode without a table. No identifier is ever all zeros (the probes' ids).

use std::collections::HashMap;

use crate::names::{self, Province, FAMILY, PROVINCES};
use crate::rng::{civil, day_in_year, Perm, Rng};

pub const NONE: u32 = u32::MAX;
/// The data are "as of" this year: ages, statuses and card validity are computed against it.
pub const AS_OF_YEAR: i32 = 2025;

/// Stream numbers of the record kinds (part of every record's RNG key).
pub mod stream {
    pub const HOUSEHOLD: u64 = 1;
    pub const PERSON: u64 = 2;
    pub const ADDRESS: u64 = 3;
    pub const ENTERPRISE: u64 = 4;
    pub const PARCEL: u64 = 5;
    pub const INSURANCE: u64 = 6;
    pub const BIRTH: u64 = 7;
    pub const MARRIAGE: u64 = 8;
    pub const JUDICIAL: u64 = 9;
}

/// One citizen, compactly; indices point into `World::citizens`, `NONE` when absent.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub id: u64,
    /// Birth date, days since 1970-01-01.
    pub birth: i32,
    /// Date of the marriage with `spouse` or `ex_spouse`.
    pub married_on: i32,
    pub father: u32,
    pub mother: u32,
    pub spouse: u32,
    pub ex_spouse: u32,
    pub head: u32,
    pub family: u8,
    pub middle: u8,
    pub given: u8,
    pub female: bool,
    pub birth_province: u8,
    /// Province of residence (the household's).
    pub province: u8,
    /// Index into `names::RELATIONS`.
    pub relation: u8,
}

impl Citizen {
    pub fn birth_year(&self) -> i32 {
        civil(self.birth).0
    }
    pub fn age(&self) -> i32 {
        AS_OF_YEAR - self.birth_year()
    }
}

/// A land parcel: its owners (the second may be `NONE`) and province.
#[derive(Debug, Clone, Copy)]
pub struct Parcel {
    pub owners: [u32; 2],
    pub province: u8,
}

pub struct World {
    pub seed: u64,
    pub citizens: Vec<Citizen>,
    by_personal_id: HashMap<u64, u32>,
    pub parcels: Vec<Parcel>,
    /// (owner, parcel), sorted: the parcels of an owner are one binary search away.
    by_owner: Vec<(u32, u32)>,
    pub enterprises: u32,
    pub judicial_requests: u32,
    pub insurance_perm: Perm,
    pub enterprise_perm: Perm,
    pub parcel_perm: Perm,
    pub request_perm: Perm,
}

impl World {
    pub fn generate(seed: u64, citizens: u32) -> World {
        let mut g = Generator {
            seed,
            people: Vec::with_capacity(citizens as usize),
            ids: HashMap::with_capacity(citizens as usize),
        };
        let mut household = 0u64;
        while g.people.len() < citizens as usize {
            let left = citizens as usize - g.people.len();
            g.household(household, left);
            household += 1;
        }
        let mut world = World {
            seed,
            enterprises: (citizens / 20).max(1),
            judicial_requests: (citizens / 20).max(1),
            insurance_perm: Perm::new(seed, stream::INSURANCE, 8),
            enterprise_perm: Perm::new(seed, stream::ENTERPRISE, 7),
            parcel_perm: Perm::new(seed, stream::PARCEL, 10),
            request_perm: Perm::new(seed, stream::JUDICIAL, 10),
            citizens: g.people,
            by_personal_id: g.ids,
            parcels: Vec::new(),
            by_owner: Vec::new(),
        };
        world.parcels = (0..citizens / 2).map(|p| world.new_parcel(p)).collect();
        world.by_owner = world
            .parcels
            .iter()
            .enumerate()
            .flat_map(|(p, parcel)| parcel.owners.map(|o| (o, p as u32)))
            .filter(|(o, _)| *o != NONE)
            .collect();
        world.by_owner.sort_unstable();
        world
    }

    pub fn citizen(&self, i: u32) -> &Citizen {
        &self.citizens[i as usize]
    }

    /// The citizen with this personal number.
    pub fn find(&self, personal_id: u64) -> Option<u32> {
        self.by_personal_id.get(&personal_id).copied()
    }

    pub fn full_name(&self, i: u32) -> String {
        let c = self.citizen(i);
        let (middle, given) = if c.female {
            (
                names::MIDDLE_FEMALE[c.middle as usize],
                names::GIVEN_FEMALE[c.given as usize],
            )
        } else {
            (
                names::MIDDLE_MALE[c.middle as usize],
                names::GIVEN_MALE[c.given as usize],
            )
        };
        format!("{} {middle} {given}", FAMILY[c.family as usize].0)
    }

    pub fn personal_id(&self, i: u32) -> String {
        format!("{:012}", self.citizen(i).id)
    }

    /// `{"personalId","fullName"}` of a citizen: how other registers name a person.
    pub fn person_ref(&self, i: u32) -> serde_json::Value {
        serde_json::json!({ "personalId": self.personal_id(i), "fullName": self.full_name(i) })
    }

    /// The household's permanent address: the same for every member (derived from the head).
    pub fn address(&self, i: u32) -> String {
        let head = self.citizen(i).head;
        let c = self.citizen(head);
        let mut r = Rng::new(self.seed, stream::ADDRESS, u64::from(head));
        let province = &PROVINCES[c.province as usize];
        let commune = r.pick(&province.communes);
        let place = if commune.starts_with("phường") {
            format!("Số {} đường {}", r.range(1, 300), r.pick(&names::STREETS))
        } else {
            format!("Thôn {}", r.range(1, 12))
        };
        format!("{place}, {commune}, {}", province_name(province))
    }

    /// The parcels `owner` holds, in parcel order.
    pub fn parcels_of(&self, owner: u32) -> impl Iterator<Item = u32> + '_ {
        let start = self.by_owner.partition_point(|(o, _)| *o < owner);
        self.by_owner[start..]
            .iter()
            .take_while(move |(o, _)| *o == owner)
            .map(|(_, p)| *p)
    }

    /// An adult (≥ 20) drawn from `r`; used for legal representatives and applicants.
    pub fn draw_adult(&self, r: &mut Rng) -> u32 {
        let n = self.citizens.len() as u64;
        let mut i = r.below(n) as u32;
        for _ in 0..64 {
            if self.citizen(i).age() >= 20 {
                break;
            }
            i = r.below(n) as u32;
        }
        i
    }

    fn new_parcel(&self, p: u32) -> Parcel {
        let mut r = Rng::new(self.seed, stream::PARCEL, u64::from(p));
        let head = self
            .citizen(r.below(self.citizens.len() as u64) as u32)
            .head;
        let spouse = self.citizen(head).spouse;
        let second = if spouse != NONE && r.chance(0.6) {
            spouse
        } else {
            NONE
        };
        Parcel {
            owners: [head, second],
            province: self.citizen(head).province,
        }
    }
}

/// `tỉnh Hà Tĩnh`, `thành phố Hà Nội`.
pub fn province_name(p: &Province) -> String {
    format!("{} {}", p.kind, p.name)
}

/// Parses an identifier of exactly `len` ASCII digits.
pub fn digits(s: &str, len: usize) -> Option<u64> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

struct Generator {
    seed: u64,
    people: Vec<Citizen>,
    ids: HashMap<u64, u32>,
}

impl Generator {
    /// Adds household `h`: a couple with up to three children (62 %), or one adult; never more than `left` people.
    fn household(&mut self, h: u64, left: usize) {
        let mut r = Rng::new(self.seed, stream::HOUSEHOLD, h);
        let province = r.weighted(names::province_weights()) as u8;
        let head = self.people.len() as u32;
        if left < 2 || !r.chance(0.62) {
            let female = r.chance(0.5);
            let year = r.range(1940, 2006) as i32;
            self.person(&mut r, province, year, female, None, head, 0);
            return;
        }
        let husband_year = r.range(1945, 2000) as i32;
        let wife_year = (husband_year + r.range(-2, 6) as i32).min(2003);
        let married_year =
            (husband_year.max(wife_year - 2) + 22 + r.range(0, 6) as i32).min(AS_OF_YEAR - 1);
        let married_on = day_in_year(&mut r, married_year);
        let husband = self.person(&mut r, province, husband_year, false, None, head, 0);
        let divorced = r.chance(0.08);
        let wife_head = if divorced { head + 1 } else { head };
        let wife = self.person(
            &mut r,
            province,
            wife_year,
            true,
            None,
            wife_head,
            if divorced { 0 } else { 1 },
        );
        for (a, b) in [(husband, wife), (wife, husband)] {
            let c = &mut self.people[a as usize];
            c.married_on = married_on;
            if divorced {
                c.ex_spouse = b;
            } else {
                c.spouse = b;
            }
        }
        let mut year = married_year;
        for _ in 0..r.below(4).min(left as u64 - 2) {
            year += r.range(1, 4) as i32;
            if year >= AS_OF_YEAR {
                break;
            }
            let female = r.chance(0.5);
            let family = self.people[husband as usize].family;
            let child = self.person(&mut r, province, year, female, Some(family), head, 2);
            let c = &mut self.people[child as usize];
            c.father = husband;
            c.mother = wife;
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per member kind; a struct would only rename them"
    )]
    fn person(
        &mut self,
        r: &mut Rng,
        province: u8,
        year: i32,
        female: bool,
        family: Option<u8>,
        head: u32,
        relation: u8,
    ) -> u32 {
        let birth_province = if r.chance(0.85) {
            province
        } else {
            r.weighted(names::province_weights()) as u8
        };
        let birth = day_in_year(r, year);
        let century = ((year / 100 - 19) * 2) as u64 + u64::from(female);
        let prefix = u64::from(PROVINCES[birth_province as usize].code) * 1_000_000_000
            + century * 100_000_000
            + (year % 100) as u64 * 1_000_000;
        let index = self.people.len() as u32;
        let id = loop {
            let id = prefix + r.below(1_000_000);
            if !self.ids.contains_key(&id) {
                break id;
            }
        };
        self.ids.insert(id, index);
        let (middle, given) = if female {
            (names::MIDDLE_FEMALE.len(), names::GIVEN_FEMALE.len())
        } else {
            (names::MIDDLE_MALE.len(), names::GIVEN_MALE.len())
        };
        self.people.push(Citizen {
            id,
            birth,
            married_on: 0,
            father: NONE,
            mother: NONE,
            spouse: NONE,
            ex_spouse: NONE,
            head,
            family: family.unwrap_or_else(|| r.weighted(FAMILY.iter().map(|f| f.1)) as u8),
            middle: r.below(middle as u64) as u8,
            given: r.below(given as u64) as u8,
            female,
            birth_province,
            province,
            relation,
        });
        index
    }
}
