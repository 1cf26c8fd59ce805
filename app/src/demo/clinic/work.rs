//! The records a demo case accumulates on its way: a scored diagnosis with findings, the
//! recommendations and their capital, the registry evidence its outcome is judged by, and the
//! closing evaluation.

use chrono::{Datelike, Duration, NaiveDate};
use klinik_domain::clinic::case::EvaluationNextStep;
use klinik_domain::clinic::health::InstrumentDefinition;
use klinik_domain::clinic::outcome::Conclusion;
use klinik_domain::clinic::recommendation::{
    FinancingScheme, RecommendationKind, RecommendationStatus,
};
use klinik_domain::clinic::{ProblemCategory, Severity, SubjectKind};
use klinik_persistence::annual_reports::{self, AnnualReportFields};
use klinik_persistence::clinic::diagnoses::{self, DraftFields, NewFinding};
use klinik_persistence::clinic::evaluations::{self, NewEvaluation};
use klinik_persistence::clinic::recommendations::{self, RecommendationFields};
use klinik_persistence::ukm;
use rand::RngExt;
use rust_decimal::Decimal;

use super::case::Walk;
use super::{Plan, Seeder, Subject, fail};
use crate::clinic::diagnoses::assess;
use crate::clinic::evaluations::subject;
use crate::clinic::instruments::ComponentScoreInput;
use crate::clinic::recommendations::model::CapitalReport;
use crate::clinic::recommendations::{move_to, record_capital};
use crate::prelude::*;

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
const SCHEMES: &[FinancingScheme] = &[
    FinancingScheme::KurSuperMikro,
    FinancingScheme::KurMikro,
    FinancingScheme::KurKecil,
    FinancingScheme::LpdbDanaBergulir,
    FinancingScheme::Umi,
    FinancingScheme::BankMitra,
    FinancingScheme::Bpr,
    FinancingScheme::Csr,
];
const SEVERITIES: [Severity; 3] = [Severity::Ringan, Severity::Sedang, Severity::Berat];

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

impl Seeder<'_> {
    /// A final diagnosis scored near a quality fitting the plan, with one to three findings,
    /// agreed by the lead.
    pub(super) fn diagnose(
        &mut self,
        conn: &mut AnyConnection,
        walk: &mut Walk,
        plan: &Plan,
        lead: ExpertId,
    ) -> anyhow::Result<DiagnosisId> {
        let quality = match (plan.good, plan.savings_and_loan) {
            (true, true) => self.rng.random_range(72..95),
            (false, true) => self.rng.random_range(40..64),
            _ => self.rng.random_range(45..90),
        };
        let kind = plan.subject.kind();
        let (instrument_id, definition) = match kind {
            SubjectKind::Cooperative => &self.cooperative_instrument,
            SubjectKind::Ukm => &self.ukm_instrument,
        };
        let inputs = inputs_near(definition, quality);
        let assessed = assess(
            conn,
            kind,
            instrument_id.get(),
            &inputs,
            "health_assessment",
        )
        .map_err(fail)?;
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
        let draft = diagnoses::insert_draft(conn, walk.id(), None, fields).map_err(fail)?;
        let pool = match kind {
            SubjectKind::Cooperative => COOPERATIVE_PROBLEMS,
            SubjectKind::Ukm => UKM_PROBLEMS,
        };
        let findings: Vec<NewFinding> = (0..self.rng.random_range(1..4))
            .map(|_| {
                let category = pool[self.rng.random_range(0..pool.len())];
                NewFinding {
                    category,
                    severity: SEVERITIES[self.rng.random_range(0..3)],
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
    pub(super) fn recommend(
        &mut self,
        conn: &mut AnyConnection,
        walk: &Walk,
        plan: &Plan,
        diagnosis: DiagnosisId,
    ) -> anyhow::Result<Vec<(RecommendationId, bool)>> {
        let findings: Vec<_> = diagnoses::findings_of(conn, &[diagnosis])
            .map_err(fail)?
            .iter()
            .map(|f| f.id)
            .collect();
        let mut kinds = vec![RecommendationKind::Bimbingan];
        if plan.good || self.rng.random_bool(0.5) {
            kinds.push(RecommendationKind::Permodalan);
        }
        kinds.push(if self.rng.random_bool(0.5) {
            RecommendationKind::Motivasi
        } else {
            RecommendationKind::Pelatihan
        });
        let mut made = Vec::new();
        for kind in kinds {
            let capital = kind == RecommendationKind::Permodalan;
            let fields = RecommendationFields {
                kind,
                description: format!("Rekomendasi {kind} (demo)."),
                responsible_expert_id: Some(self.pick(&self.people.mentors.clone())),
                responsible_partner_id: None,
                responsible_user_id: None,
                due_on: Some(walk.day + Duration::days(self.rng.random_range(60..240))),
                financing_scheme: capital.then(|| SCHEMES[self.rng.random_range(0..SCHEMES.len())]),
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
            let row = recommendations::insert(conn, walk.id(), diagnosis, fields).map_err(fail)?;
            recommendations::replace_findings(conn, row.id, &findings[..1]).map_err(fail)?;
            made.push((row.id, capital));
        }
        Ok(made)
    }

    /// Moves a recommendation through its own machine, as the system.
    pub(super) fn move_recommendation(
        &mut self,
        conn: &mut AnyConnection,
        id: RecommendationId,
        to: RecommendationStatus,
    ) -> anyhow::Result<()> {
        move_to(conn, &self.ctx, id, &IfMatch::Absent, to, None).map_err(fail)
    }

    /// Half to all of the requested capital approved, most of it disbursed two weeks later.
    pub(super) fn report_capital(
        &mut self,
        conn: &mut AnyConnection,
        id: RecommendationId,
        approved_on: NaiveDate,
    ) -> anyhow::Result<()> {
        let row = recommendations::find(conn, id).map_err(fail)?;
        let requested = row.amount_requested.unwrap_or(0);
        let approved = requested / 10 * self.rng.random_range(5..=10);
        let disbursed = self.rng.random_bool(0.8);
        let report = CapitalReport {
            amount_approved: Some(approved),
            approved_on: Some(approved_on),
            amount_disbursed: disbursed.then_some(approved),
            disbursed_on: disbursed.then(|| (approved_on + Duration::days(14)).min(self.today)),
        };
        record_capital(conn, &self.ctx, id, &IfMatch::Absent, &report).map_err(fail)?;
        Ok(())
    }

    /// The registry rows the rule reads: for a good case, RAT held and SHU kept (cooperatives) or
    /// turnover grown (UKM); for UKM others, flat figures.
    pub(super) fn evidence(
        &mut self,
        conn: &mut AnyConnection,
        walk: &Walk,
        plan: &Plan,
    ) -> anyhow::Result<()> {
        let closing_year = walk.later(22).year();
        match plan.subject {
            Subject::Cooperative(id) if plan.good && !plan.savings_and_loan => {
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
                    annual_reports::insert(conn, id, &fields).map_err(fail)?;
                }
            }
            Subject::Ukm(id) => {
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
                    ukm::insert_figures(conn, id, &figures).map_err(fail)?;
                }
            }
            Subject::Cooperative(_) => {}
        }
        Ok(())
    }

    /// The closing evaluation: the subject's indicators now, and a conclusion fitting the plan.
    pub(super) fn evaluate(
        &mut self,
        conn: &mut AnyConnection,
        walk: &Walk,
        plan: &Plan,
    ) -> anyhow::Result<()> {
        use Conclusion::*;
        let conclusion = if plan.good {
            Improved
        } else {
            [Improved, Improved, Unchanged, Worse][self.rng.random_range(0..4)]
        };
        let indicators =
            subject::indicators(conn, &self.app.size_thresholds, &walk.case).map_err(fail)?;
        let evaluation = NewEvaluation {
            case_id: walk.id(),
            evaluated_on: walk.later(10),
            indicators: serde_json::to_string(&indicators)?,
            conclusion,
            next_step: EvaluationNextStep::Close,
            notes: None,
            recorded_by: Some("seed-demo".into()),
        };
        evaluations::insert(conn, evaluation).map_err(fail)?;
        Ok(())
    }
}
