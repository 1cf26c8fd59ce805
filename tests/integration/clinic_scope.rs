//! An assessor's object scope holds for every clinic object that reveals a case: dissolution
//! proposals and clinic sessions as well as cases, diagnoses, recommendations and activities.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::clinic_kit::{act, created, diagnosed, kit};
use crate::helpers::{Reply, TestApp};

async fn user_id(app: &TestApp, username: &str) -> Value {
    let users = app.get("/api/v1/users?page_size=100").await;
    users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .clone()
}

async fn get_as(app: &TestApp, token: &str, path: &str) -> Reply {
    app.request_as(Some(token), Method::GET, path, None, &[])
        .await
}

fn case_ids(session: &Value) -> Vec<Value> {
    session["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].clone())
        .collect()
}

#[actix_web::test]
async fn an_assessor_sees_only_their_teams_proposals_and_sessions_and_in_them_only_their_cases() {
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let asep = app.user_token("asep", "assessor").await;
    let lonely = app.user_token("lina", "assessor").await;
    let asep_expert = created(&app, "/api/v1/experts", json!({"full_name": "Asep Saepudin", "role": "praktisi", "user_id": user_id(&app, "asep").await})).await;

    // Another team's case, proposed for dissolution.
    let theirs_coop = app
        .create_cooperative(json!({"name": "Koperasi Lain"}))
        .await;
    let (theirs, _) = diagnosed(&app, &k, "cooperative", theirs_coop).await;
    let proposed = act(
        &app,
        &theirs["id"],
        "propose_dissolution",
        json!({"note": "Tidak ada usaha.", "dissolution": {"reasons": ["no_business"]}}),
    )
    .await;
    assert_eq!(proposed.status, 200, "{}", proposed.body);
    // Asep's own case.
    let mine_coop = app
        .create_cooperative(json!({"name": "Koperasi Asep"}))
        .await;
    let mine = created(&app, "/api/v1/cases", json!({"programme_id": k.programme["id"], "subject_kind": "cooperative",
        "subject_id": mine_coop, "referral_source": "office_initiative", "team": [{"expert_id": asep_expert["id"], "lead": true}]})).await;
    let session = created(&app, "/api/v1/clinic-sessions", json!({
        "programme_id": k.programme["id"], "starts_at": "2017-06-14T02:00:00Z", "venue": "Balai Kota",
        "kind": "diagnosa", "expert_ids_present": [k.lead["id"]],
        "cases": [{"case_id": theirs["id"], "present": true}, {"case_id": mine["id"], "present": true}]})).await;
    let other_session = created(&app, "/api/v1/clinic-sessions", json!({
        "programme_id": k.programme["id"], "starts_at": "2017-06-15T02:00:00Z", "venue": "Balai Kota",
        "kind": "diagnosa", "expert_ids_present": [k.lead["id"]],
        "cases": [{"case_id": theirs["id"], "present": true}]})).await;

    let proposals = app.get("/api/v1/dissolution-proposals").await;
    assert_eq!(
        proposals.body["total"], 1,
        "office staff see every proposal"
    );
    let proposal = proposals.body["items"][0]["id"].clone();
    let listed = get_as(&app, &asep, "/api/v1/dissolution-proposals").await;
    assert_eq!(
        (listed.status.as_u16(), &listed.body["total"]),
        (200, &json!(0))
    );
    get_as(
        &app,
        &asep,
        &format!("/api/v1/dissolution-proposals/{proposal}"),
    )
    .await
    .assert_problem(404, "not_found");

    let sessions = get_as(&app, &asep, "/api/v1/clinic-sessions").await;
    assert_eq!(sessions.body["total"], 1, "{}", sessions.body);
    assert_eq!(sessions.body["items"][0]["id"], session["id"]);
    assert_eq!(case_ids(&sessions.body["items"][0]), [mine["id"].clone()]);
    let one = get_as(
        &app,
        &asep,
        &format!("/api/v1/clinic-sessions/{}", session["id"]),
    )
    .await;
    assert_eq!(case_ids(&one.body), [mine["id"].clone()]);
    get_as(
        &app,
        &asep,
        &format!("/api/v1/clinic-sessions/{}", other_session["id"]),
    )
    .await
    .assert_problem(404, "not_found");
    let by_case = get_as(
        &app,
        &asep,
        &format!("/api/v1/clinic-sessions?case_id={}", theirs["id"]),
    )
    .await;
    assert_eq!(
        by_case.body["total"], 1,
        "the shared session, with only Asep's case in it"
    );
    assert_eq!(case_ids(&by_case.body["items"][0]), [mine["id"].clone()]);

    // An assessor on no team sees none of it.
    assert_eq!(
        get_as(&app, &lonely, "/api/v1/clinic-sessions").await.body["total"],
        0
    );
    assert_eq!(
        get_as(&app, &lonely, "/api/v1/dissolution-proposals")
            .await
            .body["total"],
        0
    );
    let office = app
        .get(&format!("/api/v1/clinic-sessions/{}", session["id"]))
        .await;
    assert_eq!(case_ids(&office.body).len(), 2);
}
