//! The kelurahan code as the contract publishes it: a pattern, not the list. The list is
//! reference data (`GET /api/v1/regions/kelurahan`) and differs per deployment area; a test checks
//! every seeded code matches the pattern.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// The pattern a kelurahan code follows, as the contract states it.
pub const KELURAHAN_PATTERN: &str = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$";

/// Kemendagri code of a kelurahan (see `GET /api/v1/regions/kelurahan`), for the contract.
pub struct KelurahanCode;

impl PartialSchema for KelurahanCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Kemendagri code of a kelurahan or desa, `PP.KK.CC.DDDD` (see `GET /api/v1/regions/kelurahan`; \
                 a well-formed code outside the deployment's area is refused: 422 in a record, 400 as a filter); \
                 the kecamatan is derived from it.",
            ))
            .pattern(Some(KELURAHAN_PATTERN))
            .examples(["32.71.01.1006"])
            .into()
    }
}

impl ToSchema for KelurahanCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("KelurahanCode")
    }
}
