//! Health assessment (penilaian kesehatan; docs/domain.md, "Health assessment"): an instrument's components are
//! scored 0–100 (directly, or from a raw ratio by the instrument's table), weighted, summed to a total
//! of 0–100, and the total gives the predicate by the instrument's cut-offs.
//!
//! All arithmetic is exact decimal: a component contributes `score × weight / 100` exactly, and only
//! the total is rounded, to two places, half away from zero, as the published worksheets show it.
//! The predicate is read from that rounded total, so 80.00 is `sehat` and 79.99 is `cukup_sehat`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};
use crate::{Message, Violation, Violations, text};

text_enum!(
    /// The official predicates (Permen KUKM 14/2009; the same four under Permenkop UKM 9/2020).
    Predicate {
        Sehat => "sehat",
        CukupSehat => "cukup_sehat",
        DalamPengawasan => "dalam_pengawasan",
        DalamPengawasanKhusus => "dalam_pengawasan_khusus",
    }
);

impl Predicate {
    /// Higher is healthier: `dalam_pengawasan_khusus` 0 … `sehat` 3.
    pub fn rank(self) -> u8 {
        match self {
            Predicate::DalamPengawasanKhusus => 0,
            Predicate::DalamPengawasan => 1,
            Predicate::CukupSehat => 2,
            Predicate::Sehat => 3,
        }
    }
}

/// The lowest total of each predicate above the last; below `dalam_pengawasan` is
/// `dalam_pengawasan_khusus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Cutoffs {
    #[serde(with = "super::decimal::text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "80"))]
    pub sehat: Decimal,
    #[serde(with = "super::decimal::text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "80"))]
    pub cukup_sehat: Decimal,
    #[serde(with = "super::decimal::text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "80"))]
    pub dalam_pengawasan: Decimal,
}

impl Cutoffs {
    /// 80 / 66 / 51, as in the KSP instrument's predicate table (docs/domain.md, "Health assessment").
    pub fn standard() -> Self {
        Cutoffs {
            sehat: Decimal::from(80),
            cukup_sehat: Decimal::from(66),
            dalam_pengawasan: Decimal::from(51),
        }
    }

    pub fn predicate(&self, total: Decimal) -> Predicate {
        if total >= self.sehat {
            Predicate::Sehat
        } else if total >= self.cukup_sehat {
            Predicate::CukupSehat
        } else if total >= self.dalam_pengawasan {
            Predicate::DalamPengawasan
        } else {
            Predicate::DalamPengawasanKhusus
        }
    }
}

/// One band of a ratio table: ratios up to `up_to` (inclusive or not) score `score`; the last band
/// has no bound and takes every larger ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(
        default,
        with = "super::decimal::optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "10"))]
    pub up_to: Option<Decimal>,
    #[serde(default)]
    pub inclusive: bool,
    #[serde(with = "super::decimal::text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "80"))]
    pub score: Decimal,
}

/// How a component's input becomes its score 0–100: one of three objects told apart by `kind`.
/// (Untagged over three closed structs, so that the contract states each shape exactly, extra
/// fields refused.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ScoringRule {
    Direct(DirectRule),
    Linear(LinearRule),
    Bands(BandsRule),
}

/// `direct`: the assessor gives the score 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DirectRule {
    pub kind: DirectKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectKind {
    Direct,
}

/// `linear`: a ratio in percent scores `points_per_percent` per percent, from 0 up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinearRule {
    pub kind: LinearKind,
    #[serde(with = "super::decimal::text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "1"))]
    pub points_per_percent: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinearKind {
    Linear,
}

/// `bands`: a ratio in percent scores by the first band that admits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BandsRule {
    pub kind: BandsKind,
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BandsKind {
    Bands,
}

impl ScoringRule {
    pub fn direct() -> Self {
        ScoringRule::Direct(DirectRule {
            kind: DirectKind::Direct,
        })
    }

    pub fn linear(points_per_percent: Decimal) -> Self {
        ScoringRule::Linear(LinearRule {
            kind: LinearKind::Linear,
            points_per_percent,
        })
    }

    pub fn bands(bands: Vec<Band>) -> Self {
        ScoringRule::Bands(BandsRule {
            kind: BandsKind::Bands,
            bands,
        })
    }
}

impl ScoringRule {
    pub fn takes_ratio(&self) -> bool {
        !matches!(self, ScoringRule::Direct(_))
    }

    /// The score a raw ratio (in percent) earns under this rule; a direct score is itself.
    pub fn score_ratio(&self, ratio: Decimal) -> Decimal {
        match self {
            ScoringRule::Direct(_) => ratio,
            ScoringRule::Linear(rule) => {
                (ratio * rule.points_per_percent).clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
            }
            ScoringRule::Bands(rule) => rule
                .bands
                .iter()
                .find(|band| match band.up_to {
                    None => true,
                    Some(bound) if band.inclusive => ratio <= bound,
                    Some(bound) => ratio < bound,
                })
                .map_or(Decimal::ZERO, |band| band.score),
        }
    }
}

/// A scored item of an aspect; its weight is its share of the total 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Component {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[a-z][a-z0-9_]{1,62}$", example = "likuiditas")
    )]
    pub code: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
        )
    )]
    pub name: String,
    #[serde(with = "super::decimal::text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "80"))]
    pub weight: Decimal,
    pub rule: ScoringRule,
    /// Where the ratio table comes from (regulation and the copy it was read from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 500,
            pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
        )
    )]
    pub source: Option<String>,
}

/// An aspect of the assessment; its weight is the sum of its components' weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Aspect {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[a-z][a-z0-9_]{1,62}$", example = "likuiditas")
    )]
    pub code: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
        )
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub components: Vec<Component>,
}

impl Aspect {
    pub fn weight(&self) -> Decimal {
        self.components.iter().map(|c| c.weight).sum()
    }
}

/// What an instrument measures and how: its aspects and its cut-offs. The code and version live
/// beside it; a stored assessment keeps both, so a later version never rewrites an old result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstrumentDefinition {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub aspects: Vec<Aspect>,
    pub cutoffs: Cutoffs,
}

/// The assessor's input for one component: a score, or a raw ratio in percent for a table rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentInput<'a> {
    pub component: &'a str,
    pub score: Option<Decimal>,
    pub ratio: Option<Decimal>,
}

/// One component's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentResult {
    pub code: String,
    #[serde(with = "super::decimal::optional_text")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "12.5"))]
    pub ratio: Option<Decimal>,
    /// The component's score 0–100 (nilai).
    #[serde(with = "super::decimal::computed")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "7.48"))]
    pub score: Decimal,
    /// Its contribution to the total: score × weight / 100 (skor).
    #[serde(with = "super::decimal::computed")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "7.48"))]
    pub weighted: Decimal,
}

/// One aspect's result: its weight and the sum of its components' contributions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AspectResult {
    pub code: String,
    #[serde(with = "super::decimal::computed")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "7.48"))]
    pub weight: Decimal,
    #[serde(with = "super::decimal::computed")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "7.48"))]
    pub score: Decimal,
    pub components: Vec<ComponentResult>,
}

/// A scored assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scored {
    pub aspects: Vec<AspectResult>,
    /// The total 0–100, rounded to two places.
    #[serde(with = "super::decimal::computed")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "80"))]
    pub total: Decimal,
    pub predicate: Predicate,
}

const MAX_SCALE: u32 = 4;

fn percent_range(value: Decimal) -> bool {
    (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&value)
}

impl InstrumentDefinition {
    /// Checks that the instrument can score anything: aspect codes unique among aspects and
    /// component codes among components, weights positive and summing to
    /// 100, band bounds ascending with a last open band, scores and cut-offs within 0–100.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut violations = Violations::default();
        let mut aspect_codes = BTreeSet::new();
        let mut component_codes = BTreeSet::new();
        let mut total = Decimal::ZERO;
        if self.aspects.is_empty() || self.aspects.len() > MAX_ITEMS {
            violations.push(Violation::new(
                "aspects",
                "item_count",
                msg!("1 to 50 aspects"),
            ));
        }
        for (a, aspect) in self.aspects.iter().enumerate() {
            if !aspect_codes.insert(aspect.code.as_str()) {
                violations.push(Violation::new(
                    format!("aspects[{a}].code"),
                    "duplicate_code",
                    msg!("codes must be unique within the instrument"),
                ));
            }
            check_label(
                &format!("aspects[{a}]"),
                &aspect.code,
                &aspect.name,
                &mut violations,
            );
            if aspect.components.is_empty() || aspect.components.len() > MAX_ITEMS {
                violations.push(Violation::new(
                    format!("aspects[{a}].components"),
                    "item_count",
                    msg!("1 to 50 components"),
                ));
            }
            for (c, component) in aspect.components.iter().enumerate() {
                let field = format!("aspects[{a}].components[{c}]");
                check_label(&field, &component.code, &component.name, &mut violations);
                if let Some(source) = &component.source {
                    violations.check(text::single_line(&format!("{field}.source"), source, 500));
                }
                if !component_codes.insert(component.code.as_str()) {
                    violations.push(Violation::new(
                        format!("{field}.code"),
                        "duplicate_code",
                        msg!("codes must be unique within the instrument"),
                    ));
                }
                if component.weight <= Decimal::ZERO || component.weight.scale() > MAX_SCALE {
                    violations.push(Violation::new(
                        format!("{field}.weight"),
                        "weight_range",
                        msg!("must be above 0 with at most four decimal places"),
                    ));
                }
                total += component.weight;
                validate_rule(&field, &component.rule, &mut violations);
            }
        }
        if total != Decimal::ONE_HUNDRED {
            violations.push(Violation::new(
                "aspects",
                "weights_total",
                msg!("the components' weights must add up to exactly 100"),
            ));
        }
        let cut = &self.cutoffs;
        if !(percent_range(cut.dalam_pengawasan)
            && cut.dalam_pengawasan < cut.cukup_sehat
            && cut.cukup_sehat < cut.sehat
            && percent_range(cut.sehat))
        {
            violations.push(Violation::new(
                "cutoffs",
                "cutoffs_order",
                msg!("cut-offs must rise from dalam_pengawasan to sehat within 0–100"),
            ));
        }
        violations.into_result()
    }

    /// Scores a complete set of inputs: every component exactly once, a score for a direct
    /// component, a ratio for a table component.
    pub fn score(&self, inputs: &[ComponentInput<'_>]) -> Result<Scored, Violations> {
        let mut violations = Violations::default();
        let mut given: BTreeMap<&str, (usize, &ComponentInput<'_>)> = BTreeMap::new();
        for (i, input) in inputs.iter().enumerate() {
            if given.insert(input.component, (i, input)).is_some() {
                violations.push(Violation::new(
                    format!("scores[{i}].component"),
                    "duplicate_component",
                    msg!("each component is scored once"),
                ));
            }
        }
        let known: BTreeSet<&str> = self
            .aspects
            .iter()
            .flat_map(|a| a.components.iter().map(|c| c.code.as_str()))
            .collect();
        for (i, input) in inputs.iter().enumerate() {
            if !known.contains(input.component) {
                violations.push(Violation::new(
                    format!("scores[{i}].component"),
                    "unknown_component",
                    msg!("not a component of this instrument"),
                ));
            }
        }
        let mut aspects = Vec::with_capacity(self.aspects.len());
        for aspect in &self.aspects {
            let mut components = Vec::with_capacity(aspect.components.len());
            for component in &aspect.components {
                match given.get(component.code.as_str()) {
                    None => violations.push(Violation::new(
                        "scores",
                        "component_missing",
                        msg!("component %{code} has no score", code = component.code),
                    )),
                    Some((i, input)) => match component_score(component, input) {
                        Ok(result) => components.push(result),
                        Err(violation) => violations.push(Violation::new(
                            format!("scores[{i}].{}", violation.0),
                            violation.1,
                            violation.2,
                        )),
                    },
                }
            }
            aspects.push(AspectResult {
                code: aspect.code.clone(),
                weight: aspect.weight(),
                score: components.iter().map(|c| c.weighted).sum(),
                components,
            });
        }
        violations.into_result()?;
        let total = aspects
            .iter()
            .map(|a| a.score)
            .sum::<Decimal>()
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        Ok(Scored {
            predicate: self.cutoffs.predicate(total),
            total,
            aspects,
        })
    }
}

const MAX_ITEMS: usize = 50;

/// A code is 2 to 63 lowercase letters, digits or underscores starting with a letter; a name one
/// line of at most 200 characters.
pub fn is_code(code: &str) -> bool {
    let mut bytes = code.bytes();
    (2..=63).contains(&code.len())
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_label(field: &str, code: &str, name: &str, violations: &mut Violations) {
    if !is_code(code) {
        violations.push(Violation::new(
            format!("{field}.code"),
            "code_format",
            msg!("2 to 63 lowercase letters, digits or underscores, starting with a letter"),
        ));
    }
    violations.check(text::single_line(&format!("{field}.name"), name, 200));
}

fn validate_rule(field: &str, rule: &ScoringRule, violations: &mut Violations) {
    match rule {
        ScoringRule::Direct(_) => {}
        ScoringRule::Linear(rule) => {
            if rule.points_per_percent <= Decimal::ZERO {
                violations.push(Violation::new(
                    format!("{field}.rule.points_per_percent"),
                    "positive_required",
                    msg!("must be above 0"),
                ));
            }
        }
        ScoringRule::Bands(BandsRule { bands, .. }) => {
            if bands.len() > 50 {
                violations.push(Violation::new(
                    format!("{field}.rule.bands"),
                    "too_many",
                    msg!("at most 50 bands"),
                ));
            }
            let last_open = bands.last().is_some_and(|b| b.up_to.is_none());
            let bounded: Vec<Decimal> = bands.iter().filter_map(|b| b.up_to).collect();
            let ascending = bounded.windows(2).all(|w| w[0] < w[1]);
            if !last_open || bounded.len() + 1 != bands.len() || !ascending {
                violations.push(Violation::new(
                    format!("{field}.rule.bands"),
                    "bands_order",
                    msg!("bands need ascending bounds and exactly one last band without a bound"),
                ));
            }
            if bands.iter().any(|b| !percent_range(b.score)) {
                violations.push(Violation::new(
                    format!("{field}.rule.bands"),
                    "score_range",
                    msg!("band scores must lie within 0–100"),
                ));
            }
        }
    }
}

type InputProblem = (&'static str, &'static str, Message);

fn component_score(
    component: &Component,
    input: &ComponentInput<'_>,
) -> Result<ComponentResult, InputProblem> {
    let score = if component.rule.takes_ratio() {
        let Some(ratio) = input.ratio else {
            return Err((
                "ratio",
                "ratio_required",
                msg!("this component is scored from its ratio in percent"),
            ));
        };
        if input.score.is_some() {
            return Err((
                "score",
                "score_not_allowed",
                msg!("this component takes its ratio, not a score"),
            ));
        }
        if ratio.scale() > MAX_SCALE {
            return Err((
                "ratio",
                "ratio_precision",
                msg!("at most four decimal places"),
            ));
        }
        component.rule.score_ratio(ratio)
    } else {
        let Some(score) = input.score else {
            return Err((
                "score",
                "score_required",
                msg!("this component takes a score 0–100"),
            ));
        };
        if input.ratio.is_some() {
            return Err((
                "ratio",
                "ratio_not_allowed",
                msg!("this component takes a score, not a ratio"),
            ));
        }
        if !percent_range(score) || score.scale() > 2 {
            return Err((
                "score",
                "score_range",
                msg!("must lie within 0–100 with at most two decimal places"),
            ));
        }
        score
    };
    Ok(ComponentResult {
        code: component.code.clone(),
        ratio: input.ratio,
        score,
        weighted: score * component.weight / Decimal::ONE_HUNDRED,
    })
}

#[cfg(test)]
mod tests;
