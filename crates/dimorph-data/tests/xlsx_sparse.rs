//! A sparse worksheet: calamine's `Range` is dense from the first cell to the last, so one stray
//! cell at XFD1048576 beside a one-cell table asked for 512 GiB and aborted the process (found by
//! fuzzing the CLI). The reader now takes the sheet cell by cell: a far stray cell costs nothing, a
//! table that would span far more cells than the sheet holds is refused naming the file and the
//! sizes, and a table away from A1, with gaps, reads as before.

use dimorph_core::ScratchPath;
use dimorph_data::{read_xlsx, ColumnData, ReadOptions};
use std::io::Write;

const NS: &str = "http://schemas.openxmlformats.org/";

/// A workbook of one sheet "S" whose `<sheetData>` is `rows`, written to a scratch file.
fn workbook(name: &str, rows: &str) -> ScratchPath {
    let p = ScratchPath::new("dimorph-xlsx-sparse", name).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(&*p).unwrap());
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts = [
        (
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="{NS}package/2006/relationships"><Relationship Id="r1" Type="{NS}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns="{NS}spreadsheetml/2006/main" xmlns:r="{NS}officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="{NS}package/2006/relationships"><Relationship Id="r1" Type="{NS}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<worksheet xmlns="{NS}spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#),
        ),
    ];
    for (part, text) in parts {
        z.start_file(part, o).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    p
}

fn text(r: &str, t: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#)
}

/// A spreadsheet column's letters (0 → A, 25 → Z, 26 → AA).
fn column_letters(mut j: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn num(r: &str, v: f64) -> String {
    format!(r#"<c r="{r}"><v>{v}</v></c>"#)
}

#[test]
fn a_stray_cell_far_from_the_table_costs_nothing() {
    let rows = format!(
        r#"<row r="1">{}</row><row r="2">{}</row><row r="1048576">{}</row>"#,
        text("A1", "v"),
        num("A2", 1.5),
        num("XFD1048576", 5.0)
    );
    let p = workbook("stray.xlsx", &rows);
    let f = read_xlsx(&p, &ReadOptions::default()).unwrap();
    // the far row is a record (its cell lies beyond the table's one column: a missing value)
    assert_eq!(f.nrows, 2);
    let v = f.numeric("v").unwrap();
    assert!(v[0] == 1.5 && v[1].is_nan());
}

#[test]
fn a_table_spanning_far_more_cells_than_the_sheet_holds_is_refused() {
    // a header of 16,384 columns (A1 to XFD1) over 1,000 rows of one cell each would be 16 million
    // cells, of 17,384 the sheet holds
    let header: String = (0..16384)
        .map(|j| text(&format!("{}1", column_letters(j)), &format!("c{j}")))
        .collect();
    let mut rows = format!(r#"<row r="1">{header}</row>"#);
    for r in 2..=1001 {
        rows.push_str(&format!(r#"<row r="{r}">{}</row>"#, num(&format!("A{r}"), r as f64)));
    }
    let p = workbook("wide.xlsx", &rows);
    let e = read_xlsx(&p, &ReadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("wide.xlsx") && e.contains("sheet 'S'"), "{e}");
    assert!(
        e.contains("1000 rows × 16384 columns") && e.contains("holds only 17384 cells") && e.contains("stray cells"),
        "{e}"
    );
}

#[test]
fn a_table_away_from_a1_with_gaps_reads_by_its_cells() {
    // the table starts at B3; row 5 is empty (skipped as a blank line); row 6 has a cell only
    // beyond the table (a record of missing values, as before); C4 is missing
    let rows = format!(
        r#"<row r="3">{}{}</row><row r="4">{}</row><row r="6">{}</row><row r="7">{}{}</row>"#,
        text("B3", "x"),
        text("C3", "g"),
        num("B4", 1.0),
        num("F6", 9.0),
        num("B7", 2.5),
        text("C7", "b")
    );
    let p = workbook("gaps.xlsx", &rows);
    let f = read_xlsx(&p, &ReadOptions::default()).unwrap();
    assert_eq!(f.nrows, 3);
    assert_eq!(f.first_line, 4);
    let x = f.numeric("x").unwrap();
    assert_eq!(x[0], 1.0);
    assert!(x[1].is_nan());
    assert_eq!(x[2], 2.5);
    let ColumnData::Text { values, .. } = &f.column("g").unwrap().data else {
        panic!("g is text")
    };
    assert_eq!(values, &vec![None, None, Some("b".to_string())]);
}
