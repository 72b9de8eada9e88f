//! Receipts and events: what each transaction and each block start did.

use borsh::{BorshDeserialize, BorshSerialize};

use crate::crypto::{Address, Hash};

/// Something that happened to balances or records.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Event {
    Minted {
        asset: String,
        to: Address,
        amount: u64,
        /// `charge`, `bonus`, or the grant's reason.
        reason: String,
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
    pub error: Option<String>,
    pub events: Vec<Event>,
}
