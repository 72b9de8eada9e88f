//! `yui contract …`: upload code, propose its deployment, call and query
//! contracts, and read what they are and did. Changing a deployed contract
//! (upgrade, pause, remove, a governance call, its budget) is a proposal:
//! `yui gov propose … upgrade-contract|set-contract-status|call-contract|
//! set-contract-budget`.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use yui_cli::contracts::{CodeArg, asset_amounts, decode_output, encode_args, upload};
use yui_cli::{Client, keyfile};
use yui_ledger::Operation;
use yui_ledger::asset::DAY_MS;
use yui_ledger::governance::GovAction;
use yui_proto::v1 as pb;

use yui_cli::cmd::{Signer, submit};
use yui_cli::render::{Output, event_text, print, short};

/// Fuel a call may burn unless told otherwise.
const FUEL_DEFAULT: u64 = 1_000_000;

#[derive(Subcommand)]
pub(crate) enum ContractCmd {
    /// Upload a .wasm file in chunks (consortium members); prints its code hash.
    Upload {
        /// Key file of a consortium member.
        #[arg(long)]
        key: PathBuf,
        /// The compiled contract.
        wasm: PathBuf,
    },
    /// Propose deploying uploaded code (consortium members); your approval counts.
    ProposeDeploy {
        #[command(flatten)]
        s: Signer,
        /// Proposal id.
        #[arg(long)]
        id: String,
        /// The new contract's id.
        #[arg(long)]
        contract: String,
        /// The code: a .wasm file (uploaded first if needed) or its hex hash.
        #[arg(long)]
        code: String,
        /// `init`'s arguments as type:value fields (see `yui contract call --help`).
        #[arg(long = "init")]
        init: Vec<String>,
        /// An asset the contract may hold (repeat).
        #[arg(long = "asset")]
        assets: Vec<String>,
        /// What it may mint: asset=amount (repeat).
        #[arg(long = "budget")]
        budget: Vec<String>,
        /// Days the proposal stays open.
        #[arg(long, default_value_t = 7)]
        days: u64,
    },
    /// Call a method. Arguments are type:value fields of a borsh tuple:
    /// u8 u16 u32 u64 bool str addr hex (e.g. addr:taro.json u32:2).
    Call {
        #[command(flatten)]
        s: Signer,
        contract: String,
        method: String,
        args: Vec<String>,
        /// Value to attach: asset=amount (repeat).
        #[arg(long = "attach")]
        attach: Vec<String>,
        /// Most fuel the call may burn.
        #[arg(long, default_value_t = FUEL_DEFAULT)]
        fuel: u64,
    },
    /// Run a method read-only against the latest state and print its output.
    Query {
        contract: String,
        method: String,
        args: Vec<String>,
        /// Decode the output as these comma-separated types (e.g. u64,u64 or vec:u64).
        #[arg(long, default_value = "")]
        decode: String,
        #[arg(long, default_value_t = 0)]
        fuel: u64,
    },
    /// One contract: code hash, methods, budget, holdings and counters.
    Show { contract: String },
    /// Every contract.
    List,
    /// Print a contract's events (or every contract's) as blocks commit.
    Watch {
        #[arg(long, default_value = "")]
        contract: String,
        /// Stop after this many events (default: never).
        #[arg(long)]
        count: Option<usize>,
    },
}

fn contract_json(c: &pb::Contract) -> serde_json::Value {
    json!({
        "id": c.id, "code_hash": hex::encode(&c.code_hash), "code_size": c.code_size,
        "methods": c.methods, "engine_version": c.engine_version,
        "fuel_table_version": c.fuel_table_version, "account": hex::encode(&c.account),
        "assets": c.assets, "status": c.status, "proposal_id": c.proposal_id,
        "deployed_height": c.deployed_height, "upgraded_height": c.upgraded_height,
        "calls": c.calls, "fuel_used": c.fuel_used,
        "budget": c.budget.iter().map(|b| json!({"asset": b.asset, "allotted": b.allotted, "granted": b.granted})).collect::<Vec<_>>(),
        "balances": c.balances.iter().map(|b| json!({"asset": b.asset, "total": b.total})).collect::<Vec<_>>(),
    })
}

fn contract_text(c: &pb::Contract) -> String {
    let budget: Vec<String> = c
        .budget
        .iter()
        .map(|b| format!("{} of {} {} granted", b.granted, b.allotted, b.asset))
        .collect();
    let held: Vec<String> = c
        .balances
        .iter()
        .map(|b| format!("{} {}", b.total, b.asset))
        .collect();
    format!(
        "{} [{}] code {} ({} bytes), account {}\n  methods: {}\n  budget: {}\n  holds: {}\n  \
         {} calls, {} fuel; deployed at height {} by proposal '{}'",
        c.id,
        c.status,
        short(&c.code_hash),
        c.code_size,
        short(&c.account),
        c.methods.join(", "),
        if budget.is_empty() {
            "none".into()
        } else {
            budget.join("; ")
        },
        if held.is_empty() {
            "nothing".into()
        } else {
            held.join(", ")
        },
        c.calls,
        c.fuel_used,
        c.deployed_height,
        c.proposal_id
    )
}

/// The code's hash: a .wasm file is uploaded first (as `key`) if needed.
async fn code_hash(c: &Client, key: &yui_ledger::Keypair, code: &str) -> anyhow::Result<[u8; 32]> {
    match CodeArg::parse(code)? {
        CodeArg::File(bytes) => upload(c, key, &bytes, |_, _| {}).await,
        CodeArg::Hash(h) => Ok(h),
    }
}

pub(crate) async fn contract(c: &Client, out: Output, cmd: ContractCmd) -> anyhow::Result<()> {
    let (s, op) = match cmd {
        ContractCmd::Upload { key, wasm } => {
            let code = std::fs::read(&wasm)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", wasm.display()))?;
            let key = keyfile::read(&key)?;
            let hash = upload(c, &key, &code, |i, n| {
                if out == Output::Text {
                    eprintln!("uploaded chunk {i} of {n}");
                }
            })
            .await?;
            let h = hex::encode(hash);
            print(
                out,
                json!({"code_hash": h, "size": code.len()}),
                format!("code {h} ({} bytes) is on chain", code.len()),
            );
            return Ok(());
        }
        ContractCmd::ProposeDeploy {
            s,
            id,
            contract,
            code,
            init,
            assets,
            budget,
            days,
        } => {
            let key = keyfile::read(&s.key)?;
            let code_hash = code_hash(c, &key, &code).await?;
            let expires = days
                .checked_mul(DAY_MS)
                .and_then(|d| d.checked_add(yui_cli::now_ms()))
                .ok_or_else(|| anyhow::anyhow!("--days is too large"))?;
            let action = GovAction::DeployContract {
                contract_id: contract,
                code_hash,
                init_args: encode_args(&init)?,
                assets,
                budget: asset_amounts(&budget)?,
            };
            (
                s,
                Operation::Propose {
                    proposal_id: id,
                    action,
                    expires_at_ms: expires,
                },
            )
        }
        ContractCmd::Call {
            s,
            contract,
            method,
            args,
            attach,
            fuel,
        } => (
            s,
            Operation::CallContract {
                contract_id: contract,
                method,
                args: encode_args(&args)?,
                fuel_limit: fuel,
                attach: asset_amounts(&attach)?,
            },
        ),
        ContractCmd::Query {
            contract,
            method,
            args,
            decode,
            fuel,
        } => {
            let r = c
                .contracts
                .clone()
                .query(pb::QueryContractRequest {
                    contract_id: contract,
                    method,
                    args: encode_args(&args)?,
                    fuel_limit: fuel,
                })
                .await?
                .into_inner();
            let value = decode_output(&decode, &r.output)?;
            print(
                out,
                json!({"output": value, "fuel_used": r.fuel_used, "height": r.height}),
                format!("{value} ({} fuel, at height {})", r.fuel_used, r.height),
            );
            return Ok(());
        }
        ContractCmd::Show { contract } => {
            let r = c
                .contracts
                .clone()
                .get_contract(pb::GetContractRequest {
                    contract_id: contract,
                })
                .await?
                .into_inner();
            let k = r.contract.unwrap_or_default();
            print(out, contract_json(&k), contract_text(&k));
            return Ok(());
        }
        ContractCmd::List => {
            let mut all = Vec::new();
            let mut page_token = vec![];
            loop {
                let r = c
                    .contracts
                    .clone()
                    .list_contracts(pb::ListContractsRequest {
                        limit: 100,
                        page_token,
                    })
                    .await?
                    .into_inner();
                all.extend(r.contracts);
                if r.next_page_token.is_empty() {
                    break;
                }
                page_token = r.next_page_token;
            }
            let text: Vec<String> = all.iter().map(contract_text).collect();
            print(
                out,
                json!(all.iter().map(contract_json).collect::<Vec<_>>()),
                if text.is_empty() {
                    "no contracts".into()
                } else {
                    text.join("\n")
                },
            );
            return Ok(());
        }
        ContractCmd::Watch { contract, count } => return watch(c, out, contract, count).await,
    };
    submit(c, out, s, op).await
}

async fn watch(
    c: &Client,
    out: Output,
    contract: String,
    count: Option<usize>,
) -> anyhow::Result<()> {
    let mut stream = c
        .contracts
        .clone()
        .stream_contract_events(pb::StreamContractEventsRequest {
            contract_id: contract,
        })
        .await?
        .into_inner();
    let mut seen = 0;
    while let Some(ev) = stream.message().await? {
        let e = ev.event.unwrap_or_default();
        print(
            out,
            json!({"height": ev.height, "time_ms": ev.time_ms, "tx_hash": hex::encode(&ev.tx_hash),
                   "kind": e.kind, "reference": e.reference, "detail": e.detail, "note": e.note,
                   "amount": e.amount, "asset": e.asset}),
            format!("height {}:{}", ev.height, event_text(&e)),
        );
        seen += 1;
        if count.is_some_and(|n| seen >= n) {
            break;
        }
    }
    Ok(())
}
