//! Every foreign key and CHECK the migrations add, in one list: those of `m20261203_000009_integrity` (the registries)
//! and those that later migrations create with their tables (`m20261204_000010_sharing`). The integration tests try to
//! break each one, so a constraint listed here is tested without more code.

pub use crate::m20261203_000009_integrity::constraints::{
    Check, Relation, Rule, SECURITY_LEVELS, YEARS,
};

use crate::{
    m20261203_000009_integrity::constraints as registries, m20261204_000010_sharing as sharing,
};

/// `a` then `b`, in a constant.
const fn concat<T: Copy, const N: usize>(a: &[T], b: &[T]) -> [T; N] {
    assert!(a.len() + b.len() == N);
    let mut out = [a[0]; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - a.len()];
        i += 1;
    }
    out
}

const RELATION_COUNT: usize = registries::RELATIONS.len() + sharing::RELATIONS.len();
const CHECK_COUNT: usize = registries::CHECKS.len() + sharing::CHECKS.len();

/// Every relation between the hub's tables.
pub const RELATIONS: &[Relation] =
    &concat::<Relation, RELATION_COUNT>(registries::RELATIONS, sharing::RELATIONS);

/// Every rule on stored values.
pub const CHECKS: &[Check] = &concat::<Check, CHECK_COUNT>(registries::CHECKS, sharing::CHECKS);
