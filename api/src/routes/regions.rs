//! The deployment's regions: reference data, read from memory.

use klinik_app::App;
use klinik_app::registry::regions::{
    self, Kecamatan, KecamatanQuery, Kelurahan, KelurahanQuery, Region, RegionQuery,
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_regions)
        .service(list_kecamatan)
        .service(list_kelurahan);
}

/// Search the regions of every level.
///
/// The provinces and kabupaten/kota the deployment's area is made of, its kecamatan and its
/// desa and kelurahan: upper levels first, each level by code. Filter by `level`, by a region
/// they lie `within`, or by part of the name. Regions a newer Kepmendagri list no longer has
/// appear only with `include_retired`.
#[utoipa::path(
    tag = "regions",
    params(RegionQuery),
    responses(
        (status = 200, description = "One page of regions.", body = Page<Region>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/regions")]
pub async fn list_regions(
    _allowed: Allowed,
    app: web::Data<App>,
    query: QueryParams<RegionQuery>,
) -> Reply {
    ok(regions::list_regions(&app, query.0)?)
}

/// List the kecamatan, each with its kelurahan and desa.
///
/// The area's kecamatan ordered by code (Kota Bogor's 6 by default), optionally of one
/// kabupaten/kota.
#[utoipa::path(
    tag = "regions",
    params(KecamatanQuery),
    responses(
        (status = 200, description = "One page of kecamatan.", body = Page<Kecamatan>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/regions/kecamatan")]
pub async fn list_kecamatan(
    _allowed: Allowed,
    app: web::Data<App>,
    query: QueryParams<KecamatanQuery>,
) -> Reply {
    ok(regions::list_kecamatan(&app, query.0)?)
}

/// List the kelurahan and desa, optionally of one kecamatan or kabupaten/kota or matching a name.
///
/// The area's villages ordered by code (Kota Bogor's 68 kelurahan by default).
#[utoipa::path(
    tag = "regions",
    params(KelurahanQuery),
    responses(
        (status = 200, description = "One page of kelurahan and desa.", body = Page<Kelurahan>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/regions/kelurahan")]
pub async fn list_kelurahan(
    _allowed: Allowed,
    app: web::Data<App>,
    query: QueryParams<KelurahanQuery>,
) -> Reply {
    ok(regions::list_kelurahan(&app, query.0)?)
}
