use super::*;
use proptest::prelude::*;

fn ready() -> CaseFacts {
    CaseFacts {
        subject_kind: SubjectKind::Cooperative,
        membership_area: Some(MembershipArea::Kota),
        team_size: 2,
        final_diagnosis_findings: Some(3),
        recommendations: 1,
        agreed_recommendations: 1,
        activities: 1,
        latest_evaluation: Some(EvaluationNextStep::Close),
        dissolution_proposal: true,
        has_note: true,
    }
}

#[test]
fn the_happy_path_walks_registration_to_closing() {
    let mut facts = ready();
    let mut status = CaseStatus::Registered;
    for (action, expected) in [
        (CaseAction::Screen, CaseStatus::Screened),
        (CaseAction::StartDiagnosis, CaseStatus::Diagnosing),
        (CaseAction::FinishDiagnosis, CaseStatus::Recommending),
        (CaseAction::StartMentoring, CaseStatus::Mentoring),
        (CaseAction::StartEvaluation, CaseStatus::Evaluating),
    ] {
        status = transition(status, action, &facts).expect("allowed");
        assert_eq!(status, expected);
    }
    facts.latest_evaluation = Some(EvaluationNextStep::ContinueMentoring);
    assert_eq!(
        transition(status, CaseAction::ContinueMentoring, &facts),
        Ok(CaseStatus::Mentoring)
    );
    facts.latest_evaluation = Some(EvaluationNextStep::Close);
    assert_eq!(
        transition(status, CaseAction::Close, &facts),
        Ok(CaseStatus::Closed)
    );
}

#[test]
fn a_cooperative_outside_the_city_cannot_pass_screening_and_the_message_names_its_supervisor() {
    for (area, supervisor) in [
        (MembershipArea::LintasKabupatenKota, "provincial"),
        (MembershipArea::LintasProvinsi, "Ministry"),
    ] {
        let facts = CaseFacts {
            membership_area: Some(area),
            ..ready()
        };
        let refused = transition(CaseStatus::Registered, CaseAction::Screen, &facts);
        assert_eq!(
            refused,
            Err(TransitionError::Guard(Guard::OutsideCitySupervision(area)))
        );
        assert!(
            Guard::OutsideCitySupervision(area)
                .message()
                .english()
                .contains(supervisor)
        );
    }
    let ukm = CaseFacts {
        subject_kind: SubjectKind::Ukm,
        membership_area: None,
        ..ready()
    };
    assert_eq!(
        transition(CaseStatus::Registered, CaseAction::Screen, &ukm),
        Ok(CaseStatus::Screened)
    );
}

#[test]
fn each_guard_fails_with_its_own_code() {
    let cases = [
        (
            CaseStatus::Registered,
            CaseAction::Reject,
            CaseFacts {
                has_note: false,
                ..ready()
            },
            "note_required",
        ),
        (
            CaseStatus::Screened,
            CaseAction::StartDiagnosis,
            CaseFacts {
                team_size: 0,
                ..ready()
            },
            "team_required",
        ),
        (
            CaseStatus::Diagnosing,
            CaseAction::FinishDiagnosis,
            CaseFacts {
                final_diagnosis_findings: None,
                ..ready()
            },
            "final_diagnosis_required",
        ),
        (
            CaseStatus::Diagnosing,
            CaseAction::FinishDiagnosis,
            CaseFacts {
                final_diagnosis_findings: Some(0),
                ..ready()
            },
            "finding_required",
        ),
        (
            CaseStatus::Diagnosing,
            CaseAction::FinishDiagnosis,
            CaseFacts {
                recommendations: 0,
                agreed_recommendations: 0,
                ..ready()
            },
            "recommendation_required",
        ),
        (
            CaseStatus::Recommending,
            CaseAction::StartMentoring,
            CaseFacts {
                agreed_recommendations: 0,
                ..ready()
            },
            "agreed_recommendation_required",
        ),
        (
            CaseStatus::Mentoring,
            CaseAction::StartEvaluation,
            CaseFacts {
                activities: 0,
                ..ready()
            },
            "activity_required",
        ),
        (
            CaseStatus::Evaluating,
            CaseAction::ContinueMentoring,
            CaseFacts {
                latest_evaluation: Some(EvaluationNextStep::Close),
                ..ready()
            },
            "evaluation_required",
        ),
        (
            CaseStatus::Evaluating,
            CaseAction::Close,
            CaseFacts {
                latest_evaluation: None,
                ..ready()
            },
            "outcome_required",
        ),
        (
            CaseStatus::Diagnosing,
            CaseAction::ProposeDissolution,
            CaseFacts {
                subject_kind: SubjectKind::Ukm,
                membership_area: None,
                ..ready()
            },
            "cooperative_only",
        ),
        (
            CaseStatus::Evaluating,
            CaseAction::ProposeDissolution,
            CaseFacts {
                dissolution_proposal: false,
                ..ready()
            },
            "dissolution_proposal_required",
        ),
        (
            CaseStatus::Mentoring,
            CaseAction::Withdraw,
            CaseFacts {
                has_note: false,
                ..ready()
            },
            "note_required",
        ),
    ];
    for (from, action, facts, code) in cases {
        match transition(from, action, &facts) {
            Err(TransitionError::Guard(guard)) => assert_eq!(guard.code(), code, "{action}"),
            other => panic!("{action} from {from}: expected guard {code}, got {other:?}"),
        }
    }
}

#[test]
fn an_action_the_status_does_not_allow_is_refused_before_any_guard() {
    let nothing = CaseFacts {
        team_size: 0,
        has_note: false,
        ..ready()
    };
    assert_eq!(
        transition(CaseStatus::Registered, CaseAction::StartDiagnosis, &nothing),
        Err(TransitionError::NotAllowed {
            from: CaseStatus::Registered,
            action: CaseAction::StartDiagnosis
        })
    );
    assert_eq!(
        actions_from(CaseStatus::Registered),
        vec![CaseAction::Screen, CaseAction::Reject, CaseAction::Withdraw]
    );
}

fn any_status() -> impl Strategy<Value = CaseStatus> {
    proptest::sample::select(CaseStatus::ALL)
}

fn any_action() -> impl Strategy<Value = CaseAction> {
    proptest::sample::select(CaseAction::ALL)
}

proptest! {
    #[test]
    fn terminal_statuses_allow_no_action(from in any_status(), action in any_action()) {
        if from.is_terminal() {
            prop_assert_eq!(target(from, action), None);
        }
    }

    #[test]
    fn every_open_status_can_be_withdrawn_with_a_note(from in any_status()) {
        prop_assume!(from.is_open());
        prop_assert_eq!(
            transition(from, CaseAction::Withdraw, &ready()),
            Ok(CaseStatus::Withdrawn)
        );
    }

    #[test]
    fn a_transition_never_returns_to_registered(from in any_status(), action in any_action()) {
        prop_assert_ne!(target(from, action), Some(CaseStatus::Registered));
    }
}
