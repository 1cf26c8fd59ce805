//! Object-level access to cases: an assessor sees and works only on the cases whose diagnosis
//! team includes the expert linked to their account; officers, admins and viewers see all cases
//! (viewers only read, by the operation table).

use klinik_domain::accounts::Role;
use klinik_domain::clinic::MemberDuty;
use klinik_persistence::clinic::{cases, experts};

use crate::prelude::*;

/// Which cases a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    All,
    /// An assessor: only cases with this expert on the team (`None`: the account is linked to no
    /// expert, so no case).
    TeamOf(Option<ExpertId>),
}

impl CaseScope {
    pub fn of(conn: &mut AnyConnection, caller: &Caller) -> Result<Self, Error> {
        match caller {
            Caller::User {
                id,
                role: Role::Assessor,
                ..
            } => Ok(CaseScope::TeamOf(experts::of_user(conn, *id)?)),
            _ => Ok(CaseScope::All),
        }
    }

    /// The store's filter for an assessor's lists.
    pub fn team_filter(&self) -> Option<Vec<ExpertId>> {
        match self {
            CaseScope::All => None,
            CaseScope::TeamOf(expert) => Some(expert.iter().copied().collect()),
        }
    }

    /// The expert acting, for an assessor.
    pub fn expert(&self) -> Option<ExpertId> {
        match self {
            CaseScope::All => None,
            CaseScope::TeamOf(expert) => *expert,
        }
    }

    /// True for office staff who may act on any case (admin, officer).
    pub fn is_staff(caller: &Caller) -> bool {
        matches!(caller.role(), Role::Admin | Role::Officer)
    }
}

/// The case, if the caller may see it; 404 otherwise (an assessor learns nothing of other teams'
/// cases, not even that they exist).
pub fn visible_case(
    conn: &mut AnyConnection,
    scope: &CaseScope,
    case_id: CaseId,
) -> Result<cases::CaseRow, Error> {
    let case = cases::find(conn, case_id).map_err(Error::missing(Record::Case))?;
    if let CaseScope::TeamOf(expert) = scope {
        let on_team = match expert {
            Some(expert) => cases::members_of(conn, &[case_id])?
                .iter()
                .any(|m| m.duty == MemberDuty::Team && m.expert_id == *expert),
            None => false,
        };
        if !on_team {
            return Err(Error::not_found(Record::Case));
        }
    }
    Ok(case)
}
