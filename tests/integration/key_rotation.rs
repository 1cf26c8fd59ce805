//! Rotating the keys: personal data sealed under the previous data key still reads and is still
//! found by NIK while `klinik keys rotate` re-seals it (resumably); afterwards the previous key
//! can go. Access tokens name their signing key (`kid`), so an old key verifies its tokens until
//! they expire.

use actix_web::http::Method;
use klinik_app::personal_data::rotation::Rotation;
use serde_json::{Value, json};

use crate::helpers::{DATA_KEY, JWT_SECRET, TestApp, settings_for};

const NEW_DATA_KEY: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
const NEW_JWT_SECRET: &str = "the-next-signing-key-the-next-signing-key";
const NIK: &str = "3271014501900001";

fn owner(nik: &str, phone: &str) -> Value {
    json!({"business_name": format!("Usaha {phone}"), "sector": "culinary", "kelurahan_code": "32.71.01.1006",
        "owner": {"full_name": "Siti Aminah", "nik": nik, "phone": phone}})
}

/// Runs the rotation on `app`'s database with the new key (and the old one as previous).
fn rotate_now(app: &TestApp) -> Rotation {
    let settings = settings_for(
        app.db.url(),
        &[
            ("KLINIK_DATA_KEY", NEW_DATA_KEY),
            ("KLINIK_DATA_KEY_PREVIOUS", DATA_KEY),
        ],
    );
    klinik_app::personal_data::rotation::run(&settings).expect("the rotation runs")
}

#[actix_web::test]
async fn a_data_key_rotation_keeps_everything_readable_and_findable_and_resumes() {
    let old = TestApp::spawn().await;
    let first = old.post("/api/v1/ukm", &owner(NIK, "+6281111111111")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    // A webhook's signing secret is sealed with the same key.
    let (client, _) =
        crate::clinic_followup::partner_client(&old, &["registry:read"], &Value::Null).await;
    let hook = old
        .post(
            "/api/v1/webhook-subscriptions",
            &json!({"client_id": client, "url": "https://sikopdes.jabarprov.go.id/h", "kinds": ["ukm"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{}", hook.body);

    // The servers restart with the new key; the old one is previous.
    let rotated = old
        .spawn_beside(&[
            ("KLINIK_DATA_KEY", NEW_DATA_KEY),
            ("KLINIK_DATA_KEY_PREVIOUS", DATA_KEY),
        ])
        .await;
    let read = rotated
        .get(&format!("/api/v1/ukm/{}?reveal=nik", first.body["id"]))
        .await;
    assert_eq!(read.body["owner"]["nik"], NIK, "{}", read.body);
    assert_eq!(read.body["owner"]["phone"], "+6281111111111");
    assert_eq!(
        rotated.get(&format!("/api/v1/ukm?nik={NIK}")).await.body["total"],
        1
    );
    // A second business of the same owner links to the same person, not a copy.
    let second = rotated
        .post("/api/v1/ukm", &owner(NIK, "+6281111111111"))
        .await;
    assert_eq!(
        second.body["owner"]["id"], first.body["owner"]["id"],
        "{}",
        second.body
    );
    // Someone new is sealed under the new key already.
    let newcomer = rotated
        .post("/api/v1/ukm", &owner("3271014501900002", "+6282222222222"))
        .await;
    assert_eq!(newcomer.status, 201);

    // Only what is under the old key is re-sealed; a second run (as after an interruption)
    // finds nothing left.
    let done = rotate_now(&old);
    assert_eq!(
        (done.examined, done.resealed),
        (2 + 1, 1 + 1),
        "two persons, one secret"
    );
    assert_eq!(rotate_now(&old).resealed, 0);

    // The old key can go.
    let only_new = old.spawn_beside(&[("KLINIK_DATA_KEY", NEW_DATA_KEY)]).await;
    for (id, phone) in [
        (&first.body["id"], "+6281111111111"),
        (&newcomer.body["id"], "+6282222222222"),
    ] {
        let read = only_new.get(&format!("/api/v1/ukm/{id}?reveal=nik")).await;
        assert_eq!(read.status, 200, "{}", read.body);
        assert_eq!(read.body["owner"]["phone"], phone);
    }
    assert_eq!(
        only_new.get(&format!("/api/v1/ukm?nik={NIK}")).await.body["total"],
        2
    );
    let state = klinik_api::prepare_state(&settings_for(
        old.db.url(),
        &[("KLINIK_DATA_KEY", NEW_DATA_KEY)],
    ))
    .unwrap();
    let sealed = state
        .read(|conn| {
            klinik_persistence::webhooks::sealed_secrets(conn).map_err(klinik_app::Error::from)
        })
        .await
        .unwrap();
    assert_eq!(
        state.data_key.decrypt(&sealed[0].1).unwrap(),
        hook.body["secret"].as_str().unwrap()
    );
    let audit = only_new
        .get("/api/v1/audit-events?action=rotate_data_key")
        .await;
    assert_eq!(audit.body["total"], 2, "each run is in the audit trail");
    assert_eq!(audit.body["items"][0]["actor_type"], "system");
}

async fn status(app: &TestApp, token: &str) -> u16 {
    app.request_as(Some(token), Method::GET, "/api/v1/auth/me", None, &[])
        .await
        .status
        .as_u16()
}

#[actix_web::test]
async fn tokens_signed_by_the_previous_key_verify_until_it_is_dropped() {
    let old = TestApp::spawn().await;
    let rotated = old
        .spawn_beside(&[
            ("KLINIK_JWT_SECRET", NEW_JWT_SECRET),
            ("KLINIK_JWT_SECRET_PREVIOUS", JWT_SECRET),
        ])
        .await;
    assert_eq!(
        status(&rotated, &old.token).await,
        200,
        "the old key still verifies"
    );
    assert_eq!(status(&rotated, &rotated.token).await, 200);
    assert_eq!(
        status(&old, &rotated.token).await,
        401,
        "the new key's tokens need the new key"
    );
    let dropped = old
        .spawn_beside(&[("KLINIK_JWT_SECRET", NEW_JWT_SECRET)])
        .await;
    assert_eq!(
        status(&dropped, &old.token).await,
        401,
        "dropped: its tokens end"
    );
    assert_eq!(status(&dropped, &rotated.token).await, 200);
}
