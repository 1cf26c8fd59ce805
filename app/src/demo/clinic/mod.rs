//! Seven programme years of clinic history for `klinik seed-demo`: about 30 cooperative and 10
//! UKM cases a year, in every status, with diagnoses, recommendations (capital included),
//! activities, evaluations and outcomes, dated as they would have happened. The older cohorts are
//! closed, about a third of their cooperatives `bagus` by the rule (their annual reports or
//! yearly figures say so); the current year's cases are still open. Cases move only through the
//! case machine ([`crate::clinic::cases::transitions::apply`]) and recommendations through their
//! own, acting as the system, so demo data reaches only states the API could reach.

mod case;
mod work;

use chrono::{Datelike, Duration, NaiveDate};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::health::InstrumentDefinition;
use klinik_domain::clinic::{ExpertRole, PartnerKind, SubjectKind};
use klinik_domain::ukm::UkmStatus;
use klinik_persistence::clinic::experts::{self, ExpertFields};
use klinik_persistence::clinic::partners::{self, PartnerFields};
use klinik_persistence::clinic::programmes::{self, ProgrammeFields};
use klinik_persistence::clinic::{indicators, instruments};
use klinik_persistence::{cooperatives, ukm};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::prelude::*;

/// Programme years seeded: this year and the six before.
pub const YEARS: i32 = 7;
const COOPERATIVE_CASES: usize = 30;
const UKM_CASES: usize = 10;

fn fail<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// The clinic's people: team leads, mentors, and the banks capital goes through.
struct People {
    leads: Vec<ExpertId>,
    mentors: Vec<ExpertId>,
    banks: Vec<PartnerId>,
}

fn people(conn: &mut AnyConnection) -> anyhow::Result<People> {
    let mut partner = |name: &str, kind| -> anyhow::Result<PartnerId> {
        let fields = PartnerFields {
            name: name.into(),
            kind,
        };
        Ok(partners::insert(conn, fields).map_err(fail)?.id)
    };
    let ipb = partner("Institut Pertanian Bogor (demo)", PartnerKind::University)?;
    let unpak = partner("Universitas Pakuan (demo)", PartnerKind::University)?;
    let banks = vec![
        partner("Bank BJB Cabang Bogor (demo)", PartnerKind::Bank)?,
        partner("BRI Cabang Bogor (demo)", PartnerKind::Bank)?,
        partner("BPR Bank Kota Bogor (demo)", PartnerKind::Bpr)?,
    ];
    let dekopinda = partner("Dekopinda Kota Bogor (demo)", PartnerKind::Dekopinda)?;
    let mut expert = |name: &str, role, partner_id| -> anyhow::Result<ExpertId> {
        let fields = ExpertFields {
            full_name: name.into(),
            role,
            partner_id,
            phone: None,
            email: None,
            user_id: None,
            active: true,
        };
        Ok(experts::insert(conn, fields).map_err(fail)?.id)
    };
    use ExpertRole::*;
    let leads = vec![
        expert("Dr. Rina Wulandari (demo)", Akademisi, Some(ipb))?,
        expert("Dr. Bambang Hermawan (demo)", Akademisi, Some(unpak))?,
        expert("Sri Mulyani Hartono (demo)", Perbankan, Some(banks[0]))?,
    ];
    let mentors = vec![
        expert("Hendra Gunawan (demo)", Praktisi, None)?,
        expert("Euis Komalasari (demo)", Praktisi, None)?,
        expert("Dadang Supriatna (demo)", Dekopinda, Some(dekopinda))?,
        expert("Agus Setiawan (demo)", StafDinas, None)?,
    ];
    Ok(People {
        leads,
        mentors,
        banks,
    })
}

fn instrument(
    conn: &mut AnyConnection,
    code: &str,
) -> anyhow::Result<(InstrumentId, InstrumentDefinition)> {
    let row = instruments::list(conn, None, Some(code))
        .map_err(fail)?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("instrument {code} is not stored"))?;
    Ok((row.id, serde_json::from_str(&row.definition)?))
}

/// Whose case it is.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Cooperative(CooperativeId),
    Ukm(UkmId),
}

impl Subject {
    fn kind(self) -> SubjectKind {
        match self {
            Subject::Cooperative(_) => SubjectKind::Cooperative,
            Subject::Ukm(_) => SubjectKind::Ukm,
        }
    }
}

/// What one case will become.
struct Plan {
    programme_id: ProgrammeId,
    subject: Subject,
    savings_and_loan: bool,
    registered_on: NaiveDate,
    target: CaseStatus,
    good: bool,
}

/// Makes the cases of the clinic's history, as the system.
struct Seeder<'a> {
    app: &'a App,
    ctx: Ctx,
    rng: &'a mut ChaCha8Rng,
    people: People,
    cooperative_instrument: (InstrumentId, InstrumentDefinition),
    ukm_instrument: (InstrumentId, InstrumentDefinition),
    today: NaiveDate,
}

impl Seeder<'_> {
    fn pick<T: Copy>(&mut self, ids: &[T]) -> T {
        ids[self.rng.random_range(0..ids.len())]
    }
}

/// The status a case of a programme `age` years old ends up in, for the `n`th case.
fn target(age: i32, n: usize, kind: SubjectKind, rng: &mut ChaCha8Rng) -> CaseStatus {
    use CaseStatus as S;
    let roll = rng.random_range(0..100);
    match age {
        // The current year: every open status, a few refused.
        0 => [
            S::Registered,
            S::Screened,
            S::Diagnosing,
            S::Recommending,
            S::Mentoring,
            S::Rejected,
        ][n % 6],
        // Last year: mentoring and evaluation under way.
        1 => match roll {
            0..45 => S::Mentoring,
            45..85 => S::Evaluating,
            85..95 => S::Closed,
            _ => S::Withdrawn,
        },
        _ => match roll {
            _ if n == 0 && kind == SubjectKind::Cooperative => S::DissolutionProposed,
            0..90 => S::Closed,
            90..95 => S::Withdrawn,
            _ => S::Rejected,
        },
    }
}

/// Seeds the clinic's history; returns how many cases it made.
pub fn seed(
    conn: &mut AnyConnection,
    app: &App,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let people = people(conn)?;
    let cooperative_instrument = instrument(conn, "ksp_konvensional")?;
    let ukm_instrument = instrument(conn, "ukm_checklist")?;
    // Cooperatives by activity now: the good ones must be active; dissolutions take inactive ones.
    let registry = indicators::cooperatives(conn).map_err(fail)?;
    let (active, inactive): (Vec<_>, Vec<_>) =
        registry.iter().partition(|c| c.3 == ActivityStatus::Aktif);
    let mut active: Vec<CooperativeId> = active.into_iter().map(|c| c.0).collect();
    let mut inactive: Vec<CooperativeId> = inactive.into_iter().map(|c| c.0).collect();
    let mut active_ukm = ukm::ids_with_status(conn, UkmStatus::Aktif, 200).map_err(fail)?;
    let mut seeder = Seeder {
        app,
        ctx: Ctx::system(app.clone(), "seed-demo"),
        rng,
        people,
        cooperative_instrument,
        ukm_instrument,
        today,
    };
    let this_year = today.year();
    let mut made = 0;
    for year in this_year - YEARS + 1..=this_year {
        let age = this_year - year;
        let programme = programmes::insert(
            conn,
            &ProgrammeFields {
                name: format!("Coaching Clinic {year}"),
                year,
                target_cooperatives_helped: 30,
                target_cooperatives_good: 10,
                target_ukm_helped: Some(10),
                target_ukm_good: Some(3),
                horizon_years: 5,
                default_instrument_id: Some(seeder.cooperative_instrument.0),
            },
        )
        .map_err(fail)?;
        for n in 0..COOPERATIVE_CASES + UKM_CASES {
            let kind = if n < COOPERATIVE_CASES {
                SubjectKind::Cooperative
            } else {
                SubjectKind::Ukm
            };
            let status = target(age, n, kind, seeder.rng);
            // A third of the closed cooperatives end good, when their reports can show it.
            let good = status == CaseStatus::Closed && age >= 2 && n % 3 == 1;
            let subject = match (kind, status) {
                (SubjectKind::Cooperative, CaseStatus::DissolutionProposed) => {
                    inactive.pop().map(Subject::Cooperative)
                }
                (SubjectKind::Cooperative, _) if good || n % 2 == 0 => {
                    active.pop().map(Subject::Cooperative)
                }
                (SubjectKind::Cooperative, _) => inactive
                    .pop()
                    .or_else(|| active.pop())
                    .map(Subject::Cooperative),
                (SubjectKind::Ukm, _) => active_ukm.pop().map(Subject::Ukm),
            };
            let Some(subject) = subject else {
                continue;
            };
            let savings_and_loan = match subject {
                Subject::Cooperative(id) => {
                    cooperatives::find(conn, id, true)
                        .map_err(fail)?
                        .savings_and_loan
                }
                Subject::Ukm(_) => false,
            };
            let registered_on = NaiveDate::from_ymd_opt(year, 2, 1).unwrap_or(today)
                + Duration::days(seeder.rng.random_range(0..100));
            seeder.case(
                conn,
                Plan {
                    programme_id: programme.id,
                    subject,
                    savings_and_loan,
                    registered_on: registered_on.min(today),
                    target: status,
                    good,
                },
            )?;
            made += 1;
        }
    }
    Ok(made)
}
