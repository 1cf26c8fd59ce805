//! The case list: its filters and the query they make; an assessor sees only their teams' cases.

use klinik_domain::clinic::SubjectKind;
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::outcome::Outcome;
use klinik_persistence::clinic::cases::{self as store, CaseFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::CaseScope;
use super::model::Case;
use super::*;
use crate::prelude::*;
use crate::registry::regions::{KabupatenKotaCode, KecamatanCode};

/// Filters of the case list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only cases of this programme.
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// Only cooperatives or only UKM.
    pub subject_kind: Option<SubjectKind>,
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Only subjects (now) in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only subjects (now) in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cases with this expert on the team or among the mentors.
    #[param(minimum = 1)]
    pub expert_id: Option<i64>,
    /// Only cases registered in this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Only cases whose first final diagnosis is dated in this year (the indicators' "helped").
    #[param(minimum = 2000, maximum = 2100)]
    pub final_diagnosis_year: Option<i32>,
    /// Only closed cases with this outcome.
    pub outcome: Option<Outcome>,
    /// Only cases closed in this year (by the day the closing took effect).
    #[param(minimum = 2000, maximum = 2100)]
    pub closed_year: Option<i32>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Cases, newest registration first; an assessor sees only their teams' cases.
pub async fn list(ctx: &Ctx, q: CaseQuery) -> Result<Page<Case>, Error> {
    let page = PageRequest::new(q.page, q.page_size)?;
    check_ids(&[("programme_id", q.programme_id), ("expert_id", q.expert_id)])?;
    for (name, year) in [
        ("year", q.year),
        ("final_diagnosis_year", q.final_diagnosis_year),
        ("closed_year", q.closed_year),
    ] {
        if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
            return Err(Error::query(
                name,
                "year_range",
                msg!("must lie within 2000–2100"),
            ));
        }
    }
    let regions = &ctx.app.regions;
    crate::registry::regions::check_filter(
        regions,
        crate::registry::regions::RegionFilter {
            kabupaten_kota: q.kabupaten_kota_code.as_ref(),
            kecamatan: q.kecamatan_code.as_ref(),
            kelurahan: None,
        },
    )?;
    // The subjects' villages: those of the kecamatan and the kabupaten/kota asked for.
    let kelurahan_codes =
        (q.kecamatan_code.is_some() || q.kabupaten_kota_code.is_some()).then(|| {
            regions
                .kelurahan
                .iter()
                .filter(|l| {
                    q.kecamatan_code
                        .as_ref()
                        .is_none_or(|k| l.kecamatan_code == k.as_str())
                })
                .filter(|l| {
                    q.kabupaten_kota_code
                        .as_ref()
                        .is_none_or(|k| l.code.starts_with(k.as_str()))
                })
                .map(|l| l.code.clone())
                .collect()
        });
    let (items, total) = ctx
        .read_nearby(move |conn, ctx| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            let filter = CaseFilter {
                updated_since: q.updated_since.map(|t| t.naive_utc()),
                programme_id: q.programme_id.map(ProgrammeId),
                subject_kind: q.subject_kind,
                status: q.status,
                kelurahan_codes,
                member_expert_id: q.expert_id.map(ExpertId),
                team_of: scope.team_filter(),
                year: q.year,
                final_diagnosis_year: q.final_diagnosis_year,
                outcome: q.outcome,
                closed_year: q.closed_year,
            };
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok::<_, Error>((details(conn, &ctx.app.regions, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}
