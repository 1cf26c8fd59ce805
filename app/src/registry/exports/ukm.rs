//! UKM and their yearly figures as spreadsheets. Staff get owners' personal data in clear, and
//! such an export is audited like a `reveal=nik` read; other readers get it masked.

use std::collections::HashMap;

use klinik_domain::nik;
use klinik_domain::size_class::SizeClass;
use klinik_domain::ukm::{Sector, UkmStatus};
use klinik_persistence::persons;
use klinik_persistence::ukm::{self as store, UkmRow};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Download, MAX_EXPORT_ROWS, check_year, file, too_many};
use crate::personal_data::{ClearPerson, DataKey};
use crate::prelude::*;
use crate::registry::imports;
use crate::registry::region_codes::KelurahanCode;
use crate::registry::regions::{KabupatenKotaCode, KecamatanCode};
use crate::registry::ukm::query::{Filters, list_filter};
use crate::spreadsheet::Format;

/// The UKM list's filters (no paging: the export holds every match).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UkmExportQuery {
    /// Only UKM in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only UKM in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only UKM in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this sector.
    pub sector: Option<Sector>,
    /// Only UKM entered in the registry during this year (by `created_at`, UTC), as the UKM
    /// list's `registered_year`.
    #[param(minimum = 2000, maximum = 2100)]
    pub registered_year: Option<i32>,
    /// Only this size class (as computed).
    #[param(value_type = Option<SizeClass>)]
    pub size_class: Option<SizeClass>,
    /// Only this status.
    pub status: Option<UkmStatus>,
    /// Only those with (or without) a NIB.
    pub has_nib: Option<bool>,
    /// Only this KBLI code (5 digits).
    #[param(pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<String>,
    /// Only members of this cooperative.
    #[param(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Words of the business name or the NIB, by how they begin, as the UKM list's `q`.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// The owner's NIK, exact match; admin and officer only (403 for others).
    #[param(
        pattern = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$"
    )]
    pub nik: Option<String>,
    /// Include archived UKM.
    pub include_archived: Option<bool>,
}

impl UkmExportQuery {
    fn filters(self) -> Filters {
        Filters {
            kabupaten_kota_code: self.kabupaten_kota_code,
            kecamatan_code: self.kecamatan_code,
            kelurahan_code: self.kelurahan_code,
            sector: self.sector,
            registered_year: self.registered_year,
            size_class: self.size_class,
            status: self.status,
            has_nib: self.has_nib,
            kbli_code: self.kbli_code,
            cooperative_id: self.cooperative_id,
            q: self.q,
            nik: self.nik,
            include_archived: self.include_archived,
        }
    }
}

// The UKM filters are repeated rather than `#[serde(flatten)]`ed: flatten loses
// `deny_unknown_fields` and reads numbers in a query string as strings.
/// The UKM export's filters and the year of the figures.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearlyFiguresExportQuery {
    /// Only the figures of this year.
    #[param(minimum = 1945, maximum = 9999)]
    pub year: Option<i32>,
    /// Only UKM in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only UKM in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only UKM in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this sector.
    pub sector: Option<Sector>,
    /// Only this size class (as computed).
    #[param(value_type = Option<SizeClass>)]
    pub size_class: Option<SizeClass>,
    /// Only this status.
    pub status: Option<UkmStatus>,
    /// Only those with (or without) a NIB.
    pub has_nib: Option<bool>,
    /// Only this KBLI code (5 digits).
    #[param(pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<String>,
    /// Only members of this cooperative.
    #[param(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Words of the business name or the NIB, by how they begin, as the UKM list's `q`.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// The owner's NIK, exact match; admin and officer only (403 for others).
    #[param(
        pattern = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$"
    )]
    pub nik: Option<String>,
    /// Include archived UKM.
    pub include_archived: Option<bool>,
}

impl YearlyFiguresExportQuery {
    fn split(self) -> Result<(UkmExportQuery, Option<i32>), Error> {
        check_year("year", self.year)?;
        let ukm = UkmExportQuery {
            kabupaten_kota_code: self.kabupaten_kota_code,
            kecamatan_code: self.kecamatan_code,
            kelurahan_code: self.kelurahan_code,
            sector: self.sector,
            registered_year: None,
            size_class: self.size_class,
            status: self.status,
            has_nib: self.has_nib,
            kbli_code: self.kbli_code,
            cooperative_id: self.cooperative_id,
            q: self.q,
            nik: self.nik,
            include_archived: self.include_archived,
        };
        Ok((ukm, self.year))
    }
}

/// The owners of `rows` in clear, each with their NIK as the reader may see it: in clear for
/// staff, masked otherwise.
fn owners(
    conn: &mut klinik_persistence::AnyConnection,
    key: &DataKey,
    rows: &[UkmRow],
    staff: bool,
) -> Result<HashMap<PersonId, (ClearPerson, String)>, Error> {
    let owner_ids: Vec<PersonId> = rows.iter().map(|r| r.owner_id).collect();
    let mut owners = HashMap::new();
    for row in persons::find_all(conn, &owner_ids)? {
        let person = key.open_person(&row)?;
        let nik = person.nik.clone().unwrap_or_default();
        let shown = if staff || nik.is_empty() {
            nik
        } else {
            nik::mask(&nik)
        };
        owners.insert(row.id, (person, shown));
    }
    Ok(owners)
}

/// Which layout an export writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Ukm,
    YearlyFigures(Option<i32>),
}

async fn export(
    ctx: &Ctx,
    q: UkmExportQuery,
    layout: Layout,
    format: Format,
) -> Result<Download, Error> {
    let filter = list_filter(&ctx.app, &ctx.caller, q.filters())?;
    let staff = ctx.caller.is_staff();
    let rows = ctx
        .write(move |conn, ctx| {
            let rows = store::list_all(conn, &filter, MAX_EXPORT_ROWS + 1)?;
            if rows.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many(msg!("UKM")));
            }
            let owners = owners(conn, &ctx.app.data_key, &rows, staff)?;
            let mut out = Vec::with_capacity(rows.len());
            let owner_of = |row: &UkmRow| owners.get(&row.owner_id).ok_or(Error::Internal);
            match layout {
                Layout::Ukm => {
                    for row in &rows {
                        let (owner, _) = owner_of(row)?;
                        out.push(imports::ukm::cells(row, owner, staff));
                    }
                }
                Layout::YearlyFigures(year) => {
                    let ids: Vec<UkmId> = rows.iter().map(|r| r.id).collect();
                    let by_id: HashMap<UkmId, &UkmRow> = rows.iter().map(|r| (r.id, r)).collect();
                    for figures in store::figures_of(conn, &ids)? {
                        if year.is_some_and(|y| y != figures.year) {
                            continue;
                        }
                        let row = by_id.get(&figures.ukm_id).ok_or(Error::Internal)?;
                        let (_, nik) = owner_of(row)?;
                        out.push(imports::yearly_figures::cells(row, nik, &figures));
                    }
                    if out.len() as i64 > MAX_EXPORT_ROWS {
                        return Err(too_many(msg!("yearly figures")));
                    }
                }
            }
            if staff {
                // A staff export carries NIKs in clear: as accountable as a `reveal=nik` read.
                let changes = serde_json::json!({"rows": out.len(), "format": format.as_str()});
                ctx.audit
                    .record(conn, "export_personal_data", "ukm", None, Some(changes))?;
            }
            Ok(out)
        })
        .await?;
    match layout {
        Layout::Ukm => file(format, "ukm", imports::ukm::COLUMNS, &rows),
        Layout::YearlyFigures(_) => file(
            format,
            "yearly-figures",
            imports::yearly_figures::COLUMNS,
            &rows,
        ),
    }
}

/// Every matching UKM (at most [`MAX_EXPORT_ROWS`]) with its owner.
pub async fn ukm(ctx: &Ctx, query: UkmExportQuery, format: Format) -> Result<Download, Error> {
    export(ctx, query, Layout::Ukm, format).await
}

/// The figures (of one year, or all) of every matching UKM.
pub async fn yearly_figures(
    ctx: &Ctx,
    query: YearlyFiguresExportQuery,
    format: Format,
) -> Result<Download, Error> {
    let (ukm, year) = query.split()?;
    export(ctx, ukm, Layout::YearlyFigures(year), format).await
}
