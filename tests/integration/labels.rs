//! Display labels in English and Bahasa Indonesia: `GET /api/v1/labels`.

use actix_web::http::Method;
use klinik_api::routes::labels::{Language, displayed_enums, label};

use crate::helpers::TestApp;

#[actix_web::test]
async fn labels_come_in_the_language_asked_for_by_lang_or_accept_language() {
    let app = TestApp::spawn().await;
    let cases = [
        ("/api/v1/labels", "id-ID,id;q=0.9,en;q=0.8", "id"),
        ("/api/v1/labels", "en-US,en;q=0.9,id;q=0.5", "en"),
        ("/api/v1/labels", "fr-FR, de;q=0.5", "en"),
        ("/api/v1/labels?lang=en", "id", "en"),
        ("/api/v1/labels?lang=id", "en", "id"),
    ];
    for (path, accept, expected) in cases {
        let reply = app
            .request_as(
                None,
                Method::GET,
                path,
                None,
                &[("accept-language", accept)],
            )
            .await;
        assert_eq!(reply.status, 200, "{path} {accept}: {}", reply.body);
        assert_eq!(
            reply.header("content-language"),
            Some(expected),
            "{path} {accept}"
        );
        assert_eq!(reply.body["language"], expected);
    }
    let id = app
        .request_as(None, Method::GET, "/api/v1/labels?lang=id", None, &[])
        .await;
    assert_eq!(
        id.body["labels"]["Predicate"]["dalam_pengawasan_khusus"],
        "Dalam pengawasan khusus"
    );
    assert_eq!(
        id.body["labels"]["CaseStatus"]["mentoring"],
        "Dalam pendampingan"
    );
    let en = app
        .request_as(None, Method::GET, "/api/v1/labels?lang=en", None, &[])
        .await;
    assert_eq!(
        en.body["labels"]["Predicate"]["dalam_pengawasan_khusus"],
        "Under special supervision"
    );
    assert!(
        en.body["labels"].get("CooperativeSort").is_none(),
        "sort orders are not labelled"
    );
    app.request_as(None, Method::GET, "/api/v1/labels?lang=fr", None, &[])
        .await
        .assert_problem(400, "invalid_query");
}

/// The catalogue is whole: every displayed enum value of the contract has a label in both
/// languages, and the catalogue holds nothing else.
#[test]
fn every_displayed_enum_value_has_both_labels_and_the_catalogue_nothing_else() {
    let enums = displayed_enums();
    assert!(enums.contains_key("ActivityStatus") && enums.contains_key("Sector"));
    let mut count = 0;
    for (schema, values) in &enums {
        for value in values {
            count += 1;
            for language in [Language::En, Language::Id] {
                let text = label(language, schema, value);
                assert!(
                    text.as_deref().is_some_and(|t| !t.trim().is_empty()),
                    "{schema}.{value} has no {language:?} label"
                );
            }
        }
    }
    let catalogue = include_str!("../../api/locales/labels.yml");
    let entries = catalogue
        .lines()
        .filter(|line| line.starts_with("\"labels."))
        .count();
    assert_eq!(
        entries, count,
        "labels for values the contract does not have"
    );
}
