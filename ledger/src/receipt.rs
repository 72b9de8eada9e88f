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
