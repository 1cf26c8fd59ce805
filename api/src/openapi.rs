//! The contract: document-level information, shared components, and the route table built from
//! the generated paths (which answers 405 with `Allow` for a known path and another method).

use actix_web::http::Method;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::PathItem;

use crate::problem::{FieldError, Problem, responses};
use crate::region_codes::KelurahanCode;
use crate::routes::cooperatives::CooperativeSort;
use crate::routes::regions::KecamatanCode;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Klinik KUMKM API",
        description = "Backend of the coaching clinic of the Office of Cooperatives and SMEs of Kota Bogor \
(Dinas Koperasi dan UKM): the registries of cooperatives and small businesses, and the clinic that \
diagnoses, advises and follows them up.\n\n\
Conventions: JSON with `snake_case` fields; dates `YYYY-MM-DD`; timestamps RFC 3339 UTC; money in whole \
rupiah. Lists take `page` and `page_size` and answer `{items, page, page_size, total}`. Every error is \
`application/problem+json` with a stable `code`; a 422 lists each broken rule in `errors`. Records carry a \
`version`, sent as `ETag`; send it back as `If-Match` on PATCH/PUT/DELETE (412 when stale). Creates accept \
an `Idempotency-Key`. Request bodies are limited to 262144 bytes by default (413 beyond).\n\n\
Access: every operation is public until sign-in lands; none needs a credential yet.",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = "health", description = "Probes for operators and load balancers."),
        (name = "regions", description = "Kota Bogor's 6 kecamatan and 68 kelurahan (reference data)."),
        (name = "cooperatives", description = "The registry of cooperatives (koperasi)."),
        (name = "annual reports", description = "Each cooperative's annual report per book year; they drive its activity status."),
    ),
    components(
        schemas(Problem, FieldError, KelurahanCode, KecamatanCode, CooperativeSort),
        responses(
            responses::BadRequest,
            responses::NotFound,
            responses::Conflict,
            responses::PreconditionFailed,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::UnprocessableContent,
            responses::ServiceUnavailable,
            responses::InternalError,
        ),
    ),
)]
pub struct ApiDoc;

/// Path templates of the contract and the methods each supports.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

fn methods_of(item: &PathItem) -> Vec<Method> {
    let candidates = [
        (Method::GET, item.get.is_some()),
        (Method::PUT, item.put.is_some()),
        (Method::POST, item.post.is_some()),
        (Method::DELETE, item.delete.is_some()),
        (Method::PATCH, item.patch.is_some()),
    ];
    candidates
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(m, _)| m)
        .collect()
}

impl RouteTable {
    pub fn from_spec(spec: &OpenApiDoc) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                (
                    path.split('/').map(str::to_owned).collect(),
                    methods_of(item),
                )
            })
            .collect();
        Self { routes }
    }

    /// The methods the contract lists for `path`, or `None` when no documented path matches.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut allowed: Vec<Method> = Vec::new();
        for (template, methods) in &self.routes {
            let matches = template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| {
                    (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                });
            if matches {
                allowed.extend(methods.iter().cloned());
            }
        }
        if allowed.is_empty() {
            None
        } else {
            Some(allowed)
        }
    }
}
