//! The coaching clinic: people, programmes, instruments, sessions, cases, diagnoses, and the
//! follow-up (recommendations, activities, evaluations, outcomes, dissolution proposals).

pub mod activities;
pub mod cases;
pub mod diagnoses;
pub mod dissolutions;
pub mod evaluations;
pub mod experts;
pub mod indicators;
pub mod instruments;
pub mod partners;
pub mod programmes;
pub mod recommendations;
pub mod sessions;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .configure(partners::configure)
        .configure(experts::configure)
        .configure(programmes::configure)
        .configure(instruments::configure)
        .configure(cases::configure)
        .configure(diagnoses::configure)
        .configure(recommendations::configure)
        .configure(activities::configure)
        .configure(evaluations::configure)
        .configure(dissolutions::configure)
        .configure(indicators::configure)
        .configure(sessions::configure);
}

/// Page size and offset for the clinic's stores.
pub(crate) fn paging(page: &crate::routes::PageRequest) -> klinik_persistence::clinic::Paging {
    klinik_persistence::clinic::Paging {
        limit: page.limit(),
        offset: page.offset(),
    }
}

/// Checks a list's `q`: 1 to 200 characters (400 otherwise).
fn check_q(q: &Option<String>) -> Result<(), crate::problem::ApiError> {
    if q.as_ref()
        .is_some_and(|q| q.is_empty() || q.chars().count() > 200)
    {
        return Err(crate::extract::query_error(
            "q",
            "invalid_length",
            "must be 1 to 200 characters",
        ));
    }
    Ok(())
}

/// Checks id filters: each at least 1, as the contract says (400 otherwise).
pub(crate) fn check_ids(ids: &[(&str, Option<i64>)]) -> Result<(), crate::problem::ApiError> {
    match ids.iter().find(|(_, id)| id.is_some_and(|id| id < 1)) {
        Some((field, _)) => Err(crate::extract::query_error(
            field,
            "minimum",
            "must be at least 1",
        )),
        None => Ok(()),
    }
}
