//! The UKM registry: `/api/v1/ukm`, with its owners' personal data protected.

pub mod dto;
pub(crate) mod figures;
pub(crate) mod handlers;
pub(crate) mod list;

use utoipa_actix_web::service_config::ServiceConfig;

pub use handlers::Reveal;
pub use list::{UkmQuery, UkmSort};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(handlers::create_ukm)
        .service(list::list_ukm)
        .service(handlers::get_ukm)
        .service(handlers::update_ukm)
        .service(handlers::archive_ukm)
        .service(figures::create_ukm_yearly_figures)
        .service(figures::list_ukm_yearly_figures);
}
