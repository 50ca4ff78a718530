//! A made-up city for demonstrations, tests and benchmarks: N wards × years of 区運営方針
//! (4 経営課題 → 2 戦略 each → `items / 8` 具体的取組 each), some 具体的取組 measured by the
//! city's common indicators, with actuals and year-end judgments. Deterministic (same
//! arguments, same plans); the figures are invented and say so in the texts.

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{DirectoryEntry, LinkContent, NodeContent, PlanContent, PlanRecord};
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{
    Actual, Comparator, Evaluation, Family, IndicatorId, LinkKind, Period, Phase, PlanStatus,
    Section, Target,
};

/// A common indicator of the sample city.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleIndicator {
    pub name: &'static str,
    pub unit: &'static str,
    pub higher_is_better: bool,
    /// Typical level around which the wards' figures lie.
    pub base: f64,
    pub definition: &'static str,
}

/// The sample city's common indicators.
pub const INDICATORS: [SampleIndicator; 5] = [
    SampleIndicator {
        name: "区役所の窓口サービスに満足している区民の割合",
        unit: "%",
        higher_is_better: true,
        base: 80.0,
        definition: "区民アンケートで「満足」「やや満足」と答えた割合（見本の数値）",
    },
    SampleIndicator {
        name: "繁忙期の窓口平均待ち時間",
        unit: "分",
        higher_is_better: false,
        base: 35.0,
        definition: "3月・4月の住民情報窓口の平均待ち時間（見本の数値）",
    },
    SampleIndicator {
        name: "地域活動に参加したことがある区民の割合",
        unit: "%",
        higher_is_better: true,
        base: 40.0,
        definition: "区民アンケートによる（見本の数値）",
    },
    SampleIndicator {
        name: "防災訓練の参加者数",
        unit: "人",
        higher_is_better: true,
        base: 1500.0,
        definition: "区主催・地域主催の防災訓練の延べ参加者数（見本の数値）",
    },
    SampleIndicator {
        name: "区政に意見が届いていると感じる区民の割合",
        unit: "%",
        higher_is_better: true,
        base: 35.0,
        definition: "区民アンケートによる（見本の数値）",
    },
];

/// Ward names of the sample city (fictional).
pub const WARDS: [&str; 24] = [
    "東区",
    "西区",
    "南区",
    "北区",
    "中央区",
    "港区",
    "桜区",
    "緑区",
    "青葉区",
    "若葉区",
    "花見区",
    "川辺区",
    "山手区",
    "浜区",
    "旭区",
    "栄区",
    "泉区",
    "朝日区",
    "美原区",
    "春日区",
    "松原区",
    "高台区",
    "本町区",
    "新町区",
];

const ISSUES: [&str; 4] = [
    "区民に信頼される区役所づくり",
    "安全・安心なまちづくり",
    "地域コミュニティの活性化",
    "子育て・教育環境の充実",
];

/// A number in [0, 1) from the arguments (splitmix64), so figures vary but repeat.
fn noise(a: u64, b: u64, c: u64) -> f64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b.wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(c.wrapping_mul(0x94D0_49BB_1331_11EB))
        .wrapping_add(0x2545_F491_4F6C_DD1D);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn section(heading: &str, body: String) -> Section {
    Section {
        phase: Phase::Plan,
        heading: heading.into(),
        body,
    }
}

/// The plans of the sample city: one 区運営方針 per ward and year, `items` 具体的取組 each
/// (rounded to a multiple of 8). `indicators` are the ids of [`INDICATORS`] in the store
/// (the first items of each plan are measured by them). `current` is the year whose
/// evaluations are not all in yet: a third of its items are still 未確定.
pub fn city_records(
    municipality: &str,
    wards: usize,
    years: &[FiscalYear],
    items: usize,
    indicators: &[IndicatorId],
    current: FiscalYear,
) -> Vec<PlanRecord> {
    let mut out = Vec::new();
    for (w, ward) in WARDS.iter().cycle().take(wards).enumerate() {
        let name = if w < WARDS.len() {
            ward.to_string()
        } else {
            format!("第{}区", w + 1)
        };
        for &fy in years {
            out.push(PlanRecord {
                municipality: municipality.to_string(),
                unit: name.clone(),
                status: PlanStatus::Published,
                version: 1,
                content: ward_plan(w as u64, fy, items, indicators, current),
                directory: directory(),
                indicators: Vec::new(),
                item_pages: Vec::new(),
            });
        }
    }
    out
}

/// The plans of a sample municipality for an archive of many: as [`city_records`], but
/// each 具体的取組 takes one of [`THEMES`] (chosen by ward, year and place), as real plans
/// differ from ward to ward — so a word is in some plans, not in all of them.
pub fn varied_records(
    municipality: &str,
    wards: usize,
    years: &[FiscalYear],
    items: usize,
    indicators: &[IndicatorId],
    current: FiscalYear,
) -> Vec<PlanRecord> {
    let mut out = city_records(municipality, wards, years, items, indicators, current);
    for (k, r) in out.iter_mut().enumerate() {
        let w = (k / years.len().max(1)) as u64;
        let seed = u64::from(r.content.period.start.year().unsigned_abs());
        let mut n = 0u64;
        for node in r
            .content
            .nodes
            .iter_mut()
            .filter(|n| n.level == "具体的取組")
        {
            n += 1;
            let t =
                (noise(w + municipality.len() as u64 * 31, seed, n) * THEMES.len() as f64) as usize;
            let (title, body) = THEMES[t.min(THEMES.len() - 1)];
            node.title = format!("{title}（取組{n}）");
            if let Some(sec) = node.sections.first_mut() {
                sec.body = format!("{body}（見本）");
            }
        }
    }
    out
}

/// Themes of 具体的取組 as wards write them (for [`varied_records`]).
pub const THEMES: [(&str, &str); 40] = [
    (
        "防災訓練の充実",
        "地域と連携した防災訓練を実施し、避難所の開設と運営の手順を確かめる。",
    ),
    (
        "避難行動要支援者の支援",
        "要支援者の名簿を更新し、一人ひとりの個別避難計画の作成を進める。",
    ),
    (
        "自主防災組織の育成",
        "自主防災組織のリーダー研修を行い、資機材の点検を支援する。",
    ),
    (
        "子育て相談の充実",
        "子育て世帯が身近な場所で相談できるよう、相談の日数と場所を増やす。",
    ),
    (
        "保育の受け皿の確保",
        "保育所の定員を増やし、待機児童の解消をめざす。",
    ),
    (
        "児童虐待の防止",
        "関係機関と情報を共有し、支援が必要な家庭を早く見つけて支える。",
    ),
    (
        "高齢者の見守り",
        "地域の見守り活動を支え、ひとり暮らしの高齢者の孤立を防ぐ。",
    ),
    (
        "介護予防の推進",
        "体操教室や通いの場を広げ、介護が必要になる時期を遅らせる。",
    ),
    (
        "認知症の方と家族への支援",
        "認知症サポーターを養成し、家族の相談に応じる。",
    ),
    (
        "健康づくりの推進",
        "健診の受診を勧め、生活習慣病の予防に取り組む。",
    ),
    (
        "窓口サービスの向上",
        "窓口の待ち時間を短くし、手続きの案内を分かりやすくする。",
    ),
    (
        "行政手続のオンライン化",
        "申請や届出をオンラインでできる手続きを増やす。",
    ),
    (
        "区民アンケートの実施",
        "区民アンケートで施策の満足度を調べ、改善に生かす。",
    ),
    (
        "区政会議の運営",
        "区政会議で委員の意見を聴き、区の施策に反映する。",
    ),
    (
        "広報紙の充実",
        "広報紙の紙面を見直し、必要な情報が届くようにする。",
    ),
    (
        "SNSによる情報発信",
        "SNSで行事や災害の情報を発信し、若い世代に届ける。",
    ),
    (
        "地域活動協議会への支援",
        "地域活動協議会の運営を支援し、担い手の確保を助ける。",
    ),
    (
        "町会・自治会への加入の促進",
        "転入者に町会・自治会の活動を紹介し、加入を呼びかける。",
    ),
    (
        "ボランティア活動の促進",
        "ボランティアの登録と活動先の紹介を行う。",
    ),
    (
        "多文化共生の推進",
        "外国人住民に多言語で生活情報を提供し、日本語教室を開く。",
    ),
    (
        "商店街の活性化",
        "商店街のイベントを支援し、空き店舗の活用を進める。",
    ),
    (
        "空き家対策",
        "管理されていない空き家の所有者に助言し、活用を促す。",
    ),
    (
        "ごみの減量とリサイクル",
        "分別の啓発を行い、家庭ごみの量を減らす。",
    ),
    (
        "公園と街路樹の管理",
        "公園の遊具と街路樹を点検し、安全で快適に保つ。",
    ),
    (
        "自転車の安全利用",
        "自転車の交通ルールの啓発と放置自転車の撤去を行う。",
    ),
    ("交通安全の推進", "通学路の点検を行い、交通安全教室を開く。"),
    (
        "防犯カメラの設置支援",
        "地域の防犯カメラの設置を支援し、犯罪を防ぐ。",
    ),
    (
        "学校と地域の連携",
        "学校の行事に地域の人が参加できるよう橋渡しをする。",
    ),
    (
        "図書館サービスの充実",
        "図書館の開館時間を見直し、子どもの読書を勧める。",
    ),
    (
        "生涯学習の推進",
        "区民向けの講座を開き、学びの機会を広げる。",
    ),
    (
        "スポーツの振興",
        "区民スポーツ大会を開き、運動の習慣づくりを進める。",
    ),
    ("文化芸術の振興", "区民ホールで音楽や美術の催しを開く。"),
    (
        "障がいのある方への支援",
        "障がいのある方の相談に応じ、地域での暮らしを支える。",
    ),
    (
        "生活に困っている方への支援",
        "生活の困りごとの相談に応じ、就労や家計の支援につなぐ。",
    ),
    ("若者の就労支援", "若者の就職相談と職場体験の機会をつくる。"),
    ("人権啓発の推進", "人権についての講座と啓発の催しを行う。"),
    (
        "地球温暖化対策",
        "省エネルギーの取組を広め、区の施設の電力使用量を減らす。",
    ),
    (
        "職員の人材育成",
        "職員研修を行い、区民に寄り添う対応ができる職員を育てる。",
    ),
    (
        "業務の効率化",
        "事務の見直しとデジタル化で、業務にかかる時間を減らす。",
    ),
    (
        "区の魅力の発信",
        "区の歴史や名所を紹介し、訪れる人を増やす。",
    ),
];

fn directory() -> Vec<DirectoryEntry> {
    [
        ("総務課", "総務担当", "区政の企画・調整、区政会議"),
        ("市民協働課", "地域活動担当", "地域活動の支援、防災"),
        ("窓口サービス課", "住民情報担当", "住民票、戸籍、印鑑登録"),
        ("保健福祉課", "子育て支援担当", "子育て相談、保育"),
    ]
    .into_iter()
    .map(|(d, s, duties)| DirectoryEntry {
        division: d.into(),
        section: Some(s.into()),
        phone: Some("00-0000-0000".into()),
        fax: None,
        duties: Some(duties.into()),
    })
    .collect()
}

fn ward_plan(
    w: u64,
    fy: FiscalYear,
    items: usize,
    indicators: &[IndicatorId],
    current: FiscalYear,
) -> PlanContent {
    let y = fy.label();
    let per_strategy = (items / 8).max(1);
    let mut nodes = Vec::new();
    let mut links = Vec::new();
    let mut item_no = 0usize;
    for (k, issue) in ISSUES.iter().enumerate() {
        let issue_ix = nodes.len();
        nodes.push(NodeContent {
            level: "経営課題".into(),
            number: Some((k + 1).to_string()),
            title: issue.to_string(),
            sections: vec![
                section(
                    "めざすべき将来像",
                    format!("{issue}が進み、区民が暮らしやすさを実感できるまち。（見本）"),
                ),
                section(
                    "現状・データ",
                    "見本市の見本データです。実在の区の数値ではありません。".into(),
                ),
            ],
            ..NodeContent::default()
        });
        for s in 0..2 {
            let strategy_ix = nodes.len();
            nodes.push(NodeContent {
                level: "戦略".into(),
                number: Some(format!("{}-{}", k + 1, s + 1)),
                title: format!("{issue}に向けた戦略{}", s + 1),
                sections: vec![section(
                    "めざす状態",
                    format!("{issue}の成果が区民に届いている状態。"),
                )],
                ..NodeContent::default()
            });
            links.push(LinkContent {
                parent: issue_ix,
                child: strategy_ix,
                kind: LinkKind::Primary,
            });
            for i in 0..per_strategy {
                let ix = nodes.len();
                nodes.push(initiative(w, fy, item_no, k, s, i, indicators, current));
                links.push(LinkContent {
                    parent: strategy_ix,
                    child: ix,
                    kind: LinkKind::Primary,
                });
                item_no += 1;
            }
        }
    }
    PlanContent {
        family: Family::ManagementSheet,
        period: Period::year(fy),
        title: format!("{y} 区運営方針"),
        level_names: Family::ManagementSheet.default_levels(),
        nodes,
        links,
        is_sample: true,
    }
}

#[allow(clippy::too_many_arguments)]
fn initiative(
    w: u64,
    fy: FiscalYear,
    item_no: usize,
    k: usize,
    s: usize,
    i: usize,
    indicators: &[IndicatorId],
    current: FiscalYear,
) -> NodeContent {
    let y = fy.label();
    let seed = (w, u64::from(fy.year().unsigned_abs()), item_no as u64);
    let r = noise(seed.0, seed.1, seed.2);
    let measured = indicators.get(item_no).zip(INDICATORS.get(item_no));
    let (indicator_id, name, unit, target, actual, cmp) = match measured {
        Some((id, ind)) => {
            // The ward's level drifts by year and differs by ward.
            let ward_level = 0.8 + 0.4 * noise(w, 7, item_no as u64);
            let trend =
                f64::from(fy.year() - 2020) * if ind.higher_is_better { 0.02 } else { -0.03 };
            let level = ind.base * (ward_level + trend);
            let target = round1(ind.base * if ind.higher_is_better { 1.05 } else { 0.9 });
            let actual = round1(level * (0.95 + 0.1 * r));
            let target = if ind.unit == "人" {
                target.round()
            } else {
                target
            };
            let actual = if ind.unit == "人" {
                actual.round()
            } else {
                actual
            };
            // A share never passes 100 %.
            let (target, actual) = if ind.unit == "%" {
                (target.min(95.0), actual.min(99.5))
            } else {
                (target, actual)
            };
            let cmp = if ind.higher_is_better {
                Comparator::AtLeast
            } else {
                Comparator::AtMost
            };
            (
                Some(*id),
                ind.name.to_string(),
                ind.unit,
                target,
                actual,
                cmp,
            )
        }
        None => {
            let target = f64::from(2 + (i as u32 % 4));
            let actual = (target + (r * 3.0).floor() - 1.0).max(0.0);
            (
                None,
                format!("説明会・講座の開催回数（取組{}）", item_no + 1),
                "回",
                target,
                actual,
                Comparator::AtLeast,
            )
        }
    };
    let cmp_text = if cmp == Comparator::AtLeast {
        "以上"
    } else {
        "以下"
    };
    let met = match cmp {
        Comparator::AtMost => actual <= target,
        _ => actual >= target,
    };
    // In the current year a third of the items have no figure yet (未確定).
    let pending = fy == current && noise(w, item_no as u64, 99) < 0.34;
    let (actuals, stated, results) = if pending {
        (
            Vec::new(),
            Judgment::Undetermined,
            format!("{y}の実績は集計中です。"),
        )
    } else {
        (
            vec![Actual {
                indicator_id,
                fiscal_year: Some(fy),
                value: Some(actual),
                measure_unit: Some(unit.into()),
                as_of: None,
                text: format!("{name} {y}実績 {}{unit}", crate::plain_number(actual)),
            }],
            if met {
                Judgment::Achieved
            } else {
                Judgment::NotAchieved
            },
            format!(
                "{name}は{}{unit}（目標{}{unit}{cmp_text}）。",
                crate::plain_number(actual),
                crate::plain_number(target)
            ),
        )
    };
    NodeContent {
        level: "具体的取組".into(),
        number: Some(format!("{}-{}-{}", k + 1, s + 1, i + 1)),
        title: format!("{}の推進（取組{}）", ISSUES[k], item_no + 1),
        owner: Some(["総務担当", "地域活動担当", "住民情報担当", "子育て支援担当"][k].into()),
        sections: vec![section(
            "取組の内容",
            format!("{}に関する取組を計画的に進める。（見本）", ISSUES[k]),
        )],
        targets: vec![Target {
            indicator_id,
            period: Some(Period::year(fy)),
            value: Some(target),
            measure_unit: Some(unit.into()),
            comparator: Some(cmp),
            text: format!("{name} {y} {}{unit}{cmp_text}", crate::plain_number(target)),
            indicator_name: None,
            this_year: false,
        }],
        actuals,
        evaluations: vec![Evaluation {
            fiscal_year: fy,
            results,
            stated,
            remedy: (!met && !pending).then(|| "取組の進め方を見直し、次年度に改善する。".into()),
            explanation: None,
        }],
        ..NodeContent::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_city_year_has_the_asked_size_and_all_three_judgments() {
        let fy = |y| FiscalYear::new(y).unwrap_or_else(|_| unreachable!());
        let ids: Vec<IndicatorId> = (1..=5).map(IndicatorId).collect();
        let years = [fy(2023), fy(2024), fy(2025)];
        let recs = city_records("見本市", 24, &years, 40, &ids, fy(2025));
        assert_eq!(recs.len(), 72);
        let items = |r: &PlanRecord| {
            r.content
                .nodes
                .iter()
                .filter(|n| n.level == "具体的取組")
                .count()
        };
        assert!(recs.iter().all(|r| items(r) == 40));
        for r in &recs {
            assert!(r.content.validate().is_ok());
        }
        let judgments: Vec<Judgment> = recs
            .iter()
            .filter(|r| r.content.period.end == fy(2025))
            .flat_map(|r| {
                r.content
                    .nodes
                    .iter()
                    .flat_map(|n| n.evaluations.iter().map(|e| e.stated))
            })
            .collect();
        for j in [
            Judgment::Achieved,
            Judgment::NotAchieved,
            Judgment::Undetermined,
        ] {
            assert!(judgments.contains(&j), "{j:?} missing");
        }
        // deterministic
        assert_eq!(recs, city_records("見本市", 24, &years, 40, &ids, fy(2025)));
        // every common indicator has a target in every ward plan
        let linked = recs[0]
            .content
            .nodes
            .iter()
            .flat_map(|n| &n.targets)
            .filter(|t| t.indicator_id.is_some())
            .count();
        assert_eq!(linked, 5);
    }
}
