//! A TrueType subset for embedding in a PDF as a CIDFontType2 program.
//!
//! The glyph numbering stays as in the original font (the PDF maps CIDs to glyph ids one to one),
//! so the subset keeps every glyph slot but only the outlines of the glyphs used, glyph 0 and,
//! recursively, the components of composite glyphs. It holds the tables a PDF viewer needs for a
//! TrueType CIDFont (ISO 32000-1, 9.9): `head`, `hhea`, `hmtx`, `maxp`, `loca` (long offsets),
//! `glyf` and, when the font has them, the hinting tables `cvt `, `fpgm` and `prep`. No `cmap`:
//! the PDF addresses glyphs by id.

use std::collections::BTreeSet;

/// Why a font could not be subset: a table is missing or does not hold together.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// The table checksum of the OpenType spec: the sum of big-endian u32 words, zero-padded.
pub fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

/// Tables of the font (the first one, for a collection) by tag.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let count = usize::from(u16_at(font, 4)?);
    (0..count).find_map(|i| {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4)? != tag {
            return None;
        }
        let off = u32_at(font, rec + 8)? as usize;
        let len = u32_at(font, rec + 12)? as usize;
        font.get(off..off.checked_add(len)?)
    })
}

/// The glyph ids a composite glyph refers to (empty for a simple glyph).
fn components(glyph: &[u8]) -> Result<Vec<u16>, Malformed> {
    const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
    const WE_HAVE_A_SCALE: u16 = 0x0008;
    const MORE_COMPONENTS: u16 = 0x0020;
    const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
    const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
    const SHORT: Malformed = Malformed("a composite glyph is cut short");
    // An empty glyph, or a simple one (a non-negative number of contours).
    match u16_at(glyph, 0) {
        Some(contours) if glyph.len() >= 10 && (contours as i16) < 0 => {}
        _ => return Ok(Vec::new()),
    }
    let mut out = Vec::new();
    let mut at = 10;
    loop {
        let flags = u16_at(glyph, at).ok_or(SHORT)?;
        out.push(u16_at(glyph, at + 2).ok_or(SHORT)?);
        at += 4;
        at += if flags & ARG_1_AND_2_ARE_WORDS != 0 { 4 } else { 2 };
        if flags & WE_HAVE_A_SCALE != 0 {
            at += 2;
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            at += 4;
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            at += 8;
        }
        if at > glyph.len() {
            return Err(SHORT);
        }
        if flags & MORE_COMPONENTS == 0 {
            return Ok(out);
        }
    }
}

/// The subset font program holding the outlines of `used` (glyph ids of `font`).
pub fn subset(font: &[u8], used: &BTreeSet<u16>) -> Result<Vec<u8>, Malformed> {
    let need = |tag: &'static [u8; 4]| table(font, tag).ok_or(Malformed("a required table is missing"));
    let head = need(b"head")?;
    let hhea = need(b"hhea")?;
    let hmtx = need(b"hmtx")?;
    let maxp = need(b"maxp")?;
    let loca = need(b"loca")?;
    let glyf = need(b"glyf")?;
    if head.len() < 54 || hhea.len() < 36 {
        return Err(Malformed("head or hhea is too short"));
    }
    let glyphs = usize::from(u16_at(maxp, 4).ok_or(Malformed("maxp is too short"))?);
    let long = u16_at(head, 50) == Some(1);
    let offset = |gid: usize| -> Option<usize> {
        if long { u32_at(loca, 4 * gid).map(|o| o as usize) } else { u16_at(loca, 2 * gid).map(|o| 2 * usize::from(o)) }
    };
    let outline = |gid: usize| -> Result<&[u8], Malformed> {
        let (start, end) = (offset(gid), offset(gid + 1));
        match (start, end) {
            (Some(s), Some(e)) if s <= e && e <= glyf.len() => Ok(&glyf[s..e]),
            _ => Err(Malformed("loca points outside glyf")),
        }
    };

    // Glyph 0, the glyphs used, and the components of composites, recursively.
    let mut keep = BTreeSet::new();
    let mut todo: Vec<u16> = std::iter::once(0).chain(used.iter().copied()).collect();
    while let Some(gid) = todo.pop() {
        if usize::from(gid) >= glyphs || !keep.insert(gid) {
            continue;
        }
        todo.extend(components(outline(usize::from(gid))?)?);
    }

    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity(4 * (glyphs + 1));
    for gid in 0..glyphs {
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        if keep.contains(&(gid as u16)) {
            new_glyf.extend_from_slice(outline(gid)?);
            new_glyf.resize(new_glyf.len().next_multiple_of(4), 0);
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());

    // Left side bearings of dropped glyphs are of no use; zeros compress better. Advances stay.
    let mut new_hmtx = hmtx.to_vec();
    let metrics = usize::from(u16_at(hhea, 34).unwrap_or(0));
    for gid in (0..glyphs).filter(|g| !keep.contains(&(*g as u16))) {
        let lsb = if gid < metrics { 4 * gid + 2 } else { 4 * metrics + 2 * (gid - metrics) };
        if let Some(b) = new_hmtx.get_mut(lsb..lsb + 2) {
            b.fill(0);
        }
    }

    let mut new_head = head[..54].to_vec();
    new_head[8..12].fill(0); // checkSumAdjustment, set once the whole file is known
    new_head[50..52].copy_from_slice(&1u16.to_be_bytes()); // indexToLocFormat: long

    // Sorted by tag, as the table directory must be.
    let mut tables: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"glyf", new_glyf),
        (b"head", new_head),
        (b"hhea", hhea.to_vec()),
        (b"hmtx", new_hmtx),
        (b"loca", new_loca),
        (b"maxp", maxp.to_vec()),
    ];
    for tag in [b"cvt ", b"fpgm", b"prep"] {
        if let Some(t) = table(font, tag) {
            tables.push((tag, t.to_vec()));
        }
    }
    tables.sort_by_key(|(tag, _)| **tag);

    let n = tables.len() as u16;
    let pow2 = 1u16 << (15 - n.leading_zeros()); // the largest power of two <= n
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow2 * 16).to_be_bytes());
    out.extend_from_slice(&(pow2.trailing_zeros() as u16).to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow2 * 16).to_be_bytes());
    let mut at = 12 + 16 * tables.len();
    let mut head_at = 0;
    for (tag, data) in &tables {
        if **tag == *b"head" {
            head_at = at;
        }
        out.extend_from_slice(*tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(at as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        at += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out[head_at + 8..head_at + 12].copy_from_slice(&adjustment.to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/fonts/NanumGothic.ttf")).expect("the shipped font")
    }

    #[test]
    fn the_subset_keeps_the_numbering_and_only_the_outlines_used() {
        let font = font();
        let face = ttf_parser::Face::parse(&font, 0).expect("the shipped font parses");
        let used: BTreeSet<u16> = "한국 Korea".chars().filter_map(|c| face.glyph_index(c)).map(|g| g.0).collect();
        let unused = face.glyph_index('굵').expect("a Hangul glyph").0;
        assert!(!used.contains(&unused));

        let sub = subset(&font, &used).expect("the subset");
        assert!(sub.len() * 20 < font.len(), "{} bytes of {}", sub.len(), font.len());
        assert_eq!(checksum(&sub), 0xB1B0_AFBA, "checkSumAdjustment makes the file sum to the magic number");
        let count = usize::from(u16_at(&sub, 4).unwrap());
        let tags: Vec<&[u8]> = (0..count).map(|i| &sub[12 + 16 * i..16 + 16 * i]).collect();
        assert!(tags.windows(2).all(|w| w[0] < w[1]), "the directory is sorted");
        for (i, tag) in tags.iter().enumerate() {
            let rec = 12 + 16 * i;
            let (sum, off, len) = (u32_at(&sub, rec + 4).unwrap(), u32_at(&sub, rec + 8).unwrap(), u32_at(&sub, rec + 12).unwrap());
            assert_eq!(off % 4, 0, "tables are 4-byte aligned");
            let data = &sub[off as usize..(off + len) as usize];
            if *tag != b"head" {
                assert_eq!(checksum(data), sum, "checksum of {:?}", std::str::from_utf8(tag));
            }
        }
        assert!(table(&sub, b"cmap").is_none() && table(&sub, b"GSUB").is_none());

        // The same ids draw the same outlines; the others draw nothing.
        let small = ttf_parser::Face::parse(&sub, 0).expect("the subset parses");
        assert_eq!(small.number_of_glyphs(), face.number_of_glyphs());
        struct Count(usize);
        impl ttf_parser::OutlineBuilder for Count {
            fn move_to(&mut self, _: f32, _: f32) {
                self.0 += 1;
            }
            fn line_to(&mut self, _: f32, _: f32) {
                self.0 += 1;
            }
            fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {
                self.0 += 1;
            }
            fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {
                self.0 += 1;
            }
            fn close(&mut self) {}
        }
        for &g in used.iter().chain([&0]) {
            let id = ttf_parser::GlyphId(g);
            let (mut a, mut b) = (Count(0), Count(0));
            let bbox = face.outline_glyph(id, &mut a);
            assert_eq!(small.outline_glyph(id, &mut b), bbox, "glyph {g}");
            assert_eq!(a.0, b.0, "glyph {g}");
            assert_eq!(small.glyph_hor_advance(id), face.glyph_hor_advance(id));
        }
        assert!(face.outline_glyph(ttf_parser::GlyphId(unused), &mut Count(0)).is_some());
        assert!(small.outline_glyph(ttf_parser::GlyphId(unused), &mut Count(0)).is_none());
    }

    #[test]
    fn composite_glyphs_bring_their_components() {
        // A composite with two components: glyph 7 (word arguments) and glyph 9 (byte arguments, a scale).
        let mut g = vec![0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0];
        g.extend_from_slice(&[0x00, 0x21, 0x00, 0x07, 0, 0, 0, 0]);
        g.extend_from_slice(&[0x00, 0x08, 0x00, 0x09, 0, 0, 0x40, 0x00]);
        assert_eq!(components(&g), Ok(vec![7, 9]));
        assert_eq!(components(&g[..20]), Err(Malformed("a composite glyph is cut short")));
        assert_eq!(components(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), Ok(vec![]));
    }
}
