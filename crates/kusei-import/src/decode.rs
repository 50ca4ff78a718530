//! Encoding detection: UTF-8 (with or without BOM), UTF-16LE/BE with BOM,
//! Shift_JIS (CP932) and EUC-JP. Binary, empty and undecodable input is refused.

use crate::error::{ImportError, STDIN_NAME};
use encoding_rs::{Encoding, EUC_JP, SHIFT_JIS, UTF_16BE, UTF_16LE};

/// Decode a text file's bytes. Returns the text (without BOM) and the encoding name
/// (`UTF-8`, `UTF-16LE`, `UTF-16BE`, `Shift_JIS`, `EUC-JP`).
///
/// Errors name the reason (the file name is `<input>`; `parse_bytes` / `parse_file`
/// substitute the real one).
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), ImportError> {
    let file = STDIN_NAME.to_string();
    if bytes.is_empty() {
        return Err(ImportError::Empty { file });
    }
    let (text, name) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (strict(encoding_rs::UTF_8, rest, 3, &file)?, "UTF-8")
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (strict_utf16(UTF_16LE, rest, &file)?, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (strict_utf16(UTF_16BE, rest, &file)?, "UTF-16BE")
    } else {
        if let Some(offset) = bytes.iter().position(|b| *b == 0) {
            return Err(ImportError::Binary { file, offset });
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "UTF-8"),
            Err(utf8_err) => {
                let mut best: Option<(i64, String, &'static str)> = None;
                for enc in [SHIFT_JIS, EUC_JP] {
                    if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(bytes)
                    {
                        let score = japaneseness(&s);
                        if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                            best = Some((score, s.into_owned(), enc.name()));
                        }
                    }
                }
                match best {
                    Some((_, s, name)) => (s, name),
                    None => {
                        return Err(ImportError::Undecodable {
                            file,
                            offset: utf8_err.valid_up_to(),
                        })
                    }
                }
            }
        }
    };
    check_text(&text, &file)?;
    Ok((text, name))
}

fn strict(
    enc: &'static Encoding,
    bytes: &[u8],
    skip: usize,
    file: &str,
) -> Result<String, ImportError> {
    match enc.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(s) => Ok(s.into_owned()),
        None => {
            let offset = std::str::from_utf8(bytes)
                .err()
                .map(|e| e.valid_up_to())
                .unwrap_or(0)
                + skip;
            Err(ImportError::BadBom {
                file: file.to_string(),
                encoding: enc.name(),
                offset,
            })
        }
    }
}

fn strict_utf16(enc: &'static Encoding, bytes: &[u8], file: &str) -> Result<String, ImportError> {
    if bytes.len() & 1 == 1 {
        return Err(ImportError::BadBom {
            file: file.to_string(),
            encoding: enc.name(),
            offset: bytes.len() + 1,
        });
    }
    match enc.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(s) => {
            if let Some(pos) = s.find('\0') {
                let units = s[..pos].encode_utf16().count();
                return Err(ImportError::Binary {
                    file: file.to_string(),
                    offset: 2 + units * 2,
                });
            }
            Ok(s.into_owned())
        }
        None => Err(ImportError::BadBom {
            file: file.to_string(),
            encoding: enc.name(),
            offset: 2,
        }),
    }
}

/// Higher is more plausible Japanese text: kana and kanji count, half-width katakana
/// (typical of EUC-JP read as Shift_JIS) and controls count against.
fn japaneseness(s: &str) -> i64 {
    let mut score = 0i64;
    for c in s.chars() {
        score += match c {
            '\u{3040}'..='\u{30ff}' => 2,
            '\u{4e00}'..='\u{9fff}' => 1,
            '\u{3000}'..='\u{303f}' | '\u{ff01}'..='\u{ff5e}' => 1,
            '\u{ff61}'..='\u{ff9f}' => -3,
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => -5,
            '\u{e000}'..='\u{f8ff}' => -5,
            _ => 0,
        };
    }
    score
}

/// After decoding: refuse empty (only whitespace) and control-character garbage.
fn check_text(text: &str, file: &str) -> Result<(), ImportError> {
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let mut total = 0usize;
    let mut controls = 0usize;
    let mut first = None;
    for (i, c) in text.char_indices() {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            controls += 1;
            first.get_or_insert(i);
        }
    }
    // A few stray controls are tolerated (form feeds, a lost byte); many mean binary.
    if controls > 0 && controls * 100 >= total.max(1) {
        return Err(ImportError::ControlChars {
            file: file.to_string(),
            count: controls,
            offset: first.unwrap_or(0),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_bom() {
        assert_eq!(decode("取組項目1".as_bytes()).unwrap().1, "UTF-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("計画".as_bytes());
        assert_eq!(decode(&b).unwrap(), ("計画".to_string(), "UTF-8"));
    }

    #[test]
    fn shift_jis_and_euc() {
        let text = "取組項目1\n【歳入の確保】\n計画\t(目標) 収納率";
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis).unwrap(), (text.to_string(), "Shift_JIS"));
        let (euc, _, _) = EUC_JP.encode(text);
        assert_eq!(decode(&euc).unwrap(), (text.to_string(), "EUC-JP"));
    }

    #[test]
    fn refusals() {
        assert!(matches!(decode(b""), Err(ImportError::Empty { .. })));
        assert!(matches!(decode(b" \n\t\n"), Err(ImportError::Empty { .. })));
        assert!(matches!(
            decode(b"abc\0def"),
            Err(ImportError::Binary { offset: 3, .. })
        ));
        assert!(matches!(
            decode(&[0xFF, 0xFE, 0x41]),
            Err(ImportError::BadBom { .. })
        ));
        // lone continuation bytes: not UTF-8, not SJIS, not EUC-JP
        assert!(matches!(
            decode(&[0x41, 0x80, 0x80, 0xFF, 0xFF]),
            Err(ImportError::Undecodable { .. })
        ));
        let ctl: Vec<u8> = (1u8..9).cycle().take(100).collect();
        assert!(matches!(
            decode(&ctl),
            Err(ImportError::ControlChars { .. })
        ));
    }
}
