//! `yui`: the command line of Yui for residents, merchants, issuers and
//! auditors. Every operation is built, signed with a local key file and
//! submitted over gRPC; queries read the node's API. `--output json` prints
//! machine-readable results.

/// jemalloc, as the node uses: the auditor's replay allocates records on
/// its execution thread and frees them on its state-tree thread, which
/// glibc's malloc serves poorly (BENCHMARKS.md, the replay).
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;

mod analytics_cmd;
mod civic;
mod contract_cmd;
mod export_cmd;
mod gov_cmd;
mod job_cmd;
mod reads;
mod report_cmd;

use clap::{Parser, Subcommand};
use serde_json::json;
use yui_cli::cmd::{Signer, reader, submit};
use yui_cli::render::{
    Output, account_json, account_text, asset_json, block_json, print, receipt_json, tx_json,
};
use yui_cli::{Client, keyfile};
use yui_ledger::{Address, Operation};
use yui_proto::v1 as pb;

#[derive(Parser)]
#[command(
    name = "yui",
    version,
    about = "Yui command line: wallets, merchants, issuers, auditors"
)]
struct Cli {
    /// The node's gRPC address.
    #[arg(
        long,
        global = true,
        env = "YUI_NODE",
        default_value = "127.0.0.1:7001"
    )]
    node: String,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "text")]
    output: Output,
    /// Time zone for dates (IANA name); default: the node's (`yui status`).
    #[arg(long, global = true, env = "YUI_TZ")]
    tz: Option<String>,
    /// For an https:// node: the authority (PEM) that issued its certificate.
    #[arg(long, global = true, env = "YUI_TLS_CA")]
    tls_ca: Option<PathBuf>,
    /// This client's certificate (PEM), for a node that serves only known clients.
    #[arg(long, global = true, env = "YUI_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// This client's private key (PEM).
    #[arg(long, global = true, env = "YUI_TLS_KEY")]
    tls_key: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Key files.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Mint coins against a yen deposit (issuers), with an optional bonus campaign.
    Charge {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "coin")]
        asset: String,
        #[arg(long)]
        amount: u64,
        /// The yen deposit's reference; each can be charged once.
        #[arg(long)]
        deposit_ref: String,
        #[arg(long)]
        campaign: Option<String>,
    },
    /// Grant points (issuers), for a reason; once per person per event id.
    Grant {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "point")]
        asset: String,
        #[arg(long)]
        amount: u64,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        event: Option<String>,
    },
    /// Send a transferable asset to another account.
    Transfer {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "coin")]
        asset: String,
        #[arg(long)]
        amount: u64,
    },
    /// Pay a merchant's invoice: a `yui:` payment request (--uri), or its fields.
    Pay {
        #[command(flatten)]
        s: Signer,
        /// A merchant's payment request, e.g. read from a shop terminal's QR
        /// code (docs/payment-uri.md).
        #[arg(long, conflicts_with_all = ["merchant", "invoice", "amount", "assets"])]
        uri: Option<String>,
        #[arg(long, required_unless_present = "uri")]
        merchant: Option<String>,
        #[arg(long, required_unless_present = "uri")]
        invoice: Option<String>,
        #[arg(long, required_unless_present = "uri")]
        amount: Option<u64>,
        /// Assets to draw from, in order (default: the policy's order).
        #[arg(long, value_delimiter = ',')]
        assets: Vec<String>,
    },
    /// Refund part or all of a paid invoice (merchants).
    Refund {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        invoice: String,
        #[arg(long)]
        amount: u64,
    },
    /// Redeem coins for yen (merchants); the fee goes to the operator.
    Redeem {
        #[command(flatten)]
        s: Signer,
        #[arg(long, default_value = "coin")]
        asset: String,
        #[arg(long)]
        amount: u64,
        /// The yen payout's reference; each can be used once.
        #[arg(long)]
        payout_ref: String,
    },
    /// Destroy value you hold.
    Burn {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        asset: String,
        #[arg(long)]
        amount: u64,
    },
    /// Balances, lots, nonce and roles of an account (yours, or any as an auditor).
    Account {
        /// Key file of the reader (the holder or an auditor).
        #[arg(long)]
        key: PathBuf,
        /// The account; default: the key's own.
        account: Option<String>,
    },
    /// An account's history, newest first.
    History {
        #[arg(long)]
        key: PathBuf,
        account: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Follow an account's events live (a merchant watching payments).
    Watch {
        #[arg(long)]
        key: PathBuf,
        account: Option<String>,
    },
    /// Asset classes with their policy and supply.
    Assets,
    /// A block by height (default: the latest) with its certificate.
    Block {
        height: Option<u64>,
        /// An auditor's key file, to see the transactions.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// A transaction's status and receipt.
    Tx { hash: String },
    /// Sign and submit any operation written as JSON, tagged by "op" (the
    /// form `yui tx` shows), e.g. '{"op": "burn", "asset": "coin", "amount": 5}'.
    Submit {
        #[command(flatten)]
        s: Signer,
        /// The operation; byte strings and hashes are hex, accounts are hex.
        operation: String,
    },
    /// The node's status.
    Status,
    /// Auditors: replay the chain from genesis and verify everything.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The town's k-safe aggregates live from the node, for anyone: figures, watch.
    #[command(subcommand)]
    Analytics(analytics_cmd::AnalyticsCmd),
    /// Microwork jobs paid from escrow: post, take, finish, dispute, and read.
    #[command(subcommand)]
    Job(job_cmd::JobCmd),
    /// Credentials: salted claims, issue, suspend, reinstate, revoke, verify.
    #[command(subcommand)]
    Credential(civic::CredentialCmd),
    /// Consent for a party to read your data, and the accesses made under it.
    #[command(subcommand)]
    Consent(civic::ConsentCmd),
    /// The consortium's governance: proposals, votes, validators, parameters.
    #[command(subcommand)]
    Gov(gov_cmd::GovCmd),
    /// Town contracts: upload, propose a deployment, call, query, show, list, watch.
    #[command(subcommand)]
    Contract(contract_cmd::ContractCmd),
    /// A shop terminal: a web page with the payment request's QR code and
    /// the payments arriving live (the browser calls the node over gRPC-Web).
    Terminal(yui_cli::terminal::TerminalArgs),
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Fetch every block (from the node, or an archive), check certificates,
    /// signatures and roots, re-execute from genesis, and report how money
    /// moved.
    Replay {
        /// The auditor's key file (named in the node's config); not needed
        /// with --archive.
        #[arg(long, required_unless_present = "archive")]
        key: Option<PathBuf>,
        /// Replay an archive `yui audit fetch` wrote instead of asking a node.
        #[arg(long)]
        archive: Option<PathBuf>,
        /// Stop at this height (default: the node's head, or the archive's last block).
        #[arg(long)]
        height: Option<u64>,
    },
    /// Replay and verify the chain (from the node, or an archive), then
    /// report how the money moved per period and asset: issued, spent by
    /// merchant class, person to person, refunds, redemptions, breakage,
    /// float, velocity, utilisation, local share, re-spend, reach, jobs.
    /// Figures describing fewer than k accounts are withheld (docs/metrics.md).
    Report {
        /// The auditor's key file; not needed with --archive.
        #[arg(long, required_unless_present = "archive")]
        key: Option<PathBuf>,
        /// Report on an archive `yui audit fetch` wrote instead of asking a node.
        #[arg(long)]
        archive: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "month")]
        period: yui_cli::audit::flows::Period,
        /// The fewest accounts a published figure may describe.
        #[arg(long, default_value_t = yui_cli::audit::flows::K_DEFAULT)]
        k: usize,
        /// Also write figures.csv and figures.json into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Stop at this height (default: the node's head, or the archive's last block).
        #[arg(long)]
        height: Option<u64>,
    },
    /// Replay and verify the chain (from the node, or an archive), then
    /// write its blocks, transactions, events and each period's closing
    /// balances as Parquet or CSV tables for analysts (docs/export.md).
    /// The tables name accounts: --pseudonymous replaces every address by a
    /// keyed pseudonym for a researcher's copy.
    Export {
        /// The auditor's key file; not needed with --archive.
        #[arg(long, required_unless_present = "archive")]
        key: Option<PathBuf>,
        /// Export an archive `yui audit fetch` wrote instead of asking a node.
        #[arg(long)]
        archive: Option<PathBuf>,
        #[arg(long, value_enum)]
        format: yui_cli::audit::export::Format,
        /// The folder to write the tables and export.json into.
        #[arg(long)]
        out: PathBuf,
        /// The balances table's period: balances at the end of each.
        #[arg(long, value_enum, default_value = "month")]
        period: yui_cli::audit::flows::Period,
        /// Stop at this height (default: the node's head, or the archive's last block).
        #[arg(long)]
        height: Option<u64>,
        /// Name accounts, transactions and personal references by keyed
        /// pseudonyms, and leave out free text (docs/export.md).
        #[arg(long)]
        pseudonymous: bool,
        /// The pseudonyms' key (64 hex), created when missing, so successive
        /// exports name an account alike; implies --pseudonymous. Without
        /// it the key is random and forgotten.
        #[arg(long)]
        pseudonym_key: Option<PathBuf>,
    },
    /// Write the genesis and every block with its certificate, as the node
    /// serves them, to an archive file to replay later without the node
    /// (docs/archive.md).
    Fetch {
        /// The auditor's key file (named in the node's config).
        #[arg(long)]
        key: PathBuf,
        /// The archive file to write (written beside it, then renamed onto it).
        #[arg(long)]
        out: PathBuf,
        /// The last block to fetch (default: the node's head).
        #[arg(long)]
        height: Option<u64>,
    },
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Write a new key file (mode 0600).
    Generate { out: PathBuf },
    /// Show a key file's address.
    Show { key: PathBuf },
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        let msg = match e.downcast_ref::<tonic::Status>() {
            Some(s) => format!("{:?}: {}", s.code(), s.message()),
            None => format!("{e:#}"),
        };
        eprintln!("error: {msg}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let out = cli.output;
    if let Some(tz) = &cli.tz {
        yui_cli::render::set_time_zone(tz)?;
    }
    if let Cmd::Keys(k) = &cli.cmd {
        return keys(out, k);
    }
    if let Cmd::Credential(cc) = &cli.cmd
        && let Some(done) = civic::offline(out, cc)
    {
        return done;
    }
    if let Cmd::Audit(AuditCmd::Replay {
        archive: Some(path),
        height,
        ..
    }) = &cli.cmd
    {
        return reads::audit(reads::ReplayFrom::Archive(path), out, *height).await;
    }
    if let Cmd::Audit(AuditCmd::Report {
        archive: Some(path),
        period,
        k,
        out: dir,
        height,
        ..
    }) = &cli.cmd
    {
        // An archive names no zone: a Japanese town's periods, unless --tz says otherwise.
        yui_cli::render::set_time_zone("Asia/Tokyo")?;
        let a = report_cmd::ReportArgs {
            period: *period,
            k: *k,
            out: dir.clone(),
            height: *height,
        };
        return report_cmd::report(report_cmd::From::Archive(path), out, a).await;
    }
    if let Cmd::Audit(AuditCmd::Export {
        archive: Some(path),
        ..
    }) = &cli.cmd
    {
        if cli.tz.is_none() {
            // As for the report: a Japanese town's periods unless --tz says otherwise.
            yui_cli::render::set_time_zone("Asia/Tokyo")?;
        }
        let a = export_args(&cli.cmd)?;
        return export_cmd::export(export_cmd::From::Archive(path), out, a).await;
    }
    let tls = yui_cli::Tls {
        ca_file: cli.tls_ca.clone(),
        cert_file: cli.tls_cert.clone(),
        key_file: cli.tls_key.clone(),
    };
    let c = Client::connect_with(&cli.node, &tls).await?;
    // Dates in the node's zone unless --tz chose one; a zone this build
    // does not know leaves UTC.
    if cli.tz.is_none()
        && !c.time_zone.is_empty()
        && let Err(e) = yui_cli::render::set_time_zone(&c.time_zone)
    {
        eprintln!("warning: {e}; showing UTC");
    }
    match cli.cmd {
        Cmd::Keys(_) => Ok(()),
        Cmd::Charge {
            s,
            to,
            asset,
            amount,
            deposit_ref,
            campaign,
        } => {
            let op = Operation::Charge {
                to: keyfile::address(&to)?,
                asset,
                amount,
                deposit_ref,
                campaign,
            };
            submit(&c, out, s, op).await
        }
        Cmd::Grant {
            s,
            to,
            asset,
            amount,
            reason,
            event,
        } => {
            let op = Operation::Grant {
                to: keyfile::address(&to)?,
                asset,
                amount,
                reason,
                event_id: event,
            };
            submit(&c, out, s, op).await
        }
        Cmd::Transfer {
            s,
            to,
            asset,
            amount,
        } => {
            submit(
                &c,
                out,
                s,
                Operation::Transfer {
                    to: keyfile::address(&to)?,
                    asset,
                    amount,
                },
            )
            .await
        }
        Cmd::Pay {
            s,
            uri,
            merchant,
            invoice,
            amount,
            assets,
        } => {
            let op = yui_cli::payuri::pay_operation(
                &c.chain_id,
                uri.as_deref(),
                merchant.as_deref(),
                invoice,
                amount,
                assets,
            )?;
            submit(&c, out, s, op).await
        }
        Cmd::Refund { s, invoice, amount } => {
            submit(
                &c,
                out,
                s,
                Operation::Refund {
                    invoice_id: invoice,
                    amount,
                },
            )
            .await
        }
        Cmd::Redeem {
            s,
            asset,
            amount,
            payout_ref,
        } => {
            submit(
                &c,
                out,
                s,
                Operation::Redeem {
                    asset,
                    amount,
                    payout_ref,
                },
            )
            .await
        }
        Cmd::Burn { s, asset, amount } => {
            submit(&c, out, s, Operation::Burn { asset, amount }).await
        }
        Cmd::Account { key, account } => {
            let (k, who) = reader(&key, account.as_deref())?;
            let a = c.account(&k, &who).await?;
            print(out, account_json(&a), account_text(&a));
            Ok(())
        }
        Cmd::History {
            key,
            account,
            limit,
        } => reads::history(&c, out, &key, account.as_deref(), limit).await,
        Cmd::Watch { key, account } => reads::watch(&c, out, &key, account.as_deref()).await,
        Cmd::Assets => {
            let r = c
                .assets
                .clone()
                .list_assets(pb::ListAssetsRequest {})
                .await?
                .into_inner();
            let v: Vec<_> = r.assets.iter().map(asset_json).collect();
            let text = r
                .assets
                .iter()
                .map(|a| {
                    format!(
                        "{:<10} {:<8} issued {:>12} burned {:>10} expired {:>10} expiry {} spendable at {}",
                        a.id, a.kind, a.issued, a.burned, a.expired, a.expiry, a.spendable_at
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(out, json!(v), text);
            Ok(())
        }
        Cmd::Block { height, key } => {
            let auth = match &key {
                Some(k) => Some(c.read_auth(&keyfile::read(k)?, &Address::ZERO)),
                None => None,
            };
            let b = match height {
                Some(h) => {
                    c.chain
                        .clone()
                        .get_block(pb::GetBlockRequest {
                            height: h,
                            hash: vec![],
                            auth,
                        })
                        .await?
                }
                None => {
                    c.chain
                        .clone()
                        .get_latest_block(pb::GetLatestBlockRequest { auth })
                        .await?
                }
            }
            .into_inner();
            let v = block_json(&b);
            print(
                out,
                v.clone(),
                serde_json::to_string_pretty(&v).unwrap_or_default(),
            );
            Ok(())
        }
        Cmd::Submit { s, operation } => {
            let op: Operation = serde_json::from_str(&operation)
                .map_err(|e| anyhow::anyhow!("the operation is not valid JSON of one: {e}"))?;
            submit(&c, out, s, op).await
        }
        Cmd::Tx { hash } => {
            let h = hex::decode(&hash).map_err(|_| anyhow::anyhow!("the hash must be hex"))?;
            let r =
                c.tx.clone()
                    .get_transaction(pb::GetTransactionRequest { tx_hash: h })
                    .await?
                    .into_inner();
            let v = json!({"status": r.status, "receipt": r.receipt.as_ref().map(receipt_json), "tx": r.tx.as_ref().map(tx_json)});
            print(
                out,
                v.clone(),
                serde_json::to_string_pretty(&v).unwrap_or_default(),
            );
            Ok(())
        }
        Cmd::Audit(AuditCmd::Replay { key, height, .. }) => {
            let key =
                key.ok_or_else(|| anyhow::anyhow!("--key is needed to replay from a node"))?;
            reads::audit(reads::ReplayFrom::Node(&c, &key), out, height).await
        }
        Cmd::Audit(AuditCmd::Report {
            key,
            period,
            k,
            out: dir,
            height,
            ..
        }) => {
            let key =
                key.ok_or_else(|| anyhow::anyhow!("--key is needed to report from a node"))?;
            let a = report_cmd::ReportArgs {
                period,
                k,
                out: dir,
                height,
            };
            report_cmd::report(report_cmd::From::Node(&c, &key), out, a).await
        }
        Cmd::Audit(AuditCmd::Export { ref key, .. }) => {
            let key = key
                .clone()
                .ok_or_else(|| anyhow::anyhow!("--key is needed to export from a node"))?;
            let a = export_args(&cli.cmd)?;
            export_cmd::export(export_cmd::From::Node(&c, &key), out, a).await
        }
        Cmd::Audit(AuditCmd::Fetch {
            key,
            out: file,
            height,
        }) => reads::fetch(&c, out, &key, &file, height).await,
        Cmd::Job(j) => job_cmd::job(&c, out, j).await,
        Cmd::Credential(x) => civic::credential(&c, out, x).await,
        Cmd::Consent(x) => civic::consent(&c, out, x).await,
        Cmd::Gov(x) => gov_cmd::gov(&c, out, x).await,
        Cmd::Contract(x) => contract_cmd::contract(&c, out, x).await,
        Cmd::Analytics(x) => analytics_cmd::analytics(&c, out, x).await,
        Cmd::Terminal(t) => yui_cli::terminal::run(&c, &cli.node, t).await,
        Cmd::Status => {
            let s = c.status().await?;
            let v = json!({
                "chain_id": s.chain_id, "height": s.height, "last_block_time_ms": s.last_block_time_ms, "time_zone": s.time_zone, "last_block_hash": hex::encode(&s.last_block_hash),
                "state_root": hex::encode(&s.state_root), "round": s.round, "mempool": s.mempool_size,
                "peers": s.peers, "tx_gossip_peers": s.tx_gossip_peers, "validators": s.validators.iter().map(|v| json!({"name": v.name, "key": hex::encode(&v.public_key), "power": v.power})).collect::<Vec<_>>(),
            });
            let text = format!(
                "chain {} height {} ({}) hash {} round {} mempool {} peers {}",
                s.chain_id,
                s.height,
                yui_cli::render::date_s(s.last_block_time_ms),
                &hex::encode(&s.last_block_hash)[..16],
                s.round,
                s.mempool_size,
                s.peers.len()
            );
            print(out, v, text);
            Ok(())
        }
    }
}

/// `yui audit export`'s options.
fn export_args(cmd: &Cmd) -> anyhow::Result<export_cmd::ExportArgs> {
    let Cmd::Audit(AuditCmd::Export {
        format,
        out,
        period,
        height,
        pseudonymous,
        pseudonym_key,
        ..
    }) = cmd
    else {
        anyhow::bail!("not an export");
    };
    Ok(export_cmd::ExportArgs {
        format: *format,
        out: out.clone(),
        period: *period,
        height: *height,
        pseudonymous: *pseudonymous || pseudonym_key.is_some(),
        pseudonym_key: pseudonym_key.clone(),
    })
}

/// SHA-256 of a file's bytes when `arg` names a file, else of the text itself.
fn keys(out: Output, k: &KeysCmd) -> anyhow::Result<()> {
    let (key, verb) = match k {
        KeysCmd::Generate { out: path } => {
            let key = keyfile::generate()?;
            keyfile::write(path, &key)?;
            (key, "written")
        }
        KeysCmd::Show { key } => (keyfile::read(key)?, "read"),
    };
    print(
        out,
        json!({"address": key.address().to_hex()}),
        format!("{} ({verb})", key.address()),
    );
    Ok(())
}
