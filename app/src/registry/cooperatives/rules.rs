//! The rules a cooperative's request must meet, checked on the record as a whole: a create as it
//! will be stored, a patch merged with the stored record.

use klinik_domain::cooperative::{
    self, BoardMember as DomainBoardMember, CooperativeType, ManagementPattern, MembershipArea,
    NAME_MAX_CHARS,
};
use klinik_domain::msg;
use klinik_domain::{Violation, Violations, identifiers, text};
use klinik_persistence::cooperatives::{
    CooperativeChanges, CooperativeFields, CooperativeRow, NewBoardMember,
};

use super::model::*;
use crate::fields::merge;
use crate::state::RegionIndex;

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
    if !regions.accepts_kelurahan(code) {
        violations.push(Violation::new(
            "kelurahan_code",
            "unknown_kelurahan",
            crate::registry::regions::kelurahan_refused(regions),
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
            msg!("must be true for a cooperative of type simpan_pinjam"),
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
        // The village's postal code when the office has one (the national list has none).
        let postal_code = self.postal_code.or_else(|| {
            regions
                .kelurahan(&self.kelurahan_code)
                .map(|k| k.postal_code.clone())
                .filter(|p| !p.is_empty())
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
        // A record keeps a village that was retired or left the area since.
        if let Some(code) = self
            .kelurahan_code
            .as_ref()
            .filter(|c| **c != current.kelurahan_code)
        {
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
