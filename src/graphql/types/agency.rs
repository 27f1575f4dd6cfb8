//! `Agency`: an agency's own fields, its province and its parent agency.

use async_graphql::{Context, Object, ID};

use super::{
    load,
    source::{Cited, Source},
    Agency, Province, Res,
};
use crate::graphql::{
    enums::{AgencyKind, ApprovalRole},
    ids::{global_id, NodeKind},
};

#[Object]
impl Agency {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Agency, &self.0.id)
    }
    /// The hub's own key for the agency (official codes are not printed in the plans for most agencies).
    async fn key(&self) -> &str {
        &self.0.id
    }
    /// Electronic identification code (QĐ 20/2020/QĐ-TTg), where known.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> Option<AgencyKind> {
        Some(self.0.kind.into())
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        load(ctx, &self.0.province_code).await
    }
    /// The agency's role in the security-level approval workflow (Nghị định 85/2016/NĐ-CP, Điều 12), if it has one.
    /// Public: who appraises and approves is public knowledge.
    async fn approval_role(&self) -> Option<ApprovalRole> {
        self.0.approval_role.map(Into::into)
    }
    /// Version for optimistic concurrency (`updateAgency`).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether an administrator changed the agency after it was seeded or created. `source` still cites where the
    /// seeded values came from; `auditEvents(filter: {entity: "agency", entityKey: key})` shows who changed what.
    async fn edited(&self) -> bool {
        self.0.version > 1
    }
    async fn parent(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, self.0.parent_id.as_ref()).await
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}
