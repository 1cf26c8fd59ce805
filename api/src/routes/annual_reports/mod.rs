//! Annual reports of a cooperative: `/api/v1/cooperatives/{id}/annual-reports`.

pub(crate) mod dto;
mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(handlers::create_annual_report)
        .service(handlers::list_annual_reports)
        .service(handlers::get_annual_report)
        .service(handlers::update_annual_report)
        .service(handlers::delete_annual_report);
}
