//! The auditor's replay: fetch every block with its certificate, check the
//! certificate against the validator set, re-verify every transaction
//! signature, re-execute every block from genesis in memory, and compare each
//! header's transaction root, receipts root and state root with what the
//! replay computed. Trusts nothing the node says except the bytes it serves.

use std::collections::BTreeMap;

use yui_consensus::{CommitCertificate, Validator, ValidatorSet};
use yui_ledger::block::tx_root;
use yui_ledger::commitment::{self, MemTree};
use yui_ledger::exec::receipts_root;
use yui_ledger::{Address, Block, Ctx, Event, Genesis, Keypair, MemState, execute_block};
use yui_proto::v1 as pb;

use crate::Client;

/// What a replay found.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Report {
    pub chain_id: String,
    pub blocks: u64,
    pub transactions: u64,
    pub failed_transactions: u64,
    pub certificate_signatures: u64,
    pub final_height: u64,
    pub final_state_root: String,
    /// Per asset: minted, burned, expired, paid to merchants, redeemed.
    pub assets: BTreeMap<String, AssetFlows>,
    /// Distinct accounts that signed a transaction.
    pub active_accounts: usize,
    /// Times the validator set changed by governance.
    pub validator_set_changes: u64,
    /// Governance proposals carried out.
    pub proposals_executed: u64,
    pub credentials_issued: u64,
    /// The validators deciding the height after the last one replayed.
    pub final_validators: Vec<String>,
    /// Per contract: calls, fuel, and its budget at the end, each
    /// re-executed by the replay.
    pub contracts: BTreeMap<String, ContractSummary>,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ContractSummary {
    pub status: String,
    /// Calls that succeeded (governance's `init` and `migrate` included).
    pub calls: u64,
    /// Calls that failed (their writes were discarded, their fuel burned).
    pub failed_calls: u64,
    /// Fuel burned by every call, failed ones included.
    pub fuel_used: u64,
    /// Per asset it may mint: (allotted, granted).
    pub budget: BTreeMap<String, (u64, u64)>,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct AssetFlows {
    pub minted: u64,
    pub burned: u64,
    pub expired: u64,
    pub paid_to_merchants: u64,
    pub refunded: u64,
    pub redeemed: u64,
    pub transferred: u64,
}

/// Replays the chain up to the node's current height. `progress(done, total)`
/// is called after each block.
pub async fn replay(
    c: &Client,
    auditor: &Keypair,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<Report> {
    let g = c
        .chain
        .clone()
        .get_genesis(pb::GetGenesisRequest {})
        .await?
        .into_inner();
    let genesis = Genesis::from_json(&g.json).map_err(|e| anyhow::anyhow!(e))?;
    let mut state = MemState::default();
    let mut tree = MemTree::default();
    let writes = genesis.state_writes(&state);
    state.apply(&writes);
    let (_, batch) = commitment::update(&tree, &writes, 0).map_err(|e| anyhow::anyhow!(e))?;
    tree.apply(&batch);

    let target = c.status().await?.height;
    let mut report = Report {
        chain_id: genesis.chain_id.clone(),
        ..Default::default()
    };
    let mut signers = std::collections::BTreeSet::new();
    let mut prev_hash = genesis.hash();
    let mut prev_time = genesis.genesis_time_ms;
    let req = pb::StreamBlocksRequest {
        from_height: 1,
        auth: Some(c.read_auth(auditor, &Address::ZERO)),
    };
    let mut stream = c.chain.clone().stream_blocks(req).await?.into_inner();
    let mut height = 0;
    while height < target {
        let b = stream
            .message()
            .await?
            .ok_or_else(|| anyhow::anyhow!("the node ended the block stream at {height}"))?;
        height += 1;
        let block = Block::from_bytes(&b.raw).map_err(|e| {
            anyhow::anyhow!("block {height}: {e} (is this key an auditor on the node?)")
        })?;
        let cert: CommitCertificate = borsh::from_slice(&b.raw_certificate)
            .map_err(|e| anyhow::anyhow!("block {height}: malformed certificate: {e}"))?;
        let h = &block.header;
        let fail = |what: &str| anyhow::anyhow!("block {height}: {what}");
        if h.height != height || h.chain_id != genesis.chain_id {
            return Err(fail("wrong height or chain"));
        }
        if h.prev_hash != prev_hash {
            return Err(fail("does not extend the previous block"));
        }
        if h.time_ms <= prev_time {
            return Err(fail("time does not increase"));
        }
        if cert.block_hash != block.hash() || cert.height != height {
            return Err(fail("certificate names another block"));
        }
        // The state after the previous block names the set that decides this
        // one; governance may have changed it.
        let vs = validator_set(&state).map_err(|e| fail(&e))?;
        if vs.hash() != h.validators_hash {
            return Err(fail("header names another validator set than the chain's"));
        }
        cert.verify(&genesis.chain_id, &vs)
            .map_err(|e| fail(&format!("certificate: {e}")))?;
        if tx_root(&block.txs) != h.tx_root {
            return Err(fail("transaction root mismatch"));
        }
        let ctx = Ctx {
            chain_id: genesis.chain_id.clone(),
            height,
            time_ms: h.time_ms,
        };
        let out = execute_block(&state, ctx, &block.txs)
            .map_err(|(i, e)| fail(&format!("transaction {i}: {e}")))?;
        if receipts_root(&out.receipts, &out.begin_events) != h.receipts_root {
            return Err(fail("receipts differ from the replay"));
        }
        let (root, batch) =
            commitment::update(&tree, &out.writes, height).map_err(|e| anyhow::anyhow!(e))?;
        if root != h.state_root {
            return Err(fail(&format!(
                "state root {} differs from the replay's {}",
                hex::encode(h.state_root),
                hex::encode(root)
            )));
        }
        state.apply(&out.writes);
        tree.apply(&batch);
        report.blocks += 1;
        report.transactions += block.txs.len() as u64;
        report.certificate_signatures += cert.signatures.len() as u64;
        for r in &out.receipts {
            if r.error.is_some() {
                report.failed_transactions += 1;
            }
            count_calls(&mut report.contracts, r);
            signers.insert(r.signer);
            tally(&mut report.assets, &r.events);
        }
        tally(&mut report.assets, &out.begin_events);
        for e in out
            .receipts
            .iter()
            .flat_map(|r| &r.events)
            .chain(&out.begin_events)
        {
            match e {
                Event::ValidatorSetChanged { .. } => report.validator_set_changes += 1,
                Event::ProposalClosed { state, .. }
                    if *state == yui_ledger::governance::ProposalState::Executed =>
                {
                    report.proposals_executed += 1
                }
                Event::CredentialIssued { .. } => report.credentials_issued += 1,
                _ => {}
            }
        }
        prev_hash = block.hash();
        prev_time = h.time_ms;
        report.final_state_root = hex::encode(root);
        progress(height, target);
    }
    report.final_height = height;
    report.final_validators = yui_ledger::state::validators(&state)?
        .iter()
        .map(|v| v.name.clone())
        .collect();
    report.active_accounts = signers.len();
    for (_, k) in yui_ledger::state::contracts(&state, &[], usize::MAX)? {
        let s = report.contracts.entry(k.id.clone()).or_default();
        s.status = k.status.as_str().into();
        s.budget = k
            .budget
            .iter()
            .map(|b| (b.asset.clone(), (b.allotted, b.granted)))
            .collect();
    }
    Ok(report)
}

/// Counts a receipt's contract calls, failed ones included (a call's own
/// failure is its receipt's error; a governance run's is in the proposal's).
fn count_calls(contracts: &mut BTreeMap<String, ContractSummary>, r: &yui_ledger::Receipt) {
    let governance_failures = r.events.iter().filter_map(|e| match e {
        Event::ProposalClosed { failure, .. } => failure.as_ref(),
        _ => None,
    });
    for f in r.error.iter().chain(governance_failures) {
        if let yui_ledger::TxError::ContractFailed {
            contract_id,
            fuel_used,
            ..
        } = f
        {
            let s = contracts.entry(contract_id.clone()).or_default();
            s.failed_calls += 1;
            s.fuel_used = s.fuel_used.saturating_add(*fuel_used);
        }
    }
    for e in &r.events {
        if let Event::ContractCalled {
            contract_id,
            fuel_used,
            ..
        } = e
        {
            let s = contracts.entry(contract_id.clone()).or_default();
            s.calls += 1;
            s.fuel_used = s.fuel_used.saturating_add(*fuel_used);
        }
    }
}

/// The validator set recorded in a replayed state.
fn validator_set(state: &MemState) -> Result<ValidatorSet, String> {
    ValidatorSet::new(
        yui_ledger::state::validators(state)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|v| Validator {
                public_key: v.public_key.0,
                power: v.power,
            })
            .collect(),
    )
    .map_err(|e| format!("validator set in state: {e}"))
}

fn tally(assets: &mut BTreeMap<String, AssetFlows>, events: &[Event]) {
    let mut add =
        |asset: &str, f: &dyn Fn(&mut AssetFlows)| f(assets.entry(asset.to_string()).or_default());
    for e in events {
        match e {
            Event::Minted { asset, amount, .. } => {
                add(asset, &|a| a.minted = a.minted.saturating_add(*amount))
            }
            Event::Burned { asset, amount, .. } => {
                add(asset, &|a| a.burned = a.burned.saturating_add(*amount))
            }
            Event::Expired { asset, amount, .. } => {
                add(asset, &|a| a.expired = a.expired.saturating_add(*amount))
            }
            Event::Transferred { asset, amount, .. } => add(asset, &|a| {
                a.transferred = a.transferred.saturating_add(*amount)
            }),
            Event::Redeemed {
                asset, amount, fee, ..
            } => add(asset, &|a| {
                a.redeemed = a.redeemed.saturating_add(*amount);
                a.burned = a.burned.saturating_add(amount.saturating_sub(*fee));
            }),
            Event::Paid { parts, .. } => {
                for (asset, n) in parts {
                    add(asset, &|a| {
                        a.paid_to_merchants = a.paid_to_merchants.saturating_add(*n)
                    });
                }
            }
            Event::Refunded { parts, .. } => {
                for (asset, n) in parts {
                    add(asset, &|a| a.refunded = a.refunded.saturating_add(*n));
                }
            }
            Event::CampaignExhausted { .. } => {}
            // Jobs: value reaching a worker from a poster's escrow changed
            // hands, like a transfer. Posting, refunds to the poster and
            // steps that move nothing are not flows between people; value
            // that expired in escrow has its own `Expired` event.
            Event::JobPaid { asset, amount, .. } | Event::JobAutoReleased { asset, amount, .. } => {
                add(asset, &|a| {
                    a.transferred = a.transferred.saturating_add(*amount)
                })
            }
            Event::JobResolved {
                asset, to_worker, ..
            } => add(asset, &|a| {
                a.transferred = a.transferred.saturating_add(*to_worker)
            }),
            Event::JobPosted { .. }
            | Event::JobAccepted { .. }
            | Event::JobSubmitted { .. }
            | Event::JobCancelConsented { .. }
            | Event::JobCancelled { .. }
            | Event::JobDisputed { .. }
            | Event::JobExpired { .. } => {}
            // Credentials, consent and governance move no value.
            Event::CredentialIssued { .. }
            | Event::CredentialStatusChanged { .. }
            | Event::ConsentGranted { .. }
            | Event::ConsentRevoked { .. }
            | Event::DataAccessed { .. }
            | Event::ProposalCreated { .. }
            | Event::ProposalVoted { .. }
            | Event::ProposalClosed { .. }
            | Event::ValidatorChangeScheduled { .. }
            | Event::ValidatorSetChanged { .. }
            | Event::RoleGranted { .. }
            | Event::RoleRevoked { .. }
            | Event::AssetDefined { .. }
            | Event::AssetPolicyChanged { .. }
            | Event::ParamChanged { .. }
            | Event::MembershipChanged { .. } => {}
            // Contracts: what they mint and move has its own events above.
            Event::CodeUploaded { .. }
            | Event::ContractDeployed { .. }
            | Event::ContractUpgraded { .. }
            | Event::ContractStatusChanged { .. }
            | Event::ContractBudgetChanged { .. }
            | Event::ContractCalled { .. }
            | Event::ContractEmitted { .. } => {}
        }
    }
}
