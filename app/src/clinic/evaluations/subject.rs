//! What the registries say about a case's subject, read for evaluations and outcomes: a
//! cooperative's annual reports and health predicates, a UKM's yearly figures and size class.

use chrono::{Datelike, NaiveDate};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::clinic::evaluation::{
    CooperativeYear, Indicator, UkmYear, cooperative_evidence, cooperative_indicators,
    ukm_evidence, ukm_indicators,
};
use klinik_domain::clinic::health::Predicate;
use klinik_domain::clinic::outcome::Evidence;
use klinik_domain::size_class::{Thresholds, class_of_year};
use klinik_domain::ukm::UkmStatus;
use klinik_persistence::clinic::cases::CaseRow;
use klinik_persistence::clinic::diagnoses;
use klinik_persistence::{annual_reports, cooperatives, ukm};

use crate::prelude::*;

/// What the readers found about one subject.
enum Subject {
    Cooperative {
        years: Vec<CooperativeYear>,
        savings_and_loan: bool,
        active: bool,
    },
    Ukm {
        years: Vec<UkmYear>,
        active: bool,
    },
}

fn read(
    conn: &mut AnyConnection,
    thresholds: &[Thresholds],
    case: &CaseRow,
) -> Result<Subject, Error> {
    if let Some(id) = case.cooperative_id {
        let cooperative = cooperatives::find(conn, id, true)?;
        let years = annual_reports::find_by_cooperatives(conn, &[id])?
            .into_iter()
            .map(|r| CooperativeYear {
                book_year: r.book_year,
                rat_held: r.rat_held,
                shu: r.shu,
                members: match (r.members_male, r.members_female) {
                    (None, None) => None,
                    (male, female) => Some(male.unwrap_or(0) + female.unwrap_or(0)),
                },
            })
            .collect();
        return Ok(Subject::Cooperative {
            years,
            savings_and_loan: cooperative.savings_and_loan,
            active: cooperative.status == ActivityStatus::Aktif,
        });
    }
    let id = case
        .ukm_id
        .ok_or_else(|| Error::internal(&"case without a subject"))?;
    let business = ukm::find(conn, id, true)?;
    let years = ukm::figures_of(conn, &[id])?
        .into_iter()
        .map(|f| {
            let size_class = class_of_year(thresholds, f.year, f.turnover);
            UkmYear {
                year: f.year,
                turnover: f.turnover,
                workers: f.workers,
                size_class,
            }
        })
        .collect();
    Ok(Subject::Ukm {
        years,
        active: business.status == UkmStatus::Aktif,
    })
}

/// The predicates of the case's first and latest final health assessments.
fn predicates(
    conn: &mut AnyConnection,
    case_id: CaseId,
) -> Result<(Option<Predicate>, Option<Predicate>), Error> {
    let assessed: Vec<Predicate> = diagnoses::finals_of(conn, &[case_id])?
        .iter()
        .filter_map(|d| d.assessment_predicate)
        .collect();
    Ok((assessed.first().copied(), assessed.last().copied()))
}

/// The indicators an evaluation shows, baseline against now.
pub fn indicators(
    conn: &mut AnyConnection,
    thresholds: &[Thresholds],
    case: &CaseRow,
) -> Result<Vec<Indicator>, Error> {
    let registered = case.registered_on.year();
    Ok(match read(conn, thresholds, case)? {
        Subject::Cooperative { years, .. } => {
            let (baseline, latest) = predicates(conn, case.id)?;
            cooperative_indicators(&years, registered, baseline, latest)
        }
        Subject::Ukm { years, .. } => ukm_indicators(&years, registered),
    })
}

/// The evidence the rule for `bagus` reads when the case closes on `closing_day`.
pub fn evidence(
    conn: &mut AnyConnection,
    thresholds: &[Thresholds],
    case: &CaseRow,
    closing_day: NaiveDate,
) -> Result<Evidence, Error> {
    Ok(match read(conn, thresholds, case)? {
        Subject::Cooperative {
            savings_and_loan: true,
            ..
        } => Evidence::SavingsAndLoan {
            final_predicate: predicates(conn, case.id)?.1,
        },
        Subject::Cooperative { years, active, .. } => {
            cooperative_evidence(&years, closing_day.year(), active)
        }
        Subject::Ukm { years, active } => ukm_evidence(&years, case.registered_on.year(), active),
    })
}
