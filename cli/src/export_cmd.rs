//! `yui audit export`: replay and verify the chain (from a node, or an
//! archive) and write its blocks, transactions, events and balances per
//! period as Parquet or CSV for analysts (docs/export.md).

use std::path::{Path, PathBuf};

use yui_cli::audit::export::{Exporter, Format, Options, SUMMARY_FILE, names};
use yui_cli::audit::flows::Period;
use yui_cli::render::Output;
use yui_cli::{Client, keyfile};

pub struct ExportArgs {
    pub format: Format,
    pub out: PathBuf,
    pub period: Period,
    pub height: Option<u64>,
    pub pseudonymous: bool,
    pub pseudonym_key: Option<PathBuf>,
}

pub enum From<'a> {
    Node(&'a Client, &'a Path),
    Archive(&'a Path),
}

pub async fn export(from: From<'_>, output: Output, a: ExportArgs) -> anyhow::Result<()> {
    let names = match (&a.pseudonym_key, a.pseudonymous) {
        (Some(path), _) => names::Names::pseudonymous(&names::key_file(path)?),
        (None, true) => names::Names::pseudonymous(&names::random_key()?),
        (None, false) => names::Names::plain(),
    };
    let exporter = Exporter::create(Options {
        format: a.format,
        dir: a.out.clone(),
        period: a.period,
        tz: yui_cli::render::time_zone().clone(),
        names,
    })?;
    let make = move |g: &yui_ledger::Genesis| exporter.with_genesis(g);
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "exporting {bar:40} {pos}/{len} blocks, {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let shown = bar.clone();
    let progress = move |p: &yui_cli::audit::Progress| {
        shown.set_length(p.total_blocks);
        shown.set_position(p.blocks);
        if p.blocks.is_multiple_of(256) || p.blocks == p.total_blocks {
            shown.set_message(format!("{} transactions", p.transactions));
        }
    };
    let started = std::time::Instant::now();
    let done = match from {
        From::Node(c, key) => {
            let k = keyfile::read(key)?;
            yui_cli::audit::replay_node_with(c, &k, a.height, progress, make).await
        }
        From::Archive(path) => yui_cli::audit::replay_archive_with(path, a.height, progress, make),
    };
    bar.finish_and_clear();
    let (report, exporter) = done?;
    let summary = exporter.finish(&report)?;
    let secs = started.elapsed().as_secs_f64();
    match output {
        Output::Json => yui_cli::outln!("{}", serde_json::to_string_pretty(&summary)?),
        Output::Text => {
            yui_cli::outln!(
                "chain {} verified to height {}: {} blocks, {} transactions ({:.1} s, {:.0} tx/s)",
                summary.chain_id,
                summary.final_height,
                summary.blocks,
                summary.transactions,
                secs,
                summary.transactions as f64 / secs.max(1e-9)
            );
            for (name, t) in &summary.tables {
                yui_cli::outln!("  {name:<13} {:>10} rows  {}", t.rows, t.file);
            }
            yui_cli::outln!(
                "written to {} ({}; balances per {}, times in {}{}); described in {SUMMARY_FILE}",
                a.out.display(),
                a.format.extension(),
                summary.period,
                summary.time_zone,
                if summary.pseudonymous {
                    "; accounts pseudonymous"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}
