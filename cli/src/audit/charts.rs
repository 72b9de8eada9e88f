//! The report page's time-series charts, drawn with plotters' SVG backend:
//! lines (a series per metric) and stacked bars (a segment per part), one
//! slot per period. A withheld value is never drawn: its line breaks and
//! its bar segment is left out, and a note on the chart says how many
//! values are withheld and why. Coordinates are integers (a period is two
//! half-slots wide), so the same figures give the same SVG.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{self, PeriodLabel};

pub const WIDTH: u32 = 600;
pub const HEIGHT: u32 = 340;
const TOP: i32 = 62;
const NOTE: i32 = 34;
const X_AXIS: u32 = 36;
const Y_AXIS: u32 = 62;
/// At most this many periods are labelled on an axis.
const MAX_X_LABELS: usize = 12;

/// One value of a series in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Value(u64),
    /// Withheld by the privacy rules, with the reason.
    Withheld(String),
    /// Nothing in this period.
    Missing,
}

impl Val {
    fn value(&self) -> Option<u64> {
        match self {
            Val::Value(v) => Some(*v),
            _ => None,
        }
    }
}

/// A named series with a value per period.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub values: Vec<Val>,
}

/// What the y axis counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Points or yen, read in 万 and 億.
    Amount,
    /// Thousandths, shown as percentages.
    Permille,
    /// Jobs, accounts.
    Count,
}

impl Unit {
    /// A tick of an axis that goes up to `top`: amounts in one unit along
    /// the axis (万 from 10万, 億 from 10億), ratios as percentages.
    pub fn tick(&self, v: u64, top: u64) -> String {
        if v == 0 {
            return "0".into();
        }
        match self {
            Unit::Amount => {
                let (unit, suffix) = match top {
                    t if t >= 1_000_000_000 => (100_000_000u64, "億"),
                    t if t >= 100_000 => (10_000, "万"),
                    _ => return labels::thousands(v),
                };
                let tenths = u128::from(v) * 10 / u128::from(unit);
                match tenths % 10 {
                    0 => format!("{}{suffix}", labels::thousands((tenths / 10) as u64)),
                    d => format!("{}.{d}{suffix}", labels::thousands((tenths / 10) as u64)),
                }
            }
            Unit::Permille => format!("{}%", labels::thousands(v / 10)),
            Unit::Count => labels::thousands(v),
        }
    }
}

/// A chart: a title, the periods (labels as `figures` has them) and the series.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub periods: Vec<String>,
    pub series: Vec<Series>,
    pub unit: Unit,
}

impl Chart {
    /// The withheld values, counted by reason.
    pub fn withheld(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for s in &self.series {
            for v in &s.values {
                if let Val::Withheld(r) = v {
                    *out.entry(r.clone()).or_default() += 1;
                }
            }
        }
        out
    }

    /// The note under a chart, two lines: how many values are not drawn,
    /// and why.
    pub fn note(&self) -> Option<(String, String)> {
        let w = self.withheld();
        if w.is_empty() {
            return None;
        }
        let n: usize = w.values().sum();
        let why: Vec<String> = w
            .iter()
            .map(|(r, c)| format!("{} ×{c}", labels::withheld(r)))
            .collect();
        Some((
            format!("非公開 {n} 件は描画していません ({n} withheld, not drawn):"),
            why.join(", "),
        ))
    }
}

/// The font of every text: the page's style sheet names the CJK faces.
fn font(px: u32) -> TextStyle<'static> {
    // plotters writes font-size as size ÷ 1.24.
    TextStyle::from((FontFamily::SansSerif, f64::from(px) * 1.24)).color(&RGBColor(40, 40, 40))
}

/// The width a text takes at `px` (a CJK character is one em, others about half).
pub fn text_width(s: &str, px: u32) -> i32 {
    let half: u32 = s.chars().map(|c| if c.is_ascii() { 11 } else { 20 }).sum();
    (half * px / 20) as i32
}

/// The SVG of an error as text: plotters' drawing errors carry no data.
fn svg_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart: {e:?}")
}

/// The largest value drawn, rounded up to a round number above it.
fn y_top(values: impl Iterator<Item = u64>) -> u64 {
    let max = values.max().unwrap_or(0).max(1);
    let with_room = max.saturating_add(max / 10).max(max.saturating_add(1));
    let mut step = 1u64;
    while step.saturating_mul(10) <= with_room / 4 {
        step = step.saturating_mul(10);
    }
    // plotters' integer key points overflow near u64::MAX: no town's chart
    // reaches 10^18, and one that does is drawn clipped at it.
    with_room.div_ceil(step).saturating_mul(step).min(Y_CAP)
}

/// The highest y axis drawn.
const Y_CAP: u64 = 1_000_000_000_000_000_000;

/// Draws the parts every chart shares: the title, the legend, the note.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &Chart,
    legend: &[(String, RGBColor)],
) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(svg_error)?;
    // The title at 15 px, smaller when it would not fit.
    let room = WIDTH as i32 - 24;
    let wide = text_width(&c.title, 15);
    let px = if wide > room {
        (15 * room / wide).max(10) as u32
    } else {
        15
    };
    root.draw(&Text::new(
        c.title.clone(),
        (12, 8),
        font(px).pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .map_err(svg_error)?;
    // The legend, wrapped onto a second row when it is long.
    let (mut x, mut y) = (12, 34);
    for (label, color) in legend {
        let w = 16 + text_width(label, 12) + 14;
        if x + w > WIDTH as i32 - 8 && x > 12 {
            x = 12;
            y += 16;
        }
        root.draw(&Rectangle::new([(x, y), (x + 11, y + 11)], color.filled()))
            .map_err(svg_error)?;
        root.draw(&Text::new(
            label.clone(),
            (x + 16, y),
            font(12).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(svg_error)?;
        x += w;
    }
    if let Some((what, why)) = c.note() {
        let style = font(11)
            .color(&RGBColor(150, 40, 30))
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        root.draw(&Text::new(what, (12, HEIGHT as i32 - 20), style.clone()))
            .map_err(svg_error)?;
        root.draw(&Text::new(why, (12, HEIGHT as i32 - 6), style))
            .map_err(svg_error)?;
    }
    Ok(())
}

type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordi32, plotters::coord::types::RangedCoordu64>,
>;

/// The plot area: a period every two half-slots, y from 0 to `top`, with
/// the y axis labelled in the chart's unit and the periods labelled as dates.
fn plot<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    c: &Chart,
    top: u64,
    legend_rows: i32,
) -> anyhow::Result<Plot<'a, DB>> {
    let n = c.periods.len().max(1) as i32;
    let area = root.margin(TOP + 16 * (legend_rows - 1), NOTE, 0, 16);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(X_AXIS)
        .y_label_area_size(Y_AXIS)
        .build_cartesian_2d(0..2 * n, 0..top)
        .map_err(svg_error)?;
    let unit = c.unit;
    let fmt = move |v: &u64| unit.tick(*v, top);
    chart
        .configure_mesh()
        .disable_x_mesh()
        // One (empty) plotters label: the periods are labelled below as
        // dates. (Zero would loop in plotters' integer key points.)
        .x_labels(1)
        .x_label_formatter(&|_| String::new())
        .y_labels(6)
        .y_label_formatter(&fmt)
        .y_label_style(font(11))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(222, 222, 222))
        .axis_style(RGBColor(120, 120, 120))
        .draw()
        .map_err(svg_error)?;
    // The periods as dates: every period while they fit, else every few.
    let step = c.periods.len().div_ceil(MAX_X_LABELS).max(1);
    for (i, p) in c.periods.iter().enumerate().step_by(step) {
        let (x, y) = chart.backend_coord(&(2 * i as i32 + 1, 0));
        let (main, year) = match PeriodLabel::parse(p) {
            Some(l) => l.axis(i == 0),
            None => (p.clone(), None),
        };
        let style = font(11).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(main, (x, y + 6), style.clone()))
            .map_err(svg_error)?;
        if let Some(year) = year {
            root.draw(&Text::new(year, (x, y + 20), style))
                .map_err(svg_error)?;
        }
    }
    Ok(chart)
}

fn legend_rows(legend: &[(String, RGBColor)]) -> i32 {
    let (mut x, mut rows) = (12, 1);
    for (label, _) in legend {
        let w = 16 + text_width(label, 12) + 14;
        if x + w > WIDTH as i32 - 8 && x > 12 {
            x = 12;
            rows += 1;
        }
        x += w;
    }
    rows
}

fn legend(c: &Chart) -> Vec<(String, RGBColor)> {
    c.series
        .iter()
        .map(|s| (s.label.clone(), s.color))
        .collect()
}

/// Marks the SVG as a chart of the page: its name, how many values it
/// draws and withholds (plotters gives it a viewBox, so it scales).
fn finish(svg: String, name: &str, c: &Chart, drawn: usize) -> String {
    let withheld: usize = c.withheld().values().sum();
    let mut attrs = String::new();
    let _ = write!(
        attrs,
        r#"<svg class="chart" data-chart="{name}" data-drawn="{drawn}" data-withheld="{withheld}" role="img" aria-label="{}""#,
        super::page::escape(&c.title)
    );
    svg.replacen("<svg", &attrs, 1)
}

/// A line per series; a withheld or missing value breaks the line.
pub fn lines(name: &str, c: &Chart) -> anyhow::Result<String> {
    let mut svg = String::new();
    let mut drawn = 0;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let legend = legend(c);
        frame(&root, c, &legend)?;
        let top = y_top(
            c.series
                .iter()
                .flat_map(|s| s.values.iter().filter_map(Val::value)),
        );
        let mut chart = plot(&root, c, top, legend_rows(&legend))?;
        for s in &c.series {
            let style = s.color.stroke_width(2);
            let mut run: Vec<(i32, u64)> = Vec::new();
            let points: Vec<Option<(i32, u64)>> = s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| v.value().map(|v| (2 * i as i32 + 1, v.min(top))))
                .chain(std::iter::once(None))
                .collect();
            for p in points {
                match p {
                    Some(p) => run.push(p),
                    None if !run.is_empty() => {
                        if run.len() > 1 {
                            chart
                                .draw_series(LineSeries::new(run.clone(), style))
                                .map_err(svg_error)?;
                        }
                        chart
                            .draw_series(run.iter().map(|p| Circle::new(*p, 3, s.color.filled())))
                            .map_err(svg_error)?;
                        drawn += run.len();
                        run.clear();
                    }
                    None => {}
                }
            }
        }
        root.present().map_err(svg_error)?;
    }
    Ok(finish(svg, name, c, drawn))
}

/// A bar per period, its series stacked from the bottom; a withheld part
/// is left out of its bar.
pub fn stacked(name: &str, c: &Chart) -> anyhow::Result<String> {
    let mut svg = String::new();
    let mut drawn = 0;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let legend = legend(c);
        frame(&root, c, &legend)?;
        let totals = (0..c.periods.len()).map(|i| {
            c.series
                .iter()
                .filter_map(|s| s.values.get(i).and_then(Val::value))
                .fold(0u64, u64::saturating_add)
        });
        let top = y_top(totals);
        let mut chart = plot(&root, c, top, legend_rows(&legend))?;
        let mut base = vec![0u64; c.periods.len()];
        for s in &c.series {
            let mut bars = Vec::new();
            for (i, v) in s.values.iter().enumerate().take(base.len()) {
                let Some(v) = v.value().filter(|v| *v > 0) else {
                    continue;
                };
                let x = 2 * i as i32;
                let y1 = base[i].saturating_add(v).min(top);
                let mut r = Rectangle::new([(x, base[i]), (x + 2, y1)], s.color.filled());
                r.set_margin(0, 0, 3, 3);
                bars.push(r);
                base[i] = y1;
            }
            drawn += bars.len();
            chart.draw_series(bars).map_err(svg_error)?;
        }
        root.present().map_err(svg_error)?;
    }
    Ok(finish(svg, name, c, drawn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: Vec<Vec<Val>>) -> Chart {
        let colors = [RGBColor(10, 20, 30), RGBColor(200, 100, 0)];
        Chart {
            title: "利用 spent".into(),
            periods: vec!["2025-04".into(), "2025-05".into(), "2025-06".into()],
            series: values
                .into_iter()
                .enumerate()
                .map(|(i, values)| Series {
                    label: format!("系列{i} series {i}"),
                    color: colors[i % 2],
                    values,
                })
                .collect(),
            unit: Unit::Amount,
        }
    }

    /// The `<rect>`s filled with `color`, as (x, y, width, height).
    fn rects(svg: &str, color: &str) -> Vec<(i64, i64, i64, i64)> {
        let attr = |tag: &str, a: &str| -> i64 {
            let at = tag.find(&format!(" {a}=\"")).expect(a) + a.len() + 3;
            tag[at..]
                .split('"')
                .next()
                .and_then(|v| v.parse().ok())
                .expect(a)
        };
        svg.split("<rect")
            .skip(1)
            .map(|t| t.split("/>").next().unwrap_or(""))
            .filter(|t| t.contains(&format!("fill=\"{color}\"")))
            .map(|t| {
                (
                    attr(t, "x"),
                    attr(t, "y"),
                    attr(t, "width"),
                    attr(t, "height"),
                )
            })
            .collect()
    }

    #[test]
    fn stacked_bars_are_as_tall_as_their_parts_and_a_withheld_part_is_not_drawn() {
        let c = chart(vec![
            vec![Val::Value(100), Val::Value(200), Val::Value(300)],
            vec![
                Val::Value(100),
                Val::Withheld("fewer than k merchants".into()),
                Val::Missing,
            ],
        ]);
        let svg = stacked("t", &c).expect("svg");
        assert!(
            svg.starts_with(
                r#"<svg class="chart" data-chart="t" data-drawn="4" data-withheld="1""#
            ),
            "{}",
            &svg[..200]
        );
        assert_eq!(svg.matches("viewBox=\"0 0 600 340\"").count(), 1);
        // The legend's swatch is the first rect of each colour; then the bars.
        let a = rects(&svg, "#0A141E");
        let b = rects(&svg, "#C86400");
        assert_eq!(a.len(), 1 + 3, "{a:?}");
        assert_eq!(b.len(), 1 + 1, "{b:?}");
        let (bars_a, bar_b) = (&a[1..], b[1]);
        // Heights in proportion to the values; bars in period order, equally wide.
        let h: Vec<i64> = bars_a.iter().map(|r| r.3).collect();
        assert!(
            (h[1] - 2 * h[0]).abs() <= 2 && (h[2] - 3 * h[0]).abs() <= 3,
            "{h:?}"
        );
        assert!(
            bars_a
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && (w[0].2 - w[1].2).abs() <= 1)
        );
        // April's second part sits on its first, as tall.
        assert_eq!(bar_b.0, bars_a[0].0);
        assert!(
            (bar_b.1 + bar_b.3 - bars_a[0].1).abs() <= 1,
            "{bar_b:?} on {:?}",
            bars_a[0]
        );
        assert!((bar_b.3 - bars_a[0].3).abs() <= 1);
        // The note says what is not drawn; the axis reads dates, not labels.
        assert!(svg.contains("非公開 1 件は描画していません (1 withheld, not drawn):\n</text>"));
        assert!(svg.contains("\n加盟店が k 未満 (fewer than k merchants) ×1\n</text>"));
        assert!(
            svg.contains("\n4月\n</text>")
                && svg.contains("\n2025年\n</text>")
                && svg.contains("\n6月\n</text>")
        );
        assert!(!svg.contains("2025-05"), "a raw period label on the axis");
        assert_eq!(
            stacked("t", &c).expect("svg"),
            svg,
            "the same figures, the same SVG"
        );
    }

    #[test]
    fn a_withheld_value_breaks_the_line() {
        let c = chart(vec![vec![
            Val::Value(10),
            Val::Withheld("fewer than k accounts".into()),
            Val::Value(30),
        ]]);
        let svg = lines("l", &c).expect("svg");
        assert!(svg.contains(r#"data-drawn="2" data-withheld="1""#));
        // Two runs of one point: no line joins April to June across May.
        assert_eq!(
            svg.matches(r##"<polyline fill="none" opacity="1" stroke="#0A141E""##)
                .count(),
            0,
            "{svg}"
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        let all = chart(vec![vec![Val::Value(10), Val::Value(20), Val::Value(30)]]);
        let svg = lines("l", &all).expect("svg");
        assert_eq!(
            svg.matches(r##"<polyline fill="none" opacity="1" stroke="#0A141E""##)
                .count(),
            1
        );
        assert!(!svg.contains("withheld, not drawn"));
        // Higher values are drawn higher: the polyline's y falls.
        let pts = svg
            .split(r##"stroke="#0A141E" stroke-width="2" points=""##)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("points");
        let ys: Vec<i64> = pts
            .split(' ')
            .filter_map(|p| p.split(',').nth(1)?.parse().ok())
            .collect();
        assert_eq!(ys.len(), 3);
        assert!(ys[0] > ys[1] && ys[1] > ys[2], "{ys:?}");
    }

    #[test]
    fn empty_and_huge_charts_draw() {
        let c = chart(vec![vec![Val::Missing; 3]]);
        assert!(lines("e", &c).expect("svg").contains(r#"data-drawn="0""#));
        let big = chart(vec![
            vec![
                Val::Value(u64::MAX),
                Val::Value(u64::MAX),
                Val::Value(0)
            ];
            2
        ]);
        assert!(stacked("b", &big).is_ok());
        assert!(lines("b", &big).is_ok());
        let mut none = c.clone();
        none.periods.clear();
        none.series[0].values.clear();
        assert!(stacked("n", &none).is_ok());
    }

    #[test]
    fn axis_ticks_read_in_one_unit() {
        assert_eq!(Unit::Amount.tick(250_000, 800_000), "25万");
        assert_eq!(Unit::Amount.tick(0, 800_000), "0");
        assert_eq!(Unit::Amount.tick(50_000, 800_000), "5万");
        assert_eq!(Unit::Amount.tick(15_000, 100_000), "1.5万");
        assert_eq!(Unit::Amount.tick(40_000, 90_000), "40,000");
        assert_eq!(Unit::Amount.tick(20_000_000, 100_000_000), "2,000万");
        assert_eq!(Unit::Amount.tick(1_500_000_000, 2_000_000_000), "15億");
        assert_eq!(Unit::Permille.tick(600, 1000), "60%");
        assert_eq!(Unit::Count.tick(1200, 2000), "1,200");
    }

    #[test]
    fn y_axis_tops_are_round() {
        assert_eq!(y_top([0].into_iter()), 2);
        assert_eq!(y_top([100].into_iter()), 110);
        assert_eq!(y_top([723_000_000].into_iter()), 800_000_000);
        assert_eq!(y_top([u64::MAX].into_iter()), Y_CAP);
    }
}
