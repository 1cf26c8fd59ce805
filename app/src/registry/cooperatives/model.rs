//! Request and response bodies of the cooperative registry, and their conversion to storage rows.
//!
//! Every rule a JSON Schema can state is in the schema attributes below (patterns, lengths,
//! enumerations); the same rules are checked by the domain functions named next to them.

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{
    BoardRole, CooperativeForm, CooperativeType, ManagementPattern, MembershipArea,
};
use klinik_persistence::cooperatives::{BoardMemberRow, CooperativeRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::prelude::*;
use crate::registry::region_codes::KelurahanCode;
use crate::state::RegionIndex;

/// Longest legal-entity number or street line, in characters.
pub(super) const LINE_MAX_CHARS: usize = 200;

/// A board member as submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "ketua", "name": "Siti Aminah", "term_start": "2024-01-01", "term_end": "2028-12-31"}))]
pub struct BoardMemberInput {
    pub role: BoardRole,
    /// Full name (personal data).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    /// First day of the term.
    pub term_start: Option<NaiveDate>,
    /// Last day of the term; not before `term_start`.
    pub term_end: Option<NaiveDate>,
}

/// A board member as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardMember {
    pub role: BoardRole,
    pub name: String,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

/// Registers a cooperative. The kecamatan is derived from `kelurahan_code`, never sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "registration_number": "3271010000123",
    "name": "Koperasi Serba Usaha Mekar Sari",
    "form": "primer",
    "type": "konsumen",
    "kelurahan_code": "32.71.01.1006",
    "street": "Jl. Pahlawan No. 12",
    "rt_rw": "003/005",
    "board_members": [{"role": "ketua", "name": "Siti Aminah", "term_start": "2024-01-01", "term_end": "2028-12-31"}]
}))]
pub struct CreateCooperative {
    /// Nomor induk koperasi: 13 to 16 digits, unique.
    #[schema(pattern = "^[0-9]{13,16}$")]
    pub registration_number: Option<String>,
    /// Registered name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    /// Nomor badan hukum (legal-entity number), free text as issued.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub legal_entity_number: Option<String>,
    /// Date of the legal entity.
    pub legal_entity_date: Option<NaiveDate>,
    pub form: CooperativeForm,
    #[serde(rename = "type")]
    pub cooperative_type: CooperativeType,
    /// Defaults to `konvensional`.
    pub management_pattern: Option<ManagementPattern>,
    /// Runs a savings-and-loan business (a KSP, or a unit USP). Defaults to true for type
    /// `simpan_pinjam`, which cannot set it to false.
    pub savings_and_loan: Option<bool>,
    /// Nomor Induk Berusaha: 13 digits.
    #[schema(pattern = "^[0-9]{13}$")]
    pub nib: Option<String>,
    /// NPWP: 15 or 16 digits.
    #[schema(pattern = "^[0-9]{15,16}$")]
    pub npwp: Option<String>,
    /// Defaults to `kota` (supervised by the city office).
    pub membership_area: Option<MembershipArea>,
    /// Street and number.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub street: Option<String>,
    /// RT/RW, e.g. `003/005`.
    #[schema(pattern = "^[0-9]{1,3}/[0-9]{1,3}$")]
    pub rt_rw: Option<String>,
    #[schema(value_type = KelurahanCode)]
    pub kelurahan_code: String,
    /// Defaults to the kelurahan's postal code.
    #[schema(pattern = "^[0-9]{5}$")]
    pub postal_code: Option<String>,
    /// The cooperative's office telephone.
    #[schema(pattern = r"^\+?[0-9]{6,15}$")]
    pub phone: Option<String>,
    /// The cooperative's office e-mail.
    #[schema(
        max_length = 254,
        pattern = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$"
    )]
    pub email: Option<String>,
    /// Chair, secretary, treasurer, supervisors, manager (at most 50).
    #[schema(max_items = 50)]
    pub board_members: Option<Vec<BoardMemberInput>>,
}

/// Changes some fields of a cooperative. Absent fields stay as they are; `null` clears an
/// optional field; `board_members`, when present, replaces the whole board.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Koperasi Mekar Sari", "nib": null, "board_members": []}))]
pub struct PatchCooperative {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{13,16}$")]
    pub registration_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub legal_entity_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub legal_entity_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = CooperativeForm)]
    pub form: Option<CooperativeForm>,
    #[serde(default, rename = "type", deserialize_with = "present")]
    #[schema(value_type = CooperativeType)]
    pub cooperative_type: Option<CooperativeType>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = ManagementPattern)]
    pub management_pattern: Option<ManagementPattern>,
    /// Cannot be false while the type is `simpan_pinjam`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub savings_and_loan: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{13}$")]
    pub nib: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{15,16}$")]
    pub npwp: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = MembershipArea)]
    pub membership_area: Option<MembershipArea>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub street: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{1,3}/[0-9]{1,3}$")]
    pub rt_rw: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = KelurahanCode)]
    pub kelurahan_code: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{5}$")]
    pub postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = r"^\+?[0-9]{6,15}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<BoardMemberInput>, max_items = 50)]
    pub board_members: Option<Vec<BoardMemberInput>>,
}

/// Sets a manual activity status, which wins over the computed one until it is cleared.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "tidak_aktif", "reason": "Kantor tidak ditemukan saat kunjungan monev 2026"}))]
pub struct StatusOverrideInput {
    pub status: ActivityStatus,
    /// Why the computed status does not hold.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub reason: String,
}

/// A cooperative in the registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "registration_number": "3271010000123", "name": "Koperasi Serba Usaha Mekar Sari",
    "legal_entity_number": null, "legal_entity_date": null, "form": "primer", "type": "konsumen",
    "management_pattern": "konvensional", "savings_and_loan": false, "nib": null, "npwp": null,
    "membership_area": "kota", "street": "Jl. Pahlawan No. 12", "rt_rw": "003/005",
    "kelurahan_code": "32.71.01.1006", "kelurahan_name": "Rangga Mekar", "kecamatan_code": "32.71.01",
    "kecamatan_name": "Bogor Selatan", "postal_code": "16136", "phone": null, "email": null,
    "board_members": [{"role": "ketua", "name": "Siti Aminah", "term_start": "2024-01-01", "term_end": "2028-12-31"}],
    "status": "tidak_aktif", "status_computed": "tidak_aktif", "status_rule": "rat_previous_book_year",
    "status_overridden": false, "status_override_reason": null, "version": 1,
    "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z", "archived_at": null
}))]
pub struct Cooperative {
    pub id: i64,
    pub registration_number: Option<String>,
    pub name: String,
    pub legal_entity_number: Option<String>,
    pub legal_entity_date: Option<NaiveDate>,
    pub form: CooperativeForm,
    #[serde(rename = "type")]
    pub cooperative_type: CooperativeType,
    pub management_pattern: ManagementPattern,
    pub savings_and_loan: bool,
    pub nib: Option<String>,
    pub npwp: Option<String>,
    pub membership_area: MembershipArea,
    pub street: Option<String>,
    pub rt_rw: Option<String>,
    #[schema(value_type = KelurahanCode)]
    pub kelurahan_code: String,
    pub kelurahan_name: String,
    /// Derived from the kelurahan.
    pub kecamatan_code: String,
    pub kecamatan_name: String,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub board_members: Vec<BoardMember>,
    /// The status in force: the override when one is set, else the computed one.
    pub status: ActivityStatus,
    /// What `status_rule` computes from the annual reports.
    pub status_computed: ActivityStatus,
    /// Name of the rule that computed `status_computed`, e.g. `rat_previous_book_year`.
    pub status_rule: String,
    /// True when an officer set the status by hand.
    pub status_overridden: bool,
    pub status_override_reason: Option<String>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when the record is archived.
    pub archived_at: Option<DateTime<Utc>>,
}

impl Tagged for Cooperative {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Cooperative {
    pub fn from_rows(
        row: CooperativeRow,
        board: Vec<BoardMemberRow>,
        regions: &RegionIndex,
    ) -> Self {
        let kelurahan = regions.kelurahan(&row.kelurahan_code);
        let kecamatan = kelurahan.and_then(|k| regions.kecamatan(&k.kecamatan_code));
        Cooperative {
            id: row.id.get(),
            registration_number: row.registration_number,
            name: row.name,
            legal_entity_number: row.legal_entity_number,
            legal_entity_date: row.legal_entity_date,
            form: row.form,
            cooperative_type: row.cooperative_type,
            management_pattern: row.management_pattern,
            savings_and_loan: row.savings_and_loan,
            nib: row.nib,
            npwp: row.npwp,
            membership_area: row.membership_area,
            street: row.street,
            rt_rw: row.rt_rw,
            kelurahan_name: kelurahan.map(|k| k.name.clone()).unwrap_or_default(),
            kecamatan_code: kecamatan.map(|k| k.code.clone()).unwrap_or_default(),
            kecamatan_name: kecamatan.map(|k| k.name.clone()).unwrap_or_default(),
            kelurahan_code: row.kelurahan_code,
            postal_code: row.postal_code,
            phone: row.phone,
            email: row.email,
            board_members: board
                .into_iter()
                .map(|m| BoardMember {
                    role: m.role,
                    name: m.name,
                    term_start: m.term_start,
                    term_end: m.term_end,
                })
                .collect(),
            status_overridden: row.status_override.is_some(),
            status: row.status,
            status_computed: row.computed_status,
            status_rule: row.status_rule,
            status_override_reason: row.status_override_reason,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
        }
    }
}
