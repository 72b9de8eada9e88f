//! The report as a page people look at: one self-contained HTML file
//! (`report.html`: style and charts inline, nothing fetched), every chart
//! also as `charts/<name>.svg`, and the page's tables as CSV under
//! `tables/` (one per asset, and jobs).
//! Built from the published figures and flow cells only, so a withheld
//! figure cannot reach a chart: it is shown as withheld, with the reason.
//! Labels are Japanese with an English gloss; periods read as dates.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::style::RGBColor;

use super::charts::{self, Chart, Series, Unit, Val};
use super::flows::Figure;
use super::labels::{self, PeriodLabel};
use super::sankey::{self, Link};

/// What the page says about the chain it was computed from.
#[derive(Debug, Clone)]
pub struct Meta {
    pub chain_id: String,
    pub height: u64,
    pub blocks: u64,
    pub transactions: u64,
    pub k: usize,
}

/// One cell of the flows matrix: what moved from one group to another in
/// a period, in an asset; a withheld cell carries no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub period: String,
    pub asset: String,
    pub from: String,
    pub to: String,
    pub value: u64,
    pub withheld: Option<String>,
}

/// `&` `<` `>` `"` `'` as entities.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A name safe as a file name and an HTML attribute.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

const BLUE: RGBColor = RGBColor(58, 110, 165);
const LIGHT_BLUE: RGBColor = RGBColor(125, 170, 215);
const TEAL: RGBColor = RGBColor(42, 157, 143);
const GREY: RGBColor = RGBColor(150, 150, 150);
const GREEN: RGBColor = RGBColor(60, 154, 95);
const ORANGE: RGBColor = RGBColor(224, 138, 30);
const RUST: RGBColor = RGBColor(192, 87, 43);
const PURPLE: RGBColor = RGBColor(142, 107, 184);
const BROWN: RGBColor = RGBColor(120, 90, 60);
const RED: RGBColor = RGBColor(194, 59, 59);
const NAVY: RGBColor = RGBColor(40, 60, 110);

/// The figures by subject and metric, then period.
struct Index<'a> {
    by: BTreeMap<(&'a str, &'a str), BTreeMap<&'a str, &'a Figure>>,
    periods: Vec<String>,
    assets: Vec<String>,
}

impl<'a> Index<'a> {
    fn new(figures: &'a [Figure]) -> Self {
        let mut by: BTreeMap<(&str, &str), BTreeMap<&str, &Figure>> = BTreeMap::new();
        let mut periods = BTreeSet::new();
        let mut assets = BTreeSet::new();
        for f in figures {
            by.entry((f.subject.as_str(), f.metric.as_str()))
                .or_default()
                .insert(f.period.as_str(), f);
            // The reporting periods: those of the per-period figures (not
            // "all", nor the half-deposit test's base dates).
            if ["float_end", "reach", "posted"].contains(&f.metric.as_str())
                && PeriodLabel::parse(&f.period).is_some()
            {
                periods.insert(f.period.clone());
            }
            // An asset is a subject with a float.
            if f.metric == "float_end" {
                assets.insert(f.subject.clone());
            }
        }
        // The town's assets first, in the order people know them.
        let known = ["coin", "voucher", "point", "yui"];
        let mut assets: Vec<String> = assets.into_iter().collect();
        assets.sort_by_key(|a| {
            (
                known.iter().position(|k| k == a).unwrap_or(known.len()),
                a.clone(),
            )
        });
        Self {
            by,
            periods: periods.into_iter().collect(),
            assets,
        }
    }

    fn val(&self, subject: &str, metric: &str, period: &str) -> Val {
        match self.by.get(&(subject, metric)).and_then(|m| m.get(period)) {
            Some(Figure { value: Some(v), .. }) => Val::Value(*v),
            Some(Figure {
                withheld: Some(r), ..
            }) => Val::Withheld(r.clone()),
            _ => Val::Missing,
        }
    }

    fn series(&self, subject: &str, metric: &str, color: RGBColor) -> Series {
        Series {
            label: labels::metric_text(metric),
            color,
            values: self
                .periods
                .iter()
                .map(|p| self.val(subject, metric, p))
                .collect(),
        }
    }

    /// Issued from every source: withheld when a part is.
    fn issued(&self, asset: &str) -> Series {
        let parts = [
            "issued_charge",
            "issued_bonus",
            "issued_grant",
            "issued_contract",
        ];
        let values = self
            .periods
            .iter()
            .map(|p| {
                let mut sum = 0u64;
                let mut any = false;
                for m in parts {
                    match self.val(asset, m, p) {
                        Val::Value(v) => {
                            sum = sum.saturating_add(v);
                            any = true;
                        }
                        w @ Val::Withheld(_) => return w,
                        Val::Missing => {}
                    }
                }
                if any { Val::Value(sum) } else { Val::Missing }
            })
            .collect();
        Series {
            label: labels::metric_text("issued"),
            color: BLUE,
            values,
        }
    }

    /// The published total of a metric over every period, and how many
    /// periods are withheld.
    fn total(&self, subject: &str, metric: &str) -> (u64, usize) {
        let (mut sum, mut withheld) = (0u64, 0);
        for p in &self.periods {
            match self.val(subject, metric, p) {
                Val::Value(v) => sum = sum.saturating_add(v),
                Val::Withheld(_) => withheld += 1,
                Val::Missing => {}
            }
        }
        (sum, withheld)
    }
}

/// Keeps the series that have something to show (a value or a withheld one).
fn shown(series: Vec<Series>) -> Vec<Series> {
    series
        .into_iter()
        .filter(|s| {
            s.values
                .iter()
                .any(|v| matches!(v, Val::Value(x) if *x > 0) || matches!(v, Val::Withheld(_)))
        })
        .collect()
}

/// The page and its charts (name, SVG), in the order the page shows them.
pub struct Page {
    pub html: String,
    pub charts: Vec<(String, String)>,
    pub tables: Vec<(String, String)>,
}

/// Builds the page from the published figures and flow cells.
pub fn build(meta: &Meta, figures: &[Figure], flows: &[Flow]) -> anyhow::Result<Page> {
    let ix = Index::new(figures);
    let mut charts_out: Vec<(String, String)> = Vec::new();
    let mut tables = Vec::new();
    let span = match (ix.periods.first(), ix.periods.last()) {
        (Some(a), Some(b)) if a == b => labels::period_long(a),
        (Some(a), Some(b)) => format!("{} – {}", labels::period_long(a), labels::period_long(b)),
        _ => "—".into(),
    };
    let kind = ix
        .periods
        .first()
        .and_then(|p| PeriodLabel::parse(p))
        .map_or("", |l| l.kind());
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<header><h1>地域通貨の流れ — 監査報告 <span class="en">How the town's money moved: the auditor's report</span></h1>
<p class="meta">チェーン chain <b>{}</b> · 検証済み verified to height <b>{}</b> ({} ブロック blocks, {} 取引 transactions) · 期間 period <b>{}</b> ({}) · 公開の最小人数 figures describe at least <b>k = {}</b> accounts</p></header>
"#,
        escape(&meta.chain_id),
        labels::thousands(meta.height),
        labels::thousands(meta.blocks),
        labels::thousands(meta.transactions),
        escape(&span),
        kind,
        meta.k
    );
    // Headline cards, per asset.
    body.push_str(
        "<section id=\"headline\"><h2>概要 <span class=\"en\">Headline figures</span></h2>\n",
    );
    for a in &ix.assets {
        body.push_str(&cards(&ix, a));
    }
    body.push_str("</section>\n");

    if flows.is_empty() {
        body.push_str("<p class=\"note\">このレポートには流れの表がありません。 No flows matrix in this report.</p>\n");
    }
    // Per asset: the time series and the table.
    for a in &ix.assets {
        let s = slug(a);
        let _ = writeln!(
            body,
            "<section class=\"asset\" id=\"asset-{s}\"><h2>{}</h2>",
            escape(&labels::asset(a))
        );
        // How the asset moved between groups, over the whole span.
        let cells: Vec<Link> = flows
            .iter()
            .filter(|f| &f.asset == a)
            .map(|f| Link {
                from: &f.from,
                to: &f.to,
                value: if f.withheld.is_some() { 0 } else { f.value },
                withheld: f.withheld.as_deref(),
            })
            .collect();
        if !cells.is_empty() {
            let name = format!("{s}-flows-between-groups");
            let ja = labels::asset(a);
            let title = format!(
                "{}の流れ（グループ間） flows of {a} between groups · {span}",
                ja.split(' ').next().unwrap_or(a)
            );
            let svg = sankey::sankey(&name, &title, cells);
            let _ = writeln!(body, "<figure class=\"wide\">{svg}</figure>");
            charts_out.push((name, svg));
        }
        body.push_str("<div class=\"grid\">\n");
        let mut add = |name: String, svg: String| {
            let _ = writeln!(body, "<figure>{svg}</figure>");
            charts_out.push((name, svg));
        };
        let t = |ja: &str, en: &str| format!("{} — {ja} {en}", labels::asset(a));
        let specs: Vec<(&str, Chart, bool)> = vec![
            (
                "issued-by-source",
                Chart {
                    title: t("発行（原資別）", "issued by source"),
                    periods: ix.periods.clone(),
                    series: shown(vec![
                        ix.series(a, "issued_charge", BLUE),
                        ix.series(a, "issued_bonus", LIGHT_BLUE),
                        ix.series(a, "issued_grant", TEAL),
                        ix.series(a, "issued_contract", GREY),
                    ]),
                    unit: Unit::Amount,
                },
                true,
            ),
            (
                "spent-by-merchant-class",
                Chart {
                    title: t("加盟店での利用（業態別）", "spent at merchants by class"),
                    periods: ix.periods.clone(),
                    series: shown(vec![
                        ix.series(a, "spent_small_local", ORANGE),
                        ix.series(a, "spent_large", RUST),
                        ix.series(a, "spent_public", PURPLE),
                    ]),
                    unit: Unit::Amount,
                },
                true,
            ),
            (
                "flows",
                Chart {
                    title: t(
                        "発行・利用・送金・換金・失効",
                        "issued, spent, P2P, redeemed, breakage",
                    ),
                    periods: ix.periods.clone(),
                    series: shown(vec![
                        ix.issued(a),
                        ix.series(a, "spent", GREEN),
                        ix.series(a, "p2p", TEAL),
                        ix.series(a, "redeemed", BROWN),
                        ix.series(a, "breakage", RED),
                    ]),
                    unit: Unit::Amount,
                },
                false,
            ),
            (
                "float",
                Chart {
                    title: t("未使用残高（期末）", "float outstanding at period end"),
                    periods: ix.periods.clone(),
                    series: vec![ix.series(a, "float_end", NAVY)],
                    unit: Unit::Amount,
                },
                false,
            ),
            (
                "utilisation-velocity",
                Chart {
                    title: t(
                        "利用率・回転率・地元店シェア",
                        "utilisation, velocity, local share",
                    ),
                    periods: ix.periods.clone(),
                    series: shown(vec![
                        ix.series(a, "utilisation_permille", GREEN),
                        ix.series(a, "velocity_permille", BLUE),
                        ix.series(a, "local_share_permille", ORANGE),
                    ]),
                    unit: Unit::Permille,
                },
                false,
            ),
        ];
        for (what, chart, bars) in specs {
            if chart.series.is_empty() {
                continue;
            }
            let name = format!("{s}-{what}");
            let svg = if bars {
                charts::stacked(&name, &chart)?
            } else {
                charts::lines(&name, &chart)?
            };
            add(name, svg);
        }
        body.push_str("</div>\n");
        let cols = [
            "issued_charge",
            "issued_bonus",
            "issued_grant",
            "spent_small_local",
            "spent_large",
            "spent_public",
            "p2p",
            "refunds",
            "redeemed",
            "breakage",
            "burned",
            "float_end",
            "holders_end",
            "utilisation_permille",
            "velocity_permille",
        ];
        body.push_str(&table(&ix, a, &cols));
        tables.push((format!("{s}.csv"), csv(&ix, a, &cols)));
        body.push_str("</section>\n");
    }

    // People: reach and jobs.
    let job_cols = [
        "posted",
        "completed",
        "disputed",
        "timed_out",
        "cancelled",
        "hours_to_completion_mean",
    ];
    let has_jobs = ix.by.keys().any(|(s, _)| *s == "jobs");
    let has_reach = ix.by.contains_key(&("accounts", "reach"));
    if has_jobs || has_reach {
        body.push_str("<section id=\"people\"><h2>利用者とジョブ <span class=\"en\">People and jobs</span></h2>\n<div class=\"grid\">\n");
        if has_reach {
            let c = Chart {
                title: "利用者数 — 支払・送金した口座 accounts that paid or sent".into(),
                periods: ix.periods.clone(),
                series: vec![ix.series("accounts", "reach", GREEN)],
                unit: Unit::Count,
            };
            let svg = charts::lines("reach", &c)?;
            let _ = writeln!(body, "<figure>{svg}</figure>");
            charts_out.push(("reach".into(), svg));
        }
        if has_jobs {
            let c = Chart {
                title: "ジョブ（助け合い） — jobs posted, completed, disputed, timed out".into(),
                periods: ix.periods.clone(),
                series: shown(vec![
                    ix.series("jobs", "posted", BLUE),
                    ix.series("jobs", "completed", GREEN),
                    ix.series("jobs", "disputed", ORANGE),
                    ix.series("jobs", "timed_out", RED),
                    ix.series("jobs", "cancelled", GREY),
                ]),
                unit: Unit::Count,
            };
            if !c.series.is_empty() {
                let svg = charts::lines("jobs", &c)?;
                let _ = writeln!(body, "<figure>{svg}</figure>");
                charts_out.push(("jobs".into(), svg));
            }
        }
        body.push_str("</div>\n");
        if has_jobs {
            body.push_str(&table(&ix, "jobs", &job_cols));
            tables.push(("jobs.csv".into(), csv(&ix, "jobs", &job_cols)));
        }
        body.push_str("</section>\n");
    }
    body.push_str(&privacy(meta, figures));
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>監査報告 audit report — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(&meta.chain_id)
    );
    Ok(Page {
        html,
        charts: charts_out,
        tables,
    })
}

/// Writes `report.html`, `charts/*.svg` and `tables/*.csv` under `dir`.
pub fn write(
    dir: &Path,
    meta: &Meta,
    figures: &[Figure],
    flows: &[Flow],
) -> anyhow::Result<Vec<PathBuf>> {
    let page = build(meta, figures, flows)?;
    let mut written = Vec::new();
    for sub in ["charts", "tables"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    for (name, svg) in &page.charts {
        let p = dir.join("charts").join(format!("{name}.svg"));
        std::fs::write(
            &p,
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}"),
        )?;
        written.push(p);
    }
    for (name, text) in &page.tables {
        let p = dir.join("tables").join(name);
        std::fs::write(&p, text)?;
        written.push(p);
    }
    let p = dir.join("report.html");
    std::fs::write(&p, &page.html)?;
    written.push(p);
    Ok(written)
}

/// A headline card: a label, a value, and what it leaves out.
fn card(label: &str, value: &str, foot: &str) -> String {
    format!(
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"foot\">{}</div></div>",
        escape(label),
        escape(value),
        escape(foot)
    )
}

fn cards(ix: &Index, a: &str) -> String {
    let mut s = format!(
        "<h3>{}</h3>\n<div class=\"cards\">",
        escape(&labels::asset(a))
    );
    let excl = |w: usize| {
        if w == 0 {
            String::new()
        } else {
            format!("非公開 {w} 件を除く excl. {w} withheld")
        }
    };
    let issued: Vec<(u64, usize)> = [
        "issued_charge",
        "issued_bonus",
        "issued_grant",
        "issued_contract",
    ]
    .iter()
    .map(|m| ix.total(a, m))
    .collect();
    let (issued_sum, issued_w) = issued.iter().fold((0u64, 0), |acc, (v, w)| {
        (acc.0.saturating_add(*v), acc.1 + w)
    });
    let (spent, spent_w) = ix.total(a, "spent");
    for (m, (v, w)) in [
        ("issued", (issued_sum, issued_w)),
        ("spent", (spent, spent_w)),
        ("p2p", ix.total(a, "p2p")),
        ("redeemed", ix.total(a, "redeemed")),
        ("breakage", ix.total(a, "breakage")),
    ] {
        let foot = format!("{} {}", labels::thousands(v), excl(w));
        s.push_str(&card(
            &labels::metric_text(m),
            &labels::amount_short(v),
            foot.trim_end(),
        ));
    }
    // The float at the end of the last period the asset has one.
    let last = ix
        .periods
        .iter()
        .rev()
        .find(|p| ix.val(a, "float_end", p) != Val::Missing)
        .or(ix.periods.last());
    if let Some(last) = last {
        let at = PeriodLabel::parse(last).map_or(last.clone(), |l| l.long());
        let (value, foot) = match ix.val(a, "float_end", last) {
            Val::Value(v) => (
                labels::amount_short(v),
                format!("{}, {at}末 at end of {last}", labels::thousands(v)),
            ),
            Val::Withheld(r) => ("非公開 withheld".into(), labels::withheld(&r)),
            Val::Missing => ("—".into(), format!("{at}末 at end of {last}")),
        };
        s.push_str(&card(&labels::metric_text("float_end"), &value, &foot));
    }
    let util = if issued_w + spent_w == 0 && issued_sum > 0 {
        labels::permille(
            ((u128::from(spent) * 1000 + u128::from(issued_sum) / 2) / u128::from(issued_sum))
                as u64,
        )
    } else {
        "—".into()
    };
    s.push_str(&card(
        &labels::metric_text("utilisation_permille"),
        &util,
        "全期間 利用 ÷ 発行 spent ÷ issued, whole span",
    ));
    s.push_str("</div>\n");
    s
}

/// A figure as the table shows it.
fn cell_text(metric: &str, v: &Val) -> String {
    match v {
        Val::Value(x) if metric.ends_with("_permille") => labels::permille(*x),
        Val::Value(x) => labels::thousands(*x),
        Val::Withheld(_) => "非公開".into(),
        Val::Missing => "—".into(),
    }
}

fn table(ix: &Index, subject: &str, cols: &[&str]) -> String {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut s = String::from("<div class=\"table\"><table>\n<thead><tr><th>期間 period</th>");
    for c in cols {
        let l = labels::metric(c);
        let _ = write!(
            s,
            "<th>{}<br><span class=\"en\">{}</span></th>",
            escape(l.ja),
            escape(l.en)
        );
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for p in &ix.periods {
        let vals: Vec<Val> = cols.iter().map(|c| ix.val(subject, c, p)).collect();
        if vals.iter().all(|v| *v == Val::Missing) {
            continue;
        }
        let _ = write!(s, "<tr><th>{}</th>", escape(&labels::period_long(p)));
        for (c, v) in cols.iter().zip(&vals) {
            match v {
                Val::Withheld(r) => {
                    let n = reasons.len() + 1;
                    let n = *reasons.entry(r.clone()).or_insert(n);
                    let _ = write!(
                        s,
                        "<td class=\"withheld\" title=\"withheld: {}\">非公開<sup>※{n}</sup></td>",
                        escape(&labels::withheld(r))
                    );
                }
                v => {
                    let _ = write!(s, "<td>{}</td>", cell_text(c, v));
                }
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
    if !reasons.is_empty() {
        s.push_str("<p class=\"note\">非公開 = withheld: ");
        let mut by_n: Vec<(usize, &String)> = reasons.iter().map(|(r, n)| (*n, r)).collect();
        by_n.sort();
        for (n, r) in by_n {
            let _ = write!(s, "※{n} {}. ", escape(&labels::withheld(r)));
        }
        s.push_str("非公開の値は表にもグラフにも載せていません。 Withheld figures are in neither the tables nor the charts.</p>\n");
    }
    s
}

/// A table as CSV: `period` then one column per metric; a withheld figure is `withheld`.
fn csv(ix: &Index, subject: &str, cols: &[&str]) -> String {
    let mut s = String::from("period");
    for c in cols {
        let _ = write!(s, ",{c}");
    }
    s.push('\n');
    for p in &ix.periods {
        let vals: Vec<Val> = cols.iter().map(|c| ix.val(subject, c, p)).collect();
        if vals.iter().all(|v| *v == Val::Missing) {
            continue;
        }
        s.push_str(p);
        for v in vals {
            match v {
                Val::Value(x) => {
                    let _ = write!(s, ",{x}");
                }
                Val::Withheld(_) => s.push_str(",withheld"),
                Val::Missing => s.push(','),
            }
        }
        s.push('\n');
    }
    s
}

fn privacy(meta: &Meta, figures: &[Figure]) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for f in figures {
        if let Some(r) = &f.withheld {
            *by.entry(r.as_str()).or_default() += 1;
        }
    }
    let mut s = format!(
        "<section id=\"privacy\"><h2>公開のきまり <span class=\"en\">What is withheld, and why</span></h2>\n<p>どの数値も {k} 人（口座）未満を表しません。加盟店の売上は業態の合計でのみ示し、加盟店が {k} 店未満の業態や、1店舗が80%を超える業態の合計は非公開です。住民の名前や口座は載せていません。 No figure describes fewer than k = {k} accounts; merchants appear only as class totals, withheld when a class has fewer than {k} shops or one shop holds more than 80 % of it; no account is named. Withheld figures are shown as withheld, never as zero, and are not drawn.</p>\n<ul>",
        k = meta.k
    );
    for (r, n) in &by {
        let _ = write!(s, "<li>{}: {n}</li>", escape(&labels::withheld(r)));
    }
    if by.is_empty() {
        s.push_str("<li>非公開の数値はありません no figure is withheld</li>");
    }
    s.push_str("</ul>\n<p class=\"note\">このページはネットワークから何も読み込みません。表は tables/*.csv、グラフは charts/*.svg、全数値は figures.csv にもあります。 This page fetches nothing; the tables are also in tables/*.csv, the charts in charts/*.svg, every figure in figures.csv and figures.json, the flows between groups in flows.csv.</p></section>\n");
    s
}

const STYLE: &str = r#"
:root { --ink:#282828; --muted:#666; --line:#ddd; --accent:#3a6ea5; }
* { box-sizing: border-box; }
body { margin:0; background:#f6f6f3; color:var(--ink);
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", "Source Han Sans JP", sans-serif;
  font-size:14px; line-height:1.5; }
svg text { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; }
main { max-width:1240px; margin:0 auto; padding:16px 20px 40px; }
h1 { font-size:24px; margin:8px 0 4px; }
h2 { font-size:19px; margin:28px 0 10px; border-bottom:2px solid var(--accent); padding-bottom:3px; }
h3 { font-size:15px; margin:14px 0 6px; }
.en { font-weight:normal; color:var(--muted); font-size:0.85em; }
.meta { color:var(--muted); margin:0; }
.cards { display:grid; grid-template-columns:repeat(7, 1fr); gap:8px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 10px; }
.card .label { font-size:12px; color:var(--muted); }
.card .value { font-size:18px; font-weight:bold; white-space:nowrap; }
.card .foot { font-size:11px; color:var(--muted); min-height:1em; }
.grid { display:grid; grid-template-columns:1fr 1fr; gap:12px; }
figure { margin:0; background:#fff; border:1px solid var(--line); border-radius:6px; padding:4px; }
figure.wide { margin-bottom:12px; }
figure svg { display:block; width:100%; height:auto; }
.table { overflow-x:auto; margin-top:12px; }
table { border-collapse:collapse; background:#fff; font-size:12px; width:100%; }
th, td { border:1px solid var(--line); padding:3px 5px; text-align:right; white-space:nowrap; }
thead th { background:#eef2f7; text-align:center; vertical-align:bottom; }
tbody th { text-align:left; font-weight:normal; }
td.withheld { color:#96281e; background:#fbf0ee; text-align:center; }
.note { color:var(--muted); font-size:12px; }
@media print { body { background:#fff; } figure, .card { break-inside:avoid; } }
"#;

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
