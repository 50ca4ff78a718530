//! Regular expressions over normalised text (see `text::normalize`).
//!
//! Every expression is compiled once. Compilation cannot fail for these fixed patterns
//! (a unit test checks them all); should it ever, the pattern simply never matches.

use regex::Regex;
use std::sync::LazyLock;

/// A number as written: "15,914", "97.19", "6".
pub(crate) const NUM: &str = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)";
/// A unit as written.
pub(crate) const UNIT: &str = r"(?:%|ポイント|千円|万円|億円|円|件|団体|世帯|施設|か所|箇所|ヶ所|カ所|校|社|台|冊|回|千人|人|名|点|つ星|時間|分|日)";
/// A fiscal year with optional era: "平成29年度", "29年度", "H29年度", "令和元年度".
pub(crate) const YEAR: &str = r"(?:(?:平成|令和|昭和)\s?|[HR]\s?)?(?:\d{1,4}|元)年度";
/// The year part without 年度, for ranges.
const YNUM: &str = r"(?:(?:平成|令和|昭和)\s?|[HR]\s?)?(?:\d{1,4}|元)";

pub(crate) type Lazy = LazyLock<Option<Regex>>;

fn compile(p: &str) -> Option<Regex> {
    Regex::new(p).ok()
}

/// The compiled expression, if it compiled.
pub(crate) fn rx(l: &'static Lazy) -> Option<&'static Regex> {
    l.as_ref()
}

pub(crate) static YEAR_RANGE: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<a>{YNUM})(?:年度)?\s?(?:~|-|から|・)\s?(?P<b>{YNUM})年度(?P<suf>末?まで(?:に)?|末(?:時点|現在)?(?:の|で|には|に)?)?"
    ))
});

/// A calendar-year deadline: 「令和8年までに」, 「令和8年末まで」, 「2026年までに」 (an era or a
/// four-digit year: 「3年まで」 could be a duration).
pub(crate) static YEAR_CALENDAR_BY: Lazy = LazyLock::new(|| {
    compile(r"(?P<a>(?:平成|令和|昭和)\s?(?:\d{1,2}|元)|[HR]\s?\d{1,2}|\d{4})年末?まで(?:に)?")
});

pub(crate) static YEAR_SINGLE: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<a>{YNUM})年度(?P<suf>末?まで(?:に)?|末(?:時点|現在)?(?:の|で|には|に)?)?"
    ))
});

pub(crate) static CUMULATIVE: Lazy =
    LazyLock::new(|| compile(r"^\s?の?\s?(?P<n>\d+)年間(?:で|の累計|累計)?"));

pub(crate) static AS_OF: Lazy = LazyLock::new(|| {
    compile(
        r"(?P<d>(?:(?:平成|令和|昭和)\s?|H\s?)?\d{1,4}年\s?\d{1,2}月(?:末|\s?\d{1,2}日)?)\s?(?:時点|現在)",
    )
});

/// A figure: a number in kanji (「三千円」, 「二十件」), an amount that mixes 億 and 万
/// (「3億2,000万円」, 「1億5千万円」), a count in 万 (「1.5万人」), a number with its unit,
/// or stars.
pub(crate) static FIGURE: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<kanji>[〇一二三四五六七八九十百千万億]{{2,24}})(?P<kunit>円|件|回|人|名|か所|箇所)|(?P<oku>{NUM})億(?P<man>{NUM})(?P<sen>千)?万円|(?P<manonly>{NUM})万(?P<munit>人|件|回|名)|(?P<num>{NUM})\s?(?P<unit>{UNIT})|(?P<stars>[☆★]+)"
    ))
});

pub(crate) static COMPARATOR: Lazy =
    LazyLock::new(|| compile(r"^\s?(?P<c>以上|以下|未満|超|を超える|を上回る|を下回る|以内)"));

pub(crate) static CHANGE_FOLLOW: Lazy =
    LazyLock::new(|| compile(r"^\s?の?(?P<d>増加|増|減少|減|削減|向上|低下|上昇)"));

pub(crate) static COMPARISON_FOLLOW: Lazy =
    LazyLock::new(|| compile(r"^\s?(?:に比し|に比べ|と比べ|と比較|と比し|比)"));

/// "28年度実績120人から20人増": a figure and the amount it is to change by (the target is
/// 140人); base and change in one measure.
pub(crate) static REL_ABS_DELTA: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?:(?P<by>{YEAR})(?P<bname>[^\s()]*?)\s?)?(?P<bnum>{NUM})\s?(?P<bunit>{UNIT})から(?P<dnum>{NUM})\s?(?P<dunit>{UNIT})(?P<dir>増加|増|減少|削減|減)"
    ))
});

/// "28年度件数(6件)から10%減(5件)"
pub(crate) static REL_PCT_PAREN: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<by>{YEAR}|前年度)?(?P<bname>[^\s()]*?)\((?P<bnum>{NUM})\s?(?P<bunit>{UNIT})\)から(?P<pct>{NUM})\s?(?P<pu>%|ポイント)(?P<dir>削減|減少|減|増加|増)(?:\((?P<snum>{NUM})\s?(?P<sunit>{UNIT})\))?"
    ))
});

/// "28年度件数 3件から1件に減"
pub(crate) static REL_FROM_TO: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?:(?P<by>{YEAR})(?P<bname>[^\s()]*?)\s?)?(?P<bnum>{NUM})\s?(?P<bunit>{UNIT})から(?P<tnum>{NUM})\s?(?P<tunit>{UNIT})(?:に|へ|まで)(?P<dir>削減|減少|減|増加|増|向上)"
    ))
});

/// "乖離(3.08%)の半減(1.54%)"
pub(crate) static REL_HALVE_PAREN: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<bname>[^\s()]*?)\((?P<bnum>{NUM})\s?(?P<bunit>{UNIT})\)の?半減(?:\((?P<snum>{NUM})\s?(?P<sunit>{UNIT})\))?"
    ))
});

/// "前年度より半減させる"
pub(crate) static REL_HALVE_YEAR: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<by>前年度|{YEAR})(?:の(?P<bname>[^\s()]*?))?(?:より|から|比で?|に比べて?|と比べて?)?半減(?:させる|する)?"
    ))
});

/// "29年度実績値に比べて2.5%増", "29年度の窓口への問合せ件数(平年度化したもの)の10%増"
pub(crate) static REL_PCT_BASE: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<by>{YEAR}|前年度)の?(?P<bname>[^\s]*?)(?:に比べて|に比べ|と比べて|と比較して|比で|比|より|から|の)(?P<pct>{NUM})\s?(?P<pu>%|ポイント)(?P<dir>削減|減少|減|増加|増|向上)"
    ))
});

/// "前年度以上"
pub(crate) static REL_PREVIOUS: Lazy = LazyLock::new(|| {
    compile(r"前年度(?:の)?(?:実績値|実績|値|数値)?(?P<cmp>以上|以下|を上回る|を下回る)")
});

/// "平成25年度電気使用量を維持"
pub(crate) static REL_MAINTAIN: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"(?P<by>{YEAR}|前年度)の?(?P<bname>[^\s()<>]*?)を?維持(?:する)?"
    ))
});

/// "※30・31年度の目標は、29年度の結果を踏まえて設定"
pub(crate) static PENDING_NOTE: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"※?\s?(?P<yrs>(?:{YNUM}(?:年度)?\s?(?:・|~|-|、)\s?)*{YNUM}年度)の目標は、?\s?(?P<basis>{YEAR})の結果を踏まえて設定(?:する)?"
    ))
});

/// "(具体的な数値は、平成30年度運営方針で設定)", "平成30年度運営方針で設定"
pub(crate) static SET_LATER: Lazy = LazyLock::new(|| {
    compile(&format!(
        r"\(?(?:具体的な数値は、?)?(?P<yr>{YEAR})の?(?:区)?運営方針(?:において|で)設定(?:する)?\)?"
    ))
});

/// 【平成29年度】
pub(crate) static SECTION: Lazy = LazyLock::new(|| compile(r"【\s?(?P<y>[^】]*?年度)\s?】"));

/// 【平成28年度最終実績収納率】 and other bracketed headers.
pub(crate) static HEADER: Lazy = LazyLock::new(|| compile(r"【(?P<h>[^】]*)】"));

/// A milestone target clause ends with one of these actions.
pub(crate) static MILESTONE_END: Lazy = LazyLock::new(|| {
    compile(
        r"(?:設置|選定|獲得|策定|作成|開催|実施|導入|開設|設立|構築|整備|締結|発行|公開|創設|立ち上げ)(?:を行う|する|します|させる|を図る)?(?:こと)?[。\s]*$",
    )
});

/// A milestone done in an actual: "…を設置した".
pub(crate) static MILESTONE_DONE: Lazy = LazyLock::new(|| {
    compile(
        r"を(?P<verb>設置|選定|獲得|策定|作成|開催|導入|開設|設立|構築|整備|締結|発行|公開|創設)(?:した|しました|済み)",
    )
});

/// Form boilerplate left in results texts.
pub(crate) static BOILERPLATE: Lazy = LazyLock::new(|| {
    compile(
        r"(?:[①②]\s?)?:\s?目標達成\s?(?:[①②]\s?)?:?\s?目標未達成|(?:[①②]\s?)?:\s?目標(?:未)?達成\s*$|(?:\(i+\)\s?)?実施見込み\s?(?:\(i+\)\s?)?実施できない見込み|:?\s?達成見込み\s?:?\s?達成できない見込み|課題と改善策|※?\s?左記が「[^」]*」の場合は必須|\s[①②]\s*$|当年度の取組実績及び目標の達成状況",
    )
});

/// Filler that opens a target sentence without naming anything ("以上の取り組みにより、").
pub(crate) static FILLER: Lazy = LazyLock::new(|| {
    compile(r"^(?:以上の取り?組み?により、?|以上により、?|また、|さらに、|なお、|そして、)")
});

/// A figure that follows the target and names the indicator: "97.60%以上の収納率の向上をめざす".
pub(crate) static TRAILING_INDICATOR: Lazy = LazyLock::new(|| {
    compile(
        r"^\s?の(?P<noun>[^、。\s()]+?)(?:の(?:向上|確保|増加|増額|達成|維持|改善|減少|削減|抑制)|を(?:めざす|目指す|達成|確保|獲得|維持))",
    )
});

/// Verb tails after a figure that add nothing ("をめざす。", "を獲得する。").
pub(crate) static VERB_TAIL: Lazy = LazyLock::new(|| {
    compile(
        r"^[\s。]*(?:を|の|に|と)?(?:めざす|目指す|めざします|獲得する|獲得|達成する|達成|確保する|確保|実現する|維持する|とする|する|させる)?(?:こと)?(?:を?めざす|を?目指す)?[\s。]*$",
    )
});

/// A milestone clause inside a lead, followed by more text: "…窓口を設置する ICTを…".
pub(crate) static MILESTONE_SPLIT: Lazy = LazyLock::new(|| {
    compile(
        r"(?:設置|選定|獲得|策定|作成|開催|実施|導入|開設|設立|構築|整備|締結|発行|公開|創設)(?:する|します|させる)。?\s",
    )
});

/// "格付けアンケート:" — the source of a baseline.
pub(crate) static SOURCE: Lazy = LazyLock::new(|| compile(r"(?P<src>[^\s:()、]+)\s?:"));

/// "(…再掲)" notes.
pub(crate) static REPOST: Lazy = LazyLock::new(|| compile(r"\([^()]*再掲\)"));

/// "<平成25年度実績 過去10年間における最下限値>" notes.
pub(crate) static ANGLE_NOTE: Lazy = LazyLock::new(|| compile(r"<[^<>]*>"));

/// A label at the start of a sentence: ①, ①-1, -1 (circle lost in extraction), (1).
pub(crate) static LABEL: Lazy = LazyLock::new(|| {
    compile(r"^(?P<l>[①-⑳](?:\s?-\s?\d{1,2})?|-\s?\d{1,2}|\(\d{1,2}\))(?:\s|[^\d%件回人点円])")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_patterns_compile() {
        let all: [&'static Lazy; 33] = [
            &MILESTONE_SPLIT,
            &SOURCE,
            &REPOST,
            &ANGLE_NOTE,
            &LABEL,
            &YEAR_RANGE,
            &YEAR_SINGLE,
            &YEAR_CALENDAR_BY,
            &CUMULATIVE,
            &AS_OF,
            &FIGURE,
            &COMPARATOR,
            &CHANGE_FOLLOW,
            &COMPARISON_FOLLOW,
            &REL_PCT_PAREN,
            &REL_FROM_TO,
            &REL_ABS_DELTA,
            &REL_HALVE_PAREN,
            &REL_HALVE_YEAR,
            &REL_PCT_BASE,
            &REL_PREVIOUS,
            &REL_MAINTAIN,
            &PENDING_NOTE,
            &SET_LATER,
            &SECTION,
            &HEADER,
            &MILESTONE_END,
            &MILESTONE_DONE,
            &BOILERPLATE,
            &FILLER,
            &TRAILING_INDICATOR,
            &VERB_TAIL,
            &YEAR_SINGLE,
        ];
        for (i, l) in all.iter().enumerate() {
            assert!(rx(l).is_some(), "pattern {i} does not compile");
        }
    }
}
