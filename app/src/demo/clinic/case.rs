//! One demo case, walked through the case machine from registration to its planned status.

use chrono::{Duration, NaiveDate};
use klinik_domain::clinic::case::{CaseAction, CaseStatus};
use klinik_domain::clinic::outcome::{ActivityKind, DissolutionReason};
use klinik_domain::clinic::recommendation::RecommendationStatus;
use klinik_domain::clinic::{MemberDuty, ReferralSource};
use klinik_persistence::clinic::activities::{self, ActivityFields};
use klinik_persistence::clinic::cases::{self, CaseMemberRow, CaseRow, NewCase};
use rand::RngExt;

use super::{Plan, Seeder, Subject, fail};
use crate::clinic::cases::model::{DissolutionRequest, TransitionRequest};
use crate::clinic::cases::transitions;
use crate::prelude::*;

/// One case being walked through the machine, with the day reached.
pub(super) struct Walk {
    pub case: CaseRow,
    pub day: NaiveDate,
    pub today: NaiveDate,
}

impl Walk {
    pub fn id(&self) -> CaseId {
        self.case.id
    }

    /// The day `days` after the last step, never after today.
    pub fn later(&self, days: i64) -> NaiveDate {
        (self.day + Duration::days(days)).min(self.today)
    }
}

const REFERRALS: [ReferralSource; 4] = [
    ReferralSource::OfficeInitiative,
    ReferralSource::OwnRequest,
    ReferralSource::Partner,
    ReferralSource::SupervisionFinding,
];

const ACTIVITY_KINDS: [ActivityKind; 6] = [
    ActivityKind::Visit,
    ActivityKind::Training,
    ActivityKind::Consultation,
    ActivityKind::FinancingFacilitation,
    ActivityKind::LicensingFacilitation,
    ActivityKind::BusinessMeeting,
];

impl Seeder<'_> {
    /// Takes `action` `days` after the last step through the case machine, as the system.
    fn go(
        &mut self,
        conn: &mut AnyConnection,
        walk: &mut Walk,
        action: CaseAction,
        days: i64,
        note: Option<&str>,
        dissolution: Option<DissolutionRequest>,
    ) -> anyhow::Result<()> {
        walk.day = walk.later(days);
        let request = TransitionRequest {
            action,
            note: note.map(str::to_owned),
            dissolution,
            effective_on: Some(walk.day),
        };
        walk.case = transitions::apply(
            conn,
            &self.ctx,
            walk.id(),
            &IfMatch::Absent,
            &request,
            self.today,
        )
        .map_err(fail)?;
        Ok(())
    }

    /// Registers the case of `plan` with its team and mentor, and walks it to its target.
    pub(super) fn case(&mut self, conn: &mut AnyConnection, plan: Plan) -> anyhow::Result<()> {
        let (cooperative_id, ukm_id) = match plan.subject {
            Subject::Cooperative(id) => (Some(id), None),
            Subject::Ukm(id) => (None, Some(id)),
        };
        let case = cases::insert(
            conn,
            NewCase {
                programme_id: plan.programme_id,
                subject_kind: plan.subject.kind(),
                cooperative_id,
                ukm_id,
                referral_source: REFERRALS[self.rng.random_range(0..4)],
                status: CaseStatus::Registered,
                registered_on: plan.registered_on,
            },
        )
        .map_err(fail)?;
        let lead = self.pick(&self.people.leads.clone());
        let second = self.pick(&self.people.mentors.clone());
        let mentor = self.pick(&self.people.mentors.clone());
        let member = |expert_id: ExpertId, duty, is_lead| CaseMemberRow {
            case_id: case.id,
            expert_id,
            duty,
            is_lead,
        };
        let mut team = vec![member(lead, MemberDuty::Team, true)];
        if second != lead {
            team.push(member(second, MemberDuty::Team, false));
        }
        cases::replace_members(conn, case.id, MemberDuty::Team, &team).map_err(fail)?;
        let mentors = [member(mentor, MemberDuty::Mentor, false)];
        cases::replace_members(conn, case.id, MemberDuty::Mentor, &mentors).map_err(fail)?;
        let mut walk = Walk {
            case,
            day: plan.registered_on,
            today: self.today,
        };
        self.walk(conn, &mut walk, &plan, lead, mentor)
    }

    fn walk(
        &mut self,
        conn: &mut AnyConnection,
        walk: &mut Walk,
        plan: &Plan,
        lead: ExpertId,
        mentor: ExpertId,
    ) -> anyhow::Result<()> {
        use CaseAction as A;
        use CaseStatus as S;
        match plan.target {
            S::Registered => return Ok(()),
            S::Rejected => {
                let note = Some("Bukan kewenangan kota (demo).");
                return self.go(conn, walk, A::Reject, 5, note, None);
            }
            _ => {}
        }
        self.go(conn, walk, A::Screen, 7, None, None)?;
        match plan.target {
            S::Screened => return Ok(()),
            S::Withdrawn => {
                let note = Some("Pengurus mengundurkan diri (demo).");
                return self.go(conn, walk, A::Withdraw, 20, note, None);
            }
            _ => {}
        }
        self.go(conn, walk, A::StartDiagnosis, 14, None, None)?;
        match plan.target {
            S::Diagnosing => return Ok(()),
            S::DissolutionProposed => {
                let dissolution = DissolutionRequest {
                    reasons: vec![
                        DissolutionReason::NoRatTwoYears,
                        DissolutionReason::NoBusiness,
                    ],
                };
                let note = Some("Tidak ada kegiatan usaha (demo).");
                return self.go(
                    conn,
                    walk,
                    A::ProposeDissolution,
                    10,
                    note,
                    Some(dissolution),
                );
            }
            _ => {}
        }
        let diagnosis = self.diagnose(conn, walk, plan, lead)?;
        let recommendations = self.recommend(conn, walk, plan, diagnosis)?;
        self.go(conn, walk, A::FinishDiagnosis, 1, None, None)?;
        if plan.target == S::Recommending {
            return Ok(());
        }
        for (id, capital) in &recommendations {
            self.move_recommendation(conn, *id, RecommendationStatus::Agreed)?;
            if *capital && self.rng.random_bool(0.8) {
                self.report_capital(conn, *id, walk.later(60))?;
            }
        }
        self.go(conn, walk, A::StartMentoring, 30, None, None)?;
        for n in 0..self.rng.random_range(2..5) {
            let fields = ActivityFields {
                held_on: walk.later(20 + 40 * n),
                kind: ACTIVITY_KINDS[self.rng.random_range(0..6)],
                hours: format!("{}", self.rng.random_range(1..7)),
                notes: None,
                recommendation_id: recommendations.first().map(|(id, _)| *id),
            };
            let activity = activities::insert(conn, walk.id(), fields).map_err(fail)?;
            activities::replace_experts(conn, activity.id, &[mentor]).map_err(fail)?;
        }
        for (id, _) in &recommendations {
            self.move_recommendation(conn, *id, RecommendationStatus::InProgress)?;
        }
        if plan.target == S::Mentoring {
            return Ok(());
        }
        self.go(conn, walk, A::StartEvaluation, 200, None, None)?;
        for (id, _) in &recommendations {
            let last = if plan.good || self.rng.random_bool(0.8) {
                RecommendationStatus::Done
            } else {
                RecommendationStatus::NotDone
            };
            self.move_recommendation(conn, *id, last)?;
        }
        if plan.target == S::Evaluating {
            return Ok(());
        }
        self.evidence(conn, walk, plan)?;
        self.evaluate(conn, walk, plan)?;
        self.go(conn, walk, A::Close, 12, None, None)
    }
}
