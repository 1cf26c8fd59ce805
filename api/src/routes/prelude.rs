//! What every route module uses: the HTTP verbs, the guard, the extractors and replies, the
//! contract's shared responses, paging and the id types.

pub use actix_web::{delete, get, patch, post, put, web};
pub use klinik_app::paging::{Page, PageQuery, SyncPageQuery};
pub use klinik_persistence::ids::*;
pub use utoipa_actix_web::service_config::ServiceConfig;

pub use crate::auth::Allowed;
pub use crate::extract::{CreateBody, JsonBody, Precondition, QueryParams};
pub use crate::problem::responses;
pub use crate::respond::{Reply, created, download, no_content, ok, tagged};
