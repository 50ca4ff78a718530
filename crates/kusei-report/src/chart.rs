//! SVG charts drawn by hand (no script, no external font): a horizontal bar chart for
//! comparing units and a line chart for years. Each chart is an `svg role="img"` with a
//! `<title>` and a `<desc>` that states the figures in words; pages put the numbers table
//! beside it. Texts are escaped (maud).

use maud::{html, Markup};

/// One bar: a label (ward) and its value (`None` = no figure; drawn as "—").
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
}

/// One line: a name and a value per x position (`None` = gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Colours with at least 3:1 contrast on white (WCAG 1.4.11); lines also differ in dash
/// and marker so colour is never the only cue.
const COLOURS: [&str; 6] = [
    "#1f5fa8", "#b35900", "#2e7d32", "#8e24aa", "#c62828", "#37474f",
];
const DASHES: [&str; 6] = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"];

/// A figure for labels and the text alternative: 15200, 3.5, 1,234,567.
pub fn fmt(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    let neg = rounded < 0.0;
    let abs = rounded.abs();
    let int = abs.trunc() as u64;
    let frac = abs - abs.trunc();
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let mut s = if neg { format!("-{grouped}") } else { grouped };
    if frac > 0.0 {
        let f = format!("{:.2}", frac);
        s.push_str(f.trim_start_matches('0').trim_end_matches('0'));
    }
    s
}

/// A "nice" upper bound for an axis (1, 2, 2.5, 5 × 10^n).
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let exp = max.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * base >= max {
            return m * base;
        }
    }
    10.0 * base
}

/// Horizontal bars, one per label, with the value written at the bar's end.
pub fn bar_chart(id: &str, title: &str, unit: &str, bars: &[Bar]) -> Markup {
    bar_chart_in(false, id, title, unit, bars)
}

/// [`bar_chart`] with its description in English when `english`.
pub fn bar_chart_in(english: bool, id: &str, title: &str, unit: &str, bars: &[Bar]) -> Markup {
    let known: Vec<(&str, f64)> = bars
        .iter()
        .filter_map(|b| b.value.map(|v| (b.label.as_str(), v)))
        .collect();
    let highest = known.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    // Shares are read against the whole: a percentage axis runs from 0 to 100 %.
    let max = if unit == "%" && highest <= 100.0 {
        100.0
    } else {
        nice_max(highest)
    };
    let (label_w, plot_w, row_h, top) = (120.0, 420.0, 22.0, 28.0);
    let height = top + row_h * bars.len() as f64 + 30.0;
    let width = label_w + plot_w + 90.0;
    let desc = bar_description(english, title, unit, &known, bars.len());
    let ticks: Vec<f64> = (0..=4).map(|k| max * f64::from(k) / 4.0).collect();
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" id=(id)
            viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height)
            aria-labelledby=(format!("{id}-title {id}-desc")) {
            title id=(format!("{id}-title")) { (title) }
            desc id=(format!("{id}-desc")) { (desc) }
            text x="4" y="16" font-size="13" font-weight="bold" fill="#111" { (title) " (" (unit) ")" }
            @for t in &ticks {
                @let x = label_w + plot_w * t / max;
                line x1=(x) x2=(x) y1=(top - 4.0) y2=(height - 26.0) stroke="#ccc" stroke-width="1" {}
                text x=(x) y=(height - 10.0) font-size="11" text-anchor="middle" fill="#333" { (fmt(*t)) }
            }
            @for (i, b) in bars.iter().enumerate() {
                @let y = top + row_h * i as f64;
                text x=(label_w - 6.0) y=(y + row_h * 0.65) font-size="12" text-anchor="end" fill="#111" { (b.label) }
                @match b.value {
                    Some(v) => {
                        @let w = (plot_w * v.max(0.0) / max).max(1.0);
                        rect x=(label_w) y=(y + 3.0) width=(w) height=(row_h - 6.0) fill=(COLOURS[0]) {}
                        text x=(label_w + w + 4.0) y=(y + row_h * 0.65) font-size="11" fill="#111" { (fmt(v)) }
                    }
                    None => {
                        text x=(label_w + 4.0) y=(y + row_h * 0.65) font-size="11" fill="#555" { (if english { "— (no figure)" } else { "—（数値なし）" }) }
                    }
                }
            }
        }
    }
}

fn bar_description(
    english: bool,
    title: &str,
    unit: &str,
    known: &[(&str, f64)],
    total: usize,
) -> String {
    if known.is_empty() {
        return if english {
            format!("{title}: no unit has a figure.")
        } else {
            format!("{title}：数値のある組織はありません。")
        };
    }
    let (mut hi, mut lo) = (known[0], known[0]);
    for k in known {
        if k.1 > hi.1 {
            hi = *k;
        }
        if k.1 < lo.1 {
            lo = *k;
        }
    }
    let mean = known.iter().map(|k| k.1).sum::<f64>() / known.len() as f64;
    if english {
        return format!(
            "Bar chart of {title}. {} of {total} units have a figure. Highest: {} {}{unit}; lowest: {} {}{unit}; mean {}{unit}. The figures are in the table beside it.",
            known.len(),
            hi.0,
            fmt(hi.1),
            lo.0,
            fmt(lo.1),
            fmt(mean)
        );
    }
    format!(
        "{title}の横棒グラフ。{total}組織中{}組織に数値があります。最大は{}の{}{unit}、最小は{}の{}{unit}、平均は{}{unit}。数値は隣の表にあります。",
        known.len(),
        hi.0,
        fmt(hi.1),
        lo.0,
        fmt(lo.1),
        fmt(mean)
    )
}

/// Lines over x positions (fiscal years), one per series, with markers and a legend.
pub fn line_chart(
    id: &str,
    title: &str,
    unit: &str,
    x_labels: &[String],
    series: &[Series],
) -> Markup {
    line_chart_in(false, id, title, unit, x_labels, series)
}

/// [`line_chart`] with its description in English when `english`.
pub fn line_chart_in(
    english: bool,
    id: &str,
    title: &str,
    unit: &str,
    x_labels: &[String],
    series: &[Series],
) -> Markup {
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .collect();
    let max = nice_max(all.iter().copied().fold(0.0, f64::max));
    let (left, plot_w, plot_h, top) = (70.0, 440.0, 200.0, 30.0);
    let legend_h = 18.0 * series.len() as f64;
    let width = left + plot_w + 50.0;
    let height = top + plot_h + 40.0 + legend_h;
    let n = x_labels.len().max(1);
    let x_at = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_at = |v: f64| top + plot_h - plot_h * v.max(0.0) / max;
    let desc = line_description(english, title, unit, x_labels, series);
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" id=(id)
            viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height)
            aria-labelledby=(format!("{id}-title {id}-desc")) {
            title id=(format!("{id}-title")) { (title) }
            desc id=(format!("{id}-desc")) { (desc) }
            text x="4" y="16" font-size="13" font-weight="bold" fill="#111" { (title) " (" (unit) ")" }
            @for k in 0..=4 {
                @let v = max * f64::from(k) / 4.0;
                line x1=(left) x2=(left + plot_w) y1=(y_at(v)) y2=(y_at(v)) stroke="#ccc" stroke-width="1" {}
                text x=(left - 6.0) y=(y_at(v) + 4.0) font-size="11" text-anchor="end" fill="#333" { (fmt(v)) }
            }
            @for (i, l) in x_labels.iter().enumerate() {
                text x=(x_at(i)) y=(top + plot_h + 18.0) font-size="11" text-anchor="middle" fill="#111" { (l) }
            }
            @for (si, s) in series.iter().enumerate() {
                @let colour = COLOURS[si % COLOURS.len()];
                @let dash = DASHES[si % DASHES.len()];
                @let path = line_path(&s.values, &x_at, &y_at);
                path d=(path) fill="none" stroke=(colour) stroke-width="2.5" stroke-dasharray=(dash) {}
                @for (i, v) in s.values.iter().enumerate() {
                    @if let Some(v) = v {
                        @if si % 2 == 0 {
                            circle cx=(x_at(i)) cy=(y_at(*v)) r="4" fill=(colour) {}
                        } @else {
                            rect x=(x_at(i) - 4.0) y=(y_at(*v) - 4.0) width="8" height="8" fill=(colour) {}
                        }
                    }
                }
                @let ly = top + plot_h + 36.0 + 18.0 * si as f64;
                line x1=(left) x2=(left + 30.0) y1=(ly - 4.0) y2=(ly - 4.0) stroke=(colour) stroke-width="2.5" stroke-dasharray=(dash) {}
                text x=(left + 36.0) y=(ly) font-size="12" fill="#111" { (s.name) }
            }
        }
    }
}

fn line_path(
    values: &[Option<f64>],
    x_at: &dyn Fn(usize) -> f64,
    y_at: &dyn Fn(f64) -> f64,
) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                d.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x_at(i),
                    y_at(*v)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d.trim_end().to_string()
}

fn line_description(
    english: bool,
    title: &str,
    unit: &str,
    x: &[String],
    series: &[Series],
) -> String {
    let (head, none, colon, point_sep, end) = if english {
        (
            format!("Line chart of {title} ({}).", x.join(", ")),
            "no figure",
            ": ",
            ", ",
            ". ",
        )
    } else {
        (
            format!("{title}の折れ線グラフ（{}）。", x.join("・")),
            "数値なし",
            "：",
            "、",
            "。",
        )
    };
    let mut parts = vec![head];
    for s in series {
        let points: Vec<String> = s
            .values
            .iter()
            .zip(x)
            .map(|(v, l)| match v {
                Some(v) => format!("{l} {}{unit}", fmt(*v)),
                None => format!("{l} {none}"),
            })
            .collect();
        parts.push(format!("{}{colon}{}{end}", s.name, points.join(point_sep)));
    }
    if english {
        parts.join(" ")
    } else {
        parts.concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_axis_runs_to_100() {
        let bars = [
            Bar {
                label: "東区".into(),
                value: Some(12.0),
            },
            Bar {
                label: "西区".into(),
                value: Some(30.0),
            },
        ];
        let svg = bar_chart("p", "達成率", "%", &bars).into_string();
        assert!(svg.contains(">100</text>"), "{svg}");
        let svg = bar_chart("c", "件数", "件", &bars).into_string();
        assert!(
            !svg.contains(">100</text>"),
            "counts keep their own scale: {svg}"
        );
    }

    #[test]
    fn figures_are_grouped_and_trimmed() {
        assert_eq!(fmt(15200.0), "15,200");
        assert_eq!(fmt(1234567.0), "1,234,567");
        assert_eq!(fmt(3.5), "3.5");
        assert_eq!(fmt(-42.25), "-42.25");
        assert_eq!(fmt(0.0), "0");
    }

    #[test]
    fn axis_maximum_is_a_round_number_above_the_data() {
        assert_eq!(nice_max(87.0), 100.0);
        assert_eq!(nice_max(15200.0), 20000.0);
        assert_eq!(nice_max(2.1), 2.5);
        assert_eq!(nice_max(0.0), 1.0);
    }

    #[test]
    fn bar_chart_states_its_figures_in_words_and_escapes_labels() {
        let bars = vec![
            Bar {
                label: "北区".into(),
                value: Some(80.0),
            },
            Bar {
                label: "<b>都島区</b>".into(),
                value: Some(95.5),
            },
            Bar {
                label: "福島区".into(),
                value: None,
            },
        ];
        let svg = bar_chart("c1", "区民満足度", "%", &bars).into_string();
        assert!(svg.contains("role=\"img\""));
        assert!(
            svg.contains("最大は&lt;b&gt;都島区&lt;/b&gt;の95.5%"),
            "{svg}"
        );
        assert!(svg.contains("最小は北区の80%"));
        assert!(svg.contains("3組織中2組織に数値"));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn line_chart_breaks_at_missing_years() {
        let s = Series {
            name: "平均".into(),
            values: vec![Some(1.0), None, Some(3.0), Some(4.0)],
        };
        let d = line_path(&s.values, &|i| i as f64, &|v| v);
        assert_eq!(d, "M0.0,1.0 M2.0,3.0 L3.0,4.0");
        let svg = line_chart(
            "t",
            "件数",
            "件",
            &["R5".into(), "R6".into(), "R7".into(), "R8".into()],
            &[s],
        )
        .into_string();
        assert!(
            svg.contains("平均：R5 1件、R6 数値なし、R7 3件、R8 4件。"),
            "{svg}"
        );
    }
}
