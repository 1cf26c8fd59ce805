//! Display labels for the contract's enum values in English and Bahasa Indonesia, so that
//! frontends do not hard-code "Dalam pengawasan khusus": `/api/v1/labels`. The labels are data
//! (`api/locales/labels.yml`, read by rust-i18n); the values are the contract's own enums.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Public;
pub use crate::language::Language;
use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_labels);
}

/// Enums that are not shown to people: sort orders, grouping and protocol constants.
pub const NOT_DISPLAYED: &[&str] = &[
    "CooperativeSort",
    "UkmSort",
    "GroupBy",
    "EconomyGroupBy",
    "Reveal",
    "KbliVersion",
    "GrantType",
    "OAuthErrorCode",
    "BandsKind",
    "DirectKind",
    "LinearKind",
];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LabelsQuery {
    /// The language; without it, the one `Accept-Language` prefers (English when it names
    /// neither).
    pub lang: Option<Language>,
}

/// Every displayed enum of the contract, each value with its label in one language.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"language": "id", "labels": {
    "Predicate": {"sehat": "Sehat", "cukup_sehat": "Cukup sehat", "dalam_pengawasan": "Dalam pengawasan",
        "dalam_pengawasan_khusus": "Dalam pengawasan khusus"}}}))]
pub struct Labels {
    pub language: Language,
    /// Schema name → enum value → label.
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
}

/// The contract's displayed enums: schema name and values.
pub fn displayed_enums() -> BTreeMap<String, Vec<String>> {
    let spec = crate::startup::openapi();
    let Ok(doc) = serde_json::to_value(&spec) else {
        return BTreeMap::new();
    };
    let mut enums = BTreeMap::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    {
        for (name, schema) in schemas {
            if NOT_DISPLAYED.contains(&name.as_str()) {
                continue;
            }
            if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
                let values = values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                enums.insert(name.clone(), values);
            }
        }
    }
    enums
}

/// The label of `schema`'s `value` in `language`, if the catalogue has it.
pub fn label(language: Language, schema: &str, value: &str) -> Option<String> {
    crate::_rust_i18n_try_translate(language.tag(), format!("labels.{schema}.{value}"))
        .map(|text| text.into_owned())
}

fn labels_in(language: Language) -> &'static Labels {
    static EN: OnceLock<Labels> = OnceLock::new();
    static ID: OnceLock<Labels> = OnceLock::new();
    let cell = match language {
        Language::En => &EN,
        Language::Id => &ID,
    };
    cell.get_or_init(|| Labels {
        language,
        labels: displayed_enums()
            .into_iter()
            .map(|(schema, values)| {
                let labelled = values
                    .into_iter()
                    .map(|value| {
                        // A value without a label shows as itself; a test keeps the catalogue whole.
                        let text =
                            label(language, &schema, &value).unwrap_or_else(|| value.clone());
                        (value, text)
                    })
                    .collect();
                (schema, labelled)
            })
            .collect(),
    })
}

/// Labels for display.
///
/// Every enum value of the contract that people see (statuses, kinds, roles, sectors, …) with its
/// label in English or Bahasa Indonesia, chosen by `lang` or else by `Accept-Language`;
/// `Content-Language` names the language answered. Public.
#[utoipa::path(
    tag = "regions",
    params(LabelsQuery),
    responses(
        (status = 200, description = "The labels in one language.", body = Labels,
         headers(("Content-Language" = String, description = "`en` or `id`."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/labels")]
pub async fn list_labels(
    _public: Public,
    request: HttpRequest,
    query: QueryParams<LabelsQuery>,
) -> Reply {
    let language = query
        .0
        .lang
        .unwrap_or_else(|| Language::preferred(&request));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, language.tag()))
        .insert_header((header::VARY, "Accept-Language"))
        .json(labels_in(language)))
}
