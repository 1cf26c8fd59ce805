//! Each rule of a registration answers a 422 with its own code, naming the field and never
//! repeating the submitted value.

use serde_json::{Value, json};

use crate::helpers::{TestApp, minimal_cooperative, with};

fn cases() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    vec![
        (
            "12 digits",
            json!({"registration_number": "327101000012"}),
            "registration_number",
            "registration_number_format",
        ),
        (
            "17 digits",
            json!({"registration_number": "32710100001234567"}),
            "registration_number",
            "registration_number_format",
        ),
        (
            "a letter",
            json!({"registration_number": "327101000012X"}),
            "registration_number",
            "registration_number_format",
        ),
        (
            "NIB of 12",
            json!({"nib": "123456789012"}),
            "nib",
            "nib_format",
        ),
        (
            "NIB of 14",
            json!({"nib": "12345678901234"}),
            "nib",
            "nib_format",
        ),
        (
            "NPWP of 14",
            json!({"npwp": "12345678901234"}),
            "npwp",
            "npwp_format",
        ),
        (
            "unknown kelurahan",
            json!({"kelurahan_code": "32.71.01.9999"}),
            "kelurahan_code",
            "unknown_kelurahan",
        ),
        (
            "type outside the list",
            json!({"type": "bank"}),
            "type",
            "invalid_enum_value",
        ),
        (
            "form outside the list",
            json!({"form": "tersier"}),
            "form",
            "invalid_enum_value",
        ),
        (
            "a number for a name",
            json!({"name": 42}),
            "name",
            "invalid_type",
        ),
        ("an empty name", json!({"name": ""}), "name", "required"),
        (
            "a name on two lines",
            json!({"name": "Koperasi\nMekar"}),
            "name",
            "invalid_text",
        ),
        (
            "a name with a leading space",
            json!({"name": " Koperasi"}),
            "name",
            "invalid_text",
        ),
        (
            "a name too long",
            json!({"name": "k".repeat(201)}),
            "name",
            "too_long",
        ),
        ("RT/RW", json!({"rt_rw": "3-5"}), "rt_rw", "rt_rw_format"),
        (
            "postal code",
            json!({"postal_code": "1613"}),
            "postal_code",
            "postal_code_format",
        ),
        (
            "phone",
            json!({"phone": "call me"}),
            "phone",
            "phone_format",
        ),
        (
            "e-mail",
            json!({"email": "koperasi.at.bogor"}),
            "email",
            "email_format",
        ),
        (
            "an unknown field",
            json!({"kecamatan_code": "32.71.01"}),
            "kecamatan_code",
            "unknown_field",
        ),
        ("a missing field", json!({"form": null}), "form", "required"),
        (
            "savings and loan off for a KSP",
            json!({"type": "simpan_pinjam", "savings_and_loan": false}),
            "savings_and_loan",
            "savings_and_loan_required",
        ),
        (
            "a term ending before it starts",
            json!({"board_members": [{"role": "ketua", "name": "Siti", "term_start": "2025-01-02", "term_end": "2025-01-01"}]}),
            "board_members[0].term_end",
            "term_end_before_start",
        ),
        (
            "a board role outside the list",
            json!({"board_members": [{"role": "raja", "name": "Siti"}]}),
            "board_members[0].role",
            "invalid_enum_value",
        ),
        (
            "a date that is not a date",
            json!({"legal_entity_date": "2024-02-30"}),
            "legal_entity_date",
            "invalid_date",
        ),
    ]
}

#[actix_web::test]
async fn each_broken_rule_is_a_422_with_its_own_code() {
    let app = TestApp::spawn().await;
    for (what, change, field, code) in cases() {
        let body = with(minimal_cooperative(), change.clone());
        let reply = app.post("/api/v1/cooperatives", &body).await;
        assert_eq!(reply.status, 422, "{what}: {}", reply.body);
        reply.assert_problem(422, "validation_failed");
        let error = &reply.body["errors"][0];
        assert_eq!(
            (error["field"].as_str(), error["code"].as_str()),
            (Some(field), Some(code)),
            "{what}: {}",
            reply.body
        );
        // Enumeration values may appear in a rule's message; free text must not.
        let free_text = change
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "type");
        for value in free_text.filter_map(|(_, v)| v.as_str()) {
            if value.len() > 3 {
                assert!(
                    !reply.body.to_string().contains(value),
                    "{what}: the value is echoed: {}",
                    reply.body
                );
            }
        }
    }
    assert_eq!(
        app.get("/api/v1/cooperatives").await.body["total"],
        0,
        "nothing half-written"
    );
}

#[actix_web::test]
async fn every_broken_rule_is_listed_at_once() {
    let app = TestApp::spawn().await;
    let body = with(
        minimal_cooperative(),
        json!({"nib": "1", "npwp": "2", "rt_rw": "x"}),
    );
    let reply = app.post("/api/v1/cooperatives", &body).await;
    reply.assert_problem(422, "validation_failed");
    let mut codes = reply.error_codes();
    codes.sort();
    assert_eq!(codes, ["nib_format", "npwp_format", "rt_rw_format"]);
}

#[actix_web::test]
async fn a_patch_must_leave_a_valid_record() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    let reply = app.patch(&path, &json!({"type": "simpan_pinjam"})).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_codes(), ["savings_and_loan_required"]);
    let reply = app.patch(&path, &json!({"name": null})).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "name");
    let reply = app.patch(&path, &json!({"kelurahan_code": "99"})).await;
    assert_eq!(reply.error_codes(), ["unknown_kelurahan"]);
    let ok = app
        .patch(
            &path,
            &json!({"type": "simpan_pinjam", "savings_and_loan": true}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(app.get(&path).await.body["version"], 2);
}
