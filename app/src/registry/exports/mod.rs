//! The registries as spreadsheets, in exactly the layouts an import reads and with the filters of
//! the matching lists: exporting and re-importing changes nothing.

pub mod cooperatives;
pub mod ukm;

use crate::prelude::*;
use crate::registry::imports::{Column, numeric_columns};
use crate::spreadsheet::{self, Format};

/// Most rows one export holds; narrow the filters beyond it.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// A file ready to download.
#[derive(Debug)]
pub struct Download {
    pub format: Format,
    /// The file name without its extension (`cooperatives`).
    pub name: &'static str,
    pub body: Vec<u8>,
}

/// The rows as a file in `format`, headed by the layout's English column names.
fn file(
    format: Format,
    name: &'static str,
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<Download, Error> {
    let headers: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let body = spreadsheet::write(format, &headers, &numeric_columns(columns), rows)
        .map_err(|e| Error::internal(&e))?;
    Ok(Download { format, name, body })
}

/// The 422 of an export that would hold more than [`MAX_EXPORT_ROWS`] rows.
fn too_many(what: Message) -> Error {
    Error::Validation {
        errors: vec![FieldError::new(
            "filters",
            "export_too_large",
            msg!(
                "match more than %{max} %{what}; narrow the filters (for example by kecamatan)",
                max = MAX_EXPORT_ROWS
            )
            .with("what", what),
        )],
    }
}

/// A year filter outside the documented 1945–9999 is a 400, like any other bad parameter.
fn check_year(name: &str, year: Option<i32>) -> Result<(), Error> {
    if year.is_some_and(|y| !(1945..=9999).contains(&y)) {
        return Err(Error::query(
            name,
            "out_of_range",
            msg!("must be from 1945 to 9999"),
        ));
    }
    Ok(())
}
