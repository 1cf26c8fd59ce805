//! Bodies of the annual-report operations and their validation.

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::Violations;
use klinik_domain::annual_report::{self, ReportDates};
use klinik_persistence::annual_reports::{AnnualReportFields, AnnualReportRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::prelude::*;

/// Files the annual report of one book year.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "book_year": 2025, "rat_held": true, "rat_date": "2026-03-14", "reported_date": "2026-04-01",
    "members_male": 120, "members_female": 95, "managers": 3, "employees": 4,
    "own_capital": 250000000, "outside_capital": 100000000, "assets": 420000000,
    "business_volume": 980000000, "shu": 35000000
}))]
pub struct CreateAnnualReport {
    /// The book year reported on: from 1945 to the current year; one report per year.
    #[schema(minimum = 1945, maximum = 9999)]
    pub book_year: i32,
    /// Whether the annual members' meeting (RAT) for this book year was held.
    pub rat_held: bool,
    /// Date of the RAT: required when `rat_held`, absent otherwise; not before 31 December of the
    /// book year and not in the future.
    pub rat_date: Option<NaiveDate>,
    /// Date the report reached the office; not in the future.
    pub reported_date: Option<NaiveDate>,
    /// Male members.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub members_male: Option<i64>,
    /// Female members.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub members_female: Option<i64>,
    /// Board members (pengurus).
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub managers: Option<i64>,
    /// Employees (karyawan).
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub employees: Option<i64>,
    /// Own capital (modal sendiri), whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub own_capital: Option<i64>,
    /// Outside capital (modal luar), whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub outside_capital: Option<i64>,
    /// Total assets (aset), whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub assets: Option<i64>,
    /// Business volume (volume usaha), whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub business_volume: Option<i64>,
    /// Surplus (SHU), whole rupiah; negative for a loss.
    #[schema(minimum = -1_000_000_000_000_000_i64, maximum = 1_000_000_000_000_000_i64)]
    pub shu: Option<i64>,
}

/// Changes some fields of an annual report. Absent fields stay; `null` clears an optional one.
/// The book year cannot change: delete the report and file it again.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rat_held": true, "rat_date": "2026-03-14", "shu": -5000000}))]
pub struct PatchAnnualReport {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub rat_held: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub rat_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub reported_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub members_male: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub members_female: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub managers: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub employees: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub own_capital: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub outside_capital: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub assets: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub business_volume: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = -1_000_000_000_000_000_i64, maximum = 1_000_000_000_000_000_i64)]
    pub shu: Option<Option<i64>>,
}

/// An annual report as filed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "cooperative_id": 1, "book_year": 2025, "rat_held": true, "rat_date": "2026-03-14",
    "reported_date": "2026-04-01", "members_male": 120, "members_female": 95, "managers": 3,
    "employees": 4, "own_capital": 250000000, "outside_capital": 100000000, "assets": 420000000,
    "business_volume": 980000000, "shu": 35000000, "version": 1,
    "created_at": "2026-04-02T08:00:00Z", "updated_at": "2026-04-02T08:00:00Z"
}))]
pub struct AnnualReport {
    pub id: i64,
    pub cooperative_id: i64,
    pub book_year: i32,
    pub rat_held: bool,
    pub rat_date: Option<NaiveDate>,
    pub reported_date: Option<NaiveDate>,
    pub members_male: Option<i64>,
    pub members_female: Option<i64>,
    pub managers: Option<i64>,
    pub employees: Option<i64>,
    pub own_capital: Option<i64>,
    pub outside_capital: Option<i64>,
    pub assets: Option<i64>,
    pub business_volume: Option<i64>,
    pub shu: Option<i64>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tagged for AnnualReport {
    fn version(&self) -> i64 {
        self.version
    }
}

impl From<AnnualReportRow> for AnnualReport {
    fn from(row: AnnualReportRow) -> Self {
        AnnualReport {
            id: row.id.get(),
            cooperative_id: row.cooperative_id.get(),
            book_year: row.book_year,
            rat_held: row.rat_held,
            rat_date: row.rat_date,
            reported_date: row.reported_date,
            members_male: row.members_male,
            members_female: row.members_female,
            managers: row.managers,
            employees: row.employees,
            own_capital: row.own_capital,
            outside_capital: row.outside_capital,
            assets: row.assets,
            business_volume: row.business_volume,
            shu: row.shu,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// Checks a report as a whole: its dates against each other and today, every count and amount.
pub fn validate(fields: &AnnualReportFields, today: NaiveDate) -> Result<(), Violations> {
    let mut violations = Violations::default();
    let dates = ReportDates {
        book_year: fields.book_year,
        rat_held: fields.rat_held,
        rat_date: fields.rat_date,
        reported_date: fields.reported_date,
    };
    if let Err(found) = annual_report::validate_dates(&dates, today) {
        violations.0.extend(found.0);
    }
    let counts = [
        ("members_male", fields.members_male),
        ("members_female", fields.members_female),
        ("managers", fields.managers),
        ("employees", fields.employees),
    ];
    for (field, value) in counts {
        if let Some(v) = value {
            violations.check(annual_report::count(field, v));
        }
    }
    let amounts = [
        ("own_capital", fields.own_capital, false),
        ("outside_capital", fields.outside_capital, false),
        ("assets", fields.assets, false),
        ("business_volume", fields.business_volume, false),
        ("shu", fields.shu, true),
    ];
    for (field, value, allow_negative) in amounts {
        if let Some(v) = value {
            violations.check(annual_report::rupiah(field, v, allow_negative));
        }
    }
    violations.into_result()
}

impl From<CreateAnnualReport> for AnnualReportFields {
    fn from(r: CreateAnnualReport) -> Self {
        AnnualReportFields {
            book_year: r.book_year,
            rat_held: r.rat_held,
            rat_date: r.rat_date,
            reported_date: r.reported_date,
            members_male: r.members_male,
            members_female: r.members_female,
            managers: r.managers,
            employees: r.employees,
            own_capital: r.own_capital,
            outside_capital: r.outside_capital,
            assets: r.assets,
            business_volume: r.business_volume,
            shu: r.shu,
        }
    }
}

impl PatchAnnualReport {
    /// The report as it would be after the patch.
    pub fn apply(self, current: &AnnualReportRow) -> AnnualReportFields {
        let mut f = AnnualReportFields::from(current);
        if let Some(v) = self.rat_held {
            f.rat_held = v;
        }
        let nullable_fields: [(Option<Option<i64>>, &mut Option<i64>); 9] = [
            (self.members_male, &mut f.members_male),
            (self.members_female, &mut f.members_female),
            (self.managers, &mut f.managers),
            (self.employees, &mut f.employees),
            (self.own_capital, &mut f.own_capital),
            (self.outside_capital, &mut f.outside_capital),
            (self.assets, &mut f.assets),
            (self.business_volume, &mut f.business_volume),
            (self.shu, &mut f.shu),
        ];
        for (patch, target) in nullable_fields {
            if let Some(v) = patch {
                *target = v;
            }
        }
        if let Some(v) = self.rat_date {
            f.rat_date = v;
        }
        if let Some(v) = self.reported_date {
            f.reported_date = v;
        }
        f
    }
}
