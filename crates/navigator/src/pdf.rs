//! A plan as a PDF for the company's management: the summary, then one row per step (number,
//! step, authority, status, due date, latest finish), on A4 pages in Korean or English.
//!
//! Text is set with one TrueType font that has Hangul (NanumGothic, shipped under `static/fonts`
//! with its licence); krilla embeds only the glyphs used. Lines are broken by an estimate of
//! each character's advance (Hangul and other wide characters one em, the rest a little over
//! half), which is close enough for a table of short texts.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

/// What the PDF shows, already worded in the reader's language.
pub struct PlanPdf {
    pub title: String,
    /// (label, value) pairs under the title.
    pub summary: Vec<(String, String)>,
    /// A warning line (illustrative data).
    pub note: String,
    pub header: [String; 6],
    pub rows: Vec<PdfRow>,
    /// Bottom of every page, before the page number.
    pub footer: String,
}

pub struct PdfRow {
    pub cells: [String; 6],
    /// Drawn in the accent colour (critical path).
    pub highlight: bool,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 42.0;
const BODY: f32 = 9.0;
const LINE: f32 = 12.5;
/// Column widths in points; they add up to the width between the margins.
const COLUMNS: [f32; 6] = [24.0, 172.0, 132.0, 63.0, 60.0, 60.0];

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the font cannot be read")]
    Font,
    #[error("writing the PDF failed: {0}")]
    Write(String),
}

/// How wide `s` is in ems, by the estimate described in the module comment.
fn width_em(s: &str) -> f32 {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFF60 => 1.0,
            0x20 => 0.3,
            _ if c.is_ascii_digit() || c == '-' || c == '.' => 0.5,
            _ if c.is_ascii_uppercase() => 0.65,
            _ => 0.55,
        })
        .sum()
}

/// Breaks `text` into lines at most `width` points wide at `size`, at spaces where possible.
pub fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let max = width / size;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if width_em(&candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word longer than the column (common in Korean, which has few spaces) is cut.
        for c in word.chars() {
            if width_em(&line) + width_em(&c.to_string()) > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

struct Writer {
    doc: Document,
    font: Font,
}

/// Writes the PDF. `font` is the TrueType file's bytes (shared, read once per process).
pub fn render(plan: &PlanPdf, font: std::sync::Arc<Vec<u8>>) -> Result<Vec<u8>, PdfError> {
    let font = Font::new(font.into(), 0).ok_or(PdfError::Font)?;
    let mut w = Writer { doc: Document::new(), font };
    // Lay out first, so each page can be drawn in one go.
    let mut blocks: Vec<Block> = Vec::new();
    blocks.push(Block::Title(plan.title.clone()));
    for (k, v) in &plan.summary {
        blocks.push(Block::Text(format!("{k}: {v}"), false));
    }
    if !plan.note.is_empty() {
        for l in wrap(&plan.note, PAGE_W - 2.0 * MARGIN, BODY) {
            blocks.push(Block::Text(l, true));
        }
    }
    blocks.push(Block::Gap);
    blocks.push(Block::Row(plan.header.clone(), true, false));
    for r in &plan.rows {
        blocks.push(Block::Row(r.cells.clone(), false, r.highlight));
    }
    let mut pages: Vec<Vec<(f32, Block)>> = vec![Vec::new()];
    let mut y = MARGIN;
    for b in blocks {
        let h = b.height();
        if y + h > PAGE_H - MARGIN - 20.0 {
            pages.push(Vec::new());
            y = MARGIN;
            if matches!(b, Block::Row(_, false, _)) {
                // The table header again at the top of each page.
                let header = Block::Row(plan.header.clone(), true, false);
                let hh = header.height();
                pages.last_mut().expect("a page").push((y, header));
                y += hh;
            }
        }
        pages.last_mut().expect("a page").push((y, b));
        y += h;
    }
    let total = pages.len();
    for (n, blocks) in pages.into_iter().enumerate() {
        w.page(&blocks, &format!("{} · {}/{}", plan.footer, n + 1, total))?;
    }
    w.doc.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

enum Block {
    Title(String),
    Text(String, bool),
    Gap,
    /// Cells, header?, highlighted?
    Row([String; 6], bool, bool),
}

impl Block {
    fn height(&self) -> f32 {
        match self {
            Block::Title(_) => 30.0,
            Block::Text(..) => LINE,
            Block::Gap => 10.0,
            Block::Row(cells, ..) => {
                let lines = cells.iter().zip(COLUMNS).map(|(c, w)| wrap(c, w - 6.0, BODY).len()).max().unwrap_or(1);
                lines as f32 * LINE + 6.0
            }
        }
    }
}

fn fill(r: u8, g: u8, b: u8) -> Fill {
    Fill { paint: rgb::Color::new(r, g, b).into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

impl Writer {
    fn page(&mut self, blocks: &[(f32, Block)], footer: &str) -> Result<(), PdfError> {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Write("page size".into()))?;
        let mut page = self.doc.start_page_with(settings);
        let mut s = page.surface();
        let font = self.font.clone();
        let text = |s: &mut krilla::surface::Surface, x: f32, y: f32, size: f32, t: &str, color: (u8, u8, u8)| {
            s.set_fill(Some(fill(color.0, color.1, color.2)));
            s.draw_text(Point::from_xy(x, y), font.clone(), size, t, false, TextDirection::Auto);
        };
        for (y, b) in blocks {
            match b {
                Block::Title(t) => text(&mut s, MARGIN, y + 18.0, 16.0, t, (0x1d, 0x56, 0xbc)),
                Block::Text(t, warn) => text(&mut s, MARGIN, y + 9.5, BODY, t, if *warn { (0xb2, 0x22, 0x22) } else { (0x1e, 0x21, 0x24) }),
                Block::Gap => {}
                Block::Row(cells, header, highlight) => {
                    let mut x = MARGIN;
                    let color = if *header {
                        (0x46, 0x4c, 0x53)
                    } else if *highlight {
                        (0x1d, 0x56, 0xbc)
                    } else {
                        (0x1e, 0x21, 0x24)
                    };
                    for (c, w) in cells.iter().zip(COLUMNS) {
                        for (i, l) in wrap(c, w - 6.0, BODY).iter().enumerate() {
                            text(&mut s, x + 2.0, y + 3.0 + 9.5 + i as f32 * LINE, BODY, l, color);
                        }
                        x += w;
                    }
                    let h = b.height();
                    let mut pb = PathBuilder::new();
                    pb.move_to(MARGIN, y + h);
                    pb.line_to(PAGE_W - MARGIN, y + h);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(0xcd, 0xd1, 0xd5).into(),
                            width: if *header { 1.0 } else { 0.5 },
                            ..Default::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
            }
        }
        text(&mut s, MARGIN, PAGE_H - MARGIN + 10.0, 7.5, footer, (0x6d, 0x72, 0x78));
        s.finish();
        page.finish();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_and_inside_long_korean_words() {
        assert_eq!(wrap("one two three", 100.0, 10.0), vec!["one two three"]);
        let lines = wrap("해외직접투자신고서와사업계획서를준비합니다", 60.0, 10.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| width_em(l) <= 6.0), "{lines:?}");
        assert_eq!(wrap("", 50.0, 10.0), vec![String::new()]);
    }
}
