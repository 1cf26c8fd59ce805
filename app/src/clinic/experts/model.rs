//! Request and response bodies of experts.

use chrono::{DateTime, Utc};
use klinik_domain::accounts::Role;
use klinik_domain::clinic::{ExpertRole, ProblemCategory};
use klinik_domain::text::single_line;
use klinik_domain::{Violation, Violations, identifiers};
use klinik_persistence::clinic::experts::{ExpertFields, ExpertRow};
use klinik_persistence::{StoreError, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::personal_data::mask_phone;
use crate::prelude::*;

const NAME_MAX_CHARS: usize = 200;

/// Registers an expert.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Dr. Rina Wulandari", "role": "akademisi", "partner_id": 1,
    "expertise": ["keuangan_akuntansi", "tata_kelola_rat"], "phone": "081234567890",
    "email": "rina@example.ac.id"}))]
pub struct CreateExpert {
    /// Full name (personal data of a professional; shown to all staff).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub full_name: String,
    pub role: ExpertRole,
    /// The institution the expert comes from.
    #[schema(minimum = 1)]
    pub partner_id: Option<i64>,
    /// Areas of expertise, as problem categories; each at most once. Read back in code order.
    #[schema(max_items = 14)]
    pub expertise: Option<Vec<ProblemCategory>>,
    /// Telephone (personal data).
    #[schema(pattern = r"^\+?[0-9]{6,15}$")]
    pub phone: Option<String>,
    /// E-mail (personal data).
    #[schema(
        max_length = 254,
        pattern = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$"
    )]
    pub email: Option<String>,
    /// The user account the expert signs in with; it must have the `assessor` role and belong
    /// to no other expert.
    #[schema(minimum = 1)]
    pub user_id: Option<i64>,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// Changes an expert. Absent fields stay; `null` clears an optional field; `expertise` replaces
/// the list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false, "phone": null}))]
pub struct PatchExpert {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = ExpertRole)]
    pub role: Option<ExpertRole>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub partner_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<ProblemCategory>, max_items = 14)]
    pub expertise: Option<Vec<ProblemCategory>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = r"^\+?[0-9]{6,15}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub user_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// An expert. `phone` shows its last three digits and `email` its domain only, unless the caller
/// is `admin` or `officer`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "full_name": "Dr. Rina Wulandari", "role": "akademisi",
    "partner_id": 1, "partner_name": "Institut Pertanian Bogor",
    "expertise": ["keuangan_akuntansi", "tata_kelola_rat"], "phone": "*********890",
    "email": "***@example.ac.id", "user_id": null, "active": true, "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z", "archived_at": null}))]
pub struct Expert {
    pub id: i64,
    pub full_name: String,
    pub role: ExpertRole,
    pub partner_id: Option<i64>,
    pub partner_name: Option<String>,
    pub expertise: Vec<ProblemCategory>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<i64>,
    pub active: bool,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// An e-mail address as shown to those who may not see it: its domain only.
fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((_, domain)) => format!("***@{domain}"),
        None => "***".into(),
    }
}

impl Tagged for Expert {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Expert {
    /// As a caller who may not see personal data sees it: phone and e-mail masked.
    pub fn for_caller(self, clear: bool) -> Self {
        if clear {
            return self;
        }
        Expert {
            phone: self.phone.as_deref().map(mask_phone),
            email: self.email.as_deref().map(mask_email),
            ..self
        }
    }

    pub fn from_row(
        row: ExpertRow,
        expertise: Vec<ProblemCategory>,
        partner_name: Option<String>,
        clear: bool,
    ) -> Self {
        let (phone, email) = if clear {
            (row.phone, row.email)
        } else {
            (
                row.phone.as_deref().map(mask_phone),
                row.email.as_deref().map(mask_email),
            )
        };
        Expert {
            id: row.id.get(),
            full_name: row.full_name,
            role: row.role,
            partner_id: row.partner_id.map(|id| id.get()),
            partner_name,
            expertise,
            phone,
            email,
            user_id: row.user_id.map(|id| id.get()),
            active: row.active,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
        }
    }
}

fn check(fields: &ExpertFields, expertise: Option<&[ProblemCategory]>) -> Result<(), Error> {
    let mut violations = Violations::default();
    violations.check(single_line("full_name", &fields.full_name, NAME_MAX_CHARS));
    if let Some(phone) = &fields.phone {
        violations.check(identifiers::phone("phone", phone));
    }
    if let Some(email) = &fields.email {
        violations.check(identifiers::email("email", email));
    }
    if let Some(categories) = expertise {
        let mut seen = std::collections::HashSet::new();
        if categories.iter().any(|c| !seen.insert(*c)) {
            violations.push(Violation::new(
                "expertise",
                "duplicate_item",
                msg!("each category at most once"),
            ));
        }
    }
    for (field, id) in [
        ("partner_id", fields.partner_id.map(|id| id.get())),
        ("user_id", fields.user_id.map(|id| id.get())),
    ] {
        if id.is_some_and(|id| id < 1) {
            violations.push(Violation::new(field, "minimum", msg!("must be at least 1")));
        }
    }
    Ok(violations.into_result()?)
}

impl CreateExpert {
    pub fn into_fields(self) -> Result<(ExpertFields, Vec<ProblemCategory>), Error> {
        let expertise = self.expertise.unwrap_or_default();
        let fields = ExpertFields {
            full_name: self.full_name,
            role: self.role,
            partner_id: self.partner_id.map(PartnerId),
            phone: self.phone,
            email: self.email,
            user_id: self.user_id.map(UserId),
            active: self.active.unwrap_or(true),
        };
        check(&fields, Some(&expertise))?;
        Ok((fields, expertise))
    }
}

impl PatchExpert {
    /// The stored expert with this patch applied, checked as a whole; the new expertise list when
    /// the patch replaces it.
    pub fn merge(
        self,
        current: &ExpertRow,
    ) -> Result<(ExpertFields, Option<Vec<ProblemCategory>>), Error> {
        let fields = ExpertFields {
            full_name: self.full_name.unwrap_or_else(|| current.full_name.clone()),
            role: self.role.unwrap_or(current.role),
            partner_id: self
                .partner_id
                .map_or(current.partner_id, |p| p.map(PartnerId)),
            phone: self.phone.unwrap_or_else(|| current.phone.clone()),
            email: self.email.unwrap_or_else(|| current.email.clone()),
            user_id: self.user_id.map_or(current.user_id, |u| u.map(UserId)),
            active: self.active.unwrap_or(current.active),
        };
        check(&fields, self.expertise.as_deref())?;
        Ok((fields, self.expertise))
    }
}

/// The partner must exist and the linked account must be an assessor's (422 otherwise).
pub fn check_references(conn: &mut AnyConnection, fields: &ExpertFields) -> Result<(), Error> {
    if let Some(partner_id) = fields.partner_id
        && klinik_persistence::clinic::partners::existing_ids(conn, &[partner_id])?.is_empty()
    {
        return Err(Error::validation(
            "partner_id",
            "unknown_partner",
            msg!("is not a partner institution (or it is archived)"),
        ));
    }
    if let Some(user_id) = fields.user_id {
        let user = match users::find(conn, user_id) {
            Ok(user) => user,
            Err(StoreError::NotFound) => {
                return Err(Error::validation(
                    "user_id",
                    "unknown_user",
                    msg!("is not a user account"),
                ));
            }
            Err(other) => return Err(other.into()),
        };
        if user.role != Role::Assessor {
            return Err(Error::validation(
                "user_id",
                "user_not_assessor",
                msg!("the linked account must have the assessor role"),
            ));
        }
    }
    Ok(())
}
