//! The last pass over the generated contract, for client generators: what utoipa's derives
//! cannot say. Page items point at the record schema instead of a copy of it; downloads are
//! binary strings; fields a response always carries are `required`; each shared error response
//! has an example of its own status, written by the code that answers it; schemas nobody
//! references are dropped.

use klinik_domain::msg;
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;

use crate::language::Language;
use crate::problem::ApiError;
use crate::routes::token_errors;
use klinik_app::Error;
use klinik_app::error::{Record, TooMany};

/// Media types answered as files.
const DOWNLOADS: &[&str] = &[
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
    // Evidence documents' files.
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// Applies every pass; the document round-trips through JSON, which utoipa's types support.
pub fn shape(spec: &mut OpenApi) -> serde_json::Result<()> {
    let mut doc = serde_json::to_value(&*spec)?;
    page_items_by_ref(&mut doc);
    downloads_as_binary(&mut doc);
    always_sent_fields_required(&mut doc);
    error_examples(&mut doc);
    untagged_unions_as_any_of(&mut doc);
    webhooks(&mut doc);
    drop_unreferenced_schemas(&mut doc);
    *spec = serde_json::from_value(doc)?;
    Ok(())
}

fn schemas(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.pointer_mut("/components/schemas")?.as_object_mut()
}

/// Unions told apart by a field beside them (a feed entry's record by its `kind`), not by their
/// own shape: a record may satisfy more than one member's schema, which `oneOf` forbids.
const UNTAGGED_UNIONS: &[&str] = &["ChangedRecord"];

fn untagged_unions_as_any_of(doc: &mut Value) {
    let Some(schemas) = schemas(doc) else { return };
    for name in UNTAGGED_UNIONS {
        if let Some(union) = schemas.get_mut(*name).and_then(Value::as_object_mut)
            && let Some(members) = union.remove("oneOf")
        {
            union.insert("anyOf".into(), members);
        }
    }
}

/// What the server posts to a webhook subscription (OpenAPI 3.1 `webhooks`).
fn webhooks(doc: &mut Value) {
    let header = |name: &str, description: &str, example: Value| {
        json!({"name": name, "in": "header", "required": true, "description": description,
            "schema": {"type": "string"}, "example": example})
    };
    let change = json!({"post": {
        "operationId": "receive_change",
        "tags": ["webhooks"],
        // The receiver checks the signature, not a token of ours.
        "security": [{}],
        "summary": "A change, posted to a subscription's URL.",
        "description": "One change of a kind the subscription names and its client's scopes cover, signed per the \
    Standard Webhooks specification. Verify before trusting it: the signature is `v1,` and the base64 HMAC-SHA256 of \
    `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the bytes of the secret after `whsec_` (base64), compared in \
    constant time; refuse a timestamp more than 5 minutes off. At least once: drop a repeat by its `webhook-id`. \
    Order is not guaranteed; `data.position` gives the feed's order.",
        "parameters": [
            header("webhook-id", "The message's id, the same on every attempt of it.", json!("msg_42")),
            header("webhook-timestamp", "When this attempt was signed, in seconds since 1970 (UTC).", json!("1764921600")),
            header("webhook-signature", "`v1,` and the base64 signature (space-separated when several).", json!("v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")),
        ],
        "requestBody": {"required": true, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/WebhookEvent"}}}},
        "responses": {
            "2XX": {"description": "Taken: any 2xx ends the delivery."},
            "default": {"description": "Anything else, or no answer within 10 seconds, is a failed attempt, tried again later."}
        }
    }});
    if let Some(root) = doc.as_object_mut() {
        root.insert("webhooks".into(), json!({"change": change}));
    }
}

/// `Page_Cooperative.items` inlines the whole cooperative; generators then make a second class for
/// it. Point it at `Cooperative` (moving the inline schema there if nothing else registered it).
fn page_items_by_ref(doc: &mut Value) {
    let Some(schemas) = schemas(doc) else { return };
    let pages: Vec<String> = schemas
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let record = page.trim_start_matches("Page_").to_owned();
        let Some(items) = schemas
            .get_mut(&page)
            .and_then(|p| p.pointer_mut("/properties/items/items"))
        else {
            continue;
        };
        if items.get("$ref").is_some() {
            continue;
        }
        let reference = json!({"$ref": format!("#/components/schemas/{record}")});
        let inline = std::mem::replace(items, reference);
        schemas.entry(record).or_insert(inline);
    }
}

/// Every operation's media types, with a mutable handle on each schema.
fn response_contents(doc: &mut Value) -> Vec<(&String, &mut Value)> {
    let mut found = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return found;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut() {
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for response in responses.values_mut() {
                if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                    found.extend(content.iter_mut());
                }
            }
        }
    }
    found
}

/// XLSX, CSV and documents' answers are files: generators type them as a blob or bytes, not `number[]`.
fn downloads_as_binary(doc: &mut Value) {
    for (media_type, content) in response_contents(doc) {
        if DOWNLOADS.contains(&media_type.as_str()) {
            content["schema"] = json!({"type": "string", "format": "binary"});
        }
    }
}

fn collect_refs(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            into.insert(name.to_owned());
                        }
                    }
                    _ => collect_refs(inner, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|inner| collect_refs(inner, into)),
        _ => {}
    }
}

/// The schemas reachable from `roots`, following `$ref`s through the components.
fn closure(schemas: &Map<String, Value>, roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        if let Some(schema) = schemas.get(&name)
            && seen.insert(name)
        {
            let mut next = BTreeSet::new();
            collect_refs(schema, &mut next);
            stack.extend(next);
        }
    }
    seen
}

/// Schemas a client sends: request bodies and parameters, and everything they reference.
fn request_side(doc: &Value) -> BTreeSet<String> {
    let mut roots = BTreeSet::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for operation in item.values() {
                for part in ["requestBody", "parameters"] {
                    if let Some(value) = operation.get(part) {
                        collect_refs(value, &mut roots);
                    }
                }
            }
        }
    }
    let empty = Map::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    closure(schemas, roots)
}

fn is_nullable(schema: &Value) -> bool {
    let type_has_null = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    let one_of_has_null = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .is_some_and(|options| {
            options
                .iter()
                .any(|o| o.get("type") == Some(&json!("null")))
        });
    type_has_null || one_of_has_null
}

/// An `Option` field of a response type is always sent (as `null` when empty), yet utoipa leaves
/// it out of `required`, so generators type it as possibly absent. Fields that really may be
/// absent use `skip_serializing_if` and are not nullable, so only nullable ones are added. Schemas
/// a client also sends are left alone: there an `Option` field may be omitted.
fn mark_required(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        let nullable: Vec<String> = properties
            .iter()
            .filter(|(_, property)| is_nullable(property))
            .map(|(name, _)| name.clone())
            .collect();
        for property in properties.values_mut() {
            mark_required(property);
        }
        let required = object
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(required) = required.as_array_mut() {
            for name in nullable {
                if !required.contains(&json!(name)) {
                    required.push(json!(name));
                }
            }
        }
    }
    for nested in ["items", "allOf", "oneOf", "anyOf"] {
        match object.get_mut(nested) {
            Some(Value::Array(list)) => list.iter_mut().for_each(mark_required),
            Some(single @ Value::Object(_)) => mark_required(single),
            _ => {}
        }
    }
}

fn always_sent_fields_required(doc: &mut Value) {
    let sent_by_clients = request_side(doc);
    if let Some(schemas) = schemas(doc) {
        for (name, schema) in schemas.iter_mut() {
            if !sent_by_clients.contains(name) {
                mark_required(schema);
            }
        }
    }
    for (_, content) in response_contents(doc) {
        if let Some(schema) = content.get_mut("schema") {
            mark_required(schema);
        }
    }
}

/// One example per shared error response, produced by the code that answers it, so Swagger UI
/// and generated docs show a 404 under 404 rather than the 422 example under every status.
fn example_of(response: &str) -> Option<Error> {
    Some(match response {
        "BadRequest" => Error::query(
            "page_size",
            "out_of_range",
            msg!("must be between 1 and 100"),
        ),
        "Unauthorized" => Error::invalid_token(),
        "Forbidden" => Error::Forbidden {
            detail: msg!("Your role or scopes do not allow this operation."),
        },
        "TooManyRequests" => Error::TooManyRequests {
            retry_after_seconds: 42,
            reason: TooMany::LockedOut,
        },
        "NotFound" => Error::not_found(Record::Cooperative),
        "Conflict" => Error::conflict(
            "registration_number",
            "duplicate_registration_number",
            msg!("Another cooperative already has this registration number."),
        ),
        "PreconditionFailed" => Error::PreconditionFailed,
        "PayloadTooLarge" => Error::PayloadTooLarge { limit: 262_144 },
        "ImportTooLarge" => Error::PayloadTooLarge { limit: 33_554_432 },
        "UnsupportedMediaType" | "NotMultipart" => Error::UnsupportedMediaType,
        "DocumentTooLarge" => Error::PayloadTooLarge { limit: 20_971_520 },
        "DocumentTypeRefused" => Error::UnsupportedFileType,
        "StoreUnavailable" => Error::StoreUnavailable,
        "UnprocessableContent" => {
            Error::validation("nib", "nib_format", msg!("must be exactly 13 digits (NIB)"))
        }
        "ServiceUnavailable" => Error::Unavailable,
        "InternalError" => Error::Internal,
        _ => return None,
    })
}

fn error_examples(doc: &mut Value) {
    let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, response) in responses.iter_mut() {
        let body = match name.strip_prefix("Token") {
            Some(kind) => token_errors::example(kind)
                .map(|error| serde_json::to_value(error.body_in(Language::En))),
            None => example_of(name)
                .map(|error| serde_json::to_value(ApiError(error).to_problem(Language::En))),
        };
        if let Some(Ok(example)) = body
            && let Some(content) = response
                .pointer_mut("/content/application~1problem+json")
                .and_then(Value::as_object_mut)
        {
            content.insert("example".into(), example);
        }
    }
}

/// Components no operation or schema refers to (left behind by derives) only confuse readers.
fn drop_unreferenced_schemas(doc: &mut Value) {
    let mut roots = BTreeSet::new();
    if let Some(paths) = doc.get("paths") {
        collect_refs(paths, &mut roots);
    }
    if let Some(responses) = doc.pointer("/components/responses") {
        collect_refs(responses, &mut roots);
    }
    if let Some(webhooks) = doc.get("webhooks") {
        collect_refs(webhooks, &mut roots);
    }
    let Some(schemas) = schemas(doc) else { return };
    let used = closure(schemas, roots);
    schemas.retain(|name, _| used.contains(name));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nullable_response_field_becomes_required_and_an_omittable_one_does_not() {
        let mut schema = json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"},
            "note": {"type": ["string", "null"]},
            "owner": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Owner"}]},
            "refresh_token": {"type": "string"},
        }});
        mark_required(&mut schema);
        assert_eq!(schema["required"], json!(["id", "note", "owner"]));
    }

    #[test]
    fn a_schema_reached_from_a_request_body_keeps_its_optional_fields() {
        let mut doc = json!({
            "paths": {"/x": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/New"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Record"}}}}}
            }}},
            "components": {"schemas": {
                "New": {"type": "object", "properties": {"note": {"type": ["string", "null"]}}},
                "Record": {"type": "object", "properties": {"note": {"type": ["string", "null"]}}}
            }}
        });
        always_sent_fields_required(&mut doc);
        assert_eq!(doc.pointer("/components/schemas/New/required"), None);
        assert_eq!(
            doc.pointer("/components/schemas/Record/required"),
            Some(&json!(["note"]))
        );
    }

    #[test]
    fn page_items_point_at_the_record_schema() {
        let mut doc = json!({"components": {"schemas": {
            "Page_Thing": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "title": "inline"}}}}
        }}});
        page_items_by_ref(&mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/Page_Thing/properties/items/items"),
            Some(&json!({"$ref": "#/components/schemas/Thing"}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/Thing/title"),
            Some(&json!("inline"))
        );
    }
}
