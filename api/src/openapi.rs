//! The contract: document-level information, shared components, and the route table built from
//! the generated paths, which answers 405 with `Allow` for a known path and another method. Only
//! a request that matched no route looks at it.

use actix_web::http::Method;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::{PathItem, Ref, RefOr};

use klinik_app::clinic::indicators::GroupBy;
use klinik_app::registry::cooperatives::query::CooperativeSort;
use klinik_app::registry::region_codes::KelurahanCode;
use klinik_app::registry::regions::{KabupatenKotaCode, KecamatanCode};
use klinik_app::registry::ukm::Reveal;
use klinik_app::registry::ukm::query::UkmSort;

use crate::problem::{FieldError, Problem, responses};
use crate::routes::token_errors::TokenProblem;
use crate::routes::token_errors::responses as token_responses;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Klinik KUMKM API",
        description = "Backend of the coaching clinic of the Office of Cooperatives and SMEs of Kota Bogor \
(Dinas Koperasi dan UKM): the registries of cooperatives and small businesses, and the clinic that \
diagnoses, advises and follows them up.\n\n\
Conventions: JSON with `snake_case` fields; dates `YYYY-MM-DD`; timestamps RFC 3339 UTC; money in whole \
rupiah. Lists take `page` and `page_size` and answer `{items, page, page_size, total, total_exact}`; the \
registries' lists count up to 1,000 matches (beyond, `total` is 1000 and `total_exact` false). Every error is \
`application/problem+json` with a stable `code`; a 422 lists each broken rule in `errors`. Records carry a \
`version`, sent as `ETag`; send it back as `If-Match` on PATCH/PUT/DELETE (412 when stale). Creates accept \
an `Idempotency-Key` (kept per caller for 24 hours by default). Request bodies are limited to 262144 bytes \
by default (413 beyond).\n\n\
Every response carries `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and a \
`Content-Security-Policy`; API responses are `Cache-Control: no-store` (they may hold personal data). Sign-in \
and the token endpoint are limited per client address (429 with `Retry-After` and `RateLimit` headers).\n\n\
For browsers and frontends: CORS for the origins in `KLINIK_CORS_ORIGINS` (in development any port of \
`http://localhost` and `http://127.0.0.1`); responses compressed (gzip, br) when `Accept-Encoding` asks; \
every GET answers `HEAD` too, and a GET whose `If-None-Match` names the current `ETag` (a record's, or the \
contract's) answers `304 Not Modified` without a body.\n\n\
Access: every operation but the health probes and sign-in needs a bearer access token; its \
description ends with who may call it (roles, and the scope an integration client needs).",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "MIT", identifier = "MIT"),
        contact(name = "Dinas Koperasi dan UKM Kota Bogor — Klinik KUMKM"),
    ),
    servers((url = "/", description = "The server that serves this document.")),
    tags(
        (name = "health", description = "Probes for operators and load balancers."),
        (name = "auth", description = "Signing in (people and integration clients), tokens, and one's own password."),
        (name = "users", description = "User accounts (admin)."),
        (name = "clients", description = "Integration clients: other government systems (admin)."),
        (name = "audit", description = "The append-only audit trail (admin)."),
        (name = "regions", description = "Reference data: the regions of the deployment's area (Kota Bogor's 6 kecamatan and 68 kelurahan by default; any province or kabupaten/kota by `KLINIK_REGIONS`), and the display labels of every enum value in English and Bahasa Indonesia."),
        (name = "cooperatives", description = "The registry of cooperatives (koperasi)."),
        (name = "ukm", description = "The registry of small businesses (UKM) and their owners; personal data protected (UU PDP 27/2022)."),
        (name = "annual reports", description = "Each cooperative's annual report per book year; they drive its activity status."),
        (name = "cases and diagnoses", description = "The clinic's cases (a cooperative or UKM in coaching): intake, team, transitions, history and outcome; the health-assessment instruments and the diagnoses made with them."),
        (name = "recommendations and capital", description = "What the diagnosis team recommends (guidance, capital, motivation), its progress, and the capital a partner bank approves and disburses."),
        (name = "follow-up", description = "After the diagnosis: mentoring activities, evaluations, and dissolution proposals for cooperatives beyond help."),
        (name = "programmes and people", description = "Yearly clinic programmes with their targets, partner institutions (universities, banks, associations) and their experts."),
        (name = "clinic sessions", description = "Clinic days: the sessions where the team meets cooperatives and UKM, with attendance."),
        (name = "indicators", description = "What the office reports: per programme year and cumulative, helped and good against the targets, the funnel, predicates, problems, recommendations, capital, and the registries' active ratios; by kecamatan; as JSON, CSV or XLSX."),
        (name = "documents", description = "Evidence documents attached to the registries' and the clinic's records: deeds, RAT minutes, financial statements, the team's worksheets, attendance lists and photos, a bank's disbursement letter. Uploaded as multipart forms, typed by their content, streamed in and out."),
        (name = "notifications", description = "What is due and concerns you: reminders the daily job finds (overdue recommendations, idle cases, evaluations, RATs and annual reports, capital the bank has not reported), read in the app and by a daily e-mail digest."),
        (name = "imports", description = "Spreadsheet import (CSV, XLSX) into the registries, and export in the same layout."),
        (name = "economy", description = "The city's economy: each year's PDRB as published, the official share of cooperatives and UKM in it and the share the office aims for, beside what the registries say of the same years (reported figures, coverage, and a proxy share that is output, not value added)."),
        (name = "webhooks", description = "For other systems that want changes pushed: webhook subscriptions of integration clients, and their delivery logs (admin)."),
        (name = "changes", description = "For other systems that keep a copy: the change feed of the registries and the clinic, in commit order."),
    ),
    components(
        schemas(klinik_app::webhooks::WebhookEvent, Problem, FieldError, TokenProblem, KelurahanCode, KecamatanCode, KabupatenKotaCode, CooperativeSort, UkmSort, Reveal, GroupBy),
        responses(
            responses::BadRequest,
            responses::Unauthorized,
            responses::Forbidden,
            responses::TooManyRequests,
            responses::NotFound,
            responses::Conflict,
            responses::PreconditionFailed,
            responses::CursorExpired,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::ImportTooLarge,
            responses::NotMultipart,
            responses::DocumentTooLarge,
            responses::DocumentTypeRefused,
            responses::StoreUnavailable,
            responses::UnprocessableContent,
            responses::ServiceUnavailable,
            responses::InternalError,
            token_responses::TokenBadRequest,
            token_responses::TokenUnauthorized,
            token_responses::TokenUnsupportedMediaType,
            token_responses::TokenTooManyRequests,
        ),
    ),
)]
pub struct ApiDoc;

/// Operations answered from memory: they cannot fail on the database.
const IN_MEMORY: &[&str] = &[
    "get_health_live",
    "list_regions",
    "list_kecamatan",
    "list_kelurahan",
    "list_labels",
];

/// Adds the responses that follow from an operation's shape rather than from what it does, so
/// that no handler lists them: 404 (a path naming a record), 412 (any `If-Match`), 413, 415 and
/// 422 (any request body, unless the operation says otherwise), 500 and 503 (any operation that
/// reaches the database).
pub fn add_standard_responses(spec: &mut OpenApiDoc) {
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let id = operation.operation_id.clone().unwrap_or_default();
            let has_body = operation.request_body.is_some();
            let parameters = operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(parameter) => Some(parameter),
                    RefOr::Ref(_) => None,
                });
            let has_if_match = parameters.clone().any(|p| p.name == "If-Match");
            let has_path = parameters
                .clone()
                .any(|p| p.parameter_in == ParameterIn::Path);
            let standard = [
                ("404", "NotFound", has_path),
                ("412", "PreconditionFailed", has_if_match),
                ("413", "PayloadTooLarge", has_body),
                ("415", "UnsupportedMediaType", has_body),
                ("422", "UnprocessableContent", has_body),
                ("500", "InternalError", !IN_MEMORY.contains(&id.as_str())),
                (
                    "503",
                    "ServiceUnavailable",
                    !IN_MEMORY.contains(&id.as_str()),
                ),
            ];
            let responses = &mut operation.responses.responses;
            for (status, name, applies) in standard {
                if applies && !responses.contains_key(status) {
                    responses.insert(status.into(), RefOr::Ref(Ref::from_response_name(name)));
                }
            }
        }
    }
}

/// The headers a 429 carries, which `#[derive(ToResponse)]` cannot declare on a shared response.
pub fn document_rate_limit_headers(spec: &mut OpenApiDoc) {
    for name in ["TooManyRequests", "TokenTooManyRequests"] {
        if let Some(RefOr::T(response)) = spec
            .components
            .as_mut()
            .and_then(|c| c.responses.get_mut(name))
        {
            add_rate_limit_headers(response);
        }
    }
}

fn add_rate_limit_headers(response: &mut utoipa::openapi::Response) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ObjectBuilder, Type};
    let header = |kind: Type, description: &str| {
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(kind)))
                .description(Some(description))
                .build(),
        )
    };
    response.headers.insert(
        "Retry-After".into(),
        header(Type::Integer, "Seconds to wait before trying again."),
    );
    response.headers.insert(
        "RateLimit-Policy".into(),
        header(
            Type::String,
            "Only when the per-address sign-in rate was exceeded: the policy, e.g. `\"sign-in\";q=10;w=60` (10 attempts a minute; draft-ietf-httpapi-ratelimit-headers).",
        ),
    );
    response.headers.insert(
        "RateLimit".into(),
        header(
            Type::String,
            "Only with `RateLimit-Policy`: what is left of it, e.g. `\"sign-in\";r=0;t=42` (none left, refills in 42 s).",
        ),
    );
}

/// One documented path: its segments, and each method with its operation id.
type Route = (Vec<String>, Vec<(Method, String)>);

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

fn operations_of(item: &PathItem) -> Vec<(Method, String)> {
    let candidates = [
        (Method::GET, &item.get),
        (Method::PUT, &item.put),
        (Method::POST, &item.post),
        (Method::DELETE, &item.delete),
        (Method::PATCH, &item.patch),
    ];
    candidates
        .into_iter()
        .filter_map(|(method, op)| {
            op.as_ref()
                .map(|op| (method, op.operation_id.clone().unwrap_or_default()))
        })
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
                    operations_of(item),
                )
            })
            .collect();
        Self { routes }
    }

    fn matching(&self, path: &str) -> impl Iterator<Item = &(Method, String)> {
        let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
        self.routes
            .iter()
            .filter(move |(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| {
                        (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                    })
            })
            .flat_map(|(_, operations)| operations.iter())
    }

    /// The methods the contract lists for `path`, or `None` when no documented path matches.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let methods: Vec<Method> = self.matching(path).map(|(m, _)| m.clone()).collect();
        if methods.is_empty() {
            None
        } else {
            Some(methods)
        }
    }
}
