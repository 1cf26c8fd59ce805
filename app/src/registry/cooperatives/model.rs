//! Request and response bodies of the cooperative registry, and their conversion to storage rows.
//!
//! Every rule a JSON Schema can state is in the schema attributes below (patterns, lengths,
//! enumerations); the same rules are checked by the domain functions named next to them.

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{
    self, BoardMember as DomainBoardMember, BoardRole, CooperativeForm, CooperativeType,
    ManagementPattern, MembershipArea, NAME_MAX_CHARS,
};
use klinik_domain::{Violation, Violations, identifiers, text};
use klinik_persistence::cooperatives::{
    BoardMemberRow, CooperativeChanges, CooperativeFields, CooperativeRow, NewBoardMember,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{merge, nullable, present, utc};
use crate::prelude::*;
use crate::registry::region_codes::KelurahanCode;
use crate::state::RegionIndex;

/// Longest legal-entity number or street line, in characters.
const LINE_MAX_CHARS: usize = 200;

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

fn check_optional(
    violations: &mut Violations,
    value: Option<&str>,
    rule: impl Fn(&str) -> Result<(), Violation>,
) {
    if let Some(v) = value {
        violations.check(rule(v));
    }
}

fn check_kelurahan(violations: &mut Violations, regions: &RegionIndex, code: &str) {
    if regions.kelurahan(code).is_none() {
        violations.push(Violation::new(
            "kelurahan_code",
            "unknown_kelurahan",
            "is not a kelurahan of Kota Bogor (see GET /api/v1/regions/kelurahan)",
        ));
    }
}

fn check_savings_and_loan(
    violations: &mut Violations,
    kind: CooperativeType,
    savings_and_loan: bool,
) {
    if kind == CooperativeType::SimpanPinjam && !savings_and_loan {
        violations.push(Violation::new(
            "savings_and_loan",
            "savings_and_loan_required",
            "must be true for a cooperative of type simpan_pinjam",
        ));
    }
}

fn board(input: &[BoardMemberInput], violations: &mut Violations) -> Vec<NewBoardMember> {
    let members: Vec<DomainBoardMember> = input
        .iter()
        .map(|m| DomainBoardMember {
            role: m.role,
            name: m.name.clone(),
            term_start: m.term_start,
            term_end: m.term_end,
        })
        .collect();
    if let Err(found) = cooperative::validate_board(&members) {
        violations.0.extend(found.0);
    }
    members
        .into_iter()
        .map(|m| NewBoardMember {
            role: m.role,
            name: m.name,
            term_start: m.term_start,
            term_end: m.term_end,
        })
        .collect()
}

/// Every shape rule of the fields common to create and patch.
fn check_fields(violations: &mut Violations, f: &CooperativeFields) {
    violations.check(text::single_line("name", &f.name, NAME_MAX_CHARS));
    check_optional(violations, f.registration_number.as_deref(), |v| {
        identifiers::registration_number("registration_number", v)
    });
    check_optional(violations, f.legal_entity_number.as_deref(), |v| {
        text::single_line("legal_entity_number", v, LINE_MAX_CHARS)
    });
    check_optional(violations, f.nib.as_deref(), |v| identifiers::nib("nib", v));
    check_optional(violations, f.npwp.as_deref(), |v| {
        identifiers::npwp("npwp", v)
    });
    check_optional(violations, f.street.as_deref(), |v| {
        text::single_line("street", v, LINE_MAX_CHARS)
    });
    check_optional(violations, f.rt_rw.as_deref(), |v| {
        identifiers::rt_rw("rt_rw", v)
    });
    check_optional(violations, f.postal_code.as_deref(), |v| {
        identifiers::postal_code("postal_code", v)
    });
    check_optional(violations, f.phone.as_deref(), |v| {
        identifiers::phone("phone", v)
    });
    check_optional(violations, f.email.as_deref(), |v| {
        identifiers::email("email", v)
    });
}

impl CreateCooperative {
    /// Validates the whole request and turns it into the row to insert and the board.
    pub fn into_fields(
        self,
        regions: &RegionIndex,
    ) -> Result<(CooperativeFields, Vec<NewBoardMember>), Violations> {
        let mut violations = Violations::default();
        check_kelurahan(&mut violations, regions, &self.kelurahan_code);
        let postal_code = self.postal_code.or_else(|| {
            regions
                .kelurahan(&self.kelurahan_code)
                .map(|k| k.postal_code.clone())
        });
        let savings_and_loan = self
            .savings_and_loan
            .unwrap_or(self.cooperative_type == CooperativeType::SimpanPinjam);
        let fields = CooperativeFields {
            registration_number: self.registration_number,
            name: self.name,
            legal_entity_number: self.legal_entity_number,
            legal_entity_date: self.legal_entity_date,
            form: self.form,
            cooperative_type: self.cooperative_type,
            management_pattern: self
                .management_pattern
                .unwrap_or(ManagementPattern::Konvensional),
            savings_and_loan,
            nib: self.nib,
            npwp: self.npwp,
            membership_area: self.membership_area.unwrap_or(MembershipArea::Kota),
            street: self.street,
            rt_rw: self.rt_rw,
            kelurahan_code: self.kelurahan_code,
            postal_code,
            phone: self.phone,
            email: self.email,
        };
        check_fields(&mut violations, &fields);
        check_savings_and_loan(
            &mut violations,
            fields.cooperative_type,
            fields.savings_and_loan,
        );
        let board = board(
            self.board_members.as_deref().unwrap_or_default(),
            &mut violations,
        );
        violations.into_result().map(|()| (fields, board))
    }
}

impl PatchCooperative {
    /// Validates the patch against the current row: the result must satisfy every rule as a whole.
    pub fn into_changes(
        self,
        current: &CooperativeRow,
        regions: &RegionIndex,
    ) -> Result<(CooperativeChanges, Option<Vec<NewBoardMember>>), Violations> {
        let mut violations = Violations::default();
        if let Some(code) = &self.kelurahan_code {
            check_kelurahan(&mut violations, regions, code);
        }
        let changes = CooperativeChanges {
            registration_number: self.registration_number,
            name: self.name,
            legal_entity_number: self.legal_entity_number,
            legal_entity_date: self.legal_entity_date,
            form: self.form,
            cooperative_type: self.cooperative_type,
            management_pattern: self.management_pattern,
            savings_and_loan: self.savings_and_loan,
            nib: self.nib,
            npwp: self.npwp,
            membership_area: self.membership_area,
            street: self.street,
            rt_rw: self.rt_rw,
            kelurahan_code: self.kelurahan_code,
            postal_code: self.postal_code,
            phone: self.phone,
            email: self.email,
        };
        let merged = CooperativeFields {
            registration_number: merge(&changes.registration_number, &current.registration_number),
            name: merge(&changes.name, &current.name),
            legal_entity_number: merge(&changes.legal_entity_number, &current.legal_entity_number),
            legal_entity_date: merge(&changes.legal_entity_date, &current.legal_entity_date),
            form: merge(&changes.form, &current.form),
            cooperative_type: merge(&changes.cooperative_type, &current.cooperative_type),
            management_pattern: merge(&changes.management_pattern, &current.management_pattern),
            savings_and_loan: merge(&changes.savings_and_loan, &current.savings_and_loan),
            nib: merge(&changes.nib, &current.nib),
            npwp: merge(&changes.npwp, &current.npwp),
            membership_area: merge(&changes.membership_area, &current.membership_area),
            street: merge(&changes.street, &current.street),
            rt_rw: merge(&changes.rt_rw, &current.rt_rw),
            kelurahan_code: merge(&changes.kelurahan_code, &current.kelurahan_code),
            postal_code: merge(&changes.postal_code, &current.postal_code),
            phone: merge(&changes.phone, &current.phone),
            email: merge(&changes.email, &current.email),
        };
        check_fields(&mut violations, &merged);
        check_savings_and_loan(
            &mut violations,
            merged.cooperative_type,
            merged.savings_and_loan,
        );
        let board = self
            .board_members
            .map(|members| board(&members, &mut violations));
        violations.into_result().map(|()| (changes, board))
    }
}

impl StatusOverrideInput {
    pub fn validate(&self) -> Result<(), Violations> {
        text::single_line("reason", &self.reason, 500).map_err(Violations::from)
    }
}
