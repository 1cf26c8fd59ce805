//! The vocabulary of the use cases: who acts, the one error, the write path, paging and the id
//! types. Every module that defines use cases imports it whole.

pub use klinik_persistence::AnyConnection;
pub use klinik_persistence::ids::*;

pub use crate::context::{Caller, Ctx};
pub use crate::created::{Created, Idempotency, create_once};
pub use crate::error::{Error, FieldError, Record, TooMany};
pub use crate::paging::{Page, PageQuery, PageRequest, SyncPageQuery, check_ids, paging};
pub use crate::state::App;
pub use crate::versioned::{self, Archived, Entity, IfMatch, Tagged};
pub use klinik_domain::{Message, msg};
