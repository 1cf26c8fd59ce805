//! The city's regions: reference data, public, read from memory.

use klinik_app::App;
use klinik_app::registry::regions::{self, Kecamatan, Kelurahan, KelurahanQuery};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_kecamatan).service(list_kelurahan);
}

/// List the kecamatan, each with its kelurahan.
///
/// Reference data seeded by migration: the 6 kecamatan of Kota Bogor ordered by code. Public.
#[utoipa::path(
    tag = "regions",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of kecamatan.", body = Page<Kecamatan>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/regions/kecamatan")]
pub async fn list_kecamatan(
    _allowed: Allowed,
    app: web::Data<App>,
    query: QueryParams<PageQuery>,
) -> Reply {
    ok(regions::list_kecamatan(&app, query.0)?)
}

/// List the kelurahan, optionally of one kecamatan or matching a name.
///
/// Reference data seeded by migration: the 68 kelurahan of Kota Bogor ordered by code. Public.
#[utoipa::path(
    tag = "regions",
    params(KelurahanQuery),
    responses(
        (status = 200, description = "One page of kelurahan.", body = Page<Kelurahan>),
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
