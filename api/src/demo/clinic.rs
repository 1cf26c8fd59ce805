//! Seven programme years of clinic history for `klinik seed-demo`: about 30 cooperative and 10
//! UKM cases a year, in every status, with diagnoses, recommendations (capital included),
//! activities, evaluations and outcomes, dated as they would have happened. The older cohorts are
//! closed, about a third of their cooperatives `bagus` by the rule (their annual reports or
//! yearly figures say so); the current year's cases are still open. Everything goes through the
//! same storage functions and the same outcome rule as the API.

use chrono::{Datelike, Duration, NaiveDate};
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::health::InstrumentDefinition;
use klinik_domain::clinic::outcome::DissolutionReason;
use klinik_domain::clinic::{ProblemCategory, SubjectKind};
use klinik_persistence::annual_reports::{self, AnnualReportFields};
use klinik_persistence::clinic::activities::{self, ActivityFields};
use klinik_persistence::clinic::cases::{self, CaseMemberRow, CaseRow, NewCase, NewTransition};
use klinik_persistence::clinic::diagnoses::{self, DraftFields, NewFinding};
use klinik_persistence::clinic::evaluations::{self, NewEvaluation};
use klinik_persistence::clinic::experts::{self, ExpertFields};
use klinik_persistence::clinic::partners::{self, PartnerFields};
use klinik_persistence::clinic::programmes::{self, ProgrammeFields};
use klinik_persistence::clinic::recommendations::{self, RecommendationFields};
use klinik_persistence::clinic::{indicators, instruments};
use klinik_persistence::{AnyConnection, cooperatives, ukm};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rust_decimal::Decimal;

use crate::routes::clinic::cases::closing;
use crate::routes::clinic::cases::dto::DissolutionRequest;
use crate::routes::clinic::diagnoses::assess;
use crate::routes::clinic::evaluations::subject;
use crate::routes::clinic::instruments::ComponentScoreInput;
use crate::state::AppState;

/// Programme years seeded: this year and the six before.
pub const YEARS: i32 = 7;
const COOPERATIVE_CASES: usize = 30;
const UKM_CASES: usize = 10;

fn fail<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

struct People {
    leads: Vec<i64>,
    mentors: Vec<i64>,
    banks: Vec<i64>,
}

fn people(conn: &mut AnyConnection) -> anyhow::Result<People> {
    let mut partner = |name: &str, kind: &str| -> anyhow::Result<i64> {
        Ok(partners::insert(
            conn,
            &PartnerFields {
                name: name.into(),
                kind: kind.into(),
            },
        )
        .map_err(fail)?
        .id)
    };
    let ipb = partner("Institut Pertanian Bogor (demo)", "university")?;
    let unpak = partner("Universitas Pakuan (demo)", "university")?;
    let banks = vec![
        partner("Bank BJB Cabang Bogor (demo)", "bank")?,
        partner("BRI Cabang Bogor (demo)", "bank")?,
        partner("BPR Bank Kota Bogor (demo)", "bpr")?,
    ];
    let dekopinda = partner("Dekopinda Kota Bogor (demo)", "dekopinda")?;
    let mut expert = |name: &str, role: &str, partner: Option<i64>| -> anyhow::Result<i64> {
        let fields = ExpertFields {
            full_name: name.into(),
            role: role.into(),
            partner_id: partner,
            phone: None,
            email: None,
            user_id: None,
            active: true,
        };
        Ok(experts::insert(conn, &fields).map_err(fail)?.id)
    };
    let leads = vec![
        expert("Dr. Rina Wulandari (demo)", "akademisi", Some(ipb))?,
        expert("Dr. Bambang Hermawan (demo)", "akademisi", Some(unpak))?,
        expert("Sri Mulyani Hartono (demo)", "perbankan", Some(banks[0]))?,
    ];
    let mentors = vec![
        expert("Hendra Gunawan (demo)", "praktisi", None)?,
        expert("Euis Komalasari (demo)", "praktisi", None)?,
        expert("Dadang Supriatna (demo)", "dekopinda", Some(dekopinda))?,
        expert("Agus Setiawan (demo)", "staf_dinas", None)?,
    ];
    Ok(People {
        leads,
        mentors,
        banks,
    })
}

/// One case being walked through the machine, with its version and the day reached.
struct Walk {
    case: CaseRow,
    day: NaiveDate,
    today: NaiveDate,
}

impl Walk {
    /// Takes `action` to `to`, `days` after the last step (never after today).
    fn go(
        &mut self,
        conn: &mut AnyConnection,
        action: &str,
        to: CaseStatus,
        days: i64,
        note: Option<&str>,
    ) -> anyhow::Result<()> {
        self.day = (self.day + Duration::days(days)).min(self.today);
        cases::set_status(conn, self.case.id, self.case.version, to.as_str()).map_err(fail)?;
        cases::append_transition(
            conn,
            &NewTransition {
                case_id: self.case.id,
                action: action.into(),
                from_status: self.case.status.clone(),
                to_status: to.as_str().into(),
                note: note.map(str::to_owned),
                actor_type: "system".into(),
                actor_id: None,
                actor_name: Some("seed-demo".into()),
                effective_on: self.day,
            },
        )
        .map_err(fail)?;
        self.case = cases::find(conn, self.case.id).map_err(fail)?;
        Ok(())
    }

    fn later(&self, days: i64) -> NaiveDate {
        (self.day + Duration::days(days)).min(self.today)
    }
}

/// Inputs that score about `quality` on every component of the instrument: the score itself,
/// or the ratio (searched in steps of 0.5 percent) whose table score is nearest to it.
fn inputs_near(definition: &InstrumentDefinition, quality: i64) -> Vec<ComponentScoreInput> {
    let target = Decimal::from(quality);
    definition
        .aspects
        .iter()
        .flat_map(|a| a.components.iter())
        .map(|c| {
            if c.rule.takes_ratio() {
                let ratio = (0..=400)
                    .map(|i| Decimal::new(i * 5, 1))
                    .min_by_key(|r| (c.rule.score_ratio(*r) - target).abs())
                    .unwrap_or_default();
                ComponentScoreInput {
                    component: c.code.clone(),
                    score: None,
                    ratio: Some(ratio),
                }
            } else {
                ComponentScoreInput {
                    component: c.code.clone(),
                    score: Some(target),
                    ratio: None,
                }
            }
        })
        .collect()
}

fn instrument(conn: &mut AnyConnection, code: &str) -> anyhow::Result<(i64, InstrumentDefinition)> {
    let row = instruments::list(conn, None, Some(code))
        .map_err(fail)?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("instrument {code} is not stored"))?;
    Ok((row.id, serde_json::from_str(&row.definition)?))
}

/// What one case will become.
struct Plan {
    programme_id: i64,
    kind: SubjectKind,
    subject_id: i64,
    savings_and_loan: bool,
    registered_on: NaiveDate,
    target: CaseStatus,
    good: bool,
}

const COOPERATIVE_PROBLEMS: &[ProblemCategory] = &[
    ProblemCategory::TataKelolaRat,
    ProblemCategory::KeuanganAkuntansi,
    ProblemCategory::Permodalan,
    ProblemCategory::Manajemen,
    ProblemCategory::Kelembagaan,
    ProblemCategory::RisikoPinjaman,
    ProblemCategory::Sdm,
];
const UKM_PROBLEMS: &[ProblemCategory] = &[
    ProblemCategory::Pemasaran,
    ProblemCategory::Permodalan,
    ProblemCategory::LegalitasPerizinan,
    ProblemCategory::Digitalisasi,
    ProblemCategory::Produksi,
];
const SCHEMES: &[&str] = &[
    "kur_super_mikro",
    "kur_mikro",
    "kur_kecil",
    "lpdb_dana_bergulir",
    "umi",
    "bank_mitra",
    "bpr",
    "csr",
];

struct Seeder<'a> {
    state: &'a AppState,
    rng: &'a mut ChaCha8Rng,
    people: People,
    cooperative_instrument: (i64, InstrumentDefinition),
    ukm_instrument: (i64, InstrumentDefinition),
    today: NaiveDate,
}

impl Seeder<'_> {
    fn pick(&mut self, ids: &[i64]) -> i64 {
        ids[self.rng.random_range(0..ids.len())]
    }

    fn case(&mut self, conn: &mut AnyConnection, plan: Plan) -> anyhow::Result<()> {
        let (cooperative_id, ukm_id) = match plan.kind {
            SubjectKind::Cooperative => (Some(plan.subject_id), None),
            SubjectKind::Ukm => (None, Some(plan.subject_id)),
        };
        let case = cases::insert(
            conn,
            &NewCase {
                programme_id: plan.programme_id,
                subject_kind: plan.kind.as_str().into(),
                cooperative_id,
                ukm_id,
                referral_source: [
                    "office_initiative",
                    "own_request",
                    "partner",
                    "supervision_finding",
                ][self.rng.random_range(0..4)]
                .into(),
                status: "registered".into(),
                registered_on: plan.registered_on,
            },
        )
        .map_err(fail)?;
        let lead = self.pick(&self.people.leads.clone());
        let second = self.pick(&self.people.mentors.clone());
        let mentor = self.pick(&self.people.mentors.clone());
        let member = |expert_id, duty: &str, is_lead| CaseMemberRow {
            case_id: case.id,
            expert_id,
            duty: duty.into(),
            is_lead,
        };
        let mut team = vec![member(lead, "team", true)];
        if second != lead {
            team.push(member(second, "team", false));
        }
        cases::replace_members(conn, case.id, "team", &team).map_err(fail)?;
        cases::replace_members(conn, case.id, "mentor", &[member(mentor, "mentor", false)])
            .map_err(fail)?;
        let mut walk = Walk {
            case,
            day: plan.registered_on,
            today: self.today,
        };
        if plan.target == CaseStatus::Registered {
            return Ok(());
        }
        if plan.target == CaseStatus::Rejected {
            return walk.go(
                conn,
                "reject",
                CaseStatus::Rejected,
                5,
                Some("Bukan kewenangan kota (demo)."),
            );
        }
        walk.go(conn, "screen", CaseStatus::Screened, 7, None)?;
        match plan.target {
            CaseStatus::Screened => return Ok(()),
            CaseStatus::Withdrawn => {
                return walk.go(
                    conn,
                    "withdraw",
                    CaseStatus::Withdrawn,
                    20,
                    Some("Pengurus mengundurkan diri (demo)."),
                );
            }
            _ => {}
        }
        walk.go(conn, "start_diagnosis", CaseStatus::Diagnosing, 14, None)?;
        match plan.target {
            CaseStatus::Diagnosing => return Ok(()),
            CaseStatus::DissolutionProposed => {
                walk.go(
                    conn,
                    "propose_dissolution",
                    CaseStatus::DissolutionProposed,
                    10,
                    None,
                )?;
                let request = DissolutionRequest {
                    reasons: vec![
                        DissolutionReason::NoRatTwoYears,
                        DissolutionReason::NoBusiness,
                    ],
                };
                closing::propose_dissolution(
                    conn,
                    &walk.case,
                    &request,
                    Some("Tidak ada kegiatan usaha (demo).".into()),
                )
                .map_err(fail)?;
                return Ok(());
            }
            _ => {}
        }
        let diagnosis = self.diagnose(conn, &mut walk, &plan, lead)?;
        let recommendations = self.recommend(conn, &walk, &plan, diagnosis)?;
        walk.go(conn, "finish_diagnosis", CaseStatus::Recommending, 1, None)?;
        if plan.target == CaseStatus::Recommending {
            return Ok(());
        }
        for (id, capital) in &recommendations {
            self.move_recommendation(conn, *id, &["agreed"])?;
            if *capital && self.rng.random_bool(0.8) {
                self.report_capital(conn, *id, walk.later(60))?;
            }
        }
        walk.go(conn, "start_mentoring", CaseStatus::Mentoring, 30, None)?;
        for n in 0..self.rng.random_range(2..5) {
            let held_on = walk.later(20 + 40 * n);
            let fields = ActivityFields {
                held_on,
                kind: [
                    "visit",
                    "training",
                    "consultation",
                    "financing_facilitation",
                    "licensing_facilitation",
                    "business_meeting",
                ][self.rng.random_range(0..6)]
                .into(),
                hours: format!("{}", self.rng.random_range(1..7)),
                notes: None,
                recommendation_id: recommendations.first().map(|(id, _)| *id),
            };
            let activity = activities::insert(conn, case_id(&walk), &fields).map_err(fail)?;
            activities::replace_experts(conn, activity.id, &[mentor]).map_err(fail)?;
        }
        for (id, _) in &recommendations {
            self.move_recommendation(conn, *id, &["in_progress"])?;
        }
        if plan.target == CaseStatus::Mentoring {
            return Ok(());
        }
        walk.go(conn, "start_evaluation", CaseStatus::Evaluating, 200, None)?;
        for (id, _) in &recommendations {
            let last = if plan.good || self.rng.random_bool(0.8) {
                "done"
            } else {
                "not_done"
            };
            self.move_recommendation(conn, *id, &[last])?;
        }
        if plan.target == CaseStatus::Evaluating {
            return Ok(());
        }
        self.evidence(conn, &walk, &plan)?;
        let conclusion = if plan.good {
            "improved"
        } else {
            ["improved", "improved", "unchanged", "worse"][self.rng.random_range(0..4)]
        };
        let evaluated_on = walk.later(10);
        let indicators =
            subject::indicators(conn, &self.state.size_thresholds, &walk.case).map_err(fail)?;
        evaluations::insert(
            conn,
            &NewEvaluation {
                case_id: case_id(&walk),
                evaluated_on,
                indicators: serde_json::to_string(&indicators)?,
                conclusion: conclusion.into(),
                next_step: "close".into(),
                notes: None,
                recorded_by: Some("seed-demo".into()),
            },
        )
        .map_err(fail)?;
        walk.go(conn, "close", CaseStatus::Closed, 12, None)?;
        closing::record_outcome(conn, &self.state.size_thresholds, &walk.case, walk.day)
            .map_err(fail)?;
        Ok(())
    }

    fn diagnose(
        &mut self,
        conn: &mut AnyConnection,
        walk: &mut Walk,
        plan: &Plan,
        lead: i64,
    ) -> anyhow::Result<i64> {
        let quality = match (plan.good, plan.savings_and_loan) {
            (true, true) => self.rng.random_range(72..95),
            (false, true) => self.rng.random_range(40..64),
            _ => self.rng.random_range(45..90),
        };
        let (instrument_id, definition) = match plan.kind {
            SubjectKind::Cooperative => (
                self.cooperative_instrument.0,
                &self.cooperative_instrument.1,
            ),
            SubjectKind::Ukm => (self.ukm_instrument.0, &self.ukm_instrument.1),
        };
        let inputs = inputs_near(definition, quality);
        let assessed =
            assess(conn, plan.kind, instrument_id, &inputs, "health_assessment").map_err(fail)?;
        walk.day = walk.later(21);
        let fields = DraftFields {
            diagnosed_on: walk.day,
            summary: Some("Hasil klinik (demo).".into()),
            instrument_id: Some(assessed.instrument_id),
            assessment_inputs: Some(assessed.inputs),
            assessment_result: Some(assessed.result),
            assessment_total: Some(assessed.total),
            assessment_predicate: Some(assessed.predicate),
        };
        let draft = diagnoses::insert_draft(conn, case_id(walk), None, &fields).map_err(fail)?;
        let pool = match plan.kind {
            SubjectKind::Cooperative => COOPERATIVE_PROBLEMS,
            SubjectKind::Ukm => UKM_PROBLEMS,
        };
        let findings: Vec<NewFinding> = (0..self.rng.random_range(1..4))
            .map(|_| {
                let category = pool[self.rng.random_range(0..pool.len())];
                NewFinding {
                    category: category.as_str().into(),
                    severity: ["ringan", "sedang", "berat"][self.rng.random_range(0..3)].into(),
                    description: format!("Temuan {} (demo).", category.as_str().replace('_', " ")),
                }
            })
            .collect();
        diagnoses::replace_findings(conn, draft.id, &findings).map_err(fail)?;
        diagnoses::finalize(conn, draft.id, draft.version, "seed-demo").map_err(fail)?;
        diagnoses::add_agreements(conn, draft.id, &[lead]).map_err(fail)?;
        Ok(draft.id)
    }

    /// Guidance always; capital for about half; motivation or training. Returns each id and
    /// whether it is a capital one.
    fn recommend(
        &mut self,
        conn: &mut AnyConnection,
        walk: &Walk,
        plan: &Plan,
        diagnosis: i64,
    ) -> anyhow::Result<Vec<(i64, bool)>> {
        let findings: Vec<i64> = diagnoses::findings_of(conn, &[diagnosis])
            .map_err(fail)?
            .iter()
            .map(|f| f.id)
            .collect();
        let mut kinds = vec!["bimbingan"];
        if plan.good || self.rng.random_bool(0.5) {
            kinds.push("permodalan");
        }
        kinds.push(if self.rng.random_bool(0.5) {
            "motivasi"
        } else {
            "pelatihan"
        });
        let mut made = Vec::new();
        for kind in kinds {
            let capital = kind == "permodalan";
            let fields = RecommendationFields {
                kind: kind.into(),
                description: format!("Rekomendasi {kind} (demo)."),
                responsible_expert_id: Some(self.pick(&self.people.mentors.clone())),
                responsible_partner_id: None,
                responsible_user_id: None,
                due_on: Some(walk.day + Duration::days(self.rng.random_range(60..240))),
                financing_scheme: capital
                    .then(|| SCHEMES[self.rng.random_range(0..SCHEMES.len())].to_owned()),
                bank_partner_id: if capital {
                    Some(self.pick(&self.people.banks.clone()))
                } else {
                    None
                },
                amount_requested: capital.then(|| self.rng.random_range(10..200) * 1_000_000),
                amount_approved: None,
                approved_on: None,
                amount_disbursed: None,
                disbursed_on: None,
            };
            let row =
                recommendations::insert(conn, case_id(walk), diagnosis, &fields).map_err(fail)?;
            recommendations::replace_findings(conn, row.id, &findings[..1]).map_err(fail)?;
            made.push((row.id, capital));
        }
        Ok(made)
    }

    fn move_recommendation(
        &mut self,
        conn: &mut AnyConnection,
        id: i64,
        path: &[&str],
    ) -> anyhow::Result<()> {
        for to in path {
            let row = recommendations::find(conn, id).map_err(fail)?;
            recommendations::set_status(conn, id, row.version, to).map_err(fail)?;
            recommendations::append_transition(
                conn,
                &recommendations::NewRecommendationTransition {
                    recommendation_id: id,
                    from_status: row.status,
                    to_status: (*to).into(),
                    note: None,
                    actor_type: "system".into(),
                    actor_id: None,
                    actor_name: Some("seed-demo".into()),
                },
            )
            .map_err(fail)?;
        }
        Ok(())
    }

    fn report_capital(
        &mut self,
        conn: &mut AnyConnection,
        id: i64,
        approved_on: NaiveDate,
    ) -> anyhow::Result<()> {
        let row = recommendations::find(conn, id).map_err(fail)?;
        let requested = row.amount_requested.unwrap_or(0);
        let approved = requested / 10 * self.rng.random_range(5..=10);
        let mut fields = crate::routes::clinic::recommendations::dto::fields_of(&row);
        fields.amount_approved = Some(approved);
        fields.approved_on = Some(approved_on);
        if self.rng.random_bool(0.8) {
            fields.amount_disbursed = Some(approved);
            fields.disbursed_on = Some((approved_on + Duration::days(14)).min(self.today));
        }
        recommendations::update(conn, id, row.version, &fields).map_err(fail)?;
        Ok(())
    }

    /// The registry rows the rule reads: for a good case, RAT held and SHU kept (cooperatives) or
    /// turnover grown (UKM); for UKM others, flat figures.
    fn evidence(
        &mut self,
        conn: &mut AnyConnection,
        walk: &Walk,
        plan: &Plan,
    ) -> anyhow::Result<()> {
        let closing_year = walk.later(22).year();
        match plan.kind {
            SubjectKind::Cooperative if plan.good && !plan.savings_and_loan => {
                let shu = self.rng.random_range(5..80) * 1_000_000;
                for (year, shu) in [(closing_year - 2, shu), (closing_year - 1, shu + 2_000_000)] {
                    let rat_date = NaiveDate::from_ymd_opt(year, 12, 31);
                    let fields = AnnualReportFields {
                        book_year: year,
                        rat_held: true,
                        rat_date,
                        reported_date: rat_date,
                        members_male: Some(60),
                        members_female: Some(70),
                        managers: Some(3),
                        employees: Some(2),
                        own_capital: None,
                        outside_capital: None,
                        assets: None,
                        business_volume: None,
                        shu: Some(shu),
                    };
                    annual_reports::insert(conn, plan.subject_id, &fields).map_err(fail)?;
                }
            }
            SubjectKind::Ukm => {
                let turnover = self.rng.random_range(60..900) * 1_000_000;
                let grown = if plan.good {
                    turnover * 13 / 10
                } else {
                    turnover
                };
                let start = plan.registered_on.year() - 1;
                for (year, turnover) in [(start, turnover), (closing_year.max(start + 1), grown)] {
                    let figures = ukm::YearlyFigures {
                        year,
                        turnover: Some(turnover),
                        workers: Some(4),
                        assets: None,
                    };
                    ukm::insert_figures(conn, plan.subject_id, &figures).map_err(fail)?;
                }
            }
            SubjectKind::Cooperative => {}
        }
        Ok(())
    }
}

fn case_id(walk: &Walk) -> i64 {
    walk.case.id
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
    state: &AppState,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let people = people(conn)?;
    let cooperative_instrument = instrument(conn, "ksp_konvensional")?;
    let ukm_instrument = instrument(conn, "ukm_checklist")?;
    // Cooperatives by activity now: the good ones must be active; dissolutions take inactive ones.
    let registry = indicators::cooperatives(conn).map_err(fail)?;
    let mut active: Vec<i64> = registry
        .iter()
        .filter(|c| c.3 == "aktif")
        .map(|c| c.0)
        .collect();
    let mut inactive: Vec<i64> = registry
        .iter()
        .filter(|c| c.3 != "aktif")
        .map(|c| c.0)
        .collect();
    let mut active_ukm = ukm::ids_with_status(conn, "aktif", 200).map_err(fail)?;
    let mut seeder = Seeder {
        state,
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
            let subject_id = match (kind, status) {
                (SubjectKind::Cooperative, CaseStatus::DissolutionProposed) => inactive.pop(),
                (SubjectKind::Cooperative, _) if good || n % 2 == 0 => active.pop(),
                (SubjectKind::Cooperative, _) => inactive.pop().or_else(|| active.pop()),
                (SubjectKind::Ukm, _) => active_ukm.pop(),
            };
            let Some(subject_id) = subject_id else {
                continue;
            };
            let savings_and_loan = kind == SubjectKind::Cooperative
                && cooperatives::find(conn, subject_id, true)
                    .map_err(fail)?
                    .savings_and_loan;
            let registered_on = NaiveDate::from_ymd_opt(year, 2, 1).unwrap_or(today)
                + Duration::days(seeder.rng.random_range(0..100));
            seeder.case(
                conn,
                Plan {
                    programme_id: programme.id,
                    kind,
                    subject_id,
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
