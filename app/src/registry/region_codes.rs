//! The 68 kelurahan codes as the contract publishes them, so that a client (or schemathesis) knows
//! every valid value. The database seed is the source of truth; a test checks the two agree.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

pub const KELURAHAN_CODES: [&str; 68] = [
    "32.71.01.1001",
    "32.71.01.1002",
    "32.71.01.1003",
    "32.71.01.1004",
    "32.71.01.1005",
    "32.71.01.1006",
    "32.71.01.1007",
    "32.71.01.1008",
    "32.71.01.1009",
    "32.71.01.1010",
    "32.71.01.1011",
    "32.71.01.1012",
    "32.71.01.1013",
    "32.71.01.1014",
    "32.71.01.1015",
    "32.71.01.1016",
    "32.71.02.1001",
    "32.71.02.1002",
    "32.71.02.1003",
    "32.71.02.1004",
    "32.71.02.1005",
    "32.71.02.1006",
    "32.71.03.1001",
    "32.71.03.1002",
    "32.71.03.1003",
    "32.71.03.1004",
    "32.71.03.1005",
    "32.71.03.1006",
    "32.71.03.1007",
    "32.71.03.1008",
    "32.71.03.1009",
    "32.71.03.1010",
    "32.71.03.1011",
    "32.71.04.1001",
    "32.71.04.1002",
    "32.71.04.1003",
    "32.71.04.1004",
    "32.71.04.1005",
    "32.71.04.1006",
    "32.71.04.1007",
    "32.71.04.1008",
    "32.71.04.1009",
    "32.71.04.1010",
    "32.71.04.1011",
    "32.71.04.1012",
    "32.71.04.1013",
    "32.71.04.1014",
    "32.71.04.1015",
    "32.71.04.1016",
    "32.71.05.1001",
    "32.71.05.1002",
    "32.71.05.1003",
    "32.71.05.1004",
    "32.71.05.1005",
    "32.71.05.1006",
    "32.71.05.1007",
    "32.71.05.1008",
    "32.71.06.1001",
    "32.71.06.1002",
    "32.71.06.1003",
    "32.71.06.1004",
    "32.71.06.1005",
    "32.71.06.1006",
    "32.71.06.1007",
    "32.71.06.1008",
    "32.71.06.1009",
    "32.71.06.1010",
    "32.71.06.1011",
];

/// Kemendagri code of one of Kota Bogor's 68 kelurahan (see `GET /api/v1/regions/kelurahan`).
pub struct KelurahanCode;

impl PartialSchema for KelurahanCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Kemendagri code of one of Kota Bogor's 68 kelurahan (see `GET /api/v1/regions/kelurahan`); \
                 the kecamatan is derived from it.",
            ))
            .enum_values(Some(KELURAHAN_CODES))
            .examples(["32.71.01.1006"])
            .into()
    }
}

impl ToSchema for KelurahanCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("KelurahanCode")
    }
}
