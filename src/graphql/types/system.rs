//! `InformationSystem`: a system's own fields, its security level and approval state, its agency and province.

use async_graphql::{Context, Object, ID};

use super::{
    load,
    source::{Cited, Source},
    Agency, InformationSystem, Province, Res,
};
use crate::graphql::{
    enums::ApprovalState,
    ids::{global_id, NodeKind},
};

#[Object]
impl InformationSystem {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::InformationSystem, &self.0.code)
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Security level 1–5 (cấp độ, Nghị định 85/2016/NĐ-CP) under consideration or decided (see `approvalState`);
    /// null when none was proposed and no source states it.
    async fn security_level(&self) -> Option<i32> {
        self.0.security_level.map(i32::from)
    }
    /// The last approved level; differs from `securityLevel` while a new proposal is under way or was rejected.
    async fn approved_security_level(&self) -> Option<i32> {
        self.0.approved_level.map(i32::from)
    }

    async fn approval_state(&self) -> Option<ApprovalState> {
        self.0.approval_state.map(Into::into)
    }
    async fn decision_number(&self) -> Option<&str> {
        self.0.decision_number.as_deref()
    }
    async fn decision_date(&self) -> Option<&str> {
        self.0.decision_date.as_deref()
    }
    /// What the plan prints of the security level's approval when it fits no approval state (e.g. "chưa được phê
    /// duyệt cấp độ ATTT"), with its line; null otherwise.
    async fn approval_printed(&self) -> Option<&str> {
        self.0.approval_printed.as_deref()
    }
    /// The line that prints `approvalPrinted`.
    async fn approval_source(&self) -> Option<Source> {
        let line = self.0.approval_line?;
        Some(Source {
            file: self.0.source_file.clone()?,
            line,
            line_end: line,
        })
    }
    async fn connects_lgsp(&self) -> Option<bool> {
        self.0.connects_lgsp
    }
    async fn processes_personal_data(&self) -> Option<bool> {
        self.0.processes_personal_data
    }
    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The agency that runs the system and registered it (đơn vị vận hành), when known. For a provincial system the
    /// owner (chủ quản) is the province's People's Committee.
    async fn agency(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, self.0.agency_id.as_ref()).await
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        load(ctx, &self.0.province_code).await
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}
