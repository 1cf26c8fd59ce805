//! Spreadsheets in and out: a CSV or XLSX file as a table of text cells, and back.
//!
//! Everything is read as text so that the import rules, not the file format, decide what a cell
//! means. Problems with the file itself (not a spreadsheet, broken UTF-8, a formula) are
//! [`FileProblem`]s that name the row and column where they can.

use klinik_domain::{Message, msg};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

pub use klinik_domain::imports::FileFormat as Format;

/// The media type a download of `format` is served as.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

/// Recognises a file by its first bytes (an XLSX file is a ZIP archive), then by its name.
pub fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Format::Xlsx);
    }
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".txt") {
        Some(Format::Csv)
    } else {
        None
    }
}

/// A file that cannot be read as a table, with where the problem is when it has a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub code: &'static str,
    pub message: Message,
    /// 1-based, as the spreadsheet numbers rows (the header is row 1).
    pub row: Option<usize>,
    pub column: Option<String>,
}

impl FileProblem {
    fn new(code: &'static str, message: Message) -> Self {
        FileProblem {
            code,
            message,
            row: None,
            column: None,
        }
    }

    fn at(mut self, row: usize, column: String) -> Self {
        self.row = Some(row);
        self.column = Some(column);
        self
    }
}

/// One data row with its number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// The header and the non-blank data rows of a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// Spreadsheet column letters (A, B, …, AA) for messages people can follow in Excel.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

pub fn read(format: Format, bytes: &[u8]) -> Result<Table, FileProblem> {
    if bytes.is_empty() {
        return Err(FileProblem::new("empty_file", msg!("The file is empty.")));
    }
    let table = match format {
        Format::Csv => read_csv(bytes)?,
        Format::Xlsx => read_xlsx(bytes)?,
    };
    if table.headers.iter().all(|h| h.is_empty()) {
        return Err(FileProblem::new(
            "empty_file",
            msg!("The file has no header row."),
        ));
    }
    Ok(table)
}

/// A leading apostrophe is how a spreadsheet (and our export) marks text that would otherwise be
/// read as a formula; it is not part of the value.
fn unquote(cell: &str) -> String {
    let trimmed = cell.trim();
    match trimmed.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
        _ => trimmed.to_owned(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, FileProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Spreadsheets saved with an Indonesian locale separate cells with semicolons.
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let semicolons = first_line.iter().filter(|b| **b == b';').count();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Table::default();
    for (index, record) in reader.byte_records().enumerate() {
        let number = index + 1;
        let record = record.map_err(|_| {
            FileProblem::new(
                "malformed_csv",
                msg!(
                    "Row %{number} is not valid CSV (check the quotes).",
                    number = number
                ),
            )
        })?;
        let mut cells = Vec::with_capacity(record.len());
        for (col, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| {
                FileProblem::new(
                    "invalid_utf8",
                    msg!("The cell is not valid UTF-8 text; save the file as \"CSV UTF-8\"."),
                )
                .at(number, column_letter(col))
            })?;
            if text.trim_start().starts_with('=') {
                return Err(formula(number, col));
            }
            cells.push(unquote(text));
        }
        push_row(&mut table, number, cells);
    }
    Ok(table)
}

fn formula(row: usize, col: usize) -> FileProblem {
    FileProblem::new(
        "formula_not_allowed",
        msg!("The cell holds a formula; paste values only."),
    )
    .at(row, column_letter(col))
}

fn push_row(table: &mut Table, number: usize, cells: Vec<String>) {
    if number == 1 {
        table.headers = cells;
    } else if cells.iter().any(|c| !c.is_empty()) {
        table.rows.push(Row { number, cells });
    }
}

/// Most bytes a workbook may unzip to: calamine inflates sheets in memory, and a small archive
/// can unzip to gigabytes (a "zip bomb"). A 23,706-row UKM sheet unzips to about 15 MB.
pub const MAX_UNZIPPED_BYTES: u128 = 256 * 1024 * 1024;

/// Any failure of the zip or workbook reader: the file is not a workbook we can read.
fn unreadable<E>(_: E) -> FileProblem {
    FileProblem::new(
        "unreadable_file",
        msg!("The file is not a readable XLSX workbook."),
    )
}

/// Refuses an archive whose members unzip to more than `limit` bytes. The central directory states
/// every member's size (also when local headers defer it to a data descriptor, as
/// rust_xlsxwriter's do).
fn check_unzipped_size(bytes: &[u8], limit: u128) -> Result<(), FileProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut unzipped: u128 = 0;
    for index in 0..archive.len() {
        unzipped += u128::from(archive.by_index_raw(index).map_err(unreadable)?.size());
    }
    if unzipped > limit {
        return Err(FileProblem::new(
            "workbook_too_large",
            msg!("The workbook unzips to more than 256 MiB; split it into several files."),
        ));
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, FileProblem> {
    check_unzipped_size(bytes, MAX_UNZIPPED_BYTES)?;
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        return Err(FileProblem::new(
            "empty_file",
            msg!("The workbook has no sheet."),
        ));
    };
    let formulas = workbook.worksheet_formula(&sheet).map_err(unreadable)?;
    if let Some((row, col, _)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()) {
        let (start_row, start_col) = formulas.start().unwrap_or((0, 0));
        return Err(formula(
            start_row as usize + row + 1,
            start_col as usize + col,
        ));
    }
    let range = workbook.worksheet_range(&sheet).map_err(unreadable)?;
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    let mut table = Table::default();
    for (offset, cells) in range.rows().enumerate() {
        let number = start_row as usize + offset + 1;
        let mut texts = vec![String::new(); start_col as usize];
        for (col, cell) in cells.iter().enumerate() {
            texts.push(cell_text(cell).map_err(|p| p.at(number, column_letter(col)))?);
        }
        if number == 1 || table.headers.is_empty() {
            // The header is the first row of the sheet, wherever its data starts.
            table.headers = texts;
        } else if texts.iter().any(|c| !c.is_empty()) {
            table.rows.push(Row {
                number,
                cells: texts,
            });
        }
    }
    Ok(table)
}

/// A cell as text: whole numbers without a decimal point, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> Result<String, FileProblem> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => unquote(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => match calamine::DataType::as_date(cell) {
            Some(date) => date.format("%Y-%m-%d").to_string(),
            None => cell.to_string(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => {
            return Err(FileProblem::new(
                "cell_error",
                msg!("The cell holds a spreadsheet error (such as #N/A or #REF!)."),
            ));
        }
    })
}

/// Text that a spreadsheet would run as a formula is written with a leading apostrophe, which
/// `read` removes again, so exported data can neither attack the reader nor be refused on import.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes a table. `numeric[i]` marks columns written as numbers in XLSX (when the cell parses).
pub fn write(
    format: Format,
    headers: &[&str],
    numeric: &[bool],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, String> {
    match format {
        Format::Csv => write_csv(headers, rows),
        Format::Xlsx => write_xlsx(headers, numeric, rows),
    }
}

fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers).map_err(|e| e.to_string())?;
    for row in rows {
        writer
            .write_record(row.iter().map(|c| defuse(c).into_owned()))
            .map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

fn write_xlsx(headers: &[&str], numeric: &[bool], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in headers.iter().enumerate() {
        sheet
            .write_string(0, col as u16, *header)
            .map_err(|e| e.to_string())?;
    }
    for (index, row) in rows.iter().enumerate() {
        let r = index as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let number = numeric
                .get(col)
                .copied()
                .unwrap_or(false)
                .then(|| cell.parse::<i64>().ok())
                .flatten()
                .filter(|n| n.unsigned_abs() < (1 << 53));
            match number {
                Some(n) => sheet.write_number(r, col as u16, n as f64),
                None => sheet.write_string(r, col as u16, defuse(cell).as_ref()),
            }
            .map_err(|e| e.to_string())?;
        }
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn csv_with_semicolons_bom_and_blank_lines() {
        let table = read(Format::Csv, b"\xEF\xBB\xBFa;b\n1;2\n;\n3;4\n").unwrap();
        assert_eq!(table.headers, ["a", "b"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].number, 4);
    }

    #[test]
    fn csv_refuses_broken_utf8_and_formulas_with_their_place() {
        let broken = read(Format::Csv, b"a,b\nok,\xFF\n").unwrap_err();
        assert_eq!(
            (broken.code, broken.row, broken.column.as_deref()),
            ("invalid_utf8", Some(2), Some("B"))
        );
        let formula = read(Format::Csv, b"a,b\n=1+1,x\n").unwrap_err();
        assert_eq!(
            (formula.code, formula.row, formula.column.as_deref()),
            ("formula_not_allowed", Some(2), Some("A"))
        );
    }

    #[test]
    fn exported_text_that_looks_like_a_formula_reads_back_unchanged() {
        let rows = vec![vec!["=SUM(A1)".to_owned(), "+62811".to_owned()]];
        for format in [Format::Csv, Format::Xlsx] {
            let bytes = write(format, &["a", "b"], &[false, false], &rows).unwrap();
            let table = read(format, &bytes).unwrap();
            assert_eq!(table.rows[0].cells, rows[0], "{format:?}");
        }
    }

    #[test]
    fn xlsx_round_trip_keeps_numbers_whole() {
        let rows = vec![vec!["3271014501900001".to_owned(), "Warung".to_owned()]];
        let bytes = write(Format::Xlsx, &["nik", "name"], &[true, false], &rows).unwrap();
        assert_eq!(detect("x.bin", &bytes), Some(Format::Xlsx));
        let table = read(Format::Xlsx, &bytes).unwrap();
        assert_eq!(table.headers, ["nik", "name"]);
        assert_eq!(table.rows[0].cells, rows[0]);
    }

    #[test]
    fn a_workbook_that_unzips_too_far_is_refused_before_it_is_inflated() {
        use std::io::Write;
        let mut archive = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        archive
            .start_file("xl/worksheets/sheet1.xml", options)
            .unwrap();
        archive.write_all(&vec![0u8; 2 << 20]).unwrap();
        let bomb = archive.finish().unwrap().into_inner();
        assert!(bomb.len() < 64 << 10, "{} bytes", bomb.len());
        // The same check as `read` applies with 256 MiB, scaled down to stay quick.
        let limit = 1 << 20;
        assert_eq!(
            check_unzipped_size(&bomb, limit).unwrap_err().code,
            "workbook_too_large"
        );
        assert!(check_unzipped_size(&bomb, 2 << 20).is_ok());
    }

    #[test]
    fn garbage_is_not_a_workbook() {
        let problem = read(Format::Xlsx, b"PK\x03\x04garbage").unwrap_err();
        assert_eq!(problem.code, "unreadable_file");
        assert_eq!(read(Format::Csv, b"").unwrap_err().code, "empty_file");
    }
}
