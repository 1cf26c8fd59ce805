//! `GET /api/v1/exports/{kind}.{csv,xlsx}`: the registries in exactly the layouts an import reads,
//! with the filters of the matching lists.

mod cooperatives;
mod ukm;

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(ukm::export_ukm_csv)
        .service(ukm::export_ukm_xlsx)
        .service(ukm::export_yearly_figures_csv)
        .service(ukm::export_yearly_figures_xlsx)
        .service(cooperatives::export_cooperatives_csv)
        .service(cooperatives::export_cooperatives_xlsx)
        .service(cooperatives::export_annual_reports_csv)
        .service(cooperatives::export_annual_reports_xlsx);
}
