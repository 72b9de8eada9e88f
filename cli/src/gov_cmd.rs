//! `yui gov …`: the consortium's proposals and votes, its members,
//! parameters and validators, and governance events as blocks commit.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use yui_cli::contracts::{CodeArg, encode_args};
use yui_cli::{Client, keyfile};
use yui_ledger::asset::DAY_MS;
use yui_ledger::contract::ContractStatus;
use yui_ledger::governance::GovAction;
use yui_ledger::{AssetClass, Operation};
use yui_proto::v1 as pb;

use super::civic::{parse_role, read_json};
use yui_cli::cmd::{Signer, submit};
use yui_cli::render::{Output, date, print, short};

#[derive(Subcommand)]
pub(crate) enum GovCmd {
    /// Members, parameters, validators and pending validator changes.
    Status,
    /// Propose a change (consortium members); your approval counts.
    Propose {
        #[command(flatten)]
        s: Signer,
        /// Proposal id (unique on the chain).
        #[arg(long)]
        id: String,
        /// Days it stays open for votes.
        #[arg(long, default_value_t = 7)]
        days: u64,
        #[command(subcommand)]
        action: ActionCmd,
    },
    /// Approve (or with --reject, oppose) an open proposal.
    Vote {
        #[command(flatten)]
        s: Signer,
        id: String,
        #[arg(long)]
        reject: bool,
    },
    /// Proposals: all, or by state (open, executed, failed, rejected, expired).
    List {
        #[arg(long, default_value = "")]
        state: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// One proposal with its votes.
    Show { id: String },
    /// Print governance events as blocks commit.
    Watch {
        /// Only this proposal's.
        #[arg(long, default_value = "")]
        id: String,
        /// Stop after this many events (default: never).
        #[arg(long)]
        count: Option<usize>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ActionCmd {
    /// Add a validator from a later height.
    AddValidator {
        /// Its name (e.g. coord-higashi).
        #[arg(long)]
        name: String,
        /// Its public key (address or key file).
        #[arg(long)]
        validator: String,
        #[arg(long, default_value_t = 1)]
        power: u64,
        /// Blocks from now until it signs (at least the chain's minimum delay).
        #[arg(long, default_value_t = 20)]
        in_blocks: u64,
    },
    /// Remove a validator from a later height.
    RemoveValidator {
        #[arg(long)]
        validator: String,
        #[arg(long, default_value_t = 20)]
        in_blocks: u64,
    },
    /// Grant a role: coordinator, credential_issuer, `issuer:<asset>`, `merchant:<class>`.
    GrantRole {
        #[arg(long)]
        account: String,
        #[arg(long)]
        role: String,
    },
    /// Revoke a role.
    RevokeRole {
        #[arg(long)]
        account: String,
        #[arg(long)]
        role: String,
    },
    /// Define an asset class from a JSON file (the genesis format).
    DefineAsset { file: PathBuf },
    /// Change an asset class's policy from a JSON file (same id and kind).
    UpdateAsset { file: PathBuf },
    /// Change a parameter (job_review_days, approval_threshold_num,
    /// approval_threshold_den, proposal_ttl_max_days, validator_change_delay_min).
    SetParam {
        #[arg(long)]
        name: String,
        #[arg(long)]
        value: u64,
    },
    /// Add a consortium member.
    AddMember {
        #[arg(long)]
        account: String,
    },
    /// Remove a consortium member.
    RemoveMember {
        #[arg(long)]
        account: String,
    },
    /// Replace a contract's code, keeping its state (upload the code first).
    UpgradeContract {
        #[arg(long)]
        contract: String,
        /// The new code: a .wasm file or its hex hash.
        #[arg(long)]
        code: String,
        /// `migrate`'s arguments as type:value fields.
        #[arg(long = "migrate")]
        migrate: Vec<String>,
    },
    /// Pause, resume or remove a contract: --status paused|active|removed.
    SetContractStatus {
        #[arg(long)]
        contract: String,
        #[arg(long)]
        status: String,
    },
    /// Call a contract's method as governance (e.g. an exchange's set_rate).
    CallContract {
        #[arg(long)]
        contract: String,
        #[arg(long)]
        method: String,
        /// type:value fields.
        args: Vec<String>,
    },
    /// Set what a contract may mint of an asset, in all.
    SetContractBudget {
        #[arg(long)]
        contract: String,
        #[arg(long)]
        asset: String,
        #[arg(long)]
        allotted: u64,
    },
}

fn proposal_json(p: &pb::Proposal) -> serde_json::Value {
    json!({
        "id": p.id, "proposer": hex::encode(&p.proposer), "action": p.action,
        "action_fields": serde_json::from_str::<serde_json::Value>(&p.action_json).unwrap_or_default(),
        "description": p.description, "state": p.state,
        "approvals": p.approvals.iter().map(hex::encode).collect::<Vec<_>>(),
        "rejections": p.rejections.iter().map(hex::encode).collect::<Vec<_>>(),
        "expires_at_ms": p.expires_at_ms, "created_height": p.created_height,
        "closed_height": p.closed_height, "outcome": p.outcome,
    })
}

fn proposal_line(p: &pb::Proposal) -> String {
    format!(
        "{:<20} {:<9} {} for / {} against: {}{}",
        p.id,
        p.state,
        p.approvals.len(),
        p.rejections.len(),
        p.description,
        if p.outcome.is_empty() || p.outcome == p.description {
            String::new()
        } else {
            format!(" ({})", p.outcome)
        }
    )
}

async fn action(c: &Client, a: ActionCmd) -> anyhow::Result<GovAction> {
    let at = |n: u64| async move {
        let h = c.status().await?.height;
        Ok::<u64, anyhow::Error>(h.saturating_add(n))
    };
    Ok(match a {
        ActionCmd::AddValidator {
            name,
            validator,
            power,
            in_blocks,
        } => GovAction::AddValidator {
            name,
            public_key: keyfile::address(&validator)?,
            power,
            effective_height: at(in_blocks).await?,
        },
        ActionCmd::RemoveValidator {
            validator,
            in_blocks,
        } => GovAction::RemoveValidator {
            public_key: keyfile::address(&validator)?,
            effective_height: at(in_blocks).await?,
        },
        ActionCmd::GrantRole { account, role } => GovAction::GrantRole {
            account: keyfile::address(&account)?,
            role: parse_role(&role)?,
        },
        ActionCmd::RevokeRole { account, role } => GovAction::RevokeRole {
            account: keyfile::address(&account)?,
            role: parse_role(&role)?,
        },
        ActionCmd::DefineAsset { file } => GovAction::DefineAsset {
            class: read_json::<AssetClass>(&file)?,
        },
        ActionCmd::UpdateAsset { file } => GovAction::UpdateAsset {
            class: read_json::<AssetClass>(&file)?,
        },
        ActionCmd::SetParam { name, value } => GovAction::SetParam { name, value },
        ActionCmd::AddMember { account } => GovAction::SetMember {
            account: keyfile::address(&account)?,
            member: true,
        },
        ActionCmd::RemoveMember { account } => GovAction::SetMember {
            account: keyfile::address(&account)?,
            member: false,
        },
        ActionCmd::UpgradeContract {
            contract,
            code,
            migrate,
        } => GovAction::UpgradeContract {
            contract_id: contract,
            code_hash: CodeArg::parse(&code)?.hash(),
            migrate_args: encode_args(&migrate)?,
        },
        ActionCmd::SetContractStatus { contract, status } => GovAction::SetContractStatus {
            contract_id: contract,
            status: serde_json::from_value::<ContractStatus>(json!(status)).map_err(|_| {
                anyhow::anyhow!("--status '{status}': use active, paused or removed")
            })?,
        },
        ActionCmd::CallContract {
            contract,
            method,
            args,
        } => GovAction::CallContract {
            contract_id: contract,
            method,
            args: encode_args(&args)?,
        },
        ActionCmd::SetContractBudget {
            contract,
            asset,
            allotted,
        } => GovAction::SetContractBudget {
            contract_id: contract,
            asset,
            allotted,
        },
    })
}

pub(crate) async fn gov(c: &Client, out: Output, cmd: GovCmd) -> anyhow::Result<()> {
    let (s, op) = match cmd {
        GovCmd::Propose {
            s,
            id,
            days,
            action: a,
        } => {
            let expires = days
                .checked_mul(DAY_MS)
                .and_then(|d| d.checked_add(yui_cli::now_ms()))
                .ok_or_else(|| anyhow::anyhow!("--days is too large"))?;
            (
                s,
                Operation::Propose {
                    proposal_id: id,
                    action: action(c, a).await?,
                    expires_at_ms: expires,
                },
            )
        }
        GovCmd::Vote { s, id, reject } => (
            s,
            Operation::Vote {
                proposal_id: id,
                approve: !reject,
            },
        ),
        GovCmd::Status => {
            let r = c
                .governance
                .clone()
                .get_governance(pb::GetGovernanceRequest {})
                .await?
                .into_inner();
            let mut text = format!(
                "height {}: {} members, proposals need {} approvals\nmembers: {}\n",
                r.height,
                r.members.len(),
                r.approvals_needed,
                r.members
                    .iter()
                    .map(|m| short(m))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            for p in &r.params {
                text.push_str(&format!("  {} = {}\n", p.name, p.value));
            }
            text.push_str("validators:\n");
            for v in &r.validators {
                text.push_str(&format!(
                    "  {:<14} {} power {}\n",
                    v.name,
                    short(&v.public_key),
                    v.power
                ));
            }
            for p in &r.pending {
                let v = p.validator.clone().unwrap_or_default();
                text.push_str(&format!(
                    "  pending: {} {} {} at height {}\n",
                    p.change,
                    v.name,
                    short(&v.public_key),
                    p.effective_height
                ));
            }
            print(
                out,
                json!({"height": r.height, "members": r.members.iter().map(hex::encode).collect::<Vec<_>>(),
                       "approvals_needed": r.approvals_needed,
                       "params": r.params.iter().map(|p| (p.name.clone(), json!(p.value))).collect::<serde_json::Map<_, _>>(),
                       "validators": r.validators.iter().map(|v| json!({"name": v.name, "key": hex::encode(&v.public_key), "power": v.power})).collect::<Vec<_>>(),
                       "pending": r.pending.iter().map(|p| json!({"effective_height": p.effective_height, "change": p.change,
                           "key": p.validator.as_ref().map(|v| hex::encode(&v.public_key))})).collect::<Vec<_>>()}),
                text.trim_end().to_string(),
            );
            return Ok(());
        }
        GovCmd::List { state, limit } => {
            let r = c
                .governance
                .clone()
                .list_proposals(pb::ListProposalsRequest {
                    state,
                    limit,
                    page_token: vec![],
                })
                .await?
                .into_inner();
            let text = if r.proposals.is_empty() {
                "no proposals".to_string()
            } else {
                r.proposals
                    .iter()
                    .map(proposal_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            print(
                out,
                json!({"height": r.height, "proposals": r.proposals.iter().map(proposal_json).collect::<Vec<_>>()}),
                text,
            );
            return Ok(());
        }
        GovCmd::Show { id } => {
            let r = c
                .governance
                .clone()
                .get_proposal(pb::GetProposalRequest { proposal_id: id })
                .await?
                .into_inner();
            let p = r.proposal.unwrap_or_default();
            let text = format!(
                "{}\n  proposed by {} at height {}; needs {} approvals; expires {}\n  for: {}\n  against: {}",
                proposal_line(&p),
                short(&p.proposer),
                p.created_height,
                r.approvals_needed,
                date(p.expires_at_ms),
                p.approvals
                    .iter()
                    .map(|a| short(a))
                    .collect::<Vec<_>>()
                    .join(" "),
                p.rejections
                    .iter()
                    .map(|a| short(a))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let mut j = proposal_json(&p);
            j["approvals_needed"] = json!(r.approvals_needed);
            print(out, j, text);
            return Ok(());
        }
        GovCmd::Watch { id, count } => {
            let mut st = c
                .governance
                .clone()
                .stream_governance_events(pb::StreamGovernanceEventsRequest { proposal_id: id })
                .await?
                .into_inner();
            let mut seen = 0usize;
            while count.is_none_or(|n| seen < n) {
                let Some(ev) = st.message().await? else { break };
                let e = ev.event.unwrap_or_default();
                print(
                    out,
                    json!({"height": ev.height, "time_ms": ev.time_ms, "tx_hash": hex::encode(&ev.tx_hash),
                           "kind": e.kind, "reference": e.reference, "detail": e.detail, "note": e.note,
                           "amount": e.amount, "accounts": e.accounts.iter().map(hex::encode).collect::<Vec<_>>()}),
                    format!(
                        "#{:<6} {:<26} {} {} {}",
                        ev.height, e.kind, e.reference, e.detail, e.note
                    ),
                );
                seen += 1;
            }
            return Ok(());
        }
    };
    submit(c, out, s, op).await
}
