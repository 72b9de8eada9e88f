//! Asset classes and their policies: what a coin, a point or a voucher may do.
//! The policy is data on chain, so every validator enforces the same rules and
//! an auditor can read them.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::crypto::Address;
use crate::error::{Field, Rule, TxError};

/// Milliseconds in one day; expiry periods are whole days.
pub const DAY_MS: u64 = 86_400_000;

/// Basis points in one whole (100%).
pub const BPS: u64 = 10_000;

/// The class of a merchant. Shops of 1,000 m² or more, chains and convenience
/// stores are `Large`; city facilities are `Public`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MerchantClass {
    SmallLocal,
    Large,
    Public,
}

impl MerchantClass {
    pub fn as_str(&self) -> &'static str {
        match self {
            MerchantClass::SmallLocal => "small_local",
            MerchantClass::Large => "large",
            MerchantClass::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "small_local" => Some(Self::SmallLocal),
            "large" => Some(Self::Large),
            "public" => Some(Self::Public),
            _ => None,
        }
    }
}

/// The three kinds of value regional currencies separate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// Bought with yen, 1 coin = 1 yen, redeemable by merchants.
    Coin,
    /// Granted free (events, volunteering, charge bonuses).
    Point,
    /// Sold at a premium, residents only, capped and expiring.
    Voucher,
}

/// Where an asset may be spent.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "classes")]
pub enum SpendScope {
    /// Any account may receive it.
    Anyone,
    /// Only merchants (of any class).
    Merchants,
    /// Only merchants of these classes.
    MerchantClasses(Vec<MerchantClass>),
}

/// When held value expires.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "model", content = "value")]
pub enum ExpiryPolicy {
    /// Never.
    None,
    /// All of it at this block time (ms since the Unix epoch).
    FixedDate(u64),
    /// Each grant is a lot expiring this many days after it was received;
    /// spending takes the earliest-expiring lot first.
    DaysPerLot(u32),
    /// The whole holding expires this many days after its last change.
    RollingDays(u32),
}

/// An asset class as defined on chain.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct AssetClass {
    /// Short identifier, e.g. `coin`, `point`, `voucher-2026`.
    pub id: String,
    pub kind: AssetKind,
    /// Accounts allowed to mint it (`Charge`, `Grant`).
    pub issuers: Vec<Address>,
    /// Whether holders may `Transfer` it to any account (else only `Pay`).
    pub transferable: bool,
    pub spendable_at: SpendScope,
    /// Whether merchants may `Redeem` it for yen.
    pub redeemable: bool,
    /// Fee taken on redemption, in basis points (150 = 1.5%).
    pub redeem_fee_bps: u32,
    /// Account receiving redemption fees (the operator).
    pub fee_account: Address,
    /// Largest balance one account may hold (0 = no cap).
    pub holding_cap: u64,
    pub expiry: ExpiryPolicy,
    /// Where expired value goes.
    pub breakage_account: Address,
    /// Order in which `Pay` draws assets when the wallet names none: lower first.
    pub pay_priority: u32,
    /// Only holders of an active credential of this kind may receive it
    /// (residents-only vouchers); merchants and the operator's accounts may.
    #[serde(default)]
    pub required_credential: Option<String>,
}

impl AssetClass {
    /// Checks the definition itself.
    pub fn validate(&self) -> Result<(), TxError> {
        let max = crate::limits::ID_LEN_MAX;
        if self.id.is_empty() || self.id.len() > max {
            return Err(TxError::length(Field::Asset, 1, max));
        }
        let refuse = |rule| Err(TxError::Malformed(rule));
        if u64::from(self.redeem_fee_bps) > BPS {
            return refuse(Rule::RedeemFeeRange);
        }
        if let Some(k) = &self.required_credential
            && (k.is_empty() || k.len() > max)
        {
            return Err(TxError::length(Field::RequiredCredential, 1, max));
        }
        match self.expiry {
            ExpiryPolicy::DaysPerLot(0) | ExpiryPolicy::RollingDays(0) => {
                refuse(Rule::ExpiryPeriodZero)
            }
            _ => Ok(()),
        }
    }

    /// The expiry of value received at `now_ms` under this policy.
    pub fn lot_expiry(&self, now_ms: u64) -> Option<u64> {
        match self.expiry {
            ExpiryPolicy::None => None,
            ExpiryPolicy::FixedDate(t) => Some(t),
            ExpiryPolicy::DaysPerLot(d) | ExpiryPolicy::RollingDays(d) => {
                Some(now_ms.saturating_add(u64::from(d) * DAY_MS))
            }
        }
    }

    /// Whether `merchant_class` (None if the receiver is not a merchant) may receive it.
    pub fn can_receive(&self, merchant_class: Option<MerchantClass>) -> bool {
        match &self.spendable_at {
            SpendScope::Anyone => true,
            SpendScope::Merchants => merchant_class.is_some(),
            SpendScope::MerchantClasses(cs) => merchant_class.is_some_and(|c| cs.contains(&c)),
        }
    }
}

/// A bonus campaign: points granted on each coin charge until its budget runs out.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    /// The asset charged (e.g. `coin`) that earns the bonus.
    pub charge_asset: String,
    /// The asset granted as bonus (e.g. `point`).
    pub bonus_asset: String,
    /// Bonus per charged unit, in basis points (100 = 1%).
    pub rate_bps: u32,
    /// What is left to grant; the bonus stops when it reaches zero.
    pub budget_remaining: u64,
}
