//! Table exports that Excel opens: CSV with a byte-order mark and XLSX with real numbers.

use crate::error::{PageError, PageErrorKind};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV download. The UTF-8 byte-order mark makes Excel in a Korean locale read UTF-8 rather
/// than CP949.
pub fn csv(file_name: &str, head: &[String], rows: &[Vec<String>]) -> Result<Response, PageError> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        for r in std::iter::once(head).chain(rows.iter().map(Vec::as_slice)) {
            w.write_record(r).map_err(|e| {
                tracing::error!(error = %e, "CSV export failed");
                PageError(PageErrorKind::Internal)
            })?;
        }
        w.flush().map_err(|_| PageError(PageErrorKind::Internal))?;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        out,
    )
        .into_response())
}

/// An XLSX download; the columns in `numeric` stay numbers so that Excel can sum them.
pub async fn xlsx(file_name: &str, head: Vec<String>, rows: Vec<Vec<String>>, numeric: &'static [usize]) -> Result<Response, PageError> {
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, cc) = (r as u32 + 1, c as u16);
                match v.parse::<f64>() {
                    Ok(n) if numeric.contains(&c) => ws.write_number(r, cc, n)?,
                    _ => ws.write_string(r, cc, v)?,
                };
            }
        }
        ws.autofit();
        wb.save_to_buffer()
    })
    .await
    .map_err(|_| PageError(PageErrorKind::Internal))?
    .map_err(|e| {
        tracing::error!(error = %e, "XLSX export failed");
        PageError(PageErrorKind::Internal)
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}
