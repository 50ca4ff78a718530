//! Mutations of documents and sentences, the ways real extracted files go wrong.

/// A small deterministic generator (SplitMix64): the same seed gives the same inputs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next_u64() % (n as u64)).unwrap_or(0)
        }
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Words, marks and markup of the forms, and characters extraction leaves behind.
const TOKENS: &[&str] = &[
    "目標",
    "(目標)",
    "（目標）",
    "実績",
    "(実績)",
    "年度",
    "令和7年度",
    "平成29年度",
    "29年度",
    "R7",
    "元年度",
    "までに",
    "以上",
    "以下",
    "未満",
    "以内",
    "超",
    "%",
    "％",
    "件",
    "回",
    "人",
    "千円",
    "万円",
    "億円",
    "前年度",
    "前年度比",
    "半減",
    "増加",
    "減少",
    "維持",
    "①",
    "②",
    "③",
    "①-1",
    "②-3",
    "-1",
    "☆",
    "◎",
    "★",
    "※",
    "【",
    "】",
    "《",
    "》",
    "(",
    ")",
    "（",
    "）",
    "「",
    "」",
    "<p>",
    "</p>",
    "<br>",
    "<BR/>",
    "&lt;",
    "&amp;",
    "\n",
    "\r\n",
    "\t",
    " ",
    "　",
    "・",
    "、",
    "。",
    "取組項目",
    "経営課題",
    "戦略",
    "具体的取組",
    "めざす成果",
    "自己評価",
    "中間振り返り",
    "計画",
    "課題と改善策",
    "当年度の取組実績及び目標の達成状況",
    "①：目標達成",
    "②：目標未達成",
    "0",
    "1",
    "97.60",
    "１２３",
    "1,234",
    "-5",
    "1e309",
    "99999999999999999999",
    "\u{feff}",
    "\u{202e}",
    "\u{0}",
    "\u{fffd}",
    "\u{3000}",
    "\u{2028}",
    "=SUM(A1)",
    "<script>",
];

fn byte_mutation(rng: &mut Rng, data: &mut Vec<u8>, others: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(len + 1);
            let b = u8::try_from(rng.below(256)).unwrap_or(0);
            data.insert(i, b);
        }
        2 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64.min(len - a))).min(len);
            data.drain(a..b);
        }
        3 => {
            let i = rng.below(len + 1);
            if let Some(t) = rng.pick(TOKENS) {
                data.splice(i..i, t.bytes());
            }
        }
        4 if len > 0 => {
            // A part repeated many times: long lines, deep nesting, big documents.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(200.min(len - a))).min(len);
            let part = data[a..b].to_vec();
            let most = if rng.chance(8) { 2_000 } else { 20 };
            let times = 1 + rng.below(most);
            let mut grown = Vec::with_capacity(part.len() * times);
            for _ in 0..times {
                grown.extend_from_slice(&part);
            }
            data.splice(b..b, grown);
        }
        5 if len > 0 => {
            data.truncate(rng.below(len));
        }
        6 => {
            // A part of another document spliced in.
            if let Some(other) = rng.pick(others) {
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = (a + 1 + rng.below(4_000.min(other.len() - a))).min(other.len());
                    let i = rng.below(len + 1);
                    data.splice(i..i, other[a..b].iter().copied());
                }
            }
        }
        7 => line_mutation(rng, data),
        _ => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(4);
            let junk: Vec<u8> = (0..n)
                .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
                .collect();
            data.splice(i..i, junk);
        }
    }
}

/// Drops, repeats or swaps whole lines (page furniture, lost and doubled lines).
fn line_mutation(rng: &mut Rng, data: &mut Vec<u8>) {
    let mut lines: Vec<Vec<u8>> = data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    if lines.is_empty() {
        return;
    }
    let i = rng.below(lines.len());
    match rng.below(3) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        _ => {
            let j = rng.below(lines.len());
            lines.swap(i, j);
        }
    }
    *data = lines.join(&b'\n');
}

/// A document: one of the corpus, mutated one to eight times.
pub fn document(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = rng.pick(corpus).cloned().unwrap_or_default();
    for _ in 0..1 + rng.below(8) {
        byte_mutation(rng, &mut data, corpus);
    }
    data
}

/// A target or actual sentence: one of the corpus, mutated by whole characters and form
/// words (so most inputs stay text a reader gets past its first checks with).
pub fn sentence(rng: &mut Rng, corpus: &[String]) -> String {
    let mut chars: Vec<char> = rng
        .pick(corpus)
        .map(|s| s.chars().collect())
        .unwrap_or_default();
    for _ in 0..1 + rng.below(6) {
        let len = chars.len();
        match rng.below(6) {
            0 if len > 0 => {
                chars.remove(rng.below(len));
            }
            1 | 2 => {
                let i = rng.below(len + 1);
                if let Some(t) = rng.pick(TOKENS) {
                    chars.splice(i..i, t.chars());
                }
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(40.min(len - a))).min(len);
                let part: Vec<char> = chars[a..b].to_vec();
                let most = if rng.chance(10) { 500 } else { 10 };
                let times = 1 + rng.below(most);
                let grown: Vec<char> = part
                    .iter()
                    .copied()
                    .cycle()
                    .take(part.len() * times)
                    .collect();
                chars.splice(b..b, grown);
            }
            4 => {
                if let Some(other) = rng.pick(corpus) {
                    let i = rng.below(len + 1);
                    chars.splice(i..i, other.chars().take(200));
                }
            }
            _ if len > 0 => {
                chars.truncate(rng.below(len));
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let corpus = vec!["(目標) 令和7年度 30%以上\n実績 25%".as_bytes().to_vec()];
        let a: Vec<Vec<u8>> = {
            let mut r = Rng::new(7);
            (0..50).map(|_| document(&mut r, &corpus)).collect()
        };
        let b: Vec<Vec<u8>> = {
            let mut r = Rng::new(7);
            (0..50).map(|_| document(&mut r, &corpus)).collect()
        };
        assert_eq!(a, b);
        assert!(a.iter().any(|d| d != &corpus[0]), "inputs are mutated");
    }
}
