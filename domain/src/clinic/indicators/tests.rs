use super::*;
use crate::activity_status::{ActivityRule, RatEvidence};
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn case(kind: SubjectKind, registered: NaiveDate, final_on: Option<NaiveDate>) -> CaseFact {
    CaseFact {
        subject_kind: kind,
        kecamatan_code: "32.71.01".into(),
        registered_on: registered,
        status: CaseStatus::Recommending,
        first_final_on: final_on,
        baseline_predicate: None,
        latest_predicate: None,
        outcome: None,
        moved_up: false,
    }
}

fn figures(cases: &[CaseFact], year: i32) -> ClinicFigures {
    let refs: Vec<&CaseFact> = cases.iter().collect();
    clinic_figures(&refs, &[], &[], Period::year(year))
}

#[test]
fn a_case_is_helped_in_the_year_of_its_first_final_diagnosis_to_the_day() {
    let cases = [
        case(
            SubjectKind::Cooperative,
            day(2017, 6, 1),
            Some(day(2017, 12, 31)),
        ),
        case(
            SubjectKind::Cooperative,
            day(2017, 6, 1),
            Some(day(2018, 1, 1)),
        ),
        case(SubjectKind::Ukm, day(2017, 6, 1), Some(day(2017, 1, 1))),
        case(SubjectKind::Cooperative, day(2017, 6, 1), None),
    ];
    let f2017 = figures(&cases, 2017);
    assert_eq!((f2017.cooperatives_helped, f2017.ukm_helped), (1, 1));
    assert_eq!(figures(&cases, 2018).cooperatives_helped, 1);
    // All four were registered in 2017: the funnel counts them by status now, every status shown.
    assert_eq!(f2017.funnel.len(), CaseStatus::ALL.len());
    let recommending = f2017
        .funnel
        .iter()
        .find(|s| s.status == CaseStatus::Recommending)
        .unwrap();
    assert_eq!(recommending.count, 4);
    assert_eq!(
        figures(&cases, 2018)
            .funnel
            .iter()
            .map(|s| s.count)
            .sum::<i64>(),
        0
    );
}

#[test]
fn good_outcomes_count_in_the_year_the_case_closed() {
    let mut good = case(
        SubjectKind::Cooperative,
        day(2017, 1, 1),
        Some(day(2017, 2, 1)),
    );
    good.outcome = Some((Outcome::Bagus, day(2019, 12, 31)));
    let mut better = case(SubjectKind::Ukm, day(2017, 1, 1), Some(day(2017, 2, 1)));
    better.outcome = Some((Outcome::Membaik, day(2019, 1, 1)));
    better.moved_up = true;
    let f = figures(&[good, better], 2019);
    assert_eq!((f.cooperatives_good, f.ukm_good, f.ukm_moved_up), (1, 0, 1));
    let counts: Vec<i64> = f.outcomes.iter().map(|o| o.count).collect();
    assert_eq!(counts, [1, 1, 0, 0], "bagus, membaik, tetap, memburuk");
}

#[test]
fn the_median_is_the_lower_middle_observed_value() {
    let registered = day(2017, 1, 1);
    let after = |days: i64| Some(registered + chrono::Duration::days(days));
    let four: Vec<CaseFact> = [10, 40, 20, 30]
        .iter()
        .map(|d| case(SubjectKind::Cooperative, registered, after(*d)))
        .collect();
    assert_eq!(
        figures(&four, 2017).median_days_to_final_diagnosis,
        Some(20)
    );
    assert_eq!(
        figures(&four[..3], 2017).median_days_to_final_diagnosis,
        Some(20)
    );
    assert_eq!(figures(&[], 2017).median_days_to_final_diagnosis, None);
}

#[test]
fn predicates_move_from_baseline_to_latest_and_capital_adds_up_by_scheme_and_bank() {
    let mut moved = case(
        SubjectKind::Cooperative,
        day(2017, 1, 1),
        Some(day(2017, 3, 1)),
    );
    moved.baseline_predicate = Some(Predicate::DalamPengawasan);
    moved.latest_predicate = Some(Predicate::CukupSehat);
    let refs = [&moved, &moved];
    let rec = |scheme, bank, approved| RecommendationFact {
        kecamatan_code: "32.71.01".into(),
        diagnosed_on: day(2017, 3, 1),
        kind: RecommendationKind::Permodalan,
        status: RecommendationStatus::Done,
        financing_scheme: Some(scheme),
        bank_partner_id: bank,
        requested: Some(100),
        approved,
        disbursed: None,
    };
    let recs = [
        rec(FinancingScheme::KurMikro, Some(1), Some(60)),
        rec(FinancingScheme::KurMikro, Some(2), None),
        rec(FinancingScheme::Hibah, None, Some(5)),
    ];
    let rec_refs: Vec<&RecommendationFact> = recs.iter().collect();
    let f = clinic_figures(&refs, &[], &rec_refs, Period::year(2017));
    assert_eq!(
        f.predicate_movement,
        vec![PredicateMovement {
            from: Some(Predicate::DalamPengawasan),
            to: Predicate::CukupSehat,
            count: 2
        }]
    );
    assert_eq!(
        f.capital_by_scheme[0].financing_scheme,
        FinancingScheme::KurMikro
    );
    assert_eq!(
        f.capital_by_scheme[0].sum,
        CapitalSum {
            recommendations: 2,
            requested: 200,
            approved: 60,
            disbursed: 0
        }
    );
    assert_eq!(
        f.capital_by_bank[0].bank_partner_id, None,
        "no bank sorts first"
    );
    assert_eq!(f.capital_by_bank[0].sum.approved, 5);
    assert_eq!(
        f.recommendations_done,
        vec![KindCount {
            kind: RecommendationKind::Permodalan,
            count: 3
        }]
    );
}

#[test]
fn a_cooperative_counts_from_its_founding_year_and_is_active_by_the_rule_at_year_end() {
    let report = |book_year, rat_held| RatEvidence {
        book_year,
        rat_held,
    };
    let young = CooperativeFact {
        kecamatan_code: "32.71.01".into(),
        since: Some(day(2018, 12, 31)),
        active_now: true,
        reports: vec![report(2018, true)],
    };
    let old = CooperativeFact {
        kecamatan_code: "32.71.02".into(),
        since: None,
        active_now: false,
        reports: vec![report(2016, true)],
    };
    let rule = ActivityRule::default();
    let both = [&young, &old];
    assert_eq!(
        cooperative_ratios(&both, rule, Some(2017), 2026),
        (Ratio { count: 1, of: 1 }, Ratio { count: 1, of: 1 }),
        "at the end of 2017 only the old one exists, active by its 2016 RAT"
    );
    assert_eq!(
        cooperative_ratios(&both, rule, Some(2018), 2026).0,
        Ratio { count: 0, of: 2 }
    );
    assert_eq!(
        cooperative_ratios(&both, rule, None, 2026).0,
        Ratio { count: 1, of: 2 }
    );
}

proptest! {
    /// Splitting the cases by kecamatan never changes a total: the parts sum to the whole.
    #[test]
    fn per_kecamatan_figures_sum_to_the_total(
        specs in proptest::collection::vec((0usize..3, 0i64..400, any::<bool>(), 0usize..4), 0..40)
    ) {
        let kecamatan = ["32.71.01", "32.71.02", "32.71.03"];
        let cases: Vec<CaseFact> = specs
            .iter()
            .map(|(k, days, coop, outcome)| {
                let registered = day(2017, 1, 1);
                let final_on = registered + chrono::Duration::days(*days);
                CaseFact {
                    subject_kind: if *coop { SubjectKind::Cooperative } else { SubjectKind::Ukm },
                    kecamatan_code: kecamatan[*k].into(),
                    registered_on: registered,
                    status: CaseStatus::ALL[*outcome],
                    first_final_on: Some(final_on),
                    baseline_predicate: None,
                    latest_predicate: Some(Predicate::Sehat),
                    outcome: Some((Outcome::ALL[*outcome], final_on)),
                    moved_up: *outcome == 0,
                }
            })
            .collect();
        let all: Vec<&CaseFact> = cases.iter().collect();
        let whole = clinic_figures(&all, &[], &[], Period { from_year: 2017, to_year: 2018 });
        let parts: Vec<ClinicFigures> = kecamatan
            .iter()
            .map(|k| {
                let mine: Vec<&CaseFact> = cases.iter().filter(|c| c.kecamatan_code == *k).collect();
                clinic_figures(&mine, &[], &[], Period { from_year: 2017, to_year: 2018 })
            })
            .collect();
        prop_assert_eq!(whole.cooperatives_helped, parts.iter().map(|p| p.cooperatives_helped).sum::<i64>());
        prop_assert_eq!(whole.ukm_helped, parts.iter().map(|p| p.ukm_helped).sum::<i64>());
        prop_assert_eq!(whole.cooperatives_good, parts.iter().map(|p| p.cooperatives_good).sum::<i64>());
        prop_assert_eq!(whole.ukm_moved_up, parts.iter().map(|p| p.ukm_moved_up).sum::<i64>());
        for (i, status) in whole.funnel.iter().enumerate() {
            prop_assert_eq!(status.count, parts.iter().map(|p| p.funnel[i].count).sum::<i64>());
        }
    }
}
