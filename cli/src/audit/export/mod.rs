//! `yui audit export`: the verified chain as tables for analysts — blocks,
//! transactions, events (typed fields flattened) and balances at the end of
//! each period — in Parquet or CSV (docs/export.md). The rows come from the
//! verifying replay itself, block after block as it executes them; the
//! files get their names only when the replay has checked every
//! certificate, signature and root to the last block.
//!
//! An export describes individual accounts: it needs what a replay needs
//! (the auditor's key, or an archive fetched with it), and a pseudonymous
//! export ([`names`]) names no resident for a researcher's copy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yui_ledger::state::{Holding, keys};
use yui_ledger::{Address, Genesis, MemState, WriteSet};

use super::flows::Period;
use super::{BlockObserver, ObservedBlock, Report};

mod accounts;
mod job_rows;
pub mod names;
pub mod rows;
pub mod sink;
#[cfg(test)]
mod tests;

use accounts::{ACCOUNTS, Accounts};
use names::Names;
use rows::{BALANCES, BLOCKS, BalanceRow, EVENTS, TRANSACTIONS, Table};
pub use sink::Format;
use sink::Sink;

/// Every table, in the order they are written.
pub const TABLES: [Table; 5] = [BLOCKS, TRANSACTIONS, EVENTS, BALANCES, ACCOUNTS];

/// What to export, and how.
pub struct Options {
    pub format: Format,
    pub dir: PathBuf,
    pub period: Period,
    pub tz: jiff::tz::TimeZone,
    pub names: Names,
}

/// The tables' files as the replay fills them.
pub struct Exporter {
    format: Format,
    dir: PathBuf,
    period: Period,
    tz: jiff::tz::TimeZone,
    names: Names,
    blocks: Sink,
    transactions: Sink,
    events: Sink,
    balances: Sink,
    accounts_file: Sink,
    accounts: Accounts,
    /// Every account's balance of every asset after the last block.
    held: BTreeMap<(String, Address), u64>,
    /// The period of the last block, with that block's height and time.
    current: Option<(String, u64, u64)>,
    /// An error met outside a block (the genesis), reported at the first.
    failed: Option<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub chain_id: String,
    pub final_height: u64,
    pub final_state_root: String,
    pub blocks: u64,
    pub transactions: u64,
    pub format: Format,
    pub period: String,
    pub time_zone: String,
    pub pseudonymous: bool,
    /// Each table's file and rows.
    pub tables: BTreeMap<String, TableSummary>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TableSummary {
    pub file: String,
    pub rows: u64,
}

/// The file that describes an export (next to its tables).
pub const SUMMARY_FILE: &str = "export.json";

fn period_name(p: Period) -> &'static str {
    match p {
        Period::Day => "day",
        Period::Week => "week",
        Period::Month => "month",
    }
}

/// The byte holdings' keys start with.
fn holding_tag() -> u8 {
    keys::holdings_of(&Address::ZERO)
        .first()
        .copied()
        .unwrap_or_default()
}

/// A holding's new total: (asset, account), total.
type Change = ((String, Address), u64);

/// The holdings a write set changes.
fn holding_changes(writes: &WriteSet) -> anyhow::Result<Vec<Change>> {
    let tag = holding_tag();
    let mut out = Vec::new();
    for (k, v) in writes {
        let Some(rest) = k.strip_prefix(&[tag]) else {
            continue;
        };
        let (account, asset): (Address, String) = borsh::from_slice(rest)
            .map_err(|e| anyhow::anyhow!("a holding key that does not decode: {e}"))?;
        let total = match v {
            Some(bytes) => borsh::from_slice::<Holding>(bytes)
                .map_err(|e| anyhow::anyhow!("the holding of {account} in {asset}: {e}"))?
                .total(),
            None => 0,
        };
        out.push(((asset, account), total));
    }
    Ok(out)
}

impl Exporter {
    /// Creates `dir` and starts each table's file in it.
    pub fn create(o: Options) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&o.dir)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", o.dir.display()))?;
        let sink = |t| Sink::create(&o.dir, t, o.format, &o.tz);
        Ok(Self {
            blocks: sink(BLOCKS)?,
            transactions: sink(TRANSACTIONS)?,
            events: sink(EVENTS)?,
            balances: sink(BALANCES)?,
            accounts_file: sink(ACCOUNTS)?,
            accounts: Accounts::default(),
            format: o.format,
            dir: o.dir,
            period: o.period,
            tz: o.tz,
            names: o.names,
            held: BTreeMap::new(),
            current: None,
            failed: None,
        })
    }

    /// The balances the genesis gives, before block 1.
    pub fn with_genesis(mut self, g: &Genesis) -> Self {
        let writes = g.state_writes(&MemState::default());
        let done = holding_changes(&writes)
            .map(|changes| self.apply(changes))
            .and_then(|()| self.accounts.apply(0, &writes));
        if let Err(e) = done {
            self.failed = Some(format!("the genesis: {e}"));
        }
        self
    }

    fn apply(&mut self, changes: Vec<Change>) {
        for (k, total) in changes {
            if total == 0 {
                self.held.remove(&k);
            } else {
                self.held.insert(k, total);
            }
        }
    }

    /// The rows of every non-zero balance at the end of the current
    /// period, by asset then account as named.
    fn period_end_rows(&mut self) -> Vec<BalanceRow> {
        let Some((label, height, time_ms)) = self.current.clone() else {
            return Vec::new();
        };
        let mut rows: Vec<BalanceRow> = self
            .held
            .iter()
            .map(|((asset, account), balance)| BalanceRow {
                period: label.clone(),
                height,
                time_ms,
                asset: asset.clone(),
                account: self.names.account(account),
                balance: *balance,
            })
            .collect();
        // By the name written, not the address: a pseudonymous copy's order
        // must not tell the addresses' order.
        rows.sort_by(|a, b| (&a.asset, &a.account).cmp(&(&b.asset, &b.account)));
        rows
    }

    fn write_period_end(&mut self) -> anyhow::Result<()> {
        for r in self.period_end_rows() {
            self.balances.push(r.values())?;
        }
        Ok(())
    }

    /// Writes the last period's balances, finishes every file and gives it
    /// its name, and writes [`SUMMARY_FILE`]. Call only after the replay
    /// verified the chain (`report` is its report).
    pub fn finish(mut self, report: &Report) -> anyhow::Result<Summary> {
        if let Some(e) = self.failed.take() {
            anyhow::bail!(e);
        }
        self.write_period_end()?;
        for r in self.accounts.rows(&mut self.names) {
            self.accounts_file.push(r.values())?;
        }
        let time_zone = self.tz.iana_name().unwrap_or("UTC").to_string();
        let pseudonymous = self.names.is_pseudonymous();
        let metadata = [
            ("yui.chain_id", report.chain_id.clone()),
            ("yui.final_height", report.final_height.to_string()),
            ("yui.final_state_root", report.final_state_root.clone()),
            ("yui.period", period_name(self.period).to_string()),
            ("yui.time_zone", time_zone.clone()),
            ("yui.pseudonymous", pseudonymous.to_string()),
        ];
        let mut tables = BTreeMap::new();
        let ext = self.format.extension();
        for (name, sink) in [
            (BLOCKS.name, self.blocks),
            (TRANSACTIONS.name, self.transactions),
            (EVENTS.name, self.events),
            (BALANCES.name, self.balances),
            (ACCOUNTS.name, self.accounts_file),
        ] {
            let rows = sink.finish(&metadata)?;
            tables.insert(
                name.to_string(),
                TableSummary {
                    file: format!("{name}.{ext}"),
                    rows,
                },
            );
        }
        let summary = Summary {
            chain_id: report.chain_id.clone(),
            final_height: report.final_height,
            final_state_root: report.final_state_root.clone(),
            blocks: report.blocks,
            transactions: report.transactions,
            format: self.format,
            period: period_name(self.period).into(),
            time_zone,
            pseudonymous,
            tables,
        };
        write_summary(&self.dir, &summary)?;
        Ok(summary)
    }
}

/// Writes `export.json` beside the tables (beside, then renamed).
fn write_summary(dir: &Path, s: &Summary) -> anyhow::Result<()> {
    let path = dir.join(SUMMARY_FILE);
    let partial = dir.join(format!("{SUMMARY_FILE}.partial"));
    std::fs::write(&partial, serde_json::to_string_pretty(s)? + "\n")?;
    std::fs::rename(&partial, &path)?;
    Ok(())
}

impl BlockObserver for Exporter {
    fn on_block(&mut self, b: &ObservedBlock<'_>) -> anyhow::Result<()> {
        if let Some(e) = self.failed.take() {
            anyhow::bail!(e);
        }
        let h = &b.block.header;
        let label = self.period.label(h.time_ms, &self.tz);
        if self.current.as_ref().is_some_and(|(l, _, _)| *l != label) {
            self.write_period_end()?;
        }
        let row = rows::block_row(b, &mut self.names);
        self.blocks.push(row.values())?;
        for r in rows::tx_rows(b, &mut self.names) {
            self.transactions.push(r.values())?;
        }
        for r in rows::event_rows(b, &mut self.names) {
            self.events.push(r.values())?;
        }
        let changes = holding_changes(&b.outcome.writes)
            .map_err(|e| anyhow::anyhow!("block {}: {e}", h.height))?;
        self.apply(changes);
        self.accounts
            .apply(h.height, &b.outcome.writes)
            .map_err(|e| anyhow::anyhow!("block {}: {e}", h.height))?;
        self.current = Some((label, h.height, h.time_ms));
        Ok(())
    }
}
