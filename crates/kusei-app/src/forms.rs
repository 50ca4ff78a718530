//! The city's settings of its forms (`forms` in the municipality's settings): which phases
//! each document family uses (計画 / 中間振り返り / 自己評価), the labels of the judgment
//! scale as the city writes them, and whether 未確定 exists. Validated before saving and
//! versioned by the settings' history. The evaluation form offers the judgments these
//! settings name, a save of 未確定 is refused where it does not exist, and the reminders
//! and the item's phases follow the phases a family uses.

use crate::guard::{tree_of_municipality, Caller};
use crate::AppError;
use kusei_domain::council::FieldProblem;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Family, MunicipalityId, Phase};
use kusei_domain::policy::{allow, Action};
use kusei_domain::workflow::Refusal;
use kusei_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

fn yes() -> bool {
    true
}

/// A city's form settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSettings {
    /// Phases each family uses, by family code; a family not named uses all three.
    #[serde(default)]
    pub phases: BTreeMap<String, Vec<String>>,
    /// The labels of the judgment scale (Japanese, as the forms print them).
    pub achieved: String,
    pub not_achieved: String,
    pub undetermined: String,
    /// Whether 未確定 may be chosen.
    #[serde(default = "yes")]
    pub allows_undetermined: bool,
}

impl Default for FormSettings {
    fn default() -> Self {
        FormSettings {
            phases: BTreeMap::new(),
            achieved: Judgment::Achieved.label_ja().to_string(),
            not_achieved: Judgment::NotAchieved.label_ja().to_string(),
            undetermined: Judgment::Undetermined.label_ja().to_string(),
            allows_undetermined: true,
        }
    }
}

impl FormSettings {
    /// The settings stored under `forms`, else the defaults.
    pub fn of(settings: &Value) -> FormSettings {
        settings
            .get("forms")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    /// Whether plans of `family` go through `phase`.
    pub fn uses(&self, family: Family, phase: Phase) -> bool {
        self.phases
            .get(family.code())
            .is_none_or(|p| p.iter().any(|c| c == phase.code()))
    }

    /// The city's label of a judgment (Japanese).
    pub fn label(&self, j: Judgment) -> &str {
        match j {
            Judgment::Achieved => &self.achieved,
            Judgment::NotAchieved => &self.not_achieved,
            Judgment::Undetermined => &self.undetermined,
            Judgment::Unknown => Judgment::Unknown.label_ja(),
        }
    }

    /// The judgments a person may state on the evaluation form, in order.
    pub fn choices(&self) -> Vec<Judgment> {
        let mut v = vec![Judgment::Achieved, Judgment::NotAchieved];
        if self.allows_undetermined {
            v.push(Judgment::Undetermined);
        }
        v
    }

    /// What is wrong with the settings, at the field of the settings form.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let labels = [&self.achieved, &self.not_achieved, &self.undetermined];
        if labels
            .iter()
            .any(|l| l.trim().is_empty() || l.chars().count() > 20)
        {
            out.push(FieldProblem {
                field: "labels",
                ja: "判定の名前は1文字以上20文字以内で入力してください。",
                en: "Each judgment needs a label of 1 to 20 characters.",
            });
        } else if labels[0].trim() == labels[1].trim()
            || labels[0].trim() == labels[2].trim()
            || labels[1].trim() == labels[2].trim()
        {
            out.push(FieldProblem {
                field: "labels",
                ja: "判定の名前が重なっています。それぞれ別の名前にしてください。",
                en: "Two judgments have the same label.",
            });
        }
        for (family, phases) in &self.phases {
            if Family::from_code(family).is_none()
                || phases.iter().any(|p| Phase::from_code(p).is_none())
            {
                out.push(FieldProblem {
                    field: "phases",
                    ja: "知らない様式か段階が含まれています。",
                    en: "An unknown form or phase was given.",
                });
            } else if !phases.iter().any(|p| p == Phase::Plan.code()) {
                out.push(FieldProblem {
                    field: "phases",
                    ja: "どの様式も「計画」の段階は外せません。",
                    en: "Every form keeps its plan phase.",
                });
            }
        }
        out
    }
}

/// A municipality's form settings as stored.
pub async fn settings(store: &Store, m: MunicipalityId) -> Result<FormSettings, AppError> {
    Ok(FormSettings::of(&store.municipality_settings(m).await?))
}

/// Saves a municipality's form settings (its administrators), after checking them; an
/// unchanged form changes nothing, and each change is in the settings' history.
pub async fn set_settings(
    store: &Store,
    caller: &Caller,
    m: MunicipalityId,
    s: &FormSettings,
) -> Result<(), AppError> {
    let tree = tree_of_municipality(store, m).await?;
    allow(&caller.grants, &tree, Action::Administer).map_err(Refusal::Role)?;
    let problems = s.problems();
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    let mut clean = s.clone();
    for l in [
        &mut clean.achieved,
        &mut clean.not_achieved,
        &mut clean.undetermined,
    ] {
        *l = l.trim().to_string();
    }
    // A family that uses every phase is not written down (the default).
    clean.phases.retain(|_, p| p.len() < 3);
    let value = serde_json::to_value(&clean).map_err(|e| AppError::Invalid(e.to_string()))?;
    let stored = store.municipality_settings(m).await?;
    if FormSettings::of(&stored) == clean && stored.get("forms").is_some()
        || (stored.get("forms").is_none() && clean == FormSettings::default())
    {
        return Ok(());
    }
    store
        .set_municipality_setting(&caller.name, m, "forms", &value)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_use_every_phase_and_the_three_judgments() {
        let s = FormSettings::default();
        assert!(Family::ALL
            .iter()
            .all(|f| [Phase::Plan, Phase::Review, Phase::Evaluation]
                .iter()
                .all(|p| s.uses(*f, *p))));
        assert_eq!(s.choices().len(), 3);
        assert!(s.problems().is_empty());
        assert_eq!(FormSettings::of(&serde_json::json!({})), s);
    }

    #[test]
    fn problems_are_named_at_their_field() {
        let mut s = FormSettings {
            achieved: "達成".into(),
            not_achieved: "達成".into(),
            ..FormSettings::default()
        };
        assert_eq!(s.problems()[0].field, "labels");
        s.not_achieved = "未達成".into();
        s.phases
            .insert("reform_items".into(), vec!["evaluation".into()]);
        assert_eq!(s.problems()[0].field, "phases", "the plan phase stays");
        s.phases.insert(
            "reform_items".into(),
            vec!["plan".into(), "evaluation".into()],
        );
        assert!(s.problems().is_empty());
        assert!(!s.uses(Family::ReformItems, Phase::Review));
        assert!(s.uses(Family::ManagementSheet, Phase::Review));
        s.allows_undetermined = false;
        assert_eq!(s.choices(), vec![Judgment::Achieved, Judgment::NotAchieved]);
    }
}
