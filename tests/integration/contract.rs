//! The contract: committed, complete, and in step with the code and the reference data.

use serde_json::Value;

use crate::helpers::TestApp;

fn spec() -> Value {
    serde_json::from_str(&klinik_api::openapi_json().unwrap()).unwrap()
}

#[test]
fn the_committed_contract_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).expect("openapi/openapi.json is committed");
    let generated = klinik_api::openapi_json().unwrap();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: regenerate it with `cargo run -q -p klinik-api -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_fully_documented() {
    let spec = spec();
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no operationId"));
            assert!(
                operation_ids.insert(id.to_owned()),
                "{name}: duplicate operationId {id}"
            );
            assert!(!op["tags"].as_array().unwrap().is_empty(), "{name}: no tag");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: no summary"
            );
            assert!(
                op["description"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: no description"
            );
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                assert!(
                    parameter["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{name}: {} undocumented",
                    parameter["name"]
                );
            }
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{name}: no success response"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let reference = response["$ref"].as_str().unwrap_or_default();
                    assert!(
                        reference.starts_with("#/components/responses/"),
                        "{name} {status}: not a problem response"
                    );
                } else if status != "204" && status != "307" {
                    // JSON, or a file (an export) in its own media type: always with a schema.
                    let content = response["content"].as_object();
                    assert!(
                        content.is_some_and(
                            |c| !c.is_empty() && c.values().all(|m| m["schema"].is_object())
                        ),
                        "{name} {status}: no schema"
                    );
                }
            }
            if op.get("requestBody").is_some() {
                for code in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(code),
                        "{name}: a body can fail with {code}"
                    );
                }
            }
        }
    }
    for (name, response) in spec["components"]["responses"].as_object().unwrap() {
        let content = &response["content"]["application/problem+json"]["schema"]["$ref"];
        // The token endpoint's problems also carry RFC 6749's members (a Problem and more).
        let schema = if name.starts_with("Token") {
            "TokenProblem"
        } else {
            "Problem"
        };
        assert_eq!(content, &format!("#/components/schemas/{schema}"), "{name}");
    }
}

#[test]
fn published_patterns_are_the_domain_rules() {
    use klinik_domain::identifiers::*;
    let spec = spec();
    let props = &spec["components"]["schemas"]["CreateCooperative"]["properties"];
    let expected = [
        ("registration_number", REGISTRATION_NUMBER_PATTERN),
        ("nib", NIB_PATTERN),
        ("npwp", NPWP_PATTERN),
        ("postal_code", POSTAL_CODE_PATTERN),
        ("rt_rw", RT_RW_PATTERN),
        ("phone", PHONE_PATTERN),
        ("email", EMAIL_PATTERN),
        ("name", klinik_domain::text::SINGLE_LINE_PATTERN),
        ("street", klinik_domain::text::SINGLE_LINE_PATTERN),
    ];
    for (field, pattern) in expected {
        assert_eq!(
            props[field]["pattern"], pattern,
            "CreateCooperative.{field}"
        );
        let patch = &spec["components"]["schemas"]["PatchCooperative"]["properties"][field];
        assert_eq!(patch["pattern"], pattern, "PatchCooperative.{field}");
    }
    let owner = &spec["components"]["schemas"]["OwnerInput"]["properties"];
    assert_eq!(owner["nik"]["pattern"], klinik_domain::nik::NIK_PATTERN);
    let report = &spec["components"]["schemas"]["CreateAnnualReport"]["properties"];
    assert_eq!(
        report["book_year"]["minimum"],
        klinik_domain::annual_report::FIRST_BOOK_YEAR
    );
    assert_eq!(
        report["assets"]["maximum"],
        klinik_domain::annual_report::MAX_RUPIAH
    );
    assert_eq!(
        report["shu"]["minimum"],
        -klinik_domain::annual_report::MAX_RUPIAH
    );
    assert_eq!(
        report["members_male"]["maximum"],
        klinik_domain::annual_report::MAX_COUNT
    );
}

/// Region codes are published as patterns, not as the city's list (which is reference data
/// behind `/regions`): every seeded code matches its pattern, and no schema lists them.
#[actix_web::test]
async fn every_seeded_region_code_matches_its_published_pattern() {
    let app = TestApp::spawn().await;
    let spec = spec();
    let pattern = |name: &str| {
        let schema = &spec["components"]["schemas"][name];
        assert!(schema.get("enum").is_none(), "{name} lists values");
        regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap()
    };
    let (kelurahan, kecamatan) = (pattern("KelurahanCode"), pattern("KecamatanCode"));
    let seeded = app
        .get("/api/v1/regions/kelurahan?page_size=100")
        .await
        .body;
    let items = seeded["items"].as_array().unwrap();
    assert_eq!(items.len(), 68);
    for item in items {
        assert!(kelurahan.is_match(item["code"].as_str().unwrap()), "{item}");
        assert!(
            kecamatan.is_match(item["kecamatan_code"].as_str().unwrap()),
            "{item}"
        );
    }
    for outside in ["32.71.1", "32.71.01.1", "32-71-01"] {
        assert!(!kecamatan.is_match(outside) && !kelurahan.is_match(outside));
    }
}
