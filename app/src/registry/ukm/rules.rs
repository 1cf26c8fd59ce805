//! The rules a UKM and its owner must meet, and the owner as stored: sealed, the NIK also
//! hashed for search.

use klinik_domain::{Violation, Violations, identifiers, nik, text};
use klinik_persistence::persons::PersonFields;
use klinik_persistence::ukm::{UkmFields, UkmRow};

use super::model::*;
use crate::personal_data::{ClearPerson, DataKey};
use crate::prelude::*;

/// The owner in clear, as the application compares and shows them.
pub fn clear_owner(owner: &OwnerInput) -> ClearPerson {
    ClearPerson {
        full_name: owner.full_name.clone(),
        nik: owner.nik.clone(),
        sex: owner.sex,
        birth_date: owner.birth_date,
        phone: owner.phone.clone(),
        home_address: owner.home_address.clone(),
    }
}

/// The owner as stored, sealed, and the NIK's search hash.
pub fn person_fields(
    owner: &OwnerInput,
    key: &DataKey,
) -> Result<(PersonFields, Option<String>), Error> {
    let fields = key.seal_person(&clear_owner(owner))?;
    let nik_hash = fields.nik_hash.clone();
    Ok((fields, nik_hash))
}

fn amount(violations: &mut Violations, field: &str, value: Option<i64>) {
    if let Some(v) = value {
        violations.check(klinik_domain::annual_report::rupiah(field, v, false));
    }
}

/// Shape rules of an owner.
pub fn check_owner(owner: &OwnerInput) -> Violations {
    let mut violations = Violations::default();
    violations.check(text::single_line("owner.full_name", &owner.full_name, 200));
    if let Some(n) = &owner.nik {
        violations.check(nik::validate("owner.nik", n));
    }
    if let Some(p) = &owner.phone {
        violations.check(identifiers::phone("owner.phone", p));
    }
    if let Some(a) = &owner.home_address {
        violations.check(text::single_line("owner.home_address", a, 500));
    }
    violations
}

/// Shape rules of the business fields, as they will be stored.
pub fn check_business(fields: &UkmFields, current_year: i32) -> Violations {
    let mut violations = Violations::default();
    violations.check(text::single_line(
        "business_name",
        &fields.business_name,
        200,
    ));
    if let Some(v) = &fields.nib {
        violations.check(identifiers::nib("nib", v));
    }
    if let Some(v) = &fields.kbli_code
        && (v.len() != 5 || !v.bytes().all(|b| b.is_ascii_digit()))
    {
        violations.push(Violation::new(
            "kbli_code",
            "kbli_format",
            msg!("must be exactly 5 digits"),
        ));
    }
    if let Some(v) = &fields.npwp {
        violations.check(identifiers::npwp("npwp", v));
    }
    if let Some(v) = &fields.street {
        violations.check(text::single_line("street", v, 200));
    }
    amount(&mut violations, "business_capital", fields.business_capital);
    amount(&mut violations, "annual_sales", fields.annual_sales);
    if let Some(w) = fields.workers {
        violations.check(klinik_domain::annual_report::count("workers", w));
    }
    if let Some(year) = fields.start_year
        && !(1900..=current_year).contains(&year)
    {
        violations.push(Violation::new(
            "start_year",
            "start_year_range",
            msg!("must be from 1900 to the current year"),
        ));
    }
    violations
}

impl PatchUkm {
    /// The business fields after this patch: the current ones, with each field it sets replaced.
    pub fn apply(self, current: &UkmRow) -> UkmFields {
        let p = self;
        let mut f = UkmFields::from(current);
        if let Some(v) = p.business_name {
            f.business_name = v;
        }
        if let Some(v) = p.nib {
            f.nib = v;
        }
        if let Some(v) = p.kbli_code {
            f.kbli_code = v;
        }
        if let Some(v) = p.kbli_version {
            f.kbli_version = v;
        }
        if let Some(v) = p.sector {
            f.sector = v;
        }
        if let Some(v) = p.business_capital {
            f.business_capital = v;
        }
        if let Some(v) = p.annual_sales {
            f.annual_sales = v;
        }
        if let Some(v) = p.figures_date {
            f.figures_date = v;
        }
        if let Some(v) = p.workers {
            f.workers = v;
        }
        if let Some(v) = p.start_year {
            f.start_year = v;
        }
        if let Some(v) = p.has_pirt {
            f.has_pirt = v;
        }
        if let Some(v) = p.has_halal {
            f.has_halal = v;
        }
        if let Some(v) = p.has_standard_certificate {
            f.has_standard_certificate = v;
        }
        if let Some(v) = p.npwp {
            f.npwp = v;
        }
        if let Some(v) = p.street {
            f.street = v;
        }
        if let Some(v) = p.kelurahan_code {
            f.kelurahan_code = v;
        }
        if let Some(v) = p.cooperative_id {
            f.cooperative_id = v.map(klinik_persistence::CooperativeId);
        }
        if let Some(v) = p.status {
            f.status = v;
        }
        f
    }
}
