//! How big a workbook becomes once unpacked, read from the zip's central directory before
//! anything is decompressed: a zip bomb (a few megabytes that expand to gigabytes) is
//! refused with a message instead of exhausting memory. Pure; reads only the directory.

/// The most a workbook may expand to. Kusei's own workbook of a 24-ward city year is a
/// few megabytes unpacked.
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;
/// A part that expands more than this many times is refused when it is large.
const MAX_RATIO: u64 = 200;
/// Parts up to this size are never refused for their ratio (XML of blank cells packs well).
const RATIO_FREE: u64 = 16 * 1024 * 1024;

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(
        b.get(at..at + 4)?.try_into().ok()?,
    )))
}

/// Why the workbook is refused, in both languages; `None` when its declared sizes are
/// within the limits (or it is no zip at all: the reader says so itself).
pub fn too_big(bytes: &[u8]) -> Option<(String, String)> {
    // The end-of-central-directory record: in the last 64 KiB + 22 bytes.
    let from = bytes.len().saturating_sub(65_536 + 22);
    let eocd = (from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(bytes, i) == Some(u64::from(EOCD)))?;
    let entries = u16_at(bytes, eocd + 10)?;
    let mut at = usize::try_from(u32_at(bytes, eocd + 16)?).ok()?;
    let mut total = 0u64;
    for _ in 0..entries {
        if u32_at(bytes, at)? != u64::from(CENTRAL) {
            return None;
        }
        let packed = u32_at(bytes, at + 20)?;
        let unpacked = u32_at(bytes, at + 24)?;
        let name_len = usize::try_from(u16_at(bytes, at + 28)?).ok()?;
        let extra_len = usize::try_from(u16_at(bytes, at + 30)?).ok()?;
        let comment_len = usize::try_from(u16_at(bytes, at + 32)?).ok()?;
        let name = String::from_utf8_lossy(bytes.get(at + 46..at + 46 + name_len)?).to_string();
        // ZIP64 (a part of 4 GiB or more): far beyond any workbook.
        if unpacked == u64::from(u32::MAX) || packed == u64::from(u32::MAX) {
            return Some(refusal(&name, None));
        }
        total = total.saturating_add(unpacked);
        if unpacked > RATIO_FREE && unpacked / packed.max(1) > MAX_RATIO {
            return Some(refusal(&name, Some(unpacked)));
        }
        if total > MAX_UNPACKED {
            return Some(refusal(&name, Some(total)));
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    None
}

fn refusal(part: &str, size: Option<u64>) -> (String, String) {
    let mib = |n: u64| n / (1024 * 1024);
    let size_ja = size.map_or_else(|| "4 GiB 以上".to_string(), |s| format!("{} MiB", mib(s)));
    let size_en = size.map_or_else(
        || "4 GiB or more".to_string(),
        |s| format!("{} MiB", mib(s)),
    );
    (
        format!(
            "展開すると大きすぎるため読み込みません（部品「{part}」で {size_ja}、上限 {} MiB）。Kusei が書き出したブックか確認してください",
            mib(MAX_UNPACKED)
        ),
        format!(
            "it expands too far to be read (part {part}: {size_en}; the limit is {} MiB); check that it is a workbook Kusei wrote",
            mib(MAX_UNPACKED)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip holding `parts` (name, packed size, unpacked size) as the central directory
    /// declares them: the data itself is irrelevant to the check.
    fn zip(parts: &[(&str, u32, u32)]) -> Vec<u8> {
        let mut out = b"PK\x03\x04 local data is not read".to_vec();
        let start = out.len() as u32;
        for (name, packed, unpacked) in parts {
            out.extend(CENTRAL.to_le_bytes());
            out.extend([0u8; 16]);
            out.extend(packed.to_le_bytes());
            out.extend(unpacked.to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend([0u8; 16]);
            out.extend(name.as_bytes());
        }
        let size = out.len() as u32 - start;
        out.extend(EOCD.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((parts.len() as u16).to_le_bytes());
        out.extend((parts.len() as u16).to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend([0u8; 2]);
        out
    }

    #[test]
    fn ordinary_workbooks_pass() {
        assert_eq!(
            too_big(&zip(&[
                ("xl/workbook.xml", 900, 3_000),
                ("xl/worksheets/sheet1.xml", 200_000, 4_000_000)
            ])),
            None
        );
        // Blank cells pack very well: a small part is never refused for its ratio.
        assert_eq!(too_big(&zip(&[("xl/styles.xml", 10, 1_000_000)])), None);
        assert_eq!(too_big(b"not a zip at all"), None);
    }

    #[test]
    fn bombs_are_refused_naming_the_part() {
        let (ja, en) = too_big(&zip(&[(
            "xl/worksheets/sheet1.xml",
            3_000_000,
            3_000_000_000,
        )]))
        .unwrap();
        assert!(
            ja.contains("xl/worksheets/sheet1.xml") && ja.contains("上限 256 MiB"),
            "{ja}"
        );
        assert!(en.contains("expands too far"), "{en}");
        // Many honest parts that together exceed the limit.
        let many: Vec<(String, u32, u32)> = (0..40)
            .map(|i| (format!("xl/worksheets/sheet{i}.xml"), 4_000_000, 8_000_000))
            .collect();
        let parts: Vec<(&str, u32, u32)> =
            many.iter().map(|(n, p, u)| (n.as_str(), *p, *u)).collect();
        assert!(too_big(&zip(&parts)).is_some());
        // ZIP64 sizes.
        assert!(too_big(&zip(&[("xl/big.xml", u32::MAX, u32::MAX)])).is_some());
    }
}
