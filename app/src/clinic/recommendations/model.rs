//! Request and response bodies of recommendations.

pub use super::rules::{check, check_note, check_report, fields_of};

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::clinic::recommendation::{
    FinancingScheme, RecommendationKind, RecommendationStatus,
};
use klinik_persistence::clinic::recommendations::{
    RecommendationFields, RecommendationRow, RecommendationTransitionRow,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::prelude::*;

pub const DESCRIPTION_MAX_CHARS: usize = 2000;
pub const MAX_FINDINGS: usize = 50;
pub const NOTE_MAX_CHARS: usize = 2000;

/// How capital is sought, as the team proposes it. Approval and disbursement are reported later
/// (`PUT /recommendations/{id}/capital`).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"financing_scheme": "kur_mikro", "bank_partner_id": 3, "amount_requested": 50000000}))]
pub struct CapitalRequest {
    pub financing_scheme: FinancingScheme,
    /// The partner bank (a partner of kind `bank` or `bpr`) that finances it.
    #[schema(minimum = 1)]
    pub bank_partner_id: Option<i64>,
    /// Whole rupiah.
    #[schema(minimum = 0)]
    pub amount_requested: Option<i64>,
}

/// A recommendation on a final diagnosis.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "permodalan", "finding_ids": [7],
    "description": "Ajukan KUR mikro untuk modal kerja unit simpan pinjam.", "responsible_expert_id": 3,
    "due_on": "2017-09-30", "capital": {"financing_scheme": "kur_mikro", "bank_partner_id": 3,
    "amount_requested": 50000000}}))]
pub struct CreateRecommendation {
    pub kind: RecommendationKind,
    /// The findings of this diagnosis it answers; each at most once.
    #[schema(max_items = 50)]
    pub finding_ids: Option<Vec<i64>>,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub description: String,
    /// Who carries it out: at most one of an expert, a partner institution or a user account.
    #[schema(minimum = 1)]
    pub responsible_expert_id: Option<i64>,
    #[schema(minimum = 1)]
    pub responsible_partner_id: Option<i64>,
    #[schema(minimum = 1)]
    pub responsible_user_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    /// Required for `permodalan`, refused for other kinds.
    pub capital: Option<CapitalRequest>,
}

/// Changes an open recommendation. Absent fields stay; `null` clears a nullable one; the kind
/// never changes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_on": "2017-10-31", "responsible_partner_id": 2, "responsible_expert_id": null}))]
pub struct PatchRecommendation {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<i64>, max_items = 50)]
    pub finding_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 2000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub responsible_expert_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub responsible_partner_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub responsible_user_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
    /// For `permodalan` only: replaces the scheme, bank and amount requested.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = CapitalRequest)]
    pub capital: Option<CapitalRequest>,
}

/// What a bank (or the office) reports on a capital recommendation: the amount approved and
/// disbursed, each with its date. Replaces the earlier report; whole rupiah; nothing disbursed
/// before or beyond the approval.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_approved": 40000000, "approved_on": "2017-08-01",
    "amount_disbursed": 40000000, "disbursed_on": "2017-08-15"}))]
pub struct CapitalReport {
    #[schema(minimum = 0)]
    pub amount_approved: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    #[schema(minimum = 0)]
    pub amount_disbursed: Option<i64>,
    pub disbursed_on: Option<NaiveDate>,
}

/// A capital recommendation's money.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Capital {
    pub financing_scheme: FinancingScheme,
    pub bank_partner_id: Option<i64>,
    pub amount_requested: Option<i64>,
    pub amount_approved: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    pub amount_disbursed: Option<i64>,
    pub disbursed_on: Option<NaiveDate>,
}

/// A recommendation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 5, "case_id": 1, "diagnosis_id": 2, "kind": "permodalan",
    "finding_ids": [7], "description": "Ajukan KUR mikro untuk modal kerja unit simpan pinjam.",
    "responsible_expert_id": 3, "responsible_partner_id": null, "responsible_user_id": null,
    "due_on": "2017-09-30", "overdue": false, "status": "agreed",
    "capital": {"financing_scheme": "kur_mikro", "bank_partner_id": 3, "amount_requested": 50000000,
    "amount_approved": 40000000, "approved_on": "2017-08-01", "amount_disbursed": null,
    "disbursed_on": null}, "allowed_statuses": ["in_progress", "cancelled"], "version": 3,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T11:00:00Z"}))]
pub struct Recommendation {
    pub id: i64,
    pub case_id: i64,
    pub diagnosis_id: i64,
    pub kind: RecommendationKind,
    pub finding_ids: Vec<i64>,
    pub description: String,
    pub responsible_expert_id: Option<i64>,
    pub responsible_partner_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    /// Still open and its due date has passed.
    pub overdue: bool,
    pub status: RecommendationStatus,
    /// For `permodalan` only.
    pub capital: Option<Capital>,
    /// The statuses it may move to next.
    pub allowed_statuses: Vec<RecommendationStatus>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Recommendation {
    pub fn from_row(row: RecommendationRow, finding_ids: Vec<FindingId>, today: NaiveDate) -> Self {
        let status = row.status;
        let capital = match row.financing_scheme {
            Some(scheme) => Some(Capital {
                financing_scheme: scheme,
                bank_partner_id: row.bank_partner_id.map(|id| id.get()),
                amount_requested: row.amount_requested,
                amount_approved: row.amount_approved,
                approved_on: row.approved_on,
                amount_disbursed: row.amount_disbursed,
                disbursed_on: row.disbursed_on,
            }),
            None => None,
        };
        Recommendation {
            id: row.id.get(),
            case_id: row.case_id.get(),
            diagnosis_id: row.diagnosis_id.get(),
            kind: row.kind,
            finding_ids: finding_ids.into_iter().map(|id| id.get()).collect(),
            description: row.description,
            responsible_expert_id: row.responsible_expert_id.map(|id| id.get()),
            responsible_partner_id: row.responsible_partner_id.map(|id| id.get()),
            responsible_user_id: row.responsible_user_id.map(|id| id.get()),
            due_on: row.due_on,
            overdue: status.is_open() && row.due_on.is_some_and(|due| due < today),
            status,
            capital,
            allowed_statuses: RecommendationStatus::ALL
                .iter()
                .copied()
                .filter(|to| status.may_become(*to))
                .collect(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

impl Tagged for Recommendation {
    fn version(&self) -> i64 {
        self.version
    }
}

/// Moves a recommendation to another status, with an optional note saying why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "agreed", "note": "Disepakati pengurus pada klinik 14 Juni."}))]
pub struct RecommendationTransitionRequest {
    pub status: RecommendationStatus,
    /// Up to 2000 characters; never logged.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub note: Option<String>,
}

/// One status change of a recommendation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 9, "from_status": "proposed", "to_status": "agreed",
    "note": null, "actor_type": "user", "actor_id": 2, "actor_name": "olga",
    "created_at": "2026-11-29T10:00:00Z"}))]
pub struct RecommendationTransition {
    pub id: i64,
    pub from_status: RecommendationStatus,
    pub to_status: RecommendationStatus,
    pub note: Option<String>,
    /// `user` or `client`.
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl RecommendationTransition {
    pub fn from_row(row: RecommendationTransitionRow) -> Self {
        RecommendationTransition {
            id: row.id,
            from_status: row.from_status,
            to_status: row.to_status,
            note: row.note,
            actor_type: row.actor_type,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            created_at: utc(row.created_at),
        }
    }
}

/// A recommendation's fields as they will be stored, with the findings it answers.
#[derive(Debug, Clone)]
pub struct Draft {
    pub fields: RecommendationFields,
    pub finding_ids: Vec<i64>,
}

impl CreateRecommendation {
    pub fn into_draft(self) -> Draft {
        let capital = self.capital;
        Draft {
            fields: RecommendationFields {
                kind: self.kind,
                description: self.description,
                responsible_expert_id: self.responsible_expert_id.map(ExpertId),
                responsible_partner_id: self.responsible_partner_id.map(PartnerId),
                responsible_user_id: self.responsible_user_id.map(UserId),
                due_on: self.due_on,
                financing_scheme: capital.map(|c| c.financing_scheme),
                bank_partner_id: capital.and_then(|c| c.bank_partner_id).map(PartnerId),
                amount_requested: capital.and_then(|c| c.amount_requested),
                amount_approved: None,
                approved_on: None,
                amount_disbursed: None,
                disbursed_on: None,
            },
            finding_ids: self.finding_ids.unwrap_or_default(),
        }
    }
}

impl PatchRecommendation {
    /// The stored recommendation with this patch applied.
    pub fn merge(self, row: &RecommendationRow, finding_ids: Vec<i64>) -> Draft {
        let capital = self.capital;
        Draft {
            fields: RecommendationFields {
                kind: row.kind,
                description: self.description.unwrap_or_else(|| row.description.clone()),
                responsible_expert_id: self
                    .responsible_expert_id
                    .map_or(row.responsible_expert_id, |id| id.map(ExpertId)),
                responsible_partner_id: self
                    .responsible_partner_id
                    .map_or(row.responsible_partner_id, |id| id.map(PartnerId)),
                responsible_user_id: self
                    .responsible_user_id
                    .map_or(row.responsible_user_id, |id| id.map(UserId)),
                due_on: self.due_on.unwrap_or(row.due_on),
                financing_scheme: match capital {
                    Some(c) => Some(c.financing_scheme),
                    None => row.financing_scheme,
                },
                bank_partner_id: match capital {
                    Some(c) => c.bank_partner_id.map(PartnerId),
                    None => row.bank_partner_id,
                },
                amount_requested: match capital {
                    Some(c) => c.amount_requested,
                    None => row.amount_requested,
                },
                amount_approved: row.amount_approved,
                approved_on: row.approved_on,
                amount_disbursed: row.amount_disbursed,
                disbursed_on: row.disbursed_on,
            },
            finding_ids: self.finding_ids.unwrap_or(finding_ids),
        }
    }
}
