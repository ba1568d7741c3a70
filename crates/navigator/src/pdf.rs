//! A plan as a PDF for the company's management: the summary, then one row per step (number,
//! step, authority, status, due date, latest finish), on A4 pages in Korean or English.
//!
//! Text is set with one TrueType font that has Hangul (NanumGothic, shipped under `static/fonts`
//! with its licence), embedded as a Type0 font over a CIDFontType2 whose CIDs are the font's glyph
//! ids (Identity-H, CIDToGIDMap Identity). Characters map to glyphs through the font's `cmap` one
//! by one, without shaping, which is right for Hangul syllables and Latin text; a ToUnicode map
//! lets readers copy and extract the text. Only the outlines used are embedded (see [`subset`]).
//! Lines are broken by an estimate of each character's advance (Hangul and other wide characters
//! one em, the rest a little over half), which is close enough for a table of short texts.

mod subset;

use std::collections::{BTreeMap, BTreeSet};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

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

/// Writes the PDF. `font` is the TrueType file's bytes (shared, read once per process).
pub fn render(plan: &PlanPdf, font: std::sync::Arc<Vec<u8>>) -> Result<Vec<u8>, PdfError> {
    let face = ttf_parser::Face::parse(&font, 0).map_err(|_| PdfError::Font)?;
    let mut glyphs = Glyphs { face, used: BTreeMap::new() };
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
    let contents: Vec<Vec<u8>> =
        pages.iter().enumerate().map(|(n, blocks)| page(&mut glyphs, blocks, &format!("{} · {}/{}", plan.footer, n + 1, total))).collect();
    let used: BTreeSet<u16> = glyphs.used.keys().copied().collect();
    let program = subset::subset(&font, &used).map_err(|_| PdfError::Font)?;

    let mut pdf = Pdf::new();
    let mut next = Ref::new(1);
    let catalog = next.bump();
    let tree = next.bump();
    let info = next.bump();
    let type0 = next.bump();
    let cid = next.bump();
    let descriptor = next.bump();
    let to_unicode = next.bump();
    let file = next.bump();
    let page_refs: Vec<(Ref, Ref)> = (0..total).map(|_| (next.bump(), next.bump())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info).title(TextStr(&plan.title)).producer(TextStr("GlobalDesk"));
    pdf.pages(tree).kids(page_refs.iter().map(|(p, _)| *p)).count(total as i32);
    for ((page_ref, content_ref), content) in page_refs.iter().zip(&contents) {
        let mut page = pdf.page(*page_ref);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).contents(*content_ref);
        page.resources().fonts().pair(FONT, type0);
        page.finish();
        pdf.stream(*content_ref, &deflate(content)?).filter(Filter::FlateDecode);
    }

    let face = &glyphs.face;
    let per_unit = 1000.0 / f32::from(face.units_per_em());
    let scale = |v: i16| f32::from(v) * per_unit;
    let base = format!("{}+{}", subset_tag(&used), postscript_name(face));
    let system = || SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(to_unicode);
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(system())
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let width = |g: u16| face.glyph_hor_advance(ttf_parser::GlyphId(g)).map_or(0.0, |a| (f32::from(a) * per_unit).round());
    let mut widths = cid_font.widths();
    let ids: Vec<u16> = used.iter().copied().collect();
    for run in ids.chunk_by(|a, b| a.checked_add(1) == Some(*b)) {
        widths.consecutive(run[0], run.iter().map(|&g| width(g)));
    }
    widths.finish();
    cid_font.finish();
    let bbox = face.global_bounding_box();
    let ascent = scale(face.ascender());
    pdf.font_descriptor(descriptor)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(scale(bbox.x_min), scale(bbox.y_min), scale(bbox.x_max), scale(bbox.y_max)))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(scale(face.descender()))
        .cap_height(face.capital_height().map_or(ascent * 0.7, scale))
        .stem_v(80.0)
        .font_file2(file);
    let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), system());
    for (&g, &c) in &glyphs.used {
        cmap.pair(g, c);
    }
    pdf.stream(to_unicode, &deflate(&cmap.finish())?).filter(Filter::FlateDecode);
    pdf.stream(file, &deflate(&program)?).filter(Filter::FlateDecode).pair(Name(b"Length1"), program.len() as i32);
    Ok(pdf.finish())
}

/// The page resource name of the one font.
const FONT: Name<'static> = Name(b"F0");

/// The font and the glyphs drawn with it so far.
struct Glyphs<'a> {
    face: ttf_parser::Face<'a>,
    /// Glyph id to the character it was first drawn for (for the ToUnicode map).
    used: BTreeMap<u16, char>,
}

impl Glyphs<'_> {
    /// `text` as a string of two-byte glyph ids (Identity-H). A character the font lacks is drawn
    /// as glyph 0 (.notdef); other spaces as the ordinary space.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 * text.len());
        for c in text.chars() {
            let glyph = self.face.glyph_index(c).or_else(|| if c.is_whitespace() { self.face.glyph_index(' ') } else { None });
            let g = glyph.map_or(0, |g| g.0);
            self.used.entry(g).or_insert(if glyph.is_some() && c.is_whitespace() { ' ' } else { c });
            out.extend_from_slice(&g.to_be_bytes());
        }
        out
    }
}

/// The six capital letters that name a subset (ISO 32000-1, 9.6.4), from the glyphs it holds.
fn subset_tag(used: &BTreeSet<u16>) -> String {
    // FNV-1a, so the same glyphs give the same tag.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in used {
        for b in g.to_be_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6).map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8)).collect()
}

/// The font's PostScript name (name id 6), restricted to characters safe in a PDF name.
fn postscript_name(face: &ttf_parser::Face) -> String {
    let name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
        .find_map(|n| {
            let units = n.name.chunks_exact(2).map(|b| u16::from_be_bytes([b[0], b[1]]));
            char::decode_utf16(units).collect::<Result<String, _>>().ok()
        })
        .unwrap_or_default();
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    if name.is_empty() { "Font".to_string() } else { name }
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).and_then(|()| e.finish()).map_err(|e| PdfError::Write(e.to_string()))
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

type Rgb = (u8, u8, u8);
const ACCENT: Rgb = (0x1d, 0x56, 0xbc);
const INK: Rgb = (0x1e, 0x21, 0x24);

fn rgb(c: Rgb) -> (f32, f32, f32) {
    (f32::from(c.0) / 255.0, f32::from(c.1) / 255.0, f32::from(c.2) / 255.0)
}

/// One run of text with its baseline at (`x`, `y`), `y` measured down from the top of the page.
fn text(content: &mut Content, glyphs: &mut Glyphs, x: f32, y: f32, size: f32, t: &str, color: Rgb) {
    let (r, g, b) = rgb(color);
    content.set_fill_rgb(r, g, b);
    content.begin_text();
    content.set_font(FONT, size);
    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - y]);
    content.show(Str(&glyphs.encode(t)));
    content.end_text();
}

/// The content stream of one page.
fn page(glyphs: &mut Glyphs, blocks: &[(f32, Block)], footer: &str) -> Vec<u8> {
    let mut s = Content::new();
    for (y, b) in blocks {
        match b {
            Block::Title(t) => text(&mut s, glyphs, MARGIN, y + 18.0, 16.0, t, ACCENT),
            Block::Text(t, warn) => text(&mut s, glyphs, MARGIN, y + 9.5, BODY, t, if *warn { (0xb2, 0x22, 0x22) } else { INK }),
            Block::Gap => {}
            Block::Row(cells, header, highlight) => {
                let mut x = MARGIN;
                let color = if *header {
                    (0x46, 0x4c, 0x53)
                } else if *highlight {
                    ACCENT
                } else {
                    INK
                };
                for (c, w) in cells.iter().zip(COLUMNS) {
                    for (i, l) in wrap(c, w - 6.0, BODY).iter().enumerate() {
                        if !l.is_empty() {
                            text(&mut s, glyphs, x + 2.0, y + 3.0 + 9.5 + i as f32 * LINE, BODY, l, color);
                        }
                    }
                    x += w;
                }
                // A rule under the row.
                let bottom = PAGE_H - (y + b.height());
                let (r, g, bl) = rgb((0xcd, 0xd1, 0xd5));
                s.set_stroke_rgb(r, g, bl);
                s.set_line_width(if *header { 1.0 } else { 0.5 });
                s.move_to(MARGIN, bottom);
                s.line_to(PAGE_W - MARGIN, bottom);
                s.stroke();
            }
        }
    }
    text(&mut s, glyphs, MARGIN, PAGE_H - MARGIN + 10.0, 7.5, footer, (0x6d, 0x72, 0x78));
    s.finish().into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::Read;

    #[test]
    fn lines_break_at_spaces_and_inside_long_korean_words() {
        assert_eq!(wrap("one two three", 100.0, 10.0), vec!["one two three"]);
        let lines = wrap("해외직접투자신고서와사업계획서를준비합니다", 60.0, 10.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| width_em(l) <= 6.0), "{lines:?}");
        assert_eq!(wrap("", 50.0, 10.0), vec![String::new()]);
    }

    fn font() -> std::sync::Arc<Vec<u8>> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/fonts/NanumGothic.ttf");
        std::sync::Arc::new(std::fs::read(path).expect("the shipped font"))
    }

    /// A plan like the ones exported: Korean and English, some critical steps, `rows` steps.
    fn plan(rows: usize) -> PlanPdf {
        let steps = [
            ("해외직접투자 신고", "한국수출입은행", "Register the company"),
            ("PT PMA 설립 등기", "Ministry of Law and Human Rights (AHU)", "Open a bank account"),
            ("사업자등록번호(NIB) 발급", "OSS RBA", "Tax registration (NPWP) for the new company"),
        ];
        PlanPdf {
            title: "인도네시아 법인 설립 — Indonesia".into(),
            summary: vec![("회사".into(), "한빛전자 주식회사".into()), ("Start".into(), "2025-03-01".into())],
            note: "예시 자료입니다. This schedule is illustrative; check every figure with the authority before relying on it.".into(),
            header: ["#", "단계", "기관", "상태", "마감", "최종"].map(String::from),
            rows: (0..rows)
                .map(|n| {
                    let (ko, authority, en) = steps[n % steps.len()];
                    let title = if n % 2 == 0 { ko.to_string() } else { format!("{en} ({n})") };
                    PdfRow {
                        cells: [(n + 1).to_string(), title, authority.into(), "진행 중".into(), "2025-04-01".into(), "2025-04-15".into()],
                        highlight: n % 4 == 0,
                    }
                })
                .collect(),
            footer: "GlobalDesk plan 7".into(),
        }
    }

    /// The streams of a PDF as pdf-writer lays them out: (dictionary text, decoded data).
    fn streams(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(k) = find(&pdf[from..], b">>\nstream\n") {
            let start = from + k + b">>\nstream\n".len();
            let dict_start = pdf[..from + k].windows(3).rposition(|w| w == b"obj").expect("an object");
            let dict = String::from_utf8_lossy(&pdf[dict_start..from + k]).into_owned();
            let len: usize =
                dict.split("/Length ").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse().ok()).expect("/Length");
            let raw = &pdf[start..start + len];
            assert!(pdf[start + len..].starts_with(b"\nendstream"), "the stream ends where /Length says");
            let mut data = Vec::new();
            if dict.contains("/FlateDecode") {
                flate2::read::ZlibDecoder::new(raw).read_to_end(&mut data).expect("valid Flate data");
            } else {
                data = raw.to_vec();
            }
            out.push((dict, data));
            from = start + len;
        }
        out
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    /// The `<code> <utf16>` pairs of a ToUnicode map.
    fn to_unicode(cmap: &str) -> HashMap<u16, String> {
        let mut map = HashMap::new();
        for line in cmap.lines().filter(|l| l.starts_with('<')) {
            let hex: Vec<&str> = line.split(['<', '>', ' ']).filter(|p| !p.is_empty()).collect();
            if let [code, text] = hex[..]
                && code.len() == 4
            {
                let units: Vec<u16> = (0..text.len()).step_by(4).map(|i| u16::from_str_radix(&text[i..i + 4], 16).unwrap()).collect();
                map.insert(u16::from_str_radix(code, 16).unwrap(), String::from_utf16(&units).unwrap());
            }
        }
        map
    }

    /// The text a content stream shows (one line per `Tj`), through the ToUnicode map.
    fn shown(content: &[u8], map: &HashMap<u16, String>) -> String {
        let mut out = String::new();
        let mut i = 0;
        let mut strings: Vec<Vec<u8>> = Vec::new();
        while i < content.len() {
            match content[i] {
                b'(' => {
                    let mut s = Vec::new();
                    let mut depth = 0;
                    i += 1;
                    loop {
                        match content[i] {
                            b'\\' => {
                                i += 1;
                                match content[i] {
                                    b'n' => s.push(b'\n'),
                                    b'r' => s.push(b'\r'),
                                    b't' => s.push(b'\t'),
                                    b'b' => s.push(8),
                                    b'f' => s.push(12),
                                    d @ b'0'..=b'7' => {
                                        let mut v = u32::from(d - b'0');
                                        for _ in 0..2 {
                                            if matches!(content[i + 1], b'0'..=b'7') {
                                                i += 1;
                                                v = v * 8 + u32::from(content[i] - b'0');
                                            }
                                        }
                                        s.push(v as u8);
                                    }
                                    c => s.push(c),
                                }
                            }
                            b'(' => {
                                depth += 1;
                                s.push(b'(');
                            }
                            b')' if depth == 0 => break,
                            b')' => {
                                depth -= 1;
                                s.push(b')');
                            }
                            c => s.push(c),
                        }
                        i += 1;
                    }
                    strings.push(s);
                }
                b'<' => {
                    let end = i + find(&content[i..], b">").unwrap();
                    let hex: String = String::from_utf8_lossy(&content[i + 1..end]).split_whitespace().collect();
                    strings.push((0..hex.len()).step_by(2).map(|k| u8::from_str_radix(&hex[k..k + 2], 16).unwrap()).collect());
                    i = end;
                }
                _ if content[i..].starts_with(b"Tj") => {
                    for pair in strings.pop().expect("a string for Tj").chunks(2) {
                        let code = u16::from_be_bytes([pair[0], pair[1]]);
                        out.push_str(map.get(&code).unwrap_or_else(|| panic!("glyph {code} has no ToUnicode entry")));
                    }
                    out.push('\n');
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// The text of each page, as a PDF reader extracts it.
    fn pages_text(pdf: &[u8]) -> Vec<String> {
        let streams = streams(pdf);
        let cmap = streams.iter().find(|(_, d)| find(d, b"begincmap").is_some()).expect("a ToUnicode map");
        let map = to_unicode(&String::from_utf8_lossy(&cmap.1));
        streams.iter().filter(|(_, d)| find(d, b" Tj").is_some()).map(|(_, d)| shown(d, &map)).collect()
    }

    #[test]
    fn a_long_plan_fills_several_pages_that_read_back_in_korean_and_english() {
        let plan = plan(120);
        let pdf = render(&plan, font()).expect("the PDF");
        assert!(pdf.starts_with(b"%PDF-1."));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));

        let pages = pages_text(&pdf);
        let text = String::from_utf8_lossy(&pdf);
        let count = text.matches("/Type /Page\n").count();
        assert!(pages.len() >= 4, "120 rows take several pages, not {}", pages.len());
        assert_eq!(count, pages.len(), "one content stream per page");
        assert!(text.contains(&format!("/Count {count}")));
        for (n, page) in pages.iter().enumerate() {
            assert!(page.contains("단계\n기관\n"), "page {} repeats the header: {page}", n + 1);
            assert!(page.contains(&format!("GlobalDesk plan 7 · {}/{}", n + 1, pages.len())), "page {} has its footer", n + 1);
        }
        let all = pages.concat();
        assert!(pages[0].contains("인도네시아 법인 설립 — Indonesia\n회사: 한빛전자 주식회사\n"), "{}", pages[0]);
        for needle in [
            "해외직접투자 신고",
            "PT PMA 설립 등기",
            "Register the company (3)",
            "Open a bank account (1)",
            "한국수출입은행",
            "Ministry of Law and",
            "진행 중",
        ] {
            assert!(all.contains(needle), "{needle} is in the text");
        }
        // Every row is there, the last on the last page.
        assert!(pages.last().unwrap().contains("\n120\n"));
        assert_eq!((1..=120).filter(|n| all.contains(&format!("\n{n}\n"))).count(), 120);
    }

    #[test]
    fn only_the_glyphs_used_are_embedded() {
        let font = font();
        let pdf = render(&plan(40), font.clone()).expect("the PDF");
        // To look at one: NAVIGATOR_SAMPLE_PDF=/tmp/plan.pdf cargo test -p navigator only_the_glyphs
        if let Some(path) = std::env::var_os("NAVIGATOR_SAMPLE_PDF") {
            std::fs::write(path, &pdf).unwrap();
        }
        let streams = streams(&pdf);
        let (dict, program) = streams.iter().find(|(d, _)| d.contains("/Length1")).expect("an embedded font program");
        let compressed: usize = dict.split("/Length ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap().parse().unwrap();
        assert!(dict.contains(&format!("/Length1 {}", program.len())));
        assert!(compressed * 50 < font.len(), "the font stream is {compressed} bytes");
        assert!(pdf.len() < 200_000, "the PDF is {} bytes", pdf.len());

        // Glyphs are addressed by their ids in the original font, and have their widths.
        let face = ttf_parser::Face::parse(&font, 0).unwrap();
        let small = ttf_parser::Face::parse(program, 0).expect("the embedded program is a TrueType font");
        let gid = face.glyph_index('설').unwrap();
        let bbox = face.outline_glyph(gid, &mut Sink).unwrap();
        assert_eq!(small.outline_glyph(gid, &mut Sink), Some(bbox));
        assert!(small.outline_glyph(face.glyph_index('굵').unwrap(), &mut Sink).is_none());
        let text = String::from_utf8_lossy(&pdf);
        let width = f32::from(face.glyph_hor_advance(gid).unwrap()) * 1000.0 / f32::from(face.units_per_em());
        assert!(text.contains("/Subtype /CIDFontType2") && text.contains("/CIDToGIDMap /Identity"));
        assert!(text.contains("/Encoding /Identity-H") && text.contains("/ToUnicode"));
        let w = text.split("/W [").nth(1).unwrap().split("]]").next().unwrap();
        assert!(w.contains(&format!("{} [{}", gid.0, width.round())) || w.contains(&format!(" {}", width.round())), "{w}");
    }

    struct Sink;
    impl ttf_parser::OutlineBuilder for Sink {
        fn move_to(&mut self, _: f32, _: f32) {}
        fn line_to(&mut self, _: f32, _: f32) {}
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
        fn close(&mut self) {}
    }

    #[test]
    fn a_font_that_is_not_one_is_refused() {
        assert!(matches!(render(&plan(1), std::sync::Arc::new(b"not a font".to_vec())), Err(PdfError::Font)));
    }
}
