//! What a field costs, for async-graphql's complexity analysis (`#[graphql(complexity = "...")]` calls these). A
//! scalar costs 1; a list or connection costs its page size times its selection; a search or a lookup in a national
//! database costs a configured weight on top. The sum over the document is checked against `max_query_cost` before
//! anything runs.

use std::sync::OnceLock;

use crate::config::CostWeights;
use crate::store::page::DEFAULT_PAGE_SIZE;

/// The most provinces (and so province links) a list can hold: Vietnam had 63 before the 2025 merger.
pub const PROVINCES: usize = 63;
/// The most rows a short nested list (budget lines, reported figures, business lines...) is charged for.
pub const SHORT_LIST: usize = 10;

static WEIGHTS: OnceLock<CostWeights> = OnceLock::new();

/// Sets the weights once per process (the first configuration wins; later hubs in the same process, as in the test
/// suite, share it).
pub fn set_weights(weights: CostWeights) {
    let _ = WEIGHTS.set(weights);
}

fn weights() -> CostWeights {
    WEIGHTS.get().copied().unwrap_or_default()
}

/// The most a field is charged. async-graphql adds the costs of sibling fields (and 1 for each plain field) with `+`,
/// so a field charged `usize::MAX` next to any other would overflow it (a panic in debug builds, a wrap to a small
/// cost, which passes the limit, in release). Far above any sensible `max_query_cost`, and far enough below `usize::MAX`
/// that the sums of a document within the token limit cannot reach it.
pub const CEILING: usize = u32::MAX as usize;

fn capped(cost: usize) -> usize {
    cost.min(CEILING)
}

fn times(n: usize, child: usize) -> usize {
    capped(n.max(1).saturating_mul(child).saturating_add(1))
}

fn size(n: i32) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// A Relay connection: the page asked for (`first` or `last`, else the default page) times the selection.
pub fn page(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    times(first.or(last).map_or(DEFAULT_PAGE_SIZE, size), child)
}

/// A nested list with a `first` argument.
pub fn first(first: i32, child: usize) -> usize {
    times(size(first), child)
}

/// A list of at most `bound` rows.
pub fn list(bound: usize, child: usize) -> usize {
    times(bound, child)
}

/// `search(text, first)`: the search itself plus its hits.
pub fn search(first: i32, child: usize) -> usize {
    capped(times(size(first), child).saturating_add(weights().search))
}

/// A lookup in a national database returning one record (or a short list).
pub fn lookup(child: usize) -> usize {
    capped(child.saturating_add(1).saturating_add(weights().upstream))
}

/// `n` lookups in a national database.
pub fn lookups(n: usize, child: usize) -> usize {
    capped(
        n.max(1)
            .saturating_mul(child.saturating_add(weights().upstream))
            .saturating_add(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_multiply_their_selection() {
        assert_eq!(page(Some(100), None, 3), 301);
        assert_eq!(page(None, Some(10), 3), 31);
        assert_eq!(page(None, None, 3), DEFAULT_PAGE_SIZE * 3 + 1);
        assert_eq!(
            page(Some(-5), None, 3),
            4,
            "a negative page is refused later; it costs one row here"
        );
        assert_eq!(
            page(Some(i32::MAX), None, usize::MAX),
            CEILING,
            "saturates at the ceiling, never overflows"
        );
        assert_eq!(lookups(usize::MAX, usize::MAX), CEILING);
        assert_eq!(search(i32::MAX, usize::MAX), CEILING);
        assert_eq!(lookup(usize::MAX), CEILING);
    }

    #[test]
    fn searches_and_lookups_cost_their_weight() {
        let w = CostWeights::default();
        assert_eq!(search(10, 2), 21 + w.search);
        assert_eq!(lookup(5), 6 + w.upstream);
        assert_eq!(lookups(3, 5), 3 * (5 + w.upstream) + 1);
    }
}
