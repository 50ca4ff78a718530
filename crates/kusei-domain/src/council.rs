//! 区政会議: the ward council's meetings, its members' opinions (意見・要望・評価), the
//! ward's answers (対応方針) and how each was reflected, and the measures of it all.
//! Pure: the rules of an answer and the counting of a ward's year.

use crate::calendar::Date;
use serde::{Deserialize, Serialize};

/// What kind of thing a member said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 意見
    Opinion,
    /// 要望
    Request,
    /// 評価: the member's own rating of the ward's self-evaluation of an item.
    Evaluation,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Opinion, Category::Request, Category::Evaluation];
    pub fn code(self) -> &'static str {
        match self {
            Category::Opinion => "opinion",
            Category::Request => "request",
            Category::Evaluation => "evaluation",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Category::Opinion => "意見",
            Category::Request => "要望",
            Category::Evaluation => "評価",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Category::Opinion => "opinion",
            Category::Request => "request",
            Category::Evaluation => "evaluation",
        }
    }
}

/// 委員の評価: how a member rates the ward's own evaluation of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 妥当
    Appropriate,
    /// おおむね妥当
    Mostly,
    /// 妥当でない
    NotAppropriate,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Appropriate, Rating::Mostly, Rating::NotAppropriate];
    pub fn code(self) -> &'static str {
        match self {
            Rating::Appropriate => "appropriate",
            Rating::Mostly => "mostly",
            Rating::NotAppropriate => "not_appropriate",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Rating::Appropriate => "区の自己評価は妥当",
            Rating::Mostly => "区の自己評価はおおむね妥当",
            Rating::NotAppropriate => "区の自己評価は妥当でない",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Rating::Appropriate => "the ward's evaluation is right",
            Rating::Mostly => "the ward's evaluation is mostly right",
            Rating::NotAppropriate => "the ward's evaluation is not right",
        }
    }
}

/// How an opinion was reflected (反映状況).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reflection {
    /// 反映済み
    Reflected,
    /// 一部反映
    Partly,
    /// 今後検討
    Considering,
    /// 反映困難
    NotPossible,
}

impl Reflection {
    pub const ALL: [Reflection; 4] = [
        Reflection::Reflected,
        Reflection::Partly,
        Reflection::Considering,
        Reflection::NotPossible,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Reflection::Reflected => "reflected",
            Reflection::Partly => "partly",
            Reflection::Considering => "considering",
            Reflection::NotPossible => "not_possible",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Reflection::Reflected => "反映済み",
            Reflection::Partly => "一部反映",
            Reflection::Considering => "今後検討",
            Reflection::NotPossible => "反映困難",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Reflection::Reflected => "reflected",
            Reflection::Partly => "partly reflected",
            Reflection::Considering => "to be considered",
            Reflection::NotPossible => "cannot be reflected",
        }
    }
    /// 今後検討 and 反映困難 say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Reflection::Considering | Reflection::NotPossible)
    }
    /// Counted as reflected in the measures (反映済み and 一部反映).
    pub fn counts_as_reflected(self) -> bool {
        matches!(self, Reflection::Reflected | Reflection::Partly)
    }
}

/// 本会 or 部会.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 本会
    Plenary,
    /// 部会
    Subcommittee,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 2] = [MeetingKind::Plenary, MeetingKind::Subcommittee];
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Plenary => "plenary",
            MeetingKind::Subcommittee => "subcommittee",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            MeetingKind::Plenary => "本会",
            MeetingKind::Subcommittee => "部会",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            MeetingKind::Plenary => "plenary meeting",
            MeetingKind::Subcommittee => "subcommittee",
        }
    }
}

/// A field refused, with its message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
}

/// The ward's answer as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerInput<'a> {
    pub answer: &'a str,
    pub reflection: Option<&'a str>,
    pub reason: &'a str,
}

/// Checks an answer: an answer text, a known reflection status, and a reason for
/// 今後検討 and 反映困難. Every problem, each at its field.
pub fn check_answer(a: &AnswerInput<'_>) -> Result<Reflection, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if a.answer.trim().is_empty() {
        problems.push(FieldProblem {
            field: "answer",
            ja: "対応方針（回答）を入力してください。",
            en: "Write the answer.",
        });
    }
    let reflection = a.reflection.and_then(Reflection::from_code);
    match reflection {
        None => problems.push(FieldProblem {
            field: "reflection",
            ja: "反映状況を選んでください。",
            en: "Choose how the opinion was reflected.",
        }),
        Some(r) if r.needs_reason() && a.reason.trim().is_empty() => problems.push(FieldProblem {
            field: "reason",
            ja: "「今後検討」「反映困難」のときは理由を入力してください。",
            en: "Say why when the opinion is to be considered or cannot be reflected.",
        }),
        Some(_) => {}
    }
    match (reflection, problems.is_empty()) {
        (Some(r), true) => Ok(r),
        _ => Err(problems),
    }
}

/// Checks an opinion as written: a body, a known category, and for 評価 an item and a
/// rating.
pub fn check_opinion(
    body: &str,
    category: Option<&str>,
    rating: Option<&str>,
    on_item: bool,
) -> Result<(Category, Option<Rating>), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if body.trim().is_empty() {
        problems.push(FieldProblem {
            field: "body",
            ja: "意見を入力してください。",
            en: "Write the opinion.",
        });
    }
    let category = match category.filter(|c| !c.is_empty()) {
        None => Some(Category::Opinion),
        Some(c) => {
            let c = Category::from_code(c);
            if c.is_none() {
                problems.push(FieldProblem {
                    field: "category",
                    ja: "種別は「意見」「要望」「評価」から選んでください。",
                    en: "Choose opinion, request or evaluation.",
                });
            }
            c
        }
    };
    let rating = rating.filter(|r| !r.is_empty()).map(Rating::from_code);
    if rating == Some(None) {
        problems.push(FieldProblem {
            field: "rating",
            ja: "評価の選択肢から選んでください。",
            en: "Choose one of the ratings.",
        });
    }
    let rating = rating.flatten();
    if category == Some(Category::Evaluation) {
        if !on_item {
            problems.push(FieldProblem {
                field: "node",
                ja: "評価はどの項目についてかを選んでください。",
                en: "Choose the item the evaluation is about.",
            });
        }
        if rating.is_none() && problems.iter().all(|p| p.field != "rating") {
            problems.push(FieldProblem {
                field: "rating",
                ja: "区の自己評価についての委員の評価を選んでください。",
                en: "Choose the member's rating of the ward's evaluation.",
            });
        }
    }
    match (category, problems.is_empty()) {
        (Some(c), true) => Ok((
            c,
            if c == Category::Evaluation {
                rating
            } else {
                None
            },
        )),
        _ => Err(problems),
    }
}

/// What the measures read of one opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub received_on: Date,
    pub answered_on: Option<Date>,
    pub reflection: Option<Reflection>,
    pub published: bool,
}

/// A ward's year of council opinions in figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Measures {
    pub received: usize,
    pub answered: usize,
    pub published: usize,
    /// 反映済み + 一部反映.
    pub reflected: usize,
    pub by_reflection: Vec<(Reflection, usize)>,
    /// Answered / received, in %; `None` when nothing was received.
    pub answered_share: Option<f64>,
    /// Reflected / answered, in %; `None` when nothing was answered.
    pub reflected_share: Option<f64>,
    /// Days from an opinion to its answer: the median and the longest.
    pub median_days: Option<f64>,
    pub max_days: Option<i64>,
}

/// Counts a ward's year: received, answered, published, reflected (and by status), the
/// shares, and the days from opinion to answer.
pub fn measures(opinions: &[Counted]) -> Measures {
    let received = opinions.len();
    let answered: Vec<&Counted> = opinions
        .iter()
        .filter(|o| o.answered_on.is_some() && o.reflection.is_some())
        .collect();
    let reflected = answered
        .iter()
        .filter(|o| o.reflection.is_some_and(Reflection::counts_as_reflected))
        .count();
    let by_reflection = Reflection::ALL
        .into_iter()
        .map(|r| {
            (
                r,
                answered.iter().filter(|o| o.reflection == Some(r)).count(),
            )
        })
        .collect();
    let mut days: Vec<i64> = answered
        .iter()
        .filter_map(|o| o.answered_on.map(|a| a.days_since(o.received_on).max(0)))
        .collect();
    days.sort_unstable();
    let median_days = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2] as f64),
        n => Some((days[n / 2 - 1] + days[n / 2]) as f64 / 2.0),
    };
    let share = |part: usize, whole: usize| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
    Measures {
        received,
        answered: answered.len(),
        published: opinions.iter().filter(|o| o.published).count(),
        reflected,
        by_reflection,
        answered_share: share(answered.len(), received),
        reflected_share: share(reflected, answered.len()),
        median_days,
        max_days: days.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn an_answer_needs_text_a_status_and_for_two_statuses_a_reason() {
        let ok = AnswerInput {
            answer: "来年度の計画に入れます",
            reflection: Some("reflected"),
            reason: "",
        };
        assert_eq!(check_answer(&ok), Ok(Reflection::Reflected));
        let hard = AnswerInput {
            reflection: Some("not_possible"),
            ..ok.clone()
        };
        let e = check_answer(&hard).unwrap_err();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["reason"]);
        let with_reason = AnswerInput {
            reason: "予算の制約のため",
            ..hard
        };
        assert_eq!(check_answer(&with_reason), Ok(Reflection::NotPossible));
        let empty = AnswerInput::default();
        let e = check_answer(&empty).unwrap_err();
        assert_eq!(
            e.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["answer", "reflection"]
        );
        let unknown = AnswerInput {
            reflection: Some("maybe"),
            ..ok
        };
        assert_eq!(check_answer(&unknown).unwrap_err()[0].field, "reflection");
    }

    #[test]
    fn an_evaluation_is_of_an_item_and_carries_a_rating() {
        assert_eq!(
            check_opinion("よい取組です", None, None, false),
            Ok((Category::Opinion, None))
        );
        assert_eq!(
            check_opinion("妥当です", Some("evaluation"), Some("mostly"), true),
            Ok((Category::Evaluation, Some(Rating::Mostly)))
        );
        let e = check_opinion("妥当です", Some("evaluation"), None, false).unwrap_err();
        assert_eq!(
            e.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["node", "rating"]
        );
        // A rating sent with a plain opinion is not kept.
        assert_eq!(
            check_opinion("要望です", Some("request"), Some("mostly"), true),
            Ok((Category::Request, None))
        );
        assert_eq!(
            check_opinion(" ", Some("speech"), None, true)
                .unwrap_err()
                .iter()
                .map(|p| p.field)
                .collect::<Vec<_>>(),
            ["body", "category"]
        );
    }

    #[test]
    fn measures_count_a_wards_year() {
        let o = |received: &str, answered: Option<&str>, r: Option<Reflection>, p: bool| Counted {
            received_on: d(received),
            answered_on: answered.map(d),
            reflection: r,
            published: p,
        };
        let m = measures(&[
            o(
                "2025-06-01",
                Some("2025-06-11"),
                Some(Reflection::Reflected),
                true,
            ),
            o(
                "2025-06-01",
                Some("2025-07-01"),
                Some(Reflection::NotPossible),
                true,
            ),
            o(
                "2025-06-01",
                Some("2025-06-21"),
                Some(Reflection::Partly),
                false,
            ),
            o("2025-09-01", None, None, false),
        ]);
        assert_eq!(
            (m.received, m.answered, m.published, m.reflected),
            (4, 3, 2, 2)
        );
        assert_eq!(m.answered_share, Some(75.0));
        assert!((m.reflected_share.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.median_days, Some(20.0));
        assert_eq!(m.max_days, Some(30));
        assert_eq!(
            m.by_reflection,
            vec![
                (Reflection::Reflected, 1),
                (Reflection::Partly, 1),
                (Reflection::Considering, 0),
                (Reflection::NotPossible, 1)
            ]
        );
        let none = measures(&[]);
        assert_eq!((none.answered_share, none.median_days), (None, None));
    }
}
