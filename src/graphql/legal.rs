//! `legalReferences`: the legal texts the hub cites, with their force (public, like the catalog). Thin: the list is
//! `crate::legal`'s, loaded at start.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};

use crate::{
    legal::{LegalReference as Text, LegalReferences, LegalStatus, LegalTopic},
    limits::cost,
};

/// A law, decree or circular the hub cites, and what is known of its force. Entries come from the project's domain
/// brief and the plans (`data/legal/references.toml`, or the operator's `legal_references_file`).
#[derive(SimpleObject)]
pub struct LegalReference {
    /// As printed, e.g. `91/2025/QH15`.
    pub number: String,
    /// `Luật`, `Nghị định`, `Thông tư`...
    pub kind: String,
    pub subject: String,
    /// `YYYY-MM-DD`, where known.
    pub in_force_from: Option<String>,
    pub status: LegalStatus,
    /// The texts that (partly) replaced this one.
    pub replaced_by: Vec<String>,
    pub topics: Vec<LegalTopic>,
    /// False where the source marks the fact unverified or does not record it: check the official gazette.
    pub verified: bool,
    /// Where the entry comes from.
    pub source: String,
    pub note: Option<String>,
}

impl From<&Text> for LegalReference {
    fn from(t: &Text) -> Self {
        LegalReference {
            number: t.number.clone(),
            kind: t.kind.clone(),
            subject: t.subject.clone(),
            in_force_from: t.in_force_from.clone(),
            status: t.status,
            replaced_by: t.replaced_by.clone(),
            topics: t.topics.clone(),
            verified: t.verified,
            source: t.source.clone(),
            note: t.note.clone(),
        }
    }
}

#[derive(Default)]
pub struct LegalQuery;

#[Object]
impl LegalQuery {
    /// The legal texts the hub cites (on `topic`, or all), in force or not: what governs personal data and data
    /// sharing today beside what the plans cite.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn legal_references(
        &self,
        ctx: &Context<'_>,
        topic: Option<LegalTopic>,
    ) -> async_graphql::Result<Vec<LegalReference>> {
        let list = ctx.data::<Arc<LegalReferences>>()?;
        Ok(list.about(topic).map(LegalReference::from).collect())
    }
}
