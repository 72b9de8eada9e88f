//! What a replay reports: counts, how value moved per asset, governance,
//! credentials and contracts, gathered from the receipts the replay itself
//! computed (never from what the node says).

use std::collections::{BTreeMap, BTreeSet};

use yui_ledger::{Address, BlockOutcome, Event, MemState};

/// What a replay found.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
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

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
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

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssetFlows {
    pub minted: u64,
    pub burned: u64,
    pub expired: u64,
    pub paid_to_merchants: u64,
    pub refunded: u64,
    pub redeemed: u64,
    pub transferred: u64,
}

/// Gathers a [`Report`] block by block.
#[derive(Default)]
pub(super) struct Tally {
    pub report: Report,
    signers: BTreeSet<Address>,
}

impl Tally {
    /// Counts one replayed block: its transactions, certificate signatures,
    /// failures, flows, contract calls and governance events.
    pub fn block(&mut self, txs: usize, certificate_signatures: usize, out: &BlockOutcome) {
        let report = &mut self.report;
        report.blocks += 1;
        report.transactions += txs as u64;
        report.certificate_signatures += certificate_signatures as u64;
        for r in &out.receipts {
            if r.error.is_some() {
                report.failed_transactions += 1;
            }
            count_calls(&mut report.contracts, r);
            self.signers.insert(r.signer);
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
    }

    /// The report, with what the final state says: the validators, each
    /// contract's status and budget.
    pub fn finish(mut self, height: u64, state: &MemState) -> anyhow::Result<Report> {
        let report = &mut self.report;
        report.final_height = height;
        report.final_validators = yui_ledger::state::validators(state)?
            .iter()
            .map(|v| v.name.clone())
            .collect();
        report.active_accounts = self.signers.len();
        for (_, k) in yui_ledger::state::contracts(state, &[], usize::MAX)? {
            let s = report.contracts.entry(k.id.clone()).or_default();
            s.status = k.status.as_str().into();
            s.budget = k
                .budget
                .iter()
                .map(|b| (b.asset.clone(), (b.allotted, b.granted)))
                .collect();
        }
        Ok(self.report)
    }
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
