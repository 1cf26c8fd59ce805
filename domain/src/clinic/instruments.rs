//! The instruments seeded with the system. They are data: the server stores each as a versioned
//! definition, and an admin may add later versions without a release.

use rust_decimal::Decimal;

use super::SubjectKind;
use super::health::{Aspect, Band, Component, Cutoffs, InstrumentDefinition, ScoringRule};

/// An instrument as shipped: its identity and its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedInstrument {
    pub code: &'static str,
    pub version: i32,
    pub name: &'static str,
    pub subject_kind: SubjectKind,
    pub source: &'static str,
    pub definition: InstrumentDefinition,
}

/// Permen 14/Per/M.KUKM/XII/2009 tables as reproduced in published theses (docs/domain.md, "Health assessment").
const KSP_TABLES: &str = "Permen KUKM 14/Per/M.KUKM/XII/2009, Perdep 06/Per/Dep.6/IV/2016, as reproduced in published theses";

fn d(value: i64) -> Decimal {
    Decimal::from(value)
}

fn direct(code: &str, name: &str, weight: i64) -> Component {
    Component {
        code: code.into(),
        name: name.into(),
        weight: d(weight),
        rule: ScoringRule::direct(),
        source: None,
    }
}

fn table(code: &str, name: &str, weight: i64, rule: ScoringRule, source: &str) -> Component {
    Component {
        code: code.into(),
        name: name.into(),
        weight: d(weight),
        rule,
        source: Some(source.into()),
    }
}

/// Bands from `(bound, inclusive, score)`; the last entry's score takes every larger ratio.
fn bands(bounded: &[(i64, bool, i64)], beyond: i64) -> ScoringRule {
    let mut bands: Vec<Band> = bounded
        .iter()
        .map(|&(bound, inclusive, score)| Band {
            up_to: Some(d(bound)),
            inclusive,
            score: d(score),
        })
        .collect();
    bands.push(Band {
        up_to: None,
        inclusive: false,
        score: d(beyond),
    });
    ScoringRule::bands(bands)
}

fn linear_one_point_per_percent() -> ScoringRule {
    ScoringRule::linear(Decimal::ONE)
}

fn aspect(code: &str, name: &str, components: Vec<Component>) -> Aspect {
    Aspect {
        code: code.into(),
        name: name.into(),
        components,
    }
}

/// The conventional savings-and-loan instrument: seven aspects weighted 15/25/15/10/15/10/10.
/// Components whose ratio table the sources give take the raw ratio; the rest take a score.
pub fn ksp_konvensional() -> SeedInstrument {
    let source = |sub: &str| format!("{KSP_TABLES}; {sub}");
    let aspects = vec![
        aspect(
            "permodalan",
            "Permodalan",
            vec![
                direct("modal_sendiri_total_aset", "Modal sendiri / total aset", 6),
                table(
                    "modal_sendiri_pinjaman_berisiko",
                    "Modal sendiri / pinjaman diberikan yang berisiko",
                    6,
                    // ≤ 0 % scores 0, one point per percent, at most 100.
                    linear_one_point_per_percent(),
                    &source("text-id.123dok.com 4zpxg3m0q"),
                ),
                table(
                    "kecukupan_modal_sendiri",
                    "Rasio kecukupan modal sendiri (modal tertimbang / ATMR)",
                    3,
                    // < 4 % → 0; 4 to < 6 % → 50; 6 to < 8 % → 75; ≥ 8 % → 100.
                    bands(&[(4, false, 0), (6, false, 50), (8, false, 75)], 100),
                    &source("text-id.123dok.com 4zpxg3m0q"),
                ),
            ],
        ),
        aspect(
            "kualitas_aktiva_produktif",
            "Kualitas aktiva produktif",
            vec![
                direct(
                    "volume_pinjaman_anggota",
                    "Volume pinjaman pada anggota / volume pinjaman diberikan",
                    10,
                ),
                table(
                    "risiko_pinjaman_bermasalah",
                    "Risiko pinjaman bermasalah / pinjaman diberikan",
                    5,
                    // = 0 % → 100; ≤ 10 → 80; ≤ 20 → 60; ≤ 30 → 40; ≤ 40 → 20; ≤ 45 → 10; > 45 → 0.
                    bands(
                        &[
                            (0, true, 100),
                            (10, true, 80),
                            (20, true, 60),
                            (30, true, 40),
                            (40, true, 20),
                            (45, true, 10),
                        ],
                        0,
                    ),
                    &source("text-id.123dok.com 7qvxvgpry"),
                ),
                table(
                    "cadangan_risiko",
                    "Cadangan risiko / risiko pinjaman bermasalah",
                    5,
                    linear_one_point_per_percent(),
                    &source("text-id.123dok.com 7qvxvgpry"),
                ),
                direct(
                    "pinjaman_berisiko",
                    "Pinjaman berisiko / pinjaman diberikan",
                    5,
                ),
            ],
        ),
        aspect(
            "manajemen",
            "Manajemen",
            vec![
                direct("manajemen_umum", "Manajemen umum", 3),
                direct("manajemen_kelembagaan", "Manajemen kelembagaan", 3),
                direct("manajemen_permodalan", "Manajemen permodalan", 3),
                direct("manajemen_aktiva", "Manajemen aktiva", 3),
                direct("manajemen_likuiditas", "Manajemen likuiditas", 3),
            ],
        ),
        aspect(
            "efisiensi",
            "Efisiensi",
            vec![direct(
                "efisiensi",
                "Efisiensi (beban operasi, beban usaha, pelayanan)",
                10,
            )],
        ),
        aspect(
            "likuiditas",
            "Likuiditas",
            vec![direct(
                "likuiditas",
                "Likuiditas (rasio kas, pinjaman / dana diterima)",
                15,
            )],
        ),
        aspect(
            "kemandirian_pertumbuhan",
            "Kemandirian dan pertumbuhan",
            vec![
                direct("rentabilitas_aset", "Rentabilitas aset", 3),
                table(
                    "rentabilitas_modal_sendiri",
                    "Rentabilitas modal sendiri",
                    3,
                    // < 3 % → 25; 3 to < 4 → 50; 4 to 5 → 75; > 5 → 100.
                    bands(&[(3, false, 25), (4, false, 50), (5, true, 75)], 100),
                    &source("text-id.123dok.com lzg60e26q"),
                ),
                table(
                    "kemandirian_operasional",
                    "Kemandirian operasional pelayanan",
                    4,
                    // ≤ 100 % → 0; > 100 % → 100.
                    bands(&[(100, true, 0)], 100),
                    &source("text-id.123dok.com lzg60e26q"),
                ),
            ],
        ),
        aspect(
            "jatidiri_koperasi",
            "Jatidiri koperasi",
            vec![
                table(
                    "partisipasi_bruto",
                    "Rasio partisipasi bruto",
                    7,
                    // < 25 % → 25; 25 to < 50 → 50; 50 to 75 → 75; > 75 → 100.
                    bands(&[(25, false, 25), (50, false, 50), (75, true, 75)], 100),
                    &source("text-id.123dok.com lzg60e26q; situsekonomi.blogspot.com 2023/01"),
                ),
                direct("promosi_ekonomi_anggota", "Promosi ekonomi anggota", 3),
            ],
        ),
    ];
    SeedInstrument {
        code: "ksp_konvensional",
        version: 1,
        name: "Penilaian kesehatan KSP/USP konvensional",
        subject_kind: SubjectKind::Cooperative,
        source: KSP_TABLES,
        definition: InstrumentDefinition {
            aspects,
            cutoffs: Cutoffs::standard(),
        },
    }
}

/// One aspect scored directly, under its own code.
fn whole(code: &str, name: &str, weight: i64) -> Aspect {
    aspect(code, name, vec![direct(code, name, weight)])
}

/// The sharia variant: 10/20/15/10/15/10/10 plus sharia compliance 10, each aspect scored directly
/// (the sources give no ratio tables for Perdep 07/2016).
pub fn ksp_syariah() -> SeedInstrument {
    let aspects = vec![
        whole("permodalan", "Permodalan", 10),
        whole("kualitas_aktiva_produktif", "Kualitas aktiva produktif", 20),
        whole("manajemen", "Manajemen", 15),
        whole("efisiensi", "Efisiensi", 10),
        whole("likuiditas", "Likuiditas", 15),
        whole("kemandirian_pertumbuhan", "Kemandirian dan pertumbuhan", 10),
        whole("jatidiri_koperasi", "Jatidiri koperasi", 10),
        whole("prinsip_syariah", "Kepatuhan prinsip syariah", 10),
    ];
    SeedInstrument {
        code: "ksp_syariah",
        version: 1,
        name: "Penilaian kesehatan KSPPS/USPPS syariah",
        subject_kind: SubjectKind::Cooperative,
        source: "Perdep 07/Per/Dep.6/IV/2016, as reproduced in published theses",
        definition: InstrumentDefinition {
            aspects,
            cutoffs: Cutoffs::standard(),
        },
    }
}

/// The clinic's own UKM checklist: one aspect per problem category that applies to a business,
/// weighted equally; each scores the share (0–100) of that category's checklist items the business
/// meets.
pub fn ukm_checklist() -> SeedInstrument {
    let aspects = [
        ("manajemen", "Manajemen usaha"),
        ("sdm", "Sumber daya manusia"),
        ("keuangan_akuntansi", "Keuangan dan pembukuan"),
        ("permodalan", "Permodalan"),
        ("kinerja_usaha", "Kinerja usaha"),
        ("pemasaran", "Pemasaran"),
        ("produksi", "Produksi"),
        ("legalitas_perizinan", "Legalitas dan perizinan"),
        ("digitalisasi", "Digitalisasi"),
        ("motivasi", "Motivasi"),
    ]
    .into_iter()
    .map(|(code, name)| whole(code, name, 10))
    .collect();
    SeedInstrument {
        code: "ukm_checklist",
        version: 1,
        name: "Daftar periksa UKM klinik",
        subject_kind: SubjectKind::Ukm,
        source: "Klinik KUMKM, over the problem categories of docs/domain.md",
        definition: InstrumentDefinition {
            aspects,
            cutoffs: Cutoffs::standard(),
        },
    }
}

/// Every instrument the system ships with.
pub fn seeded() -> Vec<SeedInstrument> {
    vec![ksp_konvensional(), ksp_syariah(), ukm_checklist()]
}
