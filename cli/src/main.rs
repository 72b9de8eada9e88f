//! `yui`: the command line of Yui for residents, merchants, issuers and
//! auditors. Every operation is built, signed with a local key file and
//! submitted over gRPC; queries read the node's API. `--output json` prints
//! machine-readable results.

use std::path::{Path, PathBuf};

mod civic;
mod contract_cmd;
mod gov_cmd;
mod job_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use yui_cli::{Client, keyfile};
use yui_ledger::{Address, Keypair, Operation};
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
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Output {
    Text,
    Json,
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
    /// Pay a merchant's invoice.
    Pay {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        merchant: String,
        #[arg(long)]
        invoice: String,
        #[arg(long)]
        amount: u64,
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
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Fetch every block, check certificates, signatures and roots, re-execute
    /// from genesis, and report how money moved.
    Replay {
        /// The auditor's key file (named in the node's config).
        #[arg(long)]
        key: PathBuf,
    },
}

#[derive(clap::Args)]
struct Signer {
    /// Key file of the signer.
    #[arg(long)]
    key: PathBuf,
    /// Nonce to use (default: the account's next).
    #[arg(long)]
    nonce: Option<u64>,
    /// Return once admitted, without waiting for the commit.
    #[arg(long)]
    no_wait: bool,
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

fn print(output: Output, v: serde_json::Value, text: String) {
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default()),
        Output::Text => println!("{text}"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let out = cli.output;
    if let Cmd::Keys(k) = &cli.cmd {
        return keys(out, k);
    }
    if let Cmd::Credential(cc) = &cli.cmd
        && let Some(done) = civic::offline(out, cc)
    {
        return done;
    }
    let c = Client::connect(&cli.node).await?;
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
            merchant,
            invoice,
            amount,
            assets,
        } => {
            let op = Operation::Pay {
                merchant: keyfile::address(&merchant)?,
                invoice_id: invoice,
                amount,
                assets,
            };
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
        } => history(&c, out, &key, account.as_deref(), limit).await,
        Cmd::Watch { key, account } => watch(&c, out, &key, account.as_deref()).await,
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
        Cmd::Audit(AuditCmd::Replay { key }) => audit(&c, out, &key).await,
        Cmd::Job(j) => job_cmd::job(&c, out, j).await,
        Cmd::Credential(x) => civic::credential(&c, out, x).await,
        Cmd::Consent(x) => civic::consent(&c, out, x).await,
        Cmd::Gov(x) => gov_cmd::gov(&c, out, x).await,
        Cmd::Contract(x) => contract_cmd::contract(&c, out, x).await,
        Cmd::Status => {
            let s = c.status().await?;
            let v = json!({
                "chain_id": s.chain_id, "height": s.height, "last_block_hash": hex::encode(&s.last_block_hash),
                "state_root": hex::encode(&s.state_root), "round": s.round, "mempool": s.mempool_size,
                "peers": s.peers, "validators": s.validators.iter().map(|v| json!({"name": v.name, "key": hex::encode(&v.public_key), "power": v.power})).collect::<Vec<_>>(),
            });
            let text = format!(
                "chain {} height {} hash {} round {} mempool {} peers {}",
                s.chain_id,
                s.height,
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

async fn audit(c: &Client, out: Output, key: &Path) -> anyhow::Result<()> {
    let k = keyfile::read(key)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "replaying {bar:40} {pos}/{len} blocks ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = yui_cli::audit::replay(c, &k, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    let r = report?;
    let mut text = format!(
        "chain {} verified: {} blocks, {} transactions ({} failed in block), {} certificate signatures, {} active accounts\nstate root at height {}: {}\n",
        r.chain_id,
        r.blocks,
        r.transactions,
        r.failed_transactions,
        r.certificate_signatures,
        r.active_accounts,
        r.final_height,
        r.final_state_root
    );
    text.push_str(&format!(
        "governance: {} proposals carried out, {} validator set changes; validators after the last block: {}
credentials issued: {}
",
        r.proposals_executed,
        r.validator_set_changes,
        r.final_validators.join(", "),
        r.credentials_issued
    ));
    for (asset, f) in &r.assets {
        text.push_str(&format!(
            "  {asset:<10} minted {:>10} burned {:>8} expired {:>8} paid to merchants {:>10} refunded {:>8} redeemed {:>8}\n",
            f.minted, f.burned, f.expired, f.paid_to_merchants, f.refunded, f.redeemed
        ));
    }
    for (id, k) in &r.contracts {
        let budget: Vec<String> = k
            .budget
            .iter()
            .map(|(a, (allotted, granted))| format!("{granted} of {allotted} {a}"))
            .collect();
        text.push_str(&format!(
            "  contract {id} [{}]: {} calls ({} failed), {} fuel; budget spent: {}\n",
            k.status,
            k.calls + k.failed_calls,
            k.failed_calls,
            k.fuel_used,
            if budget.is_empty() {
                "none".into()
            } else {
                budget.join(", ")
            }
        ));
    }
    print(out, serde_json::to_value(&r)?, text.trim_end().to_string());
    Ok(())
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

fn reader(key: &Path, account: Option<&str>) -> anyhow::Result<(Keypair, Address)> {
    let k = keyfile::read(key)?;
    let who = match account {
        Some(a) => keyfile::address(a)?,
        None => k.address(),
    };
    Ok((k, who))
}

async fn submit(c: &Client, out: Output, s: Signer, op: Operation) -> anyhow::Result<()> {
    let key = keyfile::read(&s.key)?;
    let nonce = match s.nonce {
        Some(n) => n,
        None => c.next_nonce(&key).await?,
    };
    let stx = c.sign(&key, nonce, op).await?;
    let r = c.submit(&stx, !s.no_wait).await?;
    let hash = hex::encode(&r.tx_hash);
    match r.receipt {
        Some(rc) => {
            let text = format!(
                "{} {} at height {}{}",
                if rc.success { "committed" } else { "FAILED" },
                hash,
                rc.height,
                if rc.success {
                    rc.events
                        .iter()
                        .map(event_text)
                        .collect::<Vec<_>>()
                        .join("")
                } else {
                    format!(": {}", rc.error)
                }
            );
            print(
                out,
                json!({"tx_hash": hash, "committed": true, "receipt": receipt_json(&rc)}),
                text,
            );
            if !rc.success {
                anyhow::bail!(
                    "the transaction was committed but its operation failed: {}",
                    rc.error
                );
            }
        }
        None => print(
            out,
            json!({"tx_hash": hash, "committed": false}),
            format!("admitted {hash}; follow it with `yui tx {hash}`"),
        ),
    }
    Ok(())
}

async fn history(
    c: &Client,
    out: Output,
    key: &Path,
    account: Option<&str>,
    limit: u32,
) -> anyhow::Result<()> {
    let (k, who) = reader(key, account)?;
    let req = pb::GetHistoryRequest {
        address: who.0.to_vec(),
        auth: Some(c.read_auth(&k, &who)),
        limit,
        page_token: vec![],
    };
    let r = c.accounts.clone().get_history(req).await?.into_inner();
    let v: Vec<_> = r
        .entries
        .iter()
        .map(|e| json!({"height": e.height, "time_ms": e.time_ms, "tx": e.tx.as_ref().map(tx_json), "receipt": e.receipt.as_ref().map(receipt_json)}))
        .collect();
    let text = r
        .entries
        .iter()
        .map(|e| {
            let op =
                e.tx.as_ref()
                    .map_or("block start".to_string(), |t| t.operation.clone());
            let ev = e
                .receipt
                .as_ref()
                .map(|r| r.events.iter().map(event_text).collect::<String>())
                .unwrap_or_default();
            format!("#{:<6} {op}{ev}", e.height)
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(out, json!(v), text);
    Ok(())
}

async fn watch(c: &Client, out: Output, key: &Path, account: Option<&str>) -> anyhow::Result<()> {
    let (k, who) = reader(key, account)?;
    let req = pb::StreamEventsRequest {
        address: who.0.to_vec(),
        auth: Some(c.read_auth(&k, &who)),
    };
    let mut s = c.accounts.clone().stream_events(req).await?.into_inner();
    while let Some(ev) = s.message().await? {
        let e = ev.event.unwrap_or_default();
        print(
            out,
            json!({"height": ev.height, "tx_hash": hex::encode(&ev.tx_hash), "event": event_json(&e)}),
            format!("#{}{}", ev.height, event_text(&e)),
        );
    }
    Ok(())
}

fn short(b: &[u8]) -> String {
    let h = hex::encode(b);
    h.get(..8).unwrap_or(&h).to_string()
}

fn event_text(e: &pb::Event) -> String {
    // Value events show an amount; credential, consent and governance events
    // show their words instead.
    let what = if !e.detail.is_empty() || !e.note.is_empty() {
        format!("{} {}", e.detail, e.note).trim().to_string()
    } else if e.amount == 0 && e.asset.is_empty() {
        String::new()
    } else {
        format!("{} {}", e.amount, e.asset).trim().to_string()
    };
    let parties = match (e.from.is_empty(), e.to.is_empty()) {
        (true, true) => String::new(),
        _ => format!("{}→{}", short(&e.from), short(&e.to)),
    };
    let line = [e.kind.as_str(), &what, &parties, &e.reference]
        .iter()
        .filter(|x| !x.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    format!("\n    {line}")
}

fn event_json(e: &pb::Event) -> serde_json::Value {
    json!({"kind": e.kind, "asset": e.asset, "from": hex::encode(&e.from), "to": hex::encode(&e.to), "amount": e.amount,
           "fee": e.fee, "reference": e.reference, "expires_at_ms": e.expires_at_ms,
           "detail": e.detail, "note": e.note, "accounts": e.accounts.iter().map(hex::encode).collect::<Vec<_>>(),
           "parts": e.parts.iter().map(|p| json!({"asset": p.asset, "amount": p.amount})).collect::<Vec<_>>()})
}

fn receipt_json(r: &pb::Receipt) -> serde_json::Value {
    json!({"tx_hash": hex::encode(&r.tx_hash), "height": r.height, "index": r.index, "success": r.success,
           "error": r.error, "events": r.events.iter().map(event_json).collect::<Vec<_>>()})
}

fn tx_json(t: &pb::TxSummary) -> serde_json::Value {
    json!({"hash": hex::encode(&t.hash), "signer": hex::encode(&t.signer), "nonce": t.nonce, "operation": t.operation,
           "fields": serde_json::from_str::<serde_json::Value>(&t.operation_json).unwrap_or_default()})
}

fn account_json(a: &pb::GetAccountResponse) -> serde_json::Value {
    json!({"address": hex::encode(&a.address), "name": a.name, "nonce": a.nonce, "height": a.height,
           "roles": a.roles.iter().map(|r| format!("{}{}{}", r.kind, if r.of.is_empty() { "" } else { ":" }, r.of)).collect::<Vec<_>>(),
           "balances": a.balances.iter().map(|b| json!({"asset": b.asset, "total": b.total,
               "lots": b.lots.iter().map(|l| json!({"amount": l.amount, "expires_at_ms": l.expires_at_ms})).collect::<Vec<_>>()})).collect::<Vec<_>>()})
}

fn account_text(a: &pb::GetAccountResponse) -> String {
    let mut s = format!(
        "{} {} nonce {} (height {})",
        hex::encode(&a.address),
        a.name,
        a.nonce,
        a.height
    );
    for b in &a.balances {
        s.push_str(&format!("\n  {:<10} {:>12}", b.asset, b.total));
        for l in b.lots.iter().filter(|l| l.expires_at_ms > 0) {
            s.push_str(&format!(
                "  [{} expire at {} ms]",
                l.amount, l.expires_at_ms
            ));
        }
    }
    s
}

fn asset_json(a: &pb::AssetInfo) -> serde_json::Value {
    json!({"id": a.id, "kind": a.kind, "transferable": a.transferable, "spendable_at": a.spendable_at,
           "redeemable": a.redeemable, "redeem_fee_bps": a.redeem_fee_bps, "holding_cap": a.holding_cap,
           "expiry": a.expiry, "issued": a.issued, "burned": a.burned, "expired": a.expired})
}

fn block_json(b: &pb::Block) -> serde_json::Value {
    let h = b.header.clone().unwrap_or_default();
    let c = b.certificate.clone().unwrap_or_default();
    json!({"height": h.height, "hash": hex::encode(&h.hash), "time_ms": h.time_ms, "prev_hash": hex::encode(&h.prev_hash),
           "state_root": hex::encode(&h.state_root), "tx_root": hex::encode(&h.tx_root), "proposer": hex::encode(&h.proposer),
           "tx_count": b.tx_count, "certificate": {"round": c.round, "signers": c.signatures.iter().map(|s| s.validator).collect::<Vec<_>>()},
           "txs": b.txs.iter().map(tx_json).collect::<Vec<_>>()})
}
