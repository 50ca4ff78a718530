//! First start on an empty database: a sample municipality, ward, sections and plan
//! (written by the project, clearly marked サンプル, covering plan, mid-year review and
//! evaluation), and an administrator whose one-time password is shown once.

use anyhow::{Context, Result};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Actual, Comparator, Direction, Evaluation, Family, LinkKind, MunicipalityId, Period, Phase,
    Review, Section, Target, UnitId, UnitKind,
};
use kusei_domain::policy::{Role, Scope};
use kusei_store::{NewIndicator, NewUnit, NewUser, Store};

const ACTOR: &str = "kusei (初回起動 / first start)";

/// The code of the fictitious municipality: prefecture 99 does not exist; 7 is the check digit.
pub const SAMPLE_CODE: &str = "999997";

/// The fiscal year a date (from the system clock) falls in.
fn current_fiscal_year() -> Result<FiscalYear> {
    let now = kusei_store::now_utc();
    let year: i32 = now.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(2025);
    let month: u32 = now.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(4);
    let fy = if month >= 4 { year } else { year - 1 };
    Ok(FiscalYear::new(fy)?)
}

/// On an empty database, creates the administrator (and, with `sample`, the sample
/// city) and returns the text to show once. Returns `None` when the database already has
/// data.
pub async fn first_start(store: &Store, sample: bool) -> Result<Option<String>> {
    if !store.is_empty().await? {
        return Ok(None);
    }
    if sample {
        let fy = current_fiscal_year()?.prev();
        let (municipality, ward) = create_sample_units(store).await?;
        create_sample_plan(store, municipality, ward, fy).await?;
        open_sample_schedule(store, municipality, fy).await?;
    }
    let password = one_time_password();
    let hash = hash_password(&password)?;
    let made = store
        .create_user(
            ACTOR,
            &NewUser {
                login: "admin",
                display_name: "管理者 / Administrator",
                password_hash: &hash,
                must_change_password: true,
                roles: vec![(Role::SystemAdmin.code(), Scope::System)],
            },
        )
        .await;
    let admin = match made {
        // Another instance on the same database made its first start at the same moment.
        Err(kusei_store::StoreError::Duplicate(_)) => return Ok(None),
        other => other.context("cannot create the administrator")?,
    };
    let expires = kusei_store::format_unix(
        kusei_app::Clock::System.unix() + kusei_app::accounts::ONE_TIME_PASSWORD_HOURS * 3600,
    );
    store.set_password_expiry(admin, Some(&expires)).await?;
    let (made_ja, made_en) = if sample {
        (
            "サンプルデータと管理者を作成しました。",
            "sample data and an administrator were created.",
        )
    } else {
        (
            "管理者を作成しました（サンプルなし）。",
            "an administrator was created (no sample).",
        )
    };
    Ok(Some(format!(
        "\n==================================================================\n\
         初回起動: {made_ja}\n\
         First start: {made_en}\n\
         \n  ログインID / login:                  admin\n\
         \x20 一時パスワード / one-time password:  {password}\n\
         \n このパスワードは再表示されません。24時間有効です。初回サインイン時に変更してください。\n\
         \x20This password is not shown again; it works for 24 hours; change it at first sign-in.\n\
         \x20期限切れ・締め出し / expired or locked out:  kusei user reset-password admin\n\
         ==================================================================\n"
    )))
}

fn one_time_password() -> String {
    kusei_app::accounts::one_time_password()
}

pub fn hash_password(password: &str) -> Result<String> {
    kusei_app::accounts::hash_password(password).map_err(|e| anyhow::anyhow!(e))
}

/// Opens all three phases of the sample's year until the end of the next fiscal year, so
/// the sample can be tried out at once (the administrator changes it under 管理).
async fn open_sample_schedule(
    store: &Store,
    municipality: MunicipalityId,
    fy: FiscalYear,
) -> Result<()> {
    for phase in [Phase::Plan, Phase::Review, Phase::Evaluation] {
        store
            .set_window(
                ACTOR,
                municipality,
                &kusei_store::Window {
                    fiscal_year: fy,
                    phase,
                    opens_on: fy.start(),
                    closes_on: fy.next().next().end(),
                },
            )
            .await?;
    }
    Ok(())
}

/// (name, phone, fax, duties) of a 担当 in the sample 業務一覧.
type SectionRow = (&'static str, &'static str, &'static str, &'static str);

async fn create_sample_units(store: &Store) -> Result<(MunicipalityId, UnitId)> {
    let m = store
        .create_municipality(ACTOR, SAMPLE_CODE, "サンプル市", true)
        .await?;
    let city = store
        .create_unit(
            ACTOR,
            &NewUnit {
                municipality_id: m,
                parent_id: None,
                kind: UnitKind::City,
                name: "サンプル市",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await?;
    let ward = store
        .create_unit(
            ACTOR,
            &NewUnit {
                municipality_id: m,
                parent_id: Some(city),
                kind: UnitKind::Ward,
                name: "サンプル区",
                phone: Some("00-0000-0000"),
                fax: None,
                duties: None,
            },
        )
        .await?;
    // A small 業務一覧: division → sections with phone, fax and duties.
    let divisions: [(&str, &[SectionRow]); 2] = [
        (
            "総務課",
            &[
                (
                    "総合企画",
                    "00-0000-0001",
                    "00-0000-0901",
                    "区政運営、区政会議、広聴、広報に関すること。",
                ),
                (
                    "総務",
                    "00-0000-0002",
                    "00-0000-0901",
                    "区役所の庶務、選挙、統計に関すること。",
                ),
            ],
        ),
        (
            "窓口サービス課",
            &[(
                "住民情報",
                "00-0000-0003",
                "00-0000-0903",
                "戸籍の届出、住民登録、印鑑登録に関すること。",
            )],
        ),
    ];
    for (division, sections) in divisions {
        let d = store
            .create_unit(
                ACTOR,
                &NewUnit {
                    municipality_id: m,
                    parent_id: Some(ward),
                    kind: UnitKind::Division,
                    name: division,
                    phone: None,
                    fax: None,
                    duties: None,
                },
            )
            .await?;
        for (name, phone, fax, duties) in sections {
            store
                .create_unit(
                    ACTOR,
                    &NewUnit {
                        municipality_id: m,
                        parent_id: Some(d),
                        kind: UnitKind::Section,
                        name,
                        phone: Some(phone),
                        fax: Some(fax),
                        duties: Some(duties),
                    },
                )
                .await?;
        }
    }
    Ok((m, ward))
}

fn section(phase: Phase, heading: &str, body: &str) -> Section {
    Section {
        phase,
        heading: heading.into(),
        body: body.into(),
    }
}

/// The sample plan: one 経営課題, two 戦略, three 具体的取組 (one listed again as 再掲),
/// with targets, actuals, a mid-year review and a year-end evaluation.
pub fn sample_plan(fy: FiscalYear) -> PlanContent {
    let y = fy.label();
    let issue = NodeContent {
        level: "経営課題".into(),
        number: Some("1".into()),
        title: "区民に信頼される区役所づくり（サンプル）".into(),
        sections: vec![
            section(Phase::Plan, "めざすべき将来像", "区民が利用しやすく、区民の声が区政に届いていると実感できる区役所。"),
            section(Phase::Plan, "現状・データ", "窓口の待ち時間が繁忙期に1時間を超えることがある。区政に意見が届いていると感じる区民の割合は28.0%。"),
            section(Phase::Plan, "課題", "待ち時間の短縮と、区民の意見を把握し反映する仕組みの充実。"),
        ],
        ..NodeContent::default()
    };
    let strategy1 = NodeContent {
        level: "戦略".into(),
        number: Some("1-1".into()),
        title: "窓口サービスの向上".into(),
        sections: vec![
            section(
                Phase::Plan,
                "めざす状態",
                "来庁者が待ち時間のストレスなく手続きを終えられる状態。",
            ),
            section(
                Phase::Plan,
                "戦略",
                "繁忙期の体制強化と、手続き案内の充実に取り組む。",
            ),
        ],
        targets: vec![Target {
            indicator_id: None,
            period: Some(Period::year(fy)),
            value: Some(80.0),
            measure_unit: Some("%".into()),
            comparator: Some(Comparator::AtLeast),
            text: format!("窓口サービスが向上したと感じる区民の割合 {y}末までに80%以上"),
            indicator_name: None,
            this_year: false,
        }],
        ..NodeContent::default()
    };
    let initiative1 = NodeContent {
        level: "具体的取組".into(),
        number: Some("1-1-1".into()),
        title: "繁忙期の窓口体制の強化".into(),
        owner: Some("住民情報".into()),
        sections: vec![section(
            Phase::Plan,
            "取組の内容",
            "3月・4月にフロアマネージャーを増員し、申請書の事前記入を案内する。",
        )],
        targets: vec![Target {
            indicator_id: None,
            period: Some(Period::year(fy)),
            value: Some(30.0),
            measure_unit: Some("分".into()),
            comparator: Some(Comparator::AtMost),
            text: format!("繁忙期の平均待ち時間 {y} 30分以下"),
            indicator_name: None,
            this_year: false,
        }],
        actuals: vec![Actual {
            indicator_id: None,
            fiscal_year: Some(fy),
            value: Some(42.0),
            measure_unit: Some("分".into()),
            as_of: None,
            text: format!("{y} 繁忙期の平均待ち時間 42分"),
        }],
        reviews: vec![Review {
            fiscal_year: fy,
            implementation: Some(ImplementationProspect::Expected),
            achievement: Some(AchievementProspect::OffTrack),
            remedy: Some(
                "転入手続きが想定より多く、待ち時間が長い。3月から受付窓口を1つ増やす。".into(),
            ),
        }],
        evaluations: vec![Evaluation {
            fiscal_year: fy,
            results: "フロアマネージャーを増員したが、繁忙期の平均待ち時間は42分（目標30分以下）。"
                .into(),
            stated: Judgment::NotAchieved,
            remedy: Some("来年度は予約制の導入を検討し、繁忙期の受付を分散させる。".into()),
            explanation: None,
        }],
        ..NodeContent::default()
    };
    let strategy2 = NodeContent {
        level: "戦略".into(),
        number: Some("1-2".into()),
        title: "区民の皆さんとすすめる区政運営".into(),
        sections: vec![section(
            Phase::Plan,
            "めざす状態",
            "区民が区政運営に参画できていると実感している状態。",
        )],
        ..NodeContent::default()
    };
    let initiative2 = NodeContent {
        level: "具体的取組".into(),
        number: Some("1-2-1".into()),
        title: "区政会議の効果的な運営".into(),
        owner: Some("総合企画".into()),
        sections: vec![section(
            Phase::Plan,
            "取組の内容",
            "区政会議（年3回）で委員の意見への対応状況を報告する。",
        )],
        targets: vec![Target {
            indicator_id: None,
            period: Some(Period::year(fy)),
            value: Some(70.0),
            measure_unit: Some("%".into()),
            comparator: Some(Comparator::AtLeast),
            text: format!("意見交換が十分に行われていると感じる委員の割合 {y} 70%以上"),
            indicator_name: None,
            this_year: false,
        }],
        actuals: vec![Actual {
            indicator_id: None,
            fiscal_year: Some(fy),
            value: Some(76.5),
            measure_unit: Some("%".into()),
            as_of: None,
            text: "76.5%".into(),
        }],
        reviews: vec![Review {
            fiscal_year: fy,
            implementation: Some(ImplementationProspect::Expected),
            achievement: Some(AchievementProspect::OnTrack),
            remedy: None,
        }],
        evaluations: vec![Evaluation {
            fiscal_year: fy,
            results:
                "区政会議を3回開催し、委員アンケートで76.5%が「十分に意見交換が行われた」と回答。"
                    .into(),
            stated: Judgment::Achieved,
            remedy: None,
            explanation: None,
        }],
        ..NodeContent::default()
    };
    let initiative3 = NodeContent {
        level: "具体的取組".into(),
        number: Some("1-2-2".into()),
        title: "手続き案内書の作成・配布".into(),
        owner: Some("住民情報".into()),
        sections: vec![section(
            Phase::Plan,
            "取組の内容",
            "主な手続きの案内書を作成し、窓口とホームページで配布する。（戦略1-1にも再掲）",
        )],
        targets: vec![Target {
            indicator_id: None,
            period: Some(Period::year(fy)),
            value: None,
            measure_unit: None,
            comparator: None,
            text: "手続き案内書を作成し配布する".into(),
            indicator_name: None,
            this_year: false,
        }],
        evaluations: vec![Evaluation {
            fiscal_year: fy,
            results: "10種類の手続き案内書を作成し配布した。".into(),
            stated: Judgment::Achieved,
            remedy: None,
            explanation: None,
        }],
        ..NodeContent::default()
    };
    let link = |parent, child, kind| LinkContent {
        parent,
        child,
        kind,
    };
    PlanContent {
        family: Family::ManagementSheet,
        period: Period::year(fy),
        title: format!("サンプル区 区運営方針（{}）", fy.label()),
        level_names: Family::ManagementSheet.default_levels(),
        nodes: vec![
            issue,
            strategy1,
            initiative1,
            strategy2,
            initiative2,
            initiative3,
        ],
        links: vec![
            link(0, 1, LinkKind::Primary),
            link(1, 2, LinkKind::Primary),
            link(0, 3, LinkKind::Primary),
            link(3, 4, LinkKind::Primary),
            link(3, 5, LinkKind::Primary),
            link(1, 5, LinkKind::Repeat),
        ],
        is_sample: true,
    }
}

async fn create_sample_plan(
    store: &Store,
    municipality: MunicipalityId,
    ward: UnitId,
    fy: FiscalYear,
) -> Result<()> {
    store
        .ensure_indicator(
            ACTOR,
            &NewIndicator {
                municipality_id: municipality,
                name: "区政運営に意見が届いていると感じる区民の割合",
                unit: "%",
                direction: Direction::HigherIsBetter,
                definition: Some(
                    "区民アンケートで「届いている」「ある程度届いている」と答えた割合",
                ),
                source: Some("区民アンケート"),
                is_common: true,
            },
        )
        .await?;
    let plan = store
        .save_plan(ACTOR, ward, &sample_plan(fy))
        .await
        .context("cannot store the sample plan")?;
    // Published once, so the public pages show something from the first start; later
    // edits make version 2 and go through approval again.
    for step in [
        kusei_store::Transition::Submit,
        kusei_store::Transition::Approve,
        kusei_store::Transition::Publish,
    ] {
        store
            .transition(ACTOR, plan, step, None)
            .await
            .context("cannot publish the sample plan")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_plan_is_valid_and_covers_every_phase() {
        let fy = FiscalYear::new(2025).unwrap();
        let p = sample_plan(fy);
        assert_eq!(p.validate(), Ok(()));
        assert!(p.is_sample);
        assert!(p.nodes.iter().any(|n| !n.reviews.is_empty()));
        assert!(p.nodes.iter().any(|n| !n.evaluations.is_empty()));
        // Every review and evaluation obeys the form rules it demonstrates.
        for n in &p.nodes {
            for r in &n.reviews {
                assert!(r.violations().is_empty(), "{}", n.title);
            }
            for e in &n.evaluations {
                assert!(e.violations().is_empty(), "{}", n.title);
            }
        }
        assert!(p.links.iter().any(|l| l.kind == LinkKind::Repeat));
        assert!(p.title.contains("令和7年度"));
    }

    #[test]
    fn passwords_are_random_and_hashed_with_argon2() {
        let a = one_time_password();
        let b = one_time_password();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        let h = hash_password(&a).unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains(&a));
    }
}
