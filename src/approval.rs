//! The security-level approval workflow of Nghị định 85/2016/NĐ-CP (Điều 12) and Thông tư 12/2022/TT-BTTTT, as a
//! state machine that knows nothing of HTTP or SQL.
//!
//! The operator proposes a level; the appraising authority gives its opinion (thẩm định); the approving authority
//! decides (phê duyệt) or rejects. Who appraises and who approves depends on the level (domain brief, ND 85 Điều 12):
//!
//! | level | appraises | approves |
//! | --- | --- | --- |
//! | 1–2 | the owner's information-security unit | the owner's information-security unit |
//! | 3 | the owner's information-security unit | the owner (chủ quản) |
//! | 4 | the national information-security authority | the owner |
//! | 5 | the national information-security authority | the Prime Minister |
//!
//! The 2025 reorganisation moved the national authority's role between ministries, so the table is data
//! ([`AuthorityTable`]), with ND 85's assignment as its default. The operator (the agency that runs the system) is
//! never an appraiser or approver of its own levels 3–5 ([`AuthorityTable::decide`] refuses it even when the operator
//! also holds the authority's role): only levels 1–2 are decided inside the owner's own security unit.

/// Where a system's level stands: the stored state itself.
pub use entities::enums::ApprovalState as State;

use crate::error::{Error, Result};

/// Who acts in the workflow, relative to the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The agency that runs the system and prepares the dossier (đơn vị vận hành).
    Operator,
    /// The owner's information-security unit (đơn vị chuyên trách về an toàn thông tin).
    SecurityUnit,
    /// The owner (chủ quản): for a provincial system, the provincial People's Committee.
    Owner,
    /// The national information-security authority (with defence and public security).
    NationalAuthority,
    /// The Prime Minister.
    PrimeMinister,
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Propose,
    Appraise,
    Approve,
    Reject,
    Retire,
}

/// Who appraises and who approves each level (index 0 = level 1).
#[derive(Debug, Clone)]
pub struct AuthorityTable {
    pub appraiser: [Role; 5],
    pub approver: [Role; 5],
}

impl Default for AuthorityTable {
    /// Nghị định 85/2016/NĐ-CP, Điều 12.
    fn default() -> Self {
        use Role::*;
        AuthorityTable {
            appraiser: [
                SecurityUnit,
                SecurityUnit,
                SecurityUnit,
                NationalAuthority,
                NationalAuthority,
            ],
            approver: [SecurityUnit, SecurityUnit, Owner, Owner, PrimeMinister],
        }
    }
}

fn level_index(level: i16) -> Result<usize> {
    if (1..=5).contains(&level) {
        Ok(level as usize - 1)
    } else {
        Err(Error::bad_input(
            "securityLevel",
            "a security level is from 1 to 5",
        ))
    }
}

impl AuthorityTable {
    /// The state after `role` takes `action` on a system at `level` in `state`, or why it may not.
    ///
    /// `state` is `None` for a system whose level was never proposed.
    pub fn transition(
        &self,
        state: Option<State>,
        level: i16,
        role: Role,
        action: Action,
    ) -> Result<State> {
        let i = level_index(level)?;
        let refuse = |why: &str| Err(Error::forbidden(why.to_owned()));
        let invalid = |why: &str| Err(Error::conflict(why.to_owned()));
        match action {
            Action::Propose => {
                if role != Role::Operator {
                    return refuse("only the operating agency proposes a level");
                }
                match state {
                    None | Some(State::Rejected) | Some(State::Approved) => Ok(State::Proposed),
                    Some(State::Proposed) | Some(State::Appraised) => {
                        invalid("a proposal is already under way")
                    }
                    Some(State::Retired) => invalid("the system is retired"),
                }
            }
            Action::Appraise => {
                if role != self.appraiser[i] {
                    return refuse(
                        "this level is appraised by another authority (ND 85/2016, Điều 12)",
                    );
                }
                match state {
                    Some(State::Proposed) => Ok(State::Appraised),
                    _ => invalid("only a proposed level can be appraised"),
                }
            }
            Action::Approve | Action::Reject => {
                if role != self.approver[i] {
                    return refuse(
                        "this level is decided by another authority (ND 85/2016, Điều 12)",
                    );
                }
                match state {
                    Some(State::Appraised) => Ok(if action == Action::Approve {
                        State::Approved
                    } else {
                        State::Rejected
                    }),
                    _ => invalid("a level is decided only after its appraisal"),
                }
            }
            Action::Retire => {
                if role != Role::Operator {
                    return refuse("only the operating agency retires its system");
                }
                match state {
                    Some(State::Retired) => invalid("the system is already retired"),
                    _ => Ok(State::Retired),
                }
            }
        }
    }
}

impl AuthorityTable {
    /// The state after a caller holding `roles` (relative to the system) takes `action`.
    ///
    /// A caller may hold several roles (a provincial department that runs systems may also be the province's
    /// information-security unit): the action is allowed if one role allows it, except that the operator never
    /// appraises or decides a level 3–5 of its own system, whatever other role it holds.
    pub fn decide(
        &self,
        state: Option<State>,
        level: i16,
        roles: &[Role],
        action: Action,
    ) -> Result<State> {
        let deciding = matches!(action, Action::Appraise | Action::Approve | Action::Reject);
        if deciding && level >= 3 && roles.contains(&Role::Operator) {
            level_index(level)?;
            return Err(Error::forbidden(
                "an agency never appraises or decides a level 3–5 of its own system (ND 85/2016, Điều 12)",
            ));
        }
        let mut refusal = None;
        for &role in roles {
            match self.transition(state, level, role, action) {
                Ok(next) => return Ok(next),
                // A wrong-state answer (CONFLICT) says more than a wrong-role one: keep it if any role gets that far.
                Err(e @ Error::Conflict { .. }) => refusal = Some(e),
                Err(e @ Error::BadInput { .. }) => return Err(e),
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        Err(refusal.unwrap_or_else(|| {
            Error::forbidden("your agency has no role in the approval of this system")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::{Action::*, Role::*, State::*, *};

    const ROLES: [Role; 5] = [
        Operator,
        SecurityUnit,
        Owner,
        NationalAuthority,
        PrimeMinister,
    ];
    const STATES: [Option<State>; 6] = [
        None,
        Some(Proposed),
        Some(Appraised),
        Some(Approved),
        Some(Rejected),
        Some(Retired),
    ];
    const ACTIONS: [Action; 5] = [Propose, Appraise, Approve, Reject, Retire];

    /// The expected outcome of every (state, level, role, action), written out from the table in the module docs.
    fn expected(state: Option<State>, level: i16, role: Role, action: Action) -> Option<State> {
        let (appraiser, approver) = match level {
            1 | 2 => (SecurityUnit, SecurityUnit),
            3 => (SecurityUnit, Owner),
            4 => (NationalAuthority, Owner),
            _ => (NationalAuthority, PrimeMinister),
        };
        match (action, state) {
            (Propose, None | Some(Rejected) | Some(Approved)) if role == Operator => Some(Proposed),
            (Appraise, Some(Proposed)) if role == appraiser => Some(Appraised),
            (Approve, Some(Appraised)) if role == approver => Some(Approved),
            (Reject, Some(Appraised)) if role == approver => Some(Rejected),
            (Retire, s) if s != Some(Retired) && role == Operator => Some(Retired),
            _ => None,
        }
    }

    #[test]
    fn every_transition_is_allowed_or_refused_as_nd85_says() {
        let table = AuthorityTable::default();
        let mut allowed = 0;
        for level in 1..=5 {
            for state in STATES {
                for role in ROLES {
                    for action in ACTIONS {
                        let got = table.transition(state, level, role, action).ok();
                        assert_eq!(
                            got,
                            expected(state, level, role, action),
                            "{state:?} L{level} {role:?} {action:?}"
                        );
                        allowed += usize::from(got.is_some());
                    }
                }
            }
        }
        assert!(allowed > 0);
    }

    #[test]
    fn an_operator_never_approves_its_own_level_3_to_5() {
        let table = AuthorityTable::default();
        for level in 3..=5 {
            assert!(table
                .transition(Some(Appraised), level, Operator, Approve)
                .is_err());
            assert!(table
                .transition(Some(Proposed), level, Operator, Appraise)
                .is_err());
        }
    }

    #[test]
    fn a_level_3_system_goes_proposed_appraised_approved_with_the_right_authorities() {
        let t = AuthorityTable::default();
        let s = t.transition(None, 3, Operator, Propose).expect("propose");
        let s = t
            .transition(Some(s), 3, SecurityUnit, Appraise)
            .expect("appraise");
        assert_eq!(
            t.transition(Some(s), 3, Owner, Approve).expect("approve"),
            Approved
        );
        // Skipping the appraisal is refused even for the right approver.
        assert!(t.transition(Some(Proposed), 3, Owner, Approve).is_err());
    }

    #[test]
    fn an_operator_holding_the_authority_role_still_cannot_decide_its_own_level_3_to_5() {
        let t = AuthorityTable::default();
        for level in 3..=5 {
            for role in [SecurityUnit, Owner, NationalAuthority, PrimeMinister] {
                for (state, action) in [
                    (Proposed, Appraise),
                    (Appraised, Approve),
                    (Appraised, Reject),
                ] {
                    assert!(
                        t.decide(Some(state), level, &[Operator, role], action)
                            .is_err(),
                        "L{level} {role:?} {action:?}"
                    );
                }
            }
        }
        // Levels 1–2 stay inside the owner's security unit, which may also run the system.
        let s = t
            .decide(Some(Proposed), 2, &[Operator, SecurityUnit], Appraise)
            .expect("appraise own level 2");
        assert_eq!(
            t.decide(Some(s), 2, &[Operator, SecurityUnit], Approve)
                .expect("approve own level 2"),
            Approved
        );
    }

    #[test]
    fn decide_allows_what_one_of_the_roles_allows_and_reports_the_state_conflict() {
        let t = AuthorityTable::default();
        assert_eq!(
            t.decide(Some(Proposed), 4, &[Owner, NationalAuthority], Appraise)
                .expect("national authority appraises level 4"),
            Appraised
        );
        assert!(matches!(
            t.decide(Some(Approved), 3, &[SecurityUnit], Appraise),
            Err(Error::Conflict { .. })
        ));
        assert!(matches!(
            t.decide(Some(Proposed), 3, &[], Appraise),
            Err(Error::Forbidden { .. })
        ));
    }

    #[test]
    fn levels_outside_1_to_5_are_bad_input() {
        let t = AuthorityTable::default();
        assert!(matches!(
            t.transition(None, 0, Operator, Propose),
            Err(Error::BadInput { .. })
        ));
        assert!(matches!(
            t.transition(None, 6, Operator, Propose),
            Err(Error::BadInput { .. })
        ));
    }
}
