//! What an uploaded file really is, judged by its first bytes rather than its name: a company's
//! "invoice.pdf" that is an executable must be refused. Only formats people attach to a case or
//! a plan are accepted: PDF, images, Office documents (OOXML and the older compound format) and
//! Hangul (HWP/HWPX), plain text and CSV.

/// The largest file accepted (10 MiB): enough for scanned certificates, small enough for a desk.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub media_type: &'static str,
    /// The extension the stored download gets, whatever the uploaded name said.
    pub extension: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadError {
    Empty,
    TooLarge,
    /// The content is not one of the accepted formats.
    UnsupportedType,
}

impl UploadError {
    pub fn message_key(self) -> &'static str {
        match self {
            UploadError::Empty => "upload-empty",
            UploadError::TooLarge => "upload-too-large",
            UploadError::UnsupportedType => "upload-unsupported",
        }
    }
}

const fn kind(media_type: &'static str, extension: &'static str) -> Kind {
    Kind { media_type, extension }
}

/// Checks the size and recognises the format from the content.
pub fn check(bytes: &[u8]) -> Result<Kind, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(UploadError::TooLarge);
    }
    sniff(bytes).ok_or(UploadError::UnsupportedType)
}

fn sniff(b: &[u8]) -> Option<Kind> {
    if b.starts_with(b"%PDF-") {
        return Some(kind("application/pdf", "pdf"));
    }
    if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(kind("image/png", "png"));
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(kind("image/jpeg", "jpg"));
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some(kind("image/gif", "gif"));
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Some(kind("image/webp", "webp"));
    }
    if b.starts_with(b"PK\x03\x04") {
        return zip_kind(b);
    }
    // The compound-file header of .doc, .xls, .ppt and HWP 5.
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(kind("application/x-ole-storage", "bin"));
    }
    if is_text(b) {
        return Some(kind("text/plain; charset=utf-8", "txt"));
    }
    None
}

/// Office Open XML and HWPX are zip archives; the part names tell them apart. The names sit in
/// the local file headers near the start, so a bounded scan is enough.
fn zip_kind(b: &[u8]) -> Option<Kind> {
    let head = &b[..b.len().min(64 * 1024)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"word/") {
        Some(kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"))
    } else if has(b"xl/") {
        Some(kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"))
    } else if has(b"ppt/") {
        Some(kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"))
    } else if has(b"application/hwp+zip") || has(b"Contents/section") {
        Some(kind("application/hwp+zip", "hwpx"))
    } else {
        // Other archives could carry anything.
        None
    }
}

/// UTF-8 text without control characters other than tab and line breaks (CSV, notes).
fn is_text(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(s) => s.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')),
        Err(_) => false,
    }
}

/// A file name safe to show and to put in a Content-Disposition header: no path, no control
/// characters, at most 120 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(120).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." { "file".to_string() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats_by_content() {
        assert_eq!(check(b"%PDF-1.7\n...").unwrap().extension, "pdf");
        assert_eq!(check(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]).unwrap().media_type, "image/png");
        assert_eq!(check(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().extension, "jpg");
        assert_eq!(check(b"PK\x03\x04....word/document.xml").unwrap().extension, "docx");
        assert_eq!(check(b"PK\x03\x04....xl/workbook.xml").unwrap().extension, "xlsx");
        assert_eq!(check("품목,수량\n8501,3\n".as_bytes()).unwrap().extension, "txt");
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert_eq!(check(b""), Err(UploadError::Empty));
        assert_eq!(check(b"MZ\x90\x00\x03"), Err(UploadError::UnsupportedType)); // a Windows executable
        assert_eq!(check(b"PK\x03\x04....payload.exe"), Err(UploadError::UnsupportedType));
        assert_eq!(check(b"\x7fELF\x02\x01"), Err(UploadError::UnsupportedType));
        assert_eq!(check(&vec![b'a'; MAX_BYTES + 1]), Err(UploadError::TooLarge));
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\인증서.pdf"), "인증서.pdf");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name("a\"b\n.pdf"), "ab.pdf");
    }
}
