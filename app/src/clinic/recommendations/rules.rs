//! The rules a recommendation must meet: its own fields, its capital's amounts and dates, and a
//! transition's note.

use klinik_domain::clinic::recommendation::{CapitalAmounts, RecommendationKind, validate_capital};
use klinik_domain::text::multi_line;
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::recommendations::{RecommendationFields, RecommendationRow};
use std::collections::HashSet;

use super::model::*;
use crate::prelude::*;

/// The stored fields as they are, to change a few.
pub fn fields_of(row: &RecommendationRow) -> RecommendationFields {
    RecommendationFields {
        kind: row.kind,
        description: row.description.clone(),
        responsible_expert_id: row.responsible_expert_id,
        responsible_partner_id: row.responsible_partner_id,
        responsible_user_id: row.responsible_user_id,
        due_on: row.due_on,
        financing_scheme: row.financing_scheme,
        bank_partner_id: row.bank_partner_id,
        amount_requested: row.amount_requested,
        amount_approved: row.amount_approved,
        approved_on: row.approved_on,
        amount_disbursed: row.amount_disbursed,
        disbursed_on: row.disbursed_on,
    }
}

/// The rules a recommendation's own fields keep, whatever the storage holds.
pub fn check(draft: &Draft) -> Result<(), Error> {
    let f = &draft.fields;
    let mut v = Violations::default();
    v.check(multi_line(
        "description",
        &f.description,
        DESCRIPTION_MAX_CHARS,
    ));
    let mut seen = HashSet::new();
    if draft.finding_ids.iter().any(|id| !seen.insert(*id)) {
        v.push(Violation::new(
            "finding_ids",
            "duplicate_item",
            msg!("each finding at most once"),
        ));
    }
    if draft.finding_ids.len() > MAX_FINDINGS {
        v.push(Violation::new(
            "finding_ids",
            "too_many",
            msg!("at most 50 findings"),
        ));
    }
    let responsible = [
        f.responsible_expert_id.map(|id| id.get()),
        f.responsible_partner_id.map(|id| id.get()),
        f.responsible_user_id.map(|id| id.get()),
    ];
    if responsible.iter().flatten().count() > 1 {
        v.push(Violation::new(
            "responsible_expert_id",
            "one_responsible",
            msg!("at most one of an expert, a partner or a user is responsible"),
        ));
    }
    for (field, id) in [
        ("responsible_expert_id", responsible[0]),
        ("responsible_partner_id", responsible[1]),
        ("responsible_user_id", responsible[2]),
        (
            "capital.bank_partner_id",
            f.bank_partner_id.map(|id| id.get()),
        ),
    ] {
        if id.is_some_and(|id| id < 1) {
            v.push(Violation::new(field, "minimum", msg!("must be at least 1")));
        }
    }
    let is_capital = f.kind == RecommendationKind::Permodalan;
    if is_capital && f.financing_scheme.is_none() {
        v.push(Violation::new(
            "capital",
            "capital_required",
            msg!("a permodalan recommendation states its financing scheme"),
        ));
    }
    if !is_capital && f.financing_scheme.is_some() {
        v.push(Violation::new(
            "capital",
            "capital_not_allowed",
            msg!("only a permodalan recommendation carries capital"),
        ));
    }
    if f.amount_requested.is_some_and(|a| a < 0) {
        v.push(Violation::new(
            "capital.amount_requested",
            "negative_amount",
            msg!("must not be negative"),
        ));
    }
    Ok(v.into_result()?)
}

/// Checks a capital report against the rules on amounts and dates.
pub fn check_report(report: &CapitalReport) -> Result<(), Error> {
    Ok(validate_capital(&CapitalAmounts {
        requested: None,
        approved: report.amount_approved,
        approved_on: report.approved_on,
        disbursed: report.amount_disbursed,
        disbursed_on: report.disbursed_on,
    })?)
}

pub fn check_note(note: Option<&str>) -> Result<(), Error> {
    if let Some(note) = note {
        multi_line("note", note, NOTE_MAX_CHARS)?;
    }
    Ok(())
}
