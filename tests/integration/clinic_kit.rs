//! Helpers shared by the clinic's workflow tests: a programme with its team, and a case driven
//! through the machine step by step over HTTP.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

pub async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let reply = app.post(path, &body).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    reply.body
}

/// Takes `action` on the case; `extra` adds fields (a note, a dissolution).
pub async fn act(app: &TestApp, case_id: &Value, action: &str, extra: Value) -> Reply {
    let mut body = json!({"action": action});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.post(&format!("/api/v1/cases/{case_id}/transitions"), &body)
        .await
}

/// Takes `action` and checks the case reached `status`.
pub async fn step(app: &TestApp, case_id: &Value, action: &str, status: &str) -> Value {
    let reply = act(app, case_id, action, json!({})).await;
    assert_eq!(reply.body["status"], status, "{action}: {}", reply.body);
    reply.body
}

/// The guard code of a refused transition.
pub fn guard(reply: &Reply) -> String {
    assert_eq!(reply.status, 422, "{}", reply.body);
    reply.body["errors"][0]["code"].as_str().unwrap().to_owned()
}

pub struct Kit {
    pub programme: Value,
    pub lead: Value,
    pub mentor: Value,
    pub bank: Value,
}

/// A programme (targets 30 and 10 by default) with a lead expert, a mentor, and a partner bank.
pub async fn kit(app: &TestApp, year: i32) -> Kit {
    let bank = created(
        app,
        "/api/v1/partners",
        json!({"name": "Bank BJB Cabang Bogor", "kind": "bank"}),
    )
    .await;
    let lead = created(app, "/api/v1/experts", json!({"full_name": "Dr. Rina Wulandari", "role": "akademisi", "expertise": ["tata_kelola_rat"]})).await;
    let mentor = created(
        app,
        "/api/v1/experts",
        json!({"full_name": "Hendra Gunawan", "role": "praktisi"}),
    )
    .await;
    let programme = created(
        app,
        "/api/v1/programmes",
        json!({"name": format!("Coaching Clinic {year}"), "year": year}),
    )
    .await;
    Kit {
        programme,
        lead,
        mentor,
        bank,
    }
}

/// Registers the subject in the kit's programme with the kit's team, and takes it to a final
/// diagnosis with one finding (not yet finished: recommendations come next). Returns the case
/// and the final diagnosis.
pub async fn diagnosed(app: &TestApp, kit: &Kit, kind: &str, subject_id: i64) -> (Value, Value) {
    let case = created(
        app,
        "/api/v1/cases",
        json!({"programme_id": kit.programme["id"], "subject_kind": kind,
        "subject_id": subject_id, "referral_source": "office_initiative",
        "team": [{"expert_id": kit.lead["id"], "lead": true}], "mentor_ids": [kit.mentor["id"]]}),
    )
    .await;
    step(app, &case["id"], "screen", "screened").await;
    step(app, &case["id"], "start_diagnosis", "diagnosing").await;
    let draft = created(app, &format!("/api/v1/cases/{}/diagnoses", case["id"]), json!({"summary": "Tata kelola lemah.",
        "findings": [{"category": "tata_kelola_rat", "severity": "berat", "description": "RAT tidak dilaksanakan."}]})).await;
    let final_ = app
        .post(
            &format!("/api/v1/diagnoses/{}/finalize", draft["id"]),
            &json!({"agreed_expert_ids": []}),
        )
        .await;
    assert_eq!(final_.status, 200, "{}", final_.body);
    (case, final_.body)
}

/// An expert record for the account `username`, so that the account works as that expert.
pub async fn expert_of(app: &TestApp, username: &str, full_name: &str) -> Value {
    let users = app.get("/api/v1/users?page_size=100").await;
    let user = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .clone();
    created(
        app,
        "/api/v1/experts",
        json!({"full_name": full_name, "role": "praktisi", "user_id": user}),
    )
    .await
}

/// A new case of the kit's programme about cooperative `subject`, led by `expert` alone.
pub async fn case_led_by(app: &TestApp, kit: &Kit, expert: &Value, subject: i64) -> Value {
    created(
        app,
        "/api/v1/cases",
        json!({"programme_id": kit.programme["id"], "subject_kind": "cooperative",
        "subject_id": subject, "referral_source": "office_initiative",
        "team": [{"expert_id": expert["id"], "lead": true}]}),
    )
    .await
}

/// Moves a recommendation to `status` through the allowed path from `proposed`.
pub async fn move_recommendation(app: &TestApp, id: &Value, path: &[&str]) -> Value {
    let mut last = Value::Null;
    for status in path {
        let reply = app
            .post(
                &format!("/api/v1/recommendations/{id}/transitions"),
                &json!({"status": status}),
            )
            .await;
        assert_eq!(reply.status, 200, "to {status}: {}", reply.body);
        last = reply.body;
    }
    last
}

/// Files an annual report with RAT held (or not) and this SHU.
pub async fn report(app: &TestApp, cooperative: i64, year: i32, rat_held: bool, shu: i64) {
    let mut body = json!({"book_year": year, "rat_held": rat_held, "shu": shu,
        "members_male": 40, "members_female": 35});
    if rat_held {
        // The book year's last day: the earliest a RAT may be held, and never in the future for
        // last year's report.
        body["rat_date"] = json!(format!("{year}-12-31"));
    }
    let reply = app
        .post(
            &format!("/api/v1/cooperatives/{cooperative}/annual-reports"),
            &body,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}
