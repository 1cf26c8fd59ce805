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
