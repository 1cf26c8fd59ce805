//! Several instances on one PostgreSQL behave as one: a write on one empties the caches of the
//! others as soon as it commits (LISTEN/NOTIFY), not after their age limit. (That each due
//! background job runs once across instances is `scheduler.rs`'s.)

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Waits for `done`, failing the test after 5 s: half the indicators cache's 10 s age limit, so
/// that only hearing the write can pass it.
async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 5 s"
        );
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

fn registered_cooperatives(indicators: &Value) -> i64 {
    indicators["cumulative"]["registry"]["cooperatives_active"]["of"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_write_on_one_instance_empties_the_caches_of_another_at_once() {
    let one = TestApp::spawn().await;
    let other = one.spawn_beside(&[]).await;
    let Some(hearing) = one.state.db.hear_other_writes() else {
        assert!(
            !one.db.is_postgres(),
            "on PostgreSQL an instance hears the others' writes"
        );
        return;
    };
    let before = one.state.db.writes();
    let listening = actix_web::rt::spawn(hearing);
    wait_for("listening", || one.state.db.writes() > before).await;

    let counted = one.get("/api/v1/indicators").await;
    assert_eq!(counted.status, 200, "{}", counted.body);
    assert_eq!(registered_cooperatives(&counted.body), 0);
    let mark = one.state.db.writes();
    other.create_cooperative(json!({})).await;
    wait_for("hearing the other instance's write", || {
        one.state.db.writes() > mark
    })
    .await;
    let recounted = one.get("/api/v1/indicators").await;
    assert_eq!(registered_cooperatives(&recounted.body), 1);

    // A write that rolls back is not announced: nothing is heard for a refused create.
    let mark = one.state.db.writes();
    let refused = other
        .post(
            "/api/v1/cooperatives",
            &json!({"name": "x", "form": "primer", "type": "konsumen", "kelurahan_code": "32.71.01.1006", "nib": "1"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(one.state.db.writes(), mark);
    listening.abort();
}

fn numbered_ukm(i: u32) -> Value {
    crate::ukm::ukm(
        &format!("Warung Hitung {i:02}"),
        json!({"owner": {"full_name": "Siti Aminah", "nik": format!("32710145019000{i:02}"),
            "sex": "perempuan", "birth_date": "1990-01-05"}}),
    )
}

fn total(reply: &crate::helpers::Reply) -> i64 {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["total"].as_i64().unwrap()
}

/// A list's total is counted once per filter and counted again after any write, this instance's
/// or (on PostgreSQL, heard at once) another's.
#[actix_web::test]
async fn a_list_total_is_counted_again_after_a_write_here_or_on_another_instance() {
    let one = TestApp::spawn().await;
    for i in 1..=25 {
        crate::ukm::create(&one, &numbered_ukm(i)).await;
    }
    let page_two = "/api/v1/ukm?sector=culinary&page=2";
    let first = one.get(page_two).await;
    assert_eq!(total(&first), 25);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        total(
            &one.get("/api/v1/ukm?sector=culinary&page=3&page_size=10")
                .await
        ),
        25
    );
    crate::ukm::create(&one, &numbered_ukm(26)).await;
    assert_eq!(total(&one.get(page_two).await), 26);

    let other = one.spawn_beside(&[]).await;
    let Some(hearing) = one.state.db.hear_other_writes() else {
        return; // SQLite: one process; the other instance's write shows after the age limit.
    };
    let before = one.state.db.writes();
    let listening = actix_web::rt::spawn(hearing);
    wait_for("listening", || one.state.db.writes() > before).await;
    assert_eq!(total(&one.get(page_two).await), 26);
    let mark = one.state.db.writes();
    crate::ukm::create(&other, &numbered_ukm(27)).await;
    wait_for("hearing the other instance's write", || {
        one.state.db.writes() > mark
    })
    .await;
    assert_eq!(total(&one.get(page_two).await), 27);
    listening.abort();
}
