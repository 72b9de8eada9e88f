//! Transactions: what a wallet signs, and the canonical bytes of it.
//!
//! The signed bytes are `borsh(SignBytes { domain, tx })`: they cover the chain
//! id, signer, nonce, expiry and operation behind a domain tag, so a signature
//! for Yui's transactions is never valid as a vote, a proposal or a
//! transaction on another chain. See `docs/adr/0001-canonical-encoding-borsh.md`.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::contract;
use crate::crypto::{self, Address, Hash, Keypair};
use crate::error::{Field, Rule, TxError};
use crate::limits;
use yui_wasm_contracts as wasm;

/// Domain tag of transaction signatures.
pub const TX_DOMAIN: &[u8] = b"yui/tx/v1";

/// When a transaction stops being valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Expiry {
    /// Not included in a block above this height.
    Height(u64),
    /// Not included in a block whose time is after this (ms since the epoch).
    Time(u64),
}

/// What a transaction does. The serde form (JSON, tagged by `op`) is for
/// people, the API's `operation_json` and `yui submit`, so a new operation
/// is usable from the edge as soon as it is defined; only borsh is signed.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// An issuer mints coins against a yen deposit, plus campaign bonus points.
    Charge {
        to: Address,
        asset: String,
        amount: u64,
        deposit_ref: String,
        campaign: Option<String>,
    },
    /// An issuer grants points, for a reason; once per person per event.
    Grant {
        to: Address,
        asset: String,
        amount: u64,
        reason: String,
        event_id: Option<String>,
    },
    /// Moves a transferable asset to another account.
    Transfer {
        to: Address,
        asset: String,
        amount: u64,
    },
    /// Pays a merchant's invoice. `assets` names the order to draw from; empty
    /// means the assets' policy order (`pay_priority`).
    Pay {
        merchant: Address,
        invoice_id: String,
        amount: u64,
        assets: Vec<String>,
    },
    /// A merchant refunds part or all of a paid invoice to its payer.
    Refund { invoice_id: String, amount: u64 },
    /// A merchant burns coins for a yen payout; the fee goes to the operator.
    Redeem {
        asset: String,
        amount: u64,
        payout_ref: String,
    },
    /// The holder destroys value.
    Burn { asset: String, amount: u64 },
    /// Posts a job: `reward` moves from the poster's balance into the job's
    /// escrow. `coordinator` (holding `Role::Coordinator`) rules on disputes.
    PostJob {
        job_id: String,
        asset: String,
        reward: u64,
        coordinator: Address,
        /// Block time (ms) by which a worker must accept, else the reward returns.
        accept_deadline_ms: u64,
        required_credential: Option<String>,
        #[serde(with = "crate::crypto::hex32")]
        description_hash: [u8; 32],
    },
    /// A worker (not the poster) takes a posted job.
    AcceptJob { job_id: String },
    /// The worker says the job is done.
    SubmitJob {
        job_id: String,
        #[serde(with = "crate::crypto::hex32")]
        proof_hash: [u8; 32],
    },
    /// The poster approves the submission: the reward goes to the worker.
    ApproveJob { job_id: String, rating: Option<u8> },
    /// Returns the escrow to the poster: by the poster before acceptance, or
    /// after it with the worker's consent; or by the job's coordinator.
    CancelJob { job_id: String },
    /// The worker agrees that the poster may cancel an accepted job.
    ConsentCancel { job_id: String },
    /// The poster or the worker disputes an accepted or submitted job.
    DisputeJob {
        job_id: String,
        #[serde(with = "crate::crypto::hex32")]
        reason_hash: [u8; 32],
    },
    /// The job's coordinator splits a disputed job's escrow: `to_worker` to
    /// the worker, the rest back to the poster.
    ResolveJob { job_id: String, to_worker: u64 },
    /// A credential issuer issues a credential to `subject`. Only the salted
    /// digest of its claims goes on chain.
    IssueCredential {
        credential_id: String,
        subject: Address,
        kind: String,
        valid_from_ms: u64,
        valid_until_ms: u64,
        #[serde(with = "crate::crypto::hex32")]
        claims_digest: [u8; 32],
    },
    /// Its issuer suspends an active credential.
    SuspendCredential {
        credential_id: String,
        reason: String,
    },
    /// Its issuer makes a suspended credential active again.
    ReinstateCredential { credential_id: String },
    /// Its issuer revokes a credential, for good.
    RevokeCredential {
        credential_id: String,
        reason: String,
    },
    /// The signer (the subject) lets `party` read their data of `scope`.
    GrantConsent {
        party: Address,
        scope: String,
        expires_at_ms: Option<u64>,
    },
    /// The subject withdraws a consent.
    RevokeConsent { party: Address, scope: String },
    /// The signer (a party holding consent) records that it read the
    /// subject's data of `scope`, and why; the subject sees every record.
    RecordAccess {
        subject: Address,
        scope: String,
        purpose: String,
    },
    /// A consortium member proposes a change; the proposer's approval counts.
    Propose {
        proposal_id: String,
        action: crate::governance::GovAction,
        expires_at_ms: u64,
    },
    /// A consortium member approves or rejects an open proposal.
    Vote { proposal_id: String, approve: bool },
    /// A consortium member uploads contract code, in order, in chunks of at
    /// most `contract::CODE_CHUNK_BYTES_MAX` bytes. Index 0 starts (or
    /// restarts) an upload; the chunk that completes `total_len` bytes stores
    /// the code under `code_hash`, if the bytes hash to it.
    UploadCode {
        #[serde(with = "crate::crypto::hex32")]
        code_hash: [u8; 32],
        total_len: u32,
        index: u32,
        #[serde(with = "crate::crypto::hex_bytes")]
        chunk: Vec<u8>,
    },
    /// Calls a contract's method with borsh `args`, burning at most
    /// `fuel_limit`; `attach` first moves value from the signer to the
    /// contract's account (only assets the contract may hold).
    CallContract {
        contract_id: String,
        method: String,
        #[serde(with = "crate::crypto::hex_bytes")]
        args: Vec<u8>,
        fuel_limit: u64,
        attach: Vec<(String, u64)>,
    },
}

impl Operation {
    /// A short name for logs, receipts and history.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Charge { .. } => "charge",
            Operation::Grant { .. } => "grant",
            Operation::Transfer { .. } => "transfer",
            Operation::Pay { .. } => "pay",
            Operation::Refund { .. } => "refund",
            Operation::Redeem { .. } => "redeem",
            Operation::Burn { .. } => "burn",
            Operation::PostJob { .. } => "post_job",
            Operation::AcceptJob { .. } => "accept_job",
            Operation::SubmitJob { .. } => "submit_job",
            Operation::ApproveJob { .. } => "approve_job",
            Operation::CancelJob { .. } => "cancel_job",
            Operation::ConsentCancel { .. } => "consent_cancel",
            Operation::DisputeJob { .. } => "dispute_job",
            Operation::ResolveJob { .. } => "resolve_job",
            Operation::IssueCredential { .. } => "issue_credential",
            Operation::SuspendCredential { .. } => "suspend_credential",
            Operation::ReinstateCredential { .. } => "reinstate_credential",
            Operation::RevokeCredential { .. } => "revoke_credential",
            Operation::GrantConsent { .. } => "grant_consent",
            Operation::RevokeConsent { .. } => "revoke_consent",
            Operation::RecordAccess { .. } => "record_access",
            Operation::Propose { .. } => "propose",
            Operation::Vote { .. } => "vote",
            Operation::UploadCode { .. } => "upload_code",
            Operation::CallContract { .. } => "call_contract",
        }
    }

    /// Accounts other than the signer that this operation touches.
    pub fn counterparties(&self) -> Vec<Address> {
        match self {
            Operation::Charge { to, .. }
            | Operation::Grant { to, .. }
            | Operation::Transfer { to, .. } => {
                vec![*to]
            }
            Operation::Pay { merchant, .. } => vec![*merchant],
            Operation::PostJob { coordinator, .. } => vec![*coordinator],
            Operation::IssueCredential { subject, .. }
            | Operation::RecordAccess { subject, .. } => vec![*subject],
            Operation::GrantConsent { party, .. } | Operation::RevokeConsent { party, .. } => {
                vec![*party]
            }
            Operation::CallContract { contract_id, .. } => {
                vec![crate::contract::contract_account(contract_id)]
            }
            // Listed one by one so that a new operation must say whom it touches.
            // Job steps after posting name the job; its parties are in its events.
            Operation::Refund { .. }
            | Operation::Redeem { .. }
            | Operation::Burn { .. }
            | Operation::AcceptJob { .. }
            | Operation::SubmitJob { .. }
            | Operation::ApproveJob { .. }
            | Operation::CancelJob { .. }
            | Operation::ConsentCancel { .. }
            | Operation::DisputeJob { .. }
            | Operation::ResolveJob { .. }
            | Operation::SuspendCredential { .. }
            | Operation::ReinstateCredential { .. }
            | Operation::RevokeCredential { .. }
            | Operation::Propose { .. }
            | Operation::Vote { .. }
            | Operation::UploadCode { .. } => vec![],
        }
    }

    /// Checks field shapes that need no state.
    pub fn check_shape(&self) -> Result<(), TxError> {
        let id = |field: Field, s: &str| -> Result<(), TxError> {
            if s.is_empty() || s.len() > limits::ID_LEN_MAX {
                return Err(TxError::length(field, 1, limits::ID_LEN_MAX));
            }
            Ok(())
        };
        let text = |field: Field, s: &str| -> Result<(), TxError> {
            if s.len() > limits::REASON_LEN_MAX {
                return Err(TxError::length(field, 0, limits::REASON_LEN_MAX));
            }
            Ok(())
        };
        let positive = |a: u64| -> Result<(), TxError> {
            if a == 0 {
                return Err(TxError::Malformed(Rule::ZeroAmount));
            }
            Ok(())
        };
        match self {
            Operation::Charge {
                asset,
                amount,
                deposit_ref,
                campaign,
                ..
            } => {
                id(Field::Asset, asset)?;
                id(Field::DepositRef, deposit_ref)?;
                if let Some(c) = campaign {
                    id(Field::Campaign, c)?;
                }
                positive(*amount)
            }
            Operation::Grant {
                asset,
                amount,
                reason,
                event_id,
                ..
            } => {
                id(Field::Asset, asset)?;
                text(Field::Reason, reason)?;
                if let Some(e) = event_id {
                    id(Field::EventId, e)?;
                }
                positive(*amount)
            }
            Operation::Transfer { asset, amount, .. } | Operation::Burn { asset, amount } => {
                id(Field::Asset, asset)?;
                positive(*amount)
            }
            Operation::Pay {
                invoice_id,
                amount,
                assets,
                ..
            } => {
                id(Field::InvoiceId, invoice_id)?;
                if assets.len() > limits::PAY_ASSETS_MAX {
                    return Err(TxError::Malformed(Rule::TooManyPayAssets));
                }
                for a in assets {
                    id(Field::Asset, a)?;
                }
                positive(*amount)
            }
            Operation::Refund { invoice_id, amount } => {
                id(Field::InvoiceId, invoice_id)?;
                positive(*amount)
            }
            Operation::Redeem {
                asset,
                amount,
                payout_ref,
            } => {
                id(Field::Asset, asset)?;
                id(Field::PayoutRef, payout_ref)?;
                positive(*amount)
            }
            Operation::PostJob {
                job_id,
                asset,
                reward,
                required_credential,
                ..
            } => {
                id(Field::JobId, job_id)?;
                id(Field::Asset, asset)?;
                if let Some(c) = required_credential {
                    id(Field::RequiredCredential, c)?;
                }
                positive(*reward)
            }
            Operation::ApproveJob { job_id, rating } => {
                id(Field::JobId, job_id)?;
                if let Some(r) = rating
                    && !(1..=5).contains(r)
                {
                    return Err(TxError::Malformed(Rule::RatingOutOfRange));
                }
                Ok(())
            }
            Operation::AcceptJob { job_id }
            | Operation::SubmitJob { job_id, .. }
            | Operation::CancelJob { job_id }
            | Operation::ConsentCancel { job_id }
            | Operation::DisputeJob { job_id, .. }
            | Operation::ResolveJob { job_id, .. } => id(Field::JobId, job_id),
            Operation::IssueCredential {
                credential_id,
                kind,
                valid_from_ms,
                valid_until_ms,
                ..
            } => {
                id(Field::CredentialId, credential_id)?;
                id(Field::Kind, kind)?;
                if valid_until_ms <= valid_from_ms {
                    return Err(TxError::Malformed(Rule::EmptyValidityWindow));
                }
                Ok(())
            }
            Operation::SuspendCredential {
                credential_id,
                reason,
            }
            | Operation::RevokeCredential {
                credential_id,
                reason,
            } => {
                id(Field::CredentialId, credential_id)?;
                text(Field::Reason, reason)
            }
            Operation::ReinstateCredential { credential_id } => {
                id(Field::CredentialId, credential_id)
            }
            Operation::GrantConsent { scope, .. } | Operation::RevokeConsent { scope, .. } => {
                id(Field::Scope, scope)
            }
            Operation::RecordAccess { scope, purpose, .. } => {
                id(Field::Scope, scope)?;
                text(Field::Purpose, purpose)
            }
            Operation::Propose {
                proposal_id,
                action,
                ..
            } => {
                id(Field::ProposalId, proposal_id)?;
                action.check_shape()
            }
            Operation::Vote { proposal_id, .. } => id(Field::ProposalId, proposal_id),
            Operation::UploadCode {
                total_len, chunk, ..
            } => {
                if chunk.is_empty() || chunk.len() > contract::CODE_CHUNK_BYTES_MAX {
                    return Err(TxError::length(
                        Field::Code,
                        1,
                        contract::CODE_CHUNK_BYTES_MAX,
                    ));
                }
                if *total_len == 0 || *total_len as usize > wasm::limits::CODE_BYTES_MAX {
                    return Err(TxError::CodeTooLarge {
                        size: u64::from(*total_len),
                        max: wasm::limits::CODE_BYTES_MAX as u64,
                    });
                }
                Ok(())
            }
            Operation::CallContract {
                contract_id,
                method,
                args,
                fuel_limit,
                attach,
            } => {
                id(Field::ContractId, contract_id)?;
                id(Field::Method, method)?;
                if args.len() > wasm::limits::INPUT_BYTES_MAX {
                    return Err(TxError::length(
                        Field::Args,
                        0,
                        wasm::limits::INPUT_BYTES_MAX,
                    ));
                }
                if *fuel_limit == 0 {
                    return Err(TxError::Malformed(Rule::ZeroFuel));
                }
                check_attached(attach, id, positive)
            }
        }
    }
}

/// Value attached to a contract call: at most a few assets, each once, each
/// a positive amount.
fn check_attached(
    attach: &[(String, u64)],
    id: impl Fn(Field, &str) -> Result<(), TxError>,
    positive: impl Fn(u64) -> Result<(), TxError>,
) -> Result<(), TxError> {
    if attach.len() > contract::ATTACHED_ASSETS_MAX {
        return Err(TxError::Malformed(Rule::TooManyAttached));
    }
    for (i, (asset, amount)) in attach.iter().enumerate() {
        id(Field::Asset, asset)?;
        positive(*amount)?;
        if attach[..i].iter().any(|(a, _)| a == asset) {
            return Err(TxError::Malformed(Rule::DuplicateAsset));
        }
    }
    Ok(())
}

/// The unsigned body of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Transaction {
    pub chain_id: String,
    pub signer: Address,
    pub nonce: u64,
    pub expiry: Expiry,
    pub op: Operation,
}

#[derive(BorshSerialize)]
struct SignBytes<'a> {
    domain: &'a [u8],
    tx: &'a Transaction,
}

impl Transaction {
    /// The exact bytes the signer signs.
    pub fn sign_bytes(&self) -> Vec<u8> {
        borsh::to_vec(&SignBytes {
            domain: TX_DOMAIN,
            tx: self,
        })
        .unwrap_or_default()
    }

    pub fn sign(self, key: &Keypair) -> SignedTransaction {
        let signature = key.sign(&self.sign_bytes());
        SignedTransaction {
            tx: self,
            signature,
        }
    }
}

/// A transaction with its signature: the unit wallets submit and blocks carry.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SignedTransaction {
    pub tx: Transaction,
    pub signature: [u8; 64],
}

impl SignedTransaction {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    /// Decodes canonical bytes, refusing oversize input, trailing bytes and
    /// non-canonical encodings.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        if bytes.len() > limits::TX_BYTES_MAX {
            return Err(TxError::TooLarge {
                size: bytes.len() as u64,
                max: limits::TX_BYTES_MAX as u64,
            });
        }
        let tx: SignedTransaction =
            borsh::from_slice(bytes).map_err(|_| TxError::Malformed(Rule::Undecodable))?;
        // borsh is canonical for these types; re-encoding must give the input.
        if tx.to_bytes() != bytes {
            return Err(TxError::Malformed(Rule::NonCanonical));
        }
        Ok(tx)
    }

    /// The transaction's identifier: SHA-256 of its canonical encoding.
    pub fn hash(&self) -> Hash {
        crypto::sha256(&self.to_bytes())
    }

    /// Stateless checks: size, chain id, shape and signature.
    pub fn check_stateless(&self, chain_id: &str) -> Result<(), TxError> {
        self.check_unsigned(chain_id)?;
        crypto::verify(&self.tx.signer, &self.tx.sign_bytes(), &self.signature)?;
        Ok(())
    }

    /// The stateless checks but the signature: size, chain id and shape. A
    /// node that verified the signature already (in a batch, see
    /// [`crypto::verify_batch`]) checks the rest with this.
    pub fn check_unsigned(&self, chain_id: &str) -> Result<(), TxError> {
        let size = borsh::object_length(self).unwrap_or(usize::MAX);
        if size > limits::TX_BYTES_MAX {
            return Err(TxError::TooLarge {
                size: size as u64,
                max: limits::TX_BYTES_MAX as u64,
            });
        }
        if self.tx.chain_id != chain_id {
            return Err(TxError::WrongChain {
                expected: chain_id.to_string(),
                got: self.tx.chain_id.clone(),
            });
        }
        self.tx.op.check_shape()?;
        Ok(())
    }

    /// Whether the transaction has expired for a block at `height` and `time_ms`.
    pub fn check_expiry(&self, height: u64, time_ms: u64) -> Result<(), TxError> {
        match self.tx.expiry {
            Expiry::Height(h) if height > h => Err(TxError::Expired(self.tx.expiry)),
            Expiry::Time(t) if time_ms > t => Err(TxError::Expired(self.tx.expiry)),
            _ => Ok(()),
        }
    }
}
