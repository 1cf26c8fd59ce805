//! The registries: the city's regions, cooperatives with their annual reports, and UKM with their
//! owners and yearly figures.

pub mod annual_reports;
pub mod cooperatives;
pub mod exports;
pub mod imports;
pub mod region_codes;
pub mod region_index;
pub mod region_list;
pub mod regions;
pub mod ukm;
