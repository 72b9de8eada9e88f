//! Receipts and events: what each transaction and each block start did.
//!
//! Receipts and events are hashed into the block header (`receipts_root`),
//! so validators and auditors must produce them byte for byte alike. They
//! hold codes and typed fields only, never sentences: the words people read
//! are rendered from them at the edge (the gRPC API, the CLI). New variants
//! are appended at the end of an enum so existing bytes keep their meaning
//! (`docs/adr/0004-consensus-critical-bytes.md`).

use borsh::{BorshDeserialize, BorshSerialize};

use crate::contract::ContractStatus;
use crate::credential::CredentialStatus;
use crate::crypto::{Address, Hash};
use crate::error::{Rule, TxError};
use crate::governance::{GovAction, ProposalState};
use crate::state::Role;

/// Where minted value came from.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum MintSource {
    /// Coins charged against a yen deposit.
    Charge,
    /// Bonus points from the named campaign on a charge.
    Bonus { campaign: String },
    /// A grant, with the issuer's reason (its own words, from the transaction).
    Grant { reason: String },
    /// Minted by a contract from the budget governance allotted it.
    Contract { contract_id: String },
}

impl MintSource {
    /// A short word for people and the API.
    pub fn label(&self) -> String {
        match self {
            MintSource::Charge => "charge".into(),
            MintSource::Bonus { campaign } => format!("bonus:{campaign}"),
            MintSource::Grant { reason } if !reason.is_empty() => reason.clone(),
            MintSource::Grant { .. } => "grant".into(),
            MintSource::Contract { contract_id } => format!("contract:{contract_id}"),
        }
    }
}

/// A scheduled validator change that could no longer be applied at its height.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SkippedChange {
    pub public_key: Address,
    /// True for an addition, false for a removal.
    pub added: bool,
    pub rule: Rule,
}

/// Something that happened to balances or records.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Event {
    Minted {
        asset: String,
        to: Address,
        amount: u64,
        source: MintSource,
        expires_at: Option<u64>,
    },
    Transferred {
        asset: String,
        from: Address,
        to: Address,
        amount: u64,
    },
    Paid {
        merchant: Address,
        payer: Address,
        invoice_id: String,
        parts: Vec<(String, u64)>,
    },
    Refunded {
        merchant: Address,
        payer: Address,
        invoice_id: String,
        parts: Vec<(String, u64)>,
    },
    Redeemed {
        merchant: Address,
        asset: String,
        amount: u64,
        fee: u64,
        fee_account: Address,
        payout_ref: String,
    },
    Burned {
        asset: String,
        from: Address,
        amount: u64,
    },
    Expired {
        asset: String,
        account: Address,
        amount: u64,
        breakage_account: Address,
    },
    CampaignExhausted {
        campaign: String,
    },
    /// `reward` left the poster's balance for the job's escrow.
    JobPosted {
        job_id: String,
        poster: Address,
        coordinator: Address,
        asset: String,
        reward: u64,
    },
    JobAccepted {
        job_id: String,
        poster: Address,
        worker: Address,
    },
    JobSubmitted {
        job_id: String,
        poster: Address,
        worker: Address,
        proof_hash: [u8; 32],
    },
    /// The poster approved: `amount` went from escrow to the worker.
    JobPaid {
        job_id: String,
        poster: Address,
        worker: Address,
        asset: String,
        amount: u64,
        rating: Option<u8>,
    },
    /// The worker agreed that the poster may cancel.
    JobCancelConsented {
        job_id: String,
        poster: Address,
        worker: Address,
    },
    /// The escrow (`refunded`) went back to the poster.
    JobCancelled {
        job_id: String,
        poster: Address,
        worker: Option<Address>,
        by: Address,
        asset: String,
        refunded: u64,
    },
    JobDisputed {
        job_id: String,
        poster: Address,
        worker: Address,
        by: Address,
        reason_hash: [u8; 32],
    },
    /// The coordinator split the escrow.
    JobResolved {
        job_id: String,
        poster: Address,
        worker: Address,
        coordinator: Address,
        asset: String,
        to_worker: u64,
        to_poster: u64,
    },
    /// Not accepted by its deadline: the escrow went back to the poster.
    JobExpired {
        job_id: String,
        poster: Address,
        asset: String,
        refunded: u64,
    },
    /// Submitted and not answered within the review period: the escrow went
    /// to the worker.
    JobAutoReleased {
        job_id: String,
        poster: Address,
        worker: Address,
        asset: String,
        amount: u64,
    },
    CredentialIssued {
        credential_id: String,
        subject: Address,
        issuer: Address,
        kind: String,
    },
    /// Suspended, reinstated or revoked (`status` is the new one).
    CredentialStatusChanged {
        credential_id: String,
        subject: Address,
        issuer: Address,
        status: CredentialStatus,
        /// The issuer's reason, from the transaction.
        reason: String,
    },
    ConsentGranted {
        subject: Address,
        party: Address,
        scope: String,
        expires_at_ms: Option<u64>,
    },
    ConsentRevoked {
        subject: Address,
        party: Address,
        scope: String,
    },
    /// `party` read the subject's data under their consent.
    DataAccessed {
        subject: Address,
        party: Address,
        scope: String,
        purpose: String,
    },
    ProposalCreated {
        proposal_id: String,
        proposer: Address,
        action: GovAction,
    },
    ProposalVoted {
        proposal_id: String,
        voter: Address,
        approve: bool,
        approvals: u64,
        rejections: u64,
        needed: u64,
    },
    /// The proposal closed: executed, failed (`failure` says why), rejected
    /// or expired.
    ProposalClosed {
        proposal_id: String,
        state: ProposalState,
        failure: Option<TxError>,
    },
    /// A validator change was scheduled for `effective_height`.
    ValidatorChangeScheduled {
        public_key: Address,
        added: bool,
        effective_height: u64,
    },
    /// The set deciding `effective_height` and after differs from the last.
    ValidatorSetChanged {
        effective_height: u64,
        added: Vec<Address>,
        removed: Vec<Address>,
        /// Changes that could no longer be applied, and why.
        skipped: Vec<SkippedChange>,
    },
    RoleGranted {
        account: Address,
        role: Role,
    },
    RoleRevoked {
        account: Address,
        role: Role,
    },
    AssetDefined {
        asset: String,
    },
    AssetPolicyChanged {
        asset: String,
    },
    ParamChanged {
        name: String,
        value: u64,
    },
    MembershipChanged {
        account: Address,
        member: bool,
    },
    /// A consortium member finished uploading contract code.
    CodeUploaded {
        code_hash: Hash,
        size: u32,
        uploader: Address,
    },
    /// Governance deployed a contract; `account` holds its value.
    ContractDeployed {
        contract_id: String,
        code_hash: Hash,
        account: Address,
    },
    ContractUpgraded {
        contract_id: String,
        code_hash: Hash,
    },
    ContractStatusChanged {
        contract_id: String,
        status: ContractStatus,
    },
    /// What the contract may mint of `asset` in all is now `allotted`.
    ContractBudgetChanged {
        contract_id: String,
        asset: String,
        allotted: u64,
    },
    /// A call that succeeded, with the fuel it burned.
    ContractCalled {
        contract_id: String,
        caller: Address,
        method: String,
        fuel_used: u64,
    },
    /// An event the contract emitted; `accounts` are the caller and the
    /// accounts the call moved value to, so their streams carry it.
    ContractEmitted {
        contract_id: String,
        topic: Vec<u8>,
        data: Vec<u8>,
        accounts: Vec<Address>,
    },
}

impl Event {
    /// Accounts whose balances this event concerns (for per-account streams).
    pub fn accounts(&self) -> Vec<Address> {
        match self {
            Event::Minted { to, .. } => vec![*to],
            Event::Transferred { from, to, .. } => vec![*from, *to],
            Event::Paid {
                merchant, payer, ..
            }
            | Event::Refunded {
                merchant, payer, ..
            } => {
                vec![*merchant, *payer]
            }
            Event::Redeemed {
                merchant,
                fee_account,
                ..
            } => vec![*merchant, *fee_account],
            Event::Burned { from, .. } => vec![*from],
            Event::Expired {
                account,
                breakage_account,
                ..
            } => vec![*account, *breakage_account],
            Event::CampaignExhausted { .. } => vec![],
            Event::JobPosted {
                poster,
                coordinator,
                ..
            } => vec![*poster, *coordinator],
            Event::JobAccepted { poster, worker, .. }
            | Event::JobSubmitted { poster, worker, .. }
            | Event::JobPaid { poster, worker, .. }
            | Event::JobCancelConsented { poster, worker, .. }
            | Event::JobDisputed { poster, worker, .. }
            | Event::JobAutoReleased { poster, worker, .. } => vec![*poster, *worker],
            Event::JobCancelled { poster, worker, .. } => {
                let mut v = vec![*poster];
                v.extend(worker);
                v
            }
            Event::JobResolved {
                poster,
                worker,
                coordinator,
                ..
            } => vec![*poster, *worker, *coordinator],
            Event::JobExpired { poster, .. } => vec![*poster],
            Event::CredentialIssued {
                subject, issuer, ..
            }
            | Event::CredentialStatusChanged {
                subject, issuer, ..
            } => vec![*subject, *issuer],
            Event::ConsentGranted { subject, party, .. }
            | Event::ConsentRevoked { subject, party, .. }
            | Event::DataAccessed { subject, party, .. } => vec![*subject, *party],
            Event::ProposalCreated { proposer, .. } => vec![*proposer],
            Event::ProposalVoted { voter, .. } => vec![*voter],
            Event::ValidatorChangeScheduled { public_key, .. } => vec![*public_key],
            Event::RoleGranted { account, .. }
            | Event::RoleRevoked { account, .. }
            | Event::MembershipChanged { account, .. } => vec![*account],
            Event::ValidatorSetChanged { added, removed, .. } => {
                added.iter().chain(removed).copied().collect()
            }
            Event::CodeUploaded { uploader, .. } => vec![*uploader],
            Event::ContractDeployed { account, .. } => vec![*account],
            Event::ContractCalled { caller, .. } => vec![*caller],
            Event::ContractEmitted { accounts, .. } => accounts.clone(),
            Event::ProposalClosed { .. }
            | Event::AssetDefined { .. }
            | Event::AssetPolicyChanged { .. }
            | Event::ParamChanged { .. }
            | Event::ContractUpgraded { .. }
            | Event::ContractStatusChanged { .. }
            | Event::ContractBudgetChanged { .. } => vec![],
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Event::Minted { .. } => "minted",
            Event::Transferred { .. } => "transferred",
            Event::Paid { .. } => "paid",
            Event::Refunded { .. } => "refunded",
            Event::Redeemed { .. } => "redeemed",
            Event::Burned { .. } => "burned",
            Event::Expired { .. } => "expired",
            Event::CampaignExhausted { .. } => "campaign_exhausted",
            Event::JobPosted { .. } => "job_posted",
            Event::JobAccepted { .. } => "job_accepted",
            Event::JobSubmitted { .. } => "job_submitted",
            Event::JobPaid { .. } => "job_paid",
            Event::JobCancelConsented { .. } => "job_cancel_consented",
            Event::JobCancelled { .. } => "job_cancelled",
            Event::JobDisputed { .. } => "job_disputed",
            Event::JobResolved { .. } => "job_resolved",
            Event::JobExpired { .. } => "job_expired",
            Event::JobAutoReleased { .. } => "job_auto_released",
            Event::CredentialIssued { .. } => "credential_issued",
            Event::CredentialStatusChanged { .. } => "credential_status_changed",
            Event::ConsentGranted { .. } => "consent_granted",
            Event::ConsentRevoked { .. } => "consent_revoked",
            Event::DataAccessed { .. } => "data_accessed",
            Event::ProposalCreated { .. } => "proposal_created",
            Event::ProposalVoted { .. } => "proposal_voted",
            Event::ProposalClosed { .. } => "proposal_closed",
            Event::ValidatorChangeScheduled { .. } => "validator_change_scheduled",
            Event::ValidatorSetChanged { .. } => "validator_set_changed",
            Event::RoleGranted { .. } => "role_granted",
            Event::RoleRevoked { .. } => "role_revoked",
            Event::AssetDefined { .. } => "asset_defined",
            Event::AssetPolicyChanged { .. } => "asset_policy_changed",
            Event::ParamChanged { .. } => "param_changed",
            Event::MembershipChanged { .. } => "membership_changed",
            Event::CodeUploaded { .. } => "code_uploaded",
            Event::ContractDeployed { .. } => "contract_deployed",
            Event::ContractUpgraded { .. } => "contract_upgraded",
            Event::ContractStatusChanged { .. } => "contract_status_changed",
            Event::ContractBudgetChanged { .. } => "contract_budget_changed",
            Event::ContractCalled { .. } => "contract_called",
            Event::ContractEmitted { .. } => "contract_emitted",
        }
    }

    /// Whether this is a governance event (for the governance stream).
    pub fn is_governance(&self) -> bool {
        matches!(
            self,
            Event::ProposalCreated { .. }
                | Event::ProposalVoted { .. }
                | Event::ProposalClosed { .. }
                | Event::ValidatorChangeScheduled { .. }
                | Event::ValidatorSetChanged { .. }
                | Event::RoleGranted { .. }
                | Event::RoleRevoked { .. }
                | Event::AssetDefined { .. }
                | Event::AssetPolicyChanged { .. }
                | Event::ParamChanged { .. }
                | Event::MembershipChanged { .. }
                | Event::CodeUploaded { .. }
                | Event::ContractDeployed { .. }
                | Event::ContractUpgraded { .. }
                | Event::ContractStatusChanged { .. }
                | Event::ContractBudgetChanged { .. }
        )
    }

    /// The contract this event is about, for the contract event stream.
    pub fn contract_id(&self) -> Option<&str> {
        match self {
            Event::ContractDeployed { contract_id, .. }
            | Event::ContractUpgraded { contract_id, .. }
            | Event::ContractStatusChanged { contract_id, .. }
            | Event::ContractBudgetChanged { contract_id, .. }
            | Event::ContractCalled { contract_id, .. }
            | Event::ContractEmitted { contract_id, .. } => Some(contract_id),
            Event::Minted {
                source: MintSource::Contract { contract_id },
                ..
            } => Some(contract_id),
            _ => None,
        }
    }
}

/// Outcome of one transaction in a block.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Receipt {
    pub tx_hash: Hash,
    pub signer: Address,
    pub height: u64,
    pub index: u32,
    /// `None` when it succeeded; else why it failed (its nonce is still used,
    /// nothing else changed).
    pub error: Option<TxError>,
    pub events: Vec<Event>,
}

impl Receipt {
    /// The accounts a transaction concerns: its signer, the accounts its
    /// operation names (a payment's merchant, a transfer's receiver), and
    /// every account its events name. An account's history and its live
    /// stream both select by this, so they always agree — a payment that
    /// failed concerns the merchant it named although it moved nothing.
    pub fn accounts_concerned(&self, tx: &crate::Transaction) -> Vec<Address> {
        let mut who = vec![tx.signer];
        who.extend(tx.op.counterparties());
        who.extend(self.events.iter().flat_map(|e| e.accounts()));
        who.sort();
        who.dedup();
        who
    }
}
