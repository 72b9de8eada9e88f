//! Why a transaction is refused.
//!
//! A refusal is part of what validators agree on: a transaction that fails
//! inside a block gets a receipt holding its [`TxError`], and receipts are
//! hashed into the block header. So a refusal is data — a variant with typed
//! fields and a [`Rule`] code — never an English sentence: rewording a
//! message must not change a hash. The words people read are rendered from
//! these codes by `Display` (at the edge: the gRPC API, the CLI), and may
//! change freely. `docs/adr/0004-consensus-critical-bytes.md` lists what is
//! consensus-critical and how its format is versioned; the golden tests in
//! `ledger/tests/it/golden.rs` pin the bytes.
//!
//! New variants and new [`Rule`]s are appended at the end (borsh encodes an
//! enum's variant by its position), so the bytes of existing refusals stay.

use borsh::{BorshDeserialize, BorshSerialize};

use yui_wasm_contracts::{CallFailure, CodeError};

use crate::contract::ContractStatus;
use crate::credential::CredentialStatus;
use crate::crypto::{Address, Hash, SignatureError};
use crate::governance::ProposalState;
use crate::state::{JobState, Role};
use crate::tx::Expiry;

/// Coarse class of a refusal, for mapping onto API status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes or fields are malformed (bad encoding, empty id, zero amount).
    Malformed,
    /// The signature, chain id or signer's authority is wrong.
    Unauthenticated,
    /// The signer lacks the role the operation needs.
    PermissionDenied,
    /// A named account, asset, invoice or campaign does not exist.
    NotFound,
    /// The operation was already done (invoice paid, nonce used, event granted).
    AlreadyExists,
    /// The state does not allow it now (overspend, expired, policy).
    FailedPrecondition,
    /// An amount is out of range (overflow, cap exceeded).
    OutOfRange,
    /// The transaction or a field is larger than the limit.
    TooLarge,
    /// The node could not read its own state: not the transaction's fault.
    Internal,
}

/// A field of an operation that a shape rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Field {
    Asset,
    DepositRef,
    Campaign,
    EventId,
    Reason,
    InvoiceId,
    PayoutRef,
    JobId,
    RequiredCredential,
    CredentialId,
    Kind,
    Scope,
    Purpose,
    ProposalId,
    ValidatorName,
    ParamName,
    IssuerAsset,
    AcceptDeadline,
    ValidUntil,
    ConsentExpiry,
    ProposalExpiry,
    ContractId,
    Method,
    Args,
    Code,
    Topic,
}

impl Field {
    pub fn as_str(&self) -> &'static str {
        match self {
            Field::Asset => "asset",
            Field::DepositRef => "deposit_ref",
            Field::Campaign => "campaign",
            Field::EventId => "event_id",
            Field::Reason => "reason",
            Field::InvoiceId => "invoice_id",
            Field::PayoutRef => "payout_ref",
            Field::JobId => "job_id",
            Field::RequiredCredential => "required_credential",
            Field::CredentialId => "credential_id",
            Field::Kind => "kind",
            Field::Scope => "scope",
            Field::Purpose => "purpose",
            Field::ProposalId => "proposal_id",
            Field::ValidatorName => "validator name",
            Field::ParamName => "parameter name",
            Field::IssuerAsset => "issuer role's asset",
            Field::AcceptDeadline => "accept_deadline_ms",
            Field::ValidUntil => "valid_until_ms",
            Field::ConsentExpiry => "consent expiry",
            Field::ProposalExpiry => "proposal expiry",
            Field::ContractId => "contract_id",
            Field::Method => "method",
            Field::Args => "args",
            Field::Code => "code",
            Field::Topic => "topic",
        }
    }
}

/// A running total whose arithmetic would overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Quantity {
    Balance,
    IssuedSupply,
    BurnedSupply,
    Breakage,
    Bonus,
    Escrow,
    Fee,
    Refunded,
    AccessCount,
    Reputation,
    ReviewDeadline,
    JobTimer,
    Budget,
    Fuel,
}

impl Quantity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Quantity::Balance => "balance",
            Quantity::IssuedSupply => "issued supply",
            Quantity::BurnedSupply => "burned supply",
            Quantity::Breakage => "breakage",
            Quantity::Bonus => "bonus",
            Quantity::Escrow => "escrow",
            Quantity::Fee => "fee",
            Quantity::Refunded => "refunded",
            Quantity::AccessCount => "access count",
            Quantity::Reputation => "reputation",
            Quantity::ReviewDeadline => "review deadline",
            Quantity::JobTimer => "job timer",
            Quantity::Budget => "budget",
            Quantity::Fuel => "fuel",
        }
    }
}

/// The role an operation needed and the signer (or named account) lacks.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum RoleNeeded {
    /// Issuer of the named asset.
    Issuer(String),
    /// A merchant of any class.
    Merchant,
    Coordinator,
    CredentialIssuer,
    /// The issuer of the named credential.
    IssuerOf(String),
}

impl std::fmt::Display for RoleNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoleNeeded::Issuer(a) => write!(f, "issuer of '{a}'"),
            RoleNeeded::Merchant => write!(f, "a merchant"),
            RoleNeeded::Coordinator => write!(f, "coordinator"),
            RoleNeeded::CredentialIssuer => write!(f, "credential issuer"),
            RoleNeeded::IssuerOf(c) => write!(f, "the issuer of credential '{c}'"),
        }
    }
}

/// What a required credential was required for.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Requirement {
    /// Accepting the named job.
    Job(String),
    /// Receiving the named asset.
    Asset(String),
}

impl std::fmt::Display for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Requirement::Job(j) => write!(f, "job '{j}'"),
            Requirement::Asset(a) => write!(f, "receiving '{a}'"),
        }
    }
}

/// Why no usable consent exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ConsentGap {
    /// None was ever granted.
    Never,
    Revoked,
    Expired,
}

/// A ledger rule, as a code. [`Rule::text`] renders it for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Rule {
    // Shapes that need no state.
    ZeroAmount,
    TooManyPayAssets,
    RatingOutOfRange,
    EmptyValidityWindow,
    NonceMax,
    Undecodable,
    NonCanonical,
    BlockFull,
    SelfTransfer,
    MerchantPaysItself,
    ConsentToSelf,
    CoordinatorIsPoster,
    ValidatorKeyCannotSign,
    ValidatorPowerRange,
    ProposalExpiryRange,
    RedeemFeeRange,
    ExpiryPeriodZero,
    // Asset policy.
    MintAfterFixedExpiry,
    OnlyCoinsCharged,
    CampaignForOtherAsset,
    CoinsAreCharged,
    NotTransferable,
    NotSpendableAtClass,
    NotRedeemable,
    JobRewardNotTransferable,
    AssetAlreadyDefined,
    AssetKindFixed,
    BreakageAccountFixed,
    // Jobs.
    JobNotPosted,
    AcceptDeadlinePassed,
    PosterCannotAccept,
    CoordinatorCannotAccept,
    JobNotAccepted,
    OnlyWorkerSubmits,
    JobNotSubmitted,
    OnlyPosterApproves,
    CancelConsentOutsideWork,
    OnlyWorkerConsentsCancel,
    CancelConsentGiven,
    OnlyPosterCancelsPosted,
    NoCancelConsent,
    CancelNotAllowed,
    JobClosed,
    JobNotDisputable,
    OnlyPartiesDispute,
    ReviewPeriodOver,
    JobNotDisputed,
    OnlyCoordinatorResolves,
    JobWithoutWorker,
    // Credentials.
    RevokedStaysRevoked,
    OnlyActiveSuspended,
    OnlySuspendedReinstated,
    // Governance.
    ProposalNotOpen,
    ProposalExpired,
    ValidatorChangePending,
    AlreadyValidator,
    NotValidator,
    LastValidator,
    TooManyValidators,
    RoleAlreadyHeld,
    MerchantClassHeld,
    RoleNotHeld,
    AlreadyMember,
    NotAMember,
    LastMember,
    ThresholdNotBelowOne,
    // Contracts.
    ZeroFuel,
    TooManyAttached,
    DuplicateAsset,
    TooManyContractAssets,
    ContractPaused,
    ContractRemoved,
    UnknownMethod,
    ReservedMethod,
    ChunkOutOfOrder,
    UploadLengthMismatch,
    CodeHashMismatch,
    ContractMintsCoins,
    ContractDoesNotHold,
    BudgetBelowGranted,
    StatusUnchanged,
    CodeAlreadyUploaded,
    EngineVersionRetired,
    // Receivers (appended after the contracts' rules).
    ReceiverCannotSign,
}

impl Rule {
    /// The rule in words, for people.
    pub fn text(&self) -> &'static str {
        match self {
            Rule::ZeroAmount => "amount must be positive",
            Rule::TooManyPayAssets => "a payment names at most 8 assets",
            Rule::RatingOutOfRange => "rating must be 1..=5",
            Rule::EmptyValidityWindow => "valid_until_ms must be after valid_from_ms",
            Rule::NonceMax => "nonce u64::MAX is not usable",
            Rule::Undecodable => "cannot decode transaction",
            Rule::NonCanonical => "non-canonical encoding",
            Rule::BlockFull => "a block holds at most 5000 transactions",
            Rule::SelfTransfer => "transfer to oneself",
            Rule::MerchantPaysItself => "a merchant cannot pay itself",
            Rule::ConsentToSelf => "consent to oneself",
            Rule::CoordinatorIsPoster => "a job's coordinator cannot be its poster",
            Rule::ValidatorKeyCannotSign => {
                "validator key is not the canonical encoding of an ed25519 public key of large order"
            }
            Rule::ValidatorPowerRange => "validator power must be 1..=1000000",
            Rule::ProposalExpiryRange => {
                "a proposal expires after the block time and within proposal_ttl_max_days of it"
            }
            Rule::RedeemFeeRange => "redeem_fee_bps must be at most 10000",
            Rule::ExpiryPeriodZero => "expiry period must be at least one day",
            Rule::MintAfterFixedExpiry => {
                "it has passed its fixed expiry; nothing more can be minted"
            }
            Rule::OnlyCoinsCharged => "only coins are charged against yen; grant points instead",
            Rule::CampaignForOtherAsset => "the campaign rewards charges of another asset",
            Rule::CoinsAreCharged => "coins are bought with yen: charge them against a deposit",
            Rule::NotTransferable => {
                "it is not transferable between accounts; pay a merchant instead"
            }
            Rule::NotSpendableAtClass => "it is not spendable at this class of merchant",
            Rule::NotRedeemable => "it is not redeemable for yen",
            Rule::JobRewardNotTransferable => {
                "it is not transferable between accounts, so it cannot pay a job"
            }
            Rule::AssetAlreadyDefined => "it is already defined",
            Rule::AssetKindFixed => "its kind cannot change",
            Rule::BreakageAccountFixed => "it keeps its breakage account",
            Rule::JobNotPosted => "only a posted job can be accepted",
            Rule::AcceptDeadlinePassed => "its acceptance deadline has passed",
            Rule::PosterCannotAccept => "its poster cannot accept it",
            Rule::CoordinatorCannotAccept => "its coordinator cannot accept it",
            Rule::JobNotAccepted => "only an accepted job can be submitted",
            Rule::OnlyWorkerSubmits => "only its worker can submit it",
            Rule::JobNotSubmitted => "only a submitted job can be approved",
            Rule::OnlyPosterApproves => "only its poster can approve it",
            Rule::CancelConsentOutsideWork => {
                "consent to cancel is given only between acceptance and its end"
            }
            Rule::OnlyWorkerConsentsCancel => "only its worker can consent to cancel it",
            Rule::CancelConsentGiven => "its worker already consented to cancel it",
            Rule::OnlyPosterCancelsPosted => "only its poster can cancel it before acceptance",
            Rule::NoCancelConsent => {
                "its worker has not consented to cancel it (ConsentCancel), nor has its coordinator ruled"
            }
            Rule::CancelNotAllowed => {
                "only its poster (with the worker's consent) or its coordinator can cancel it"
            }
            Rule::JobClosed => "it is closed",
            Rule::JobNotDisputable => "only an accepted or submitted job can be disputed",
            Rule::OnlyPartiesDispute => "only its poster or its worker can dispute it",
            Rule::ReviewPeriodOver => "its review period is over; the reward is due to the worker",
            Rule::JobNotDisputed => "only a disputed job can be resolved",
            Rule::OnlyCoordinatorResolves => "only its coordinator can resolve it",
            Rule::JobWithoutWorker => "it has no worker (corrupt record)",
            Rule::RevokedStaysRevoked => "a revoked credential stays revoked",
            Rule::OnlyActiveSuspended => "only an active credential is suspended",
            Rule::OnlySuspendedReinstated => "only a suspended credential is reinstated",
            Rule::ProposalNotOpen => "only an open proposal takes votes",
            Rule::ProposalExpired => "it has expired",
            Rule::ValidatorChangePending => {
                "a change of this validator at that height is already pending"
            }
            Rule::AlreadyValidator => "it is already a validator at that height",
            Rule::NotValidator => "it is not a validator at that height",
            Rule::LastValidator => "the last validator cannot leave",
            Rule::TooManyValidators => "the set holds at most 100 validators",
            Rule::RoleAlreadyHeld => "it already holds the role",
            Rule::MerchantClassHeld => {
                "it is already a merchant of another class; revoke that class first"
            }
            Rule::RoleNotHeld => "it does not hold the role",
            Rule::AlreadyMember => "it is already a member",
            Rule::NotAMember => "it is not a member",
            Rule::LastMember => "the last member cannot leave",
            Rule::ThresholdNotBelowOne => "the approval threshold must be below one",
            Rule::ZeroFuel => "fuel_limit must be positive",
            Rule::TooManyAttached => "a call attaches at most 8 assets",
            Rule::DuplicateAsset => "an asset is named twice",
            Rule::TooManyContractAssets => "a contract holds and mints at most 8 assets",
            Rule::ContractPaused => "governance paused it",
            Rule::ContractRemoved => "governance removed it",
            Rule::UnknownMethod => "the contract exports no such method",
            Rule::ReservedMethod => "only governance calls init and migrate",
            Rule::ChunkOutOfOrder => "chunks are uploaded in order from index 0",
            Rule::UploadLengthMismatch => "the chunks do not add up to total_len",
            Rule::CodeHashMismatch => "the uploaded bytes do not hash to code_hash",
            Rule::ContractMintsCoins => "a contract cannot mint coins (coins are bought with yen)",
            Rule::ContractDoesNotHold => "the contract may not hold this asset",
            Rule::BudgetBelowGranted => "a budget cannot fall below what was already granted",
            Rule::StatusUnchanged => "the contract already has that status",
            Rule::CodeAlreadyUploaded => "code with this hash is already on chain",
            Rule::EngineVersionRetired => {
                "its code was validated for an engine or fuel table this node no longer runs"
            }
            Rule::ReceiverCannotSign => {
                "the receiver is not an account's public key (not a canonical ed25519 key of large order): value sent there could never be spent"
            }
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// A refused transaction: a code with typed fields (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, BorshSerialize, BorshDeserialize)]
pub enum TxError {
    #[error("malformed transaction: {0}")]
    Malformed(Rule),
    /// An identifier or text field is outside `min..=max` bytes.
    #[error("malformed transaction: {}", length_text(*field, *min, *max))]
    FieldLength { field: Field, min: u32, max: u32 },
    /// A time in the operation is not after the block's time.
    #[error("malformed transaction: {} {} is not after the block time {}", field.as_str(), utc(*value_ms), utc(*block_ms))]
    NotAfterBlockTime {
        field: Field,
        value_ms: u64,
        block_ms: u64,
    },
    #[error("transaction is {size} bytes; the limit is {max}")]
    TooLarge { size: u64, max: u64 },
    #[error("transaction is for chain '{got}', this chain is '{expected}'")]
    WrongChain { expected: String, got: String },
    #[error("bad signature: {0}")]
    BadSignature(#[from] SignatureError),
    #[error("nonce {got} was already used; the account's next nonce is {expected}")]
    NonceUsed { expected: u64, got: u64 },
    #[error("nonce {got} is ahead of the account's next nonce {expected}")]
    NonceGap { expected: u64, got: u64 },
    #[error("transaction expired at {}", match .0 { Expiry::Height(h) => format!("height {h}"), Expiry::Time(t) => utc(*t) })]
    Expired(Expiry),
    #[error("unknown account {0} (an account exists once it has received value)")]
    UnknownAccount(Address),
    #[error("unknown asset '{0}'")]
    UnknownAsset(String),
    #[error("unknown campaign '{0}'")]
    UnknownCampaign(String),
    #[error("unknown invoice '{0}'")]
    UnknownInvoice(String),
    #[error("{account} is not {role}")]
    MissingRole { account: Address, role: RoleNeeded },
    #[error("insufficient balance of '{asset}': have {have}, need {need}")]
    Insufficient { asset: String, have: u64, need: u64 },
    #[error("arithmetic overflow in {}", .0.as_str())]
    Overflow(Quantity),
    #[error("holding cap of '{asset}' is {cap}; this would make {would}")]
    CapExceeded { asset: String, cap: u64, would: u64 },
    #[error("invoice '{0}' of this merchant is already paid")]
    InvoiceAlreadyPaid(String),
    #[error("deposit reference '{0}' was already charged")]
    DepositReused(String),
    #[error("payout reference '{0}' was already used")]
    PayoutReused(String),
    #[error("account already received a grant for event '{0}'")]
    AlreadyGranted(String),
    #[error("refund of {asked} exceeds the refundable {left}")]
    RefundTooLarge { asked: u64, left: u64 },
    #[error("policy of '{asset}' forbids this: {rule}")]
    Policy { asset: String, rule: Rule },
    #[error("unknown job '{0}'")]
    UnknownJob(String),
    #[error("job '{0}' already exists")]
    JobExists(String),
    /// The signer is not the party the job's state calls for.
    #[error("job '{job}' is {}; {rule}", state.as_str())]
    JobParty {
        job: String,
        state: JobState,
        rule: Rule,
    },
    /// The job's state (or its deadline) does not allow the operation.
    #[error("job '{job}' is {}; {rule}", state.as_str())]
    JobState {
        job: String,
        state: JobState,
        rule: Rule,
    },
    #[error("split gives {asked} to the worker but the escrow holds {escrow}")]
    SplitTooLarge { asked: u64, escrow: u64 },
    #[error("unknown credential '{0}'")]
    UnknownCredential(String),
    #[error("credential '{0}' already exists")]
    CredentialExists(String),
    /// The credential's status does not allow the change.
    #[error("credential '{id}' is {}; {rule}", status.as_str())]
    CredentialState {
        id: String,
        status: CredentialStatus,
        rule: Rule,
    },
    /// The signer lacks a credential the operation requires.
    #[error("{account} holds no active '{kind}' credential, which {required_for} requires")]
    CredentialRequired {
        account: Address,
        kind: String,
        required_for: Requirement,
    },
    #[error("no consent from {subject} for {party} to read '{scope}'{}", match gap { ConsentGap::Never => "", ConsentGap::Revoked => " (it was revoked)", ConsentGap::Expired => " (it has expired)" })]
    NoConsent {
        subject: Address,
        party: Address,
        scope: String,
        gap: ConsentGap,
    },
    #[error("signer {0} is not a consortium member")]
    NotMember(Address),
    #[error("unknown proposal '{0}'")]
    UnknownProposal(String),
    #[error("proposal '{0}' already exists")]
    ProposalExists(String),
    #[error("proposal '{id}' is {}; {rule}", state.as_str())]
    ProposalState {
        id: String,
        state: ProposalState,
        rule: Rule,
    },
    #[error("{voter} already voted on proposal '{proposal}'")]
    AlreadyVoted { voter: Address, proposal: String },
    /// A validator change that cannot be scheduled.
    #[error("validator {key} at height {height}: {rule}")]
    ValidatorChange {
        key: Address,
        height: u64,
        rule: Rule,
    },
    /// A validator change must wait at least `validator_change_delay_min` blocks.
    #[error("effective height {effective_height} is too soon; the earliest is {earliest}")]
    TooSoon {
        effective_height: u64,
        earliest: u64,
    },
    /// A role that cannot be granted or revoked.
    #[error("{account}, role {}: {rule}", role.describe())]
    RoleChange {
        account: Address,
        role: Role,
        rule: Rule,
    },
    /// A membership that cannot change.
    #[error("member {account}: {rule}")]
    Membership { account: Address, rule: Rule },
    #[error("governance: {0}")]
    Governance(Rule),
    #[error("unknown parameter '{0}'; see `yui gov status` for the governed parameters")]
    UnknownParam(String),
    #[error("{name} must be in {lo}..={hi}")]
    ParamRange { name: String, lo: u64, hi: u64 },
    /// The node could not read its state. Never part of a receipt: a block
    /// whose execution meets it is not executed at all.
    #[error("state unavailable: {0}")]
    State(StateError),
    #[error("unknown contract '{0}'")]
    UnknownContract(String),
    #[error("contract '{0}' already exists")]
    ContractExists(String),
    #[error("contract '{id}' is {}; {rule}", status.as_str())]
    ContractState {
        id: String,
        status: ContractStatus,
        rule: Rule,
    },
    #[error("no contract code with hash {} was uploaded", hex::encode(.0))]
    UnknownCode(Hash),
    /// The code does not pass the engine's validation.
    #[error("contract code refused: {0}")]
    InvalidCode(CodeError),
    #[error("upload of code {}: {rule}", hex::encode(code_hash))]
    CodeUpload { code_hash: Hash, rule: Rule },
    #[error("contract code of {size} bytes; the limit is {max}")]
    CodeTooLarge { size: u64, max: u64 },
    #[error("fuel limit {limit} is above the chain's contract_fuel_max of {cap}")]
    FuelAboveCap { limit: u64, cap: u64 },
    #[error("method '{method}' of contract '{contract_id}': {rule}")]
    ContractMethod {
        contract_id: String,
        method: String,
        rule: Rule,
    },
    /// The call ran and failed: its writes are discarded, its fuel is spent.
    #[error(
        "contract '{contract_id}' failed: {} (fuel used {fuel_used})",
        failure_text(failure)
    )]
    ContractFailed {
        contract_id: String,
        failure: CallFailure,
        fuel_used: u64,
    },
    /// The block's fuel budget cannot take this call's limit; it waits for
    /// the next block (never part of a receipt).
    #[error("this block's contract fuel is spent; the call waits for the next block")]
    BlockFuelSpent,
    /// A payment the payer's spendable assets, together, cannot cover.
    #[error("insufficient spendable assets for the payment: have {have}, need {need}")]
    InsufficientToPay { have: u64, need: u64 },
}

fn failure_text(f: &CallFailure) -> String {
    match f {
        CallFailure::Aborted { code } => format!("the contract refused (abort code {code})"),
        CallFailure::OutOfFuel => "it ran out of fuel".into(),
        CallFailure::MemoryLimit => "it used more memory than allowed".into(),
        CallFailure::StackOverflow => "its calls nested too deep".into(),
        CallFailure::Trap(t) => format!("it trapped ({t:?})"),
        other => other.to_string(),
    }
}

/// A state read that failed (storage corrupt or unreachable). Reads that
/// fail are errors, never "absent": treating a failed read as an empty
/// record would let nodes with a failing disk compute a different state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, BorshSerialize, BorshDeserialize)]
pub enum StateError {
    #[error("the storage could not be read")]
    Unreadable,
    #[error("a stored record does not decode")]
    Corrupt,
}

fn length_text(field: Field, min: u32, max: u32) -> String {
    if min == 0 {
        format!("{} must be at most {max} bytes", field.as_str())
    } else {
        format!("{} must be {min}..={max} bytes", field.as_str())
    }
}

impl From<StateError> for TxError {
    fn from(e: StateError) -> Self {
        TxError::State(e)
    }
}

impl TxError {
    /// A field of `min..=max` bytes (as the limits name them).
    pub fn length(field: Field, min: usize, max: usize) -> Self {
        TxError::FieldLength {
            field,
            min: u32::try_from(min).unwrap_or(u32::MAX),
            max: u32::try_from(max).unwrap_or(u32::MAX),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        use TxError::*;
        match self {
            Malformed(_) | FieldLength { .. } | NotAfterBlockTime { .. } => ErrorKind::Malformed,
            TooLarge { .. } => ErrorKind::TooLarge,
            WrongChain { .. } | BadSignature(_) => ErrorKind::Unauthenticated,
            NonceUsed { .. }
            | InvoiceAlreadyPaid(_)
            | DepositReused(_)
            | PayoutReused(_)
            | AlreadyGranted(_)
            | JobExists(_)
            | CredentialExists(_)
            | ProposalExists(_)
            | AlreadyVoted { .. } => ErrorKind::AlreadyExists,
            UnknownAccount(_) | UnknownAsset(_) | UnknownCampaign(_) | UnknownInvoice(_)
            | UnknownJob(_) | UnknownCredential(_) | UnknownProposal(_) => ErrorKind::NotFound,
            MissingRole { .. }
            | JobParty { .. }
            | CredentialRequired { .. }
            | NoConsent { .. }
            | NotMember(_) => ErrorKind::PermissionDenied,
            Overflow(_) | CapExceeded { .. } | SplitTooLarge { .. } => ErrorKind::OutOfRange,
            NonceGap { .. }
            | Expired(_)
            | Insufficient { .. }
            | InsufficientToPay { .. }
            | RefundTooLarge { .. }
            | Policy { .. }
            | JobState { .. }
            | CredentialState { .. }
            | ProposalState { .. }
            | ValidatorChange { .. }
            | TooSoon { .. }
            | RoleChange { .. }
            | Membership { .. }
            | Governance(_)
            // Governance's rules on parameters, as its other preconditions.
            | UnknownParam(_)
            | ParamRange { .. } => ErrorKind::FailedPrecondition,
            State(_) => ErrorKind::Internal,
            UnknownContract(_) | UnknownCode(_) => ErrorKind::NotFound,
            ContractExists(_) => ErrorKind::AlreadyExists,
            CodeTooLarge { .. } => ErrorKind::TooLarge,
            FuelAboveCap { .. } => ErrorKind::OutOfRange,
            ContractState { .. }
            | InvalidCode(_)
            | CodeUpload { .. }
            | ContractMethod { .. }
            | ContractFailed { .. }
            | BlockFuelSpent => ErrorKind::FailedPrecondition,
        }
    }

    /// A stable machine-readable name of the refusal, for clients and
    /// metrics: the variant's name in snake_case, and for `Malformed` its
    /// rule too (`malformed.zero_amount`, `insufficient`). Names never change
    /// (variants are only appended), so a wallet may match on them rather
    /// than on the English text.
    pub fn code(&self) -> String {
        let debug = format!("{self:?}");
        let variant = leading_ident(&debug);
        match self {
            TxError::Malformed(rule) => {
                format!("malformed.{}", snake(leading_ident(&format!("{rule:?}"))))
            }
            _ => snake(variant),
        }
    }
}

/// A time for people in the refusal's words: the UTC date with the raw
/// milliseconds, e.g. `2027-12-01 03:42:36.565 UTC (1827688156565 ms)`.
/// Clients show dates in their town's zone; the text stays the same on
/// every node.
pub fn utc(ms: u64) -> String {
    match i64::try_from(ms)
        .ok()
        .and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
    {
        Some(t) => format!("{} ({ms} ms)", t.strftime("%Y-%m-%d %H:%M:%S%.3f UTC")),
        None => format!("{ms} ms"),
    }
}

/// The identifier a Debug rendering starts with (`Insufficient { .. }` →
/// `Insufficient`).
fn leading_ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(s.len());
    &s[..end]
}

fn snake(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, c) in ident.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
