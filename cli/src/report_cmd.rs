//! `yui audit report`: how the town's money moved, per period and asset,
//! from a verifying replay (of a node or an archive). Prints the figures
//! and writes them as CSV and JSON; a figure the privacy rules withhold is
//! shown as withheld, with the reason (docs/metrics.md).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use yui_cli::audit::flows::{Figure, Flows, Period};
use yui_cli::audit::matrix::FlowCell;
use yui_cli::render::Output;
use yui_cli::{Client, keyfile};

pub struct ReportArgs {
    pub period: Period,
    pub k: usize,
    pub out: Option<PathBuf>,
    pub height: Option<u64>,
}

pub enum From<'a> {
    Node(&'a Client, &'a Path),
    Archive(&'a Path),
}

pub async fn report(from: From<'_>, output: Output, a: ReportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(a.k >= 1, "k must be at least 1");
    let tz = yui_cli::render::time_zone().clone();
    let period = a.period;
    let make = move |g: &yui_ledger::Genesis| Some(Flows::from_genesis(g, period, tz));
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "replaying {bar:40} {pos}/{len} blocks (eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let shown = bar.clone();
    let progress = move |p: &yui_cli::audit::Progress| {
        shown.set_length(p.total_blocks);
        shown.set_position(p.blocks);
    };
    let done = match from {
        From::Node(c, key) => {
            let k = keyfile::read(key)?;
            yui_cli::audit::replay_node_with(c, &k, a.height, progress, make).await
        }
        From::Archive(path) => yui_cli::audit::replay_archive_with(path, a.height, progress, make),
    };
    bar.finish_and_clear();
    let (r, flows) = done?;
    let flows = flows.ok_or_else(|| anyhow::anyhow!("the replay kept no flows"))?;
    let (mut figures, matrix) = flows.report(a.k);
    figures.extend(matrix.iter().map(FlowCell::as_figure));
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("figures.csv"), csv(&figures))?;
        std::fs::write(dir.join("flows.csv"), flows_csv(&matrix))?;
        std::fs::write(
            dir.join("figures.json"),
            serde_json::to_string_pretty(&figures)?,
        )?;
        write_page(dir, &r, a.k, &figures, &matrix)?;
    }
    match output {
        Output::Json => yui_cli::outln!("{}", serde_json::to_string_pretty(&figures)?),
        Output::Text => {
            yui_cli::outln!(
                "chain {} verified to height {}: {} blocks, {} transactions; figures describe at least k = {} accounts",
                r.chain_id,
                r.final_height,
                r.blocks,
                r.transactions,
                a.k
            );
            yui_cli::render::write_out(format_args!("{}", table(&figures)));
            if let Some(dir) = &a.out {
                yui_cli::outln!(
                    "written: {}/report.html, figures.csv, figures.json, flows.csv, charts/ and tables/",
                    dir.display()
                );
            }
        }
    }
    Ok(())
}

/// `period,subject,metric,value,withheld`: one line per figure.
pub fn csv(figures: &[Figure]) -> String {
    let mut s = String::from("period,subject,metric,value,withheld\n");
    for f in figures {
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            f.period,
            f.subject,
            f.metric,
            f.value.map(|v| v.to_string()).unwrap_or_default(),
            f.withheld.as_deref().unwrap_or("")
        );
    }
    s
}

/// `period,asset,from,to,value,withheld`: one line per cell of the flows
/// between groups; a withheld cell has no value.
pub fn flows_csv(cells: &[FlowCell]) -> String {
    let mut s = String::from("period,asset,from,to,value,withheld\n");
    for c in cells {
        let value = match c.withheld {
            None => c.value.to_string(),
            Some(_) => String::new(),
        };
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            c.period,
            c.asset,
            c.from,
            c.to,
            value,
            c.withheld.unwrap_or("")
        );
    }
    s
}

/// The headline figures: money per period and asset, then how it
/// circulates, the half-deposit test's base dates and the campaigns.
pub(crate) fn table(figures: &[Figure]) -> String {
    const MONEY: [(&str, &str); 10] = [
        ("issued_charge", "charged"),
        ("issued_bonus", "bonus"),
        ("issued_grant", "granted"),
        ("spent", "spent"),
        ("spent_small_local", "small local"),
        ("p2p", "p2p"),
        ("redeemed", "redeemed"),
        ("breakage", "breakage"),
        ("float_end", "float"),
        ("utilisation_permille", "util ‰"),
    ];
    const CIRCULATION: [(&str, &str); 8] = [
        ("velocity_permille", "velocity ‰"),
        ("holding_hours_mean", "holding h"),
        ("transfer_velocity_permille", "per day ‰"),
        ("holdings_gini_permille", "gini ‰"),
        ("merchant_respend_permille", "respend ‰"),
        ("respend_hops_mean_permille", "hops ‰"),
        ("cycle_share_permille", "cycles ‰"),
        ("cycle_components", "cycles ≥k"),
    ];
    const PSA: [(&str, &str); 3] = [
        ("psa_unused", "unused ¥"),
        ("psa_over_threshold", "over ¥10M"),
        ("psa_deposit_required", "deposit ¥"),
    ];
    const CAMPAIGNS: [(&str, &str); 3] = [
        ("bonus_granted", "bonus"),
        ("spent_after", "coins after"),
        ("campaign_cost_permille", "cost ‰"),
    ];
    let mut s = columns(figures, &MONEY, "asset");
    s.push('\n');
    s.push_str(&columns(figures, &CIRCULATION, "asset"));
    for (cols, what) in [(&PSA[..], "prepaid"), (&CAMPAIGNS[..], "campaign")] {
        let t = columns(figures, cols, what);
        if t.lines().count() > 1 {
            s.push('\n');
            s.push_str(&t);
        }
    }
    s
}

/// One line per period and subject with a figure among `cols`.
fn columns(figures: &[Figure], cols: &[(&str, &str)], subject: &str) -> String {
    let mut rows: std::collections::BTreeMap<(&str, &str), Vec<String>> = Default::default();
    for f in figures {
        if let Some(i) = cols.iter().position(|(m, _)| *m == f.metric) {
            let row = rows
                .entry((&f.period, &f.subject))
                .or_insert_with(|| vec!["".into(); cols.len()]);
            row[i] = match (f.value, &f.withheld) {
                (Some(v), _) => v.to_string(),
                (None, Some(_)) => "withheld".into(),
                (None, None) => "—".into(),
            };
        }
    }
    let mut s = format!("{:<10} {:<8}", "period", subject);
    for (_, h) in cols {
        let _ = write!(s, " {h:>12}");
    }
    s.push('\n');
    for ((p, subject), cells) in rows {
        let _ = write!(s, "{p:<10} {subject:<8}");
        for c in cells {
            let _ = write!(s, " {c:>12}");
        }
        s.push('\n');
    }
    s
}

/// The page people look at: `report.html`, `charts/*.svg`, `tables/*.csv`.
fn write_page(
    dir: &Path,
    r: &yui_cli::audit::Report,
    k: usize,
    figures: &[Figure],
    matrix: &[FlowCell],
) -> anyhow::Result<()> {
    use yui_cli::audit::page;
    let meta = page::Meta {
        chain_id: r.chain_id.clone(),
        height: r.final_height,
        blocks: r.blocks,
        transactions: r.transactions,
        k,
    };
    let flows: Vec<page::Flow> = matrix
        .iter()
        .map(|c| page::Flow {
            period: c.period.clone(),
            asset: c.asset.clone(),
            from: c.from.clone(),
            to: c.to.clone(),
            value: c.value,
            withheld: c.withheld.map(String::from),
        })
        .collect();
    page::write(dir, &meta, figures, &flows)?;
    Ok(())
}
