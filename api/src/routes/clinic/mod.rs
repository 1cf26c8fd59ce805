//! The coaching clinic's routes: people, programmes, instruments, sessions, cases, diagnoses, and
//! the follow-up (recommendations, activities, evaluations, outcomes, dissolution proposals).

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
