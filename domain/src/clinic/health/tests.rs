use super::*;
use crate::clinic::instruments::{ksp_konvensional, ksp_syariah, seeded, ukm_checklist};
use proptest::prelude::*;

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal literal")
}

fn scores<'a>(pairs: &[(&'a str, &str)]) -> Vec<ComponentInput<'a>> {
    pairs
        .iter()
        .map(|(component, score)| ComponentInput {
            component,
            score: Some(dec(score)),
            ratio: None,
        })
        .collect()
}

#[test]
fn predicates_change_exactly_at_the_cut_offs() {
    let cut = Cutoffs::standard();
    for (total, predicate) in [
        ("100", Predicate::Sehat),
        ("80.00", Predicate::Sehat),
        ("79.99", Predicate::CukupSehat),
        ("66.00", Predicate::CukupSehat),
        ("65.99", Predicate::DalamPengawasan),
        ("65.98", Predicate::DalamPengawasan),
        ("51.00", Predicate::DalamPengawasan),
        ("50.99", Predicate::DalamPengawasanKhusus),
        ("0", Predicate::DalamPengawasanKhusus),
    ] {
        assert_eq!(cut.predicate(dec(total)), predicate, "total {total}");
    }
}

#[test]
fn the_published_case_totalling_65_98_is_dalam_pengawasan() {
    // docs/domain.md, "Health assessment": a KSP scored 65.98 in total was rated "dalam pengawasan".
    // On the sharia instrument every aspect takes a score; these sum to 65.98 exactly:
    // 10×0.70 + 20×0.60 + 15×0.70 + 10×0.50 + 15×0.80 + 10×0.60 + 10×0.748 + 10×0.60.
    let instrument = ksp_syariah().definition;
    let scored = instrument
        .score(&scores(&[
            ("permodalan", "70"),
            ("kualitas_aktiva_produktif", "60"),
            ("manajemen", "70"),
            ("efisiensi", "50"),
            ("likuiditas", "80"),
            ("kemandirian_pertumbuhan", "60"),
            ("jatidiri_koperasi", "74.8"),
            ("prinsip_syariah", "60"),
        ]))
        .expect("complete input");
    assert_eq!(scored.total, dec("65.98"));
    assert_eq!(scored.predicate, Predicate::DalamPengawasan);
}

#[test]
fn a_total_of_exactly_80_is_sehat_and_one_hundredth_less_is_cukup_sehat() {
    let instrument = ukm_checklist().definition;
    let codes: Vec<String> = instrument.aspects.iter().map(|a| a.code.clone()).collect();
    let with_last = |last: &str| {
        let mut pairs: Vec<(&str, &str)> = codes.iter().map(|c| (c.as_str(), "80")).collect();
        if let Some(entry) = pairs.last_mut() {
            entry.1 = last;
        }
        instrument.score(&scores(&pairs)).expect("complete input")
    };
    let at = with_last("80");
    assert_eq!((at.total, at.predicate), (dec("80.00"), Predicate::Sehat));
    let below = with_last("79.9");
    assert_eq!(
        (below.total, below.predicate),
        (dec("79.99"), Predicate::CukupSehat)
    );
}

fn ratio_score(code: &str, ratio: &str) -> Decimal {
    let instrument = ksp_konvensional().definition;
    let component = instrument
        .aspects
        .iter()
        .flat_map(|a| a.components.iter())
        .find(|c| c.code == code)
        .expect("component exists");
    component.rule.score_ratio(dec(ratio))
}

#[test]
fn ratio_tables_score_at_their_published_boundaries() {
    let cases = [
        ("risiko_pinjaman_bermasalah", "0", "100"),
        ("risiko_pinjaman_bermasalah", "0.01", "80"),
        ("risiko_pinjaman_bermasalah", "10", "80"),
        ("risiko_pinjaman_bermasalah", "10.01", "60"),
        ("risiko_pinjaman_bermasalah", "45", "10"),
        ("risiko_pinjaman_bermasalah", "45.01", "0"),
        ("modal_sendiri_pinjaman_berisiko", "-5", "0"),
        ("modal_sendiri_pinjaman_berisiko", "42.5", "42.5"),
        ("modal_sendiri_pinjaman_berisiko", "100", "100"),
        ("modal_sendiri_pinjaman_berisiko", "180", "100"),
        ("kecukupan_modal_sendiri", "3.99", "0"),
        ("kecukupan_modal_sendiri", "4", "50"),
        ("kecukupan_modal_sendiri", "6", "75"),
        ("kecukupan_modal_sendiri", "7.99", "75"),
        ("kecukupan_modal_sendiri", "8", "100"),
        ("rentabilitas_modal_sendiri", "2.99", "25"),
        ("rentabilitas_modal_sendiri", "3", "50"),
        ("rentabilitas_modal_sendiri", "4", "75"),
        ("rentabilitas_modal_sendiri", "5", "75"),
        ("rentabilitas_modal_sendiri", "5.01", "100"),
        ("kemandirian_operasional", "100", "0"),
        ("kemandirian_operasional", "100.01", "100"),
        ("partisipasi_bruto", "24.99", "25"),
        ("partisipasi_bruto", "25", "50"),
        ("partisipasi_bruto", "50", "75"),
        ("partisipasi_bruto", "75", "75"),
        ("partisipasi_bruto", "75.01", "100"),
    ];
    for (code, ratio, expected) in cases {
        assert_eq!(
            ratio_score(code, ratio),
            dec(expected),
            "{code} at {ratio} %"
        );
    }
}

#[test]
fn the_seeded_instruments_are_valid_and_carry_the_published_aspect_weights() {
    for seed in seeded() {
        assert_eq!(seed.definition.validate(), Ok(()), "{}", seed.code);
    }
    let weights = |def: &InstrumentDefinition| -> Vec<Decimal> {
        def.aspects.iter().map(Aspect::weight).collect()
    };
    let as_dec = |ws: &[i64]| ws.iter().copied().map(Decimal::from).collect::<Vec<_>>();
    assert_eq!(
        weights(&ksp_konvensional().definition),
        as_dec(&[15, 25, 15, 10, 15, 10, 10])
    );
    assert_eq!(
        weights(&ksp_syariah().definition),
        as_dec(&[10, 20, 15, 10, 15, 10, 10, 10])
    );
}

#[test]
fn a_ratio_component_takes_a_ratio_and_a_direct_one_a_score() {
    let instrument = ksp_konvensional().definition;
    let wrong = [
        ComponentInput {
            component: "risiko_pinjaman_bermasalah",
            score: Some(dec("80")),
            ratio: None,
        },
        ComponentInput {
            component: "likuiditas",
            score: Some(dec("100.5")),
            ratio: None,
        },
        ComponentInput {
            component: "no_such_component",
            score: Some(dec("1")),
            ratio: None,
        },
    ];
    let codes: Vec<&str> = match instrument.score(&wrong) {
        Err(violations) => violations.0.iter().map(|v| v.code).collect(),
        Ok(_) => panic!("incomplete input scored"),
    };
    assert!(codes.contains(&"ratio_required"), "{codes:?}");
    assert!(codes.contains(&"score_range"), "{codes:?}");
    assert!(codes.contains(&"unknown_component"), "{codes:?}");
    assert!(codes.contains(&"component_missing"), "{codes:?}");
}

#[test]
fn a_definition_whose_weights_miss_100_or_whose_cut_offs_are_out_of_order_is_refused() {
    let mut broken = ukm_checklist().definition;
    broken.aspects.pop();
    broken.cutoffs.cukup_sehat = Decimal::from(90);
    let codes: Vec<&str> = match broken.validate() {
        Err(violations) => violations.0.iter().map(|v| v.code).collect(),
        Ok(()) => panic!("broken definition accepted"),
    };
    assert_eq!(codes, vec!["weights_total", "cutoffs_order"]);
}

#[test]
fn a_result_with_more_decimals_than_an_input_round_trips_through_its_stored_json() {
    let mut definition = ukm_checklist().definition;
    definition.aspects[0].components[0].weight = dec("9.9999");
    definition.aspects[1].components[0].weight = dec("10.0001");
    assert_eq!(definition.validate(), Ok(()));
    let codes: Vec<String> = definition.aspects.iter().map(|a| a.code.clone()).collect();
    let pairs: Vec<(&str, &str)> = codes.iter().map(|c| (c.as_str(), "33.33")).collect();
    let scored = definition.score(&scores(&pairs)).expect("complete input");
    assert_eq!(scored.aspects[0].score, dec("3.33296667"));
    let stored = serde_json::to_string(&scored).expect("serialises");
    let read: Scored = serde_json::from_str(&stored).expect("reads back");
    assert_eq!(read, scored);
    assert_eq!(read.total, dec("33.33"));
}

/// Complete input for the conventional instrument: a score per direct component, a ratio per table.
fn conventional_inputs(values: &[Decimal]) -> Vec<(String, bool, Decimal)> {
    ksp_konvensional()
        .definition
        .aspects
        .iter()
        .flat_map(|a| a.components.iter())
        .zip(values.iter().cycle())
        .map(|(c, v)| (c.code.clone(), c.rule.takes_ratio(), *v))
        .collect()
}

fn as_inputs(rows: &[(String, bool, Decimal)]) -> Vec<ComponentInput<'_>> {
    rows.iter()
        .map(|(code, ratio, value)| ComponentInput {
            component: code,
            score: (!ratio).then_some(*value),
            ratio: ratio.then_some(*value),
        })
        .collect()
}

fn hundredths() -> impl Strategy<Value = Decimal> {
    (0i64..=10_000).prop_map(|n| Decimal::new(n, 2))
}

proptest! {
    #[test]
    fn the_total_never_leaves_0_to_100(values in proptest::collection::vec(hundredths(), 1..20)) {
        let rows = conventional_inputs(&values);
        let scored = ksp_konvensional().definition.score(&as_inputs(&rows)).expect("complete");
        prop_assert!(scored.total >= Decimal::ZERO && scored.total <= Decimal::ONE_HUNDRED);
        prop_assert_eq!(scored.predicate, Cutoffs::standard().predicate(scored.total));
    }

    #[test]
    fn raising_one_aspect_never_lowers_the_predicate(
        values in proptest::collection::vec(hundredths(), 8),
        which in 0usize..8,
        raise in hundredths(),
    ) {
        let instrument = ksp_syariah().definition;
        let codes: Vec<String> = instrument.aspects.iter().map(|a| a.code.clone()).collect();
        let text: Vec<String> = values.iter().map(Decimal::to_string).collect();
        let mut pairs: Vec<(&str, &str)> =
            codes.iter().map(String::as_str).zip(text.iter().map(String::as_str)).collect();
        let before = instrument.score(&scores(&pairs)).expect("complete");
        let raised = (values[which] + raise).min(Decimal::ONE_HUNDRED).to_string();
        pairs[which].1 = &raised;
        let after = instrument.score(&scores(&pairs)).expect("complete");
        prop_assert!(after.total >= before.total);
        prop_assert!(after.predicate.rank() >= before.predicate.rank());
    }
}
