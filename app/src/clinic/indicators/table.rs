//! The indicators as one long table (CSV, XLSX): a row per figure, so that a spreadsheet can
//! pivot them; the same numbers as the JSON.

use klinik_domain::clinic::indicators::Ratio;

use super::dto::{Indicators, PeriodIndicators};

/// The columns; the place column is named after the level grouped by (the area's own rows leave
/// it empty).
pub fn headers(indicators: &Indicators) -> [&'static str; 6] {
    let place = if indicators.by_kabupaten_kota.is_some() {
        "kabupaten_kota_code"
    } else {
        "kecamatan_code"
    };
    [
        "programme_id",
        place,
        "year",
        "indicator",
        "breakdown",
        "value",
    ]
}
pub const NUMERIC: &[bool] = &[true, false, false, false, false, true];

struct Rows<'a> {
    out: Vec<Vec<String>>,
    programme: String,
    place: &'a str,
    year: String,
}

impl Rows<'_> {
    fn push(&mut self, indicator: &str, breakdown: &str, value: Option<i64>) {
        self.out.push(vec![
            self.programme.clone(),
            self.place.to_owned(),
            self.year.clone(),
            indicator.to_owned(),
            breakdown.to_owned(),
            value.map(|v| v.to_string()).unwrap_or_default(),
        ]);
    }

    fn ratio(&mut self, indicator: &str, ratio: Ratio) {
        self.push(indicator, "count", Some(ratio.count));
        self.push(indicator, "of", Some(ratio.of));
    }

    fn period(&mut self, p: &PeriodIndicators) {
        let t = &p.targets;
        self.push("target_cooperatives_helped", "", t.cooperatives_helped);
        self.push("target_cooperatives_good", "", t.cooperatives_good);
        self.push("target_ukm_helped", "", t.ukm_helped);
        self.push("target_ukm_good", "", t.ukm_good);
        let c = &p.clinic;
        self.push("cooperatives_helped", "", Some(c.cooperatives_helped));
        self.push("ukm_helped", "", Some(c.ukm_helped));
        self.push("cooperatives_good", "", Some(c.cooperatives_good));
        self.push("ukm_good", "", Some(c.ukm_good));
        for o in &c.outcomes {
            self.push("outcomes", o.outcome.as_str(), Some(o.count));
        }
        for s in &c.funnel {
            self.push("funnel", s.status.as_str(), Some(s.count));
        }
        for m in &c.predicate_movement {
            let from = m.from.map_or("none", |p| p.as_str());
            self.push(
                "predicate_movement",
                &format!("{from}>{}", m.to.as_str()),
                Some(m.count),
            );
        }
        for k in &c.problem_categories {
            self.push("problem_categories", k.category.as_str(), Some(k.count));
        }
        for k in &c.recommendations_done {
            self.push("recommendations_done", k.kind.as_str(), Some(k.count));
        }
        for s in &c.capital_by_scheme {
            let scheme = s.financing_scheme.as_str();
            self.push(
                "capital_recommendations",
                scheme,
                Some(s.sum.recommendations),
            );
            self.push("capital_requested", scheme, Some(s.sum.requested));
            self.push("capital_approved", scheme, Some(s.sum.approved));
            self.push("capital_disbursed", scheme, Some(s.sum.disbursed));
        }
        for b in &c.capital_by_bank {
            let bank = b
                .bank_partner_id
                .map(|id| format!("bank:{id}"))
                .unwrap_or_else(|| "bank:none".into());
            self.push("capital_requested", &bank, Some(b.sum.requested));
            self.push("capital_approved", &bank, Some(b.sum.approved));
            self.push("capital_disbursed", &bank, Some(b.sum.disbursed));
        }
        self.push("ukm_moved_up", "", Some(c.ukm_moved_up));
        self.push(
            "median_days_to_final_diagnosis",
            "",
            c.median_days_to_final_diagnosis,
        );
        self.ratio("cooperatives_active", p.registry.cooperatives_active);
        self.ratio("ukm_active", p.registry.ukm_active);
        self.ratio("rat_compliance", p.registry.rat_compliance);
    }
}

/// Every figure of `indicators` as a row: the area first, then each place; each year, then the
/// cumulative figures (year `total`).
pub fn rows(indicators: &Indicators) -> Vec<Vec<String>> {
    let programme = indicators
        .programme_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let mut places: Vec<(&str, &Vec<PeriodIndicators>, &PeriodIndicators)> =
        vec![("", &indicators.years, &indicators.cumulative)];
    for k in indicators.by_kecamatan.iter().flatten() {
        places.push((&k.kecamatan_code, &k.years, &k.cumulative));
    }
    for k in indicators.by_kabupaten_kota.iter().flatten() {
        places.push((&k.kabupaten_kota_code, &k.years, &k.cumulative));
    }
    let mut out = Vec::new();
    for (place, years, cumulative) in places {
        for p in years.iter().chain(std::iter::once(cumulative)) {
            let mut rows = Rows {
                out: Vec::new(),
                programme: programme.clone(),
                place,
                year: p.year.map_or_else(|| "total".into(), |y| y.to_string()),
            };
            rows.period(p);
            out.extend(rows.out);
        }
    }
    out
}
