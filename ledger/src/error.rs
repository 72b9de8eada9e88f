//! Why a transaction is refused. Every refusal names what was wrong and, where
//! it helps, what to do; `kind` lets the API map it to a precise status.

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
}

/// A refused transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    #[error("malformed transaction: {0}")]
    Malformed(String),
    #[error("transaction is {size} bytes; the limit is {max}")]
    TooLarge { size: usize, max: usize },
    #[error("transaction is for chain '{got}', this chain is '{expected}'")]
    WrongChain { expected: String, got: String },
    #[error("bad signature: {0}")]
    BadSignature(#[from] crate::crypto::SignatureError),
    #[error("nonce {got} was already used; the account's next nonce is {expected}")]
    NonceUsed { expected: u64, got: u64 },
    #[error("nonce {got} is ahead of the account's next nonce {expected}")]
    NonceGap { expected: u64, got: u64 },
    #[error("transaction expired at {0}")]
    Expired(String),
    #[error("unknown account {0}")]
    UnknownAccount(String),
    #[error("unknown asset '{0}'")]
    UnknownAsset(String),
    #[error("unknown campaign '{0}'")]
    UnknownCampaign(String),
    #[error("unknown invoice '{0}'")]
    UnknownInvoice(String),
    #[error("signer {signer} is not {role}")]
    MissingRole { signer: String, role: String },
    #[error("insufficient balance of '{asset}': have {have}, need {need}")]
    Insufficient { asset: String, have: u64, need: u64 },
    #[error("arithmetic overflow in {0}")]
    Overflow(String),
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
    #[error("policy of '{asset}' forbids this: {why}")]
    Policy { asset: String, why: String },
    #[error("unknown job '{0}'")]
    UnknownJob(String),
    #[error("job '{0}' already exists")]
    JobExists(String),
    /// The signer is not the party the job's state calls for.
    #[error("job '{job}' is {state}; {why}")]
    JobParty {
        job: String,
        state: String,
        why: String,
    },
    /// The job's state (or its deadline) does not allow the operation.
    #[error("job '{job}' is {state}; {why}")]
    JobState {
        job: String,
        state: String,
        why: String,
    },
    #[error("split gives {asked} to the worker but the escrow holds {escrow}")]
    SplitTooLarge { asked: u64, escrow: u64 },
    #[error("unknown credential '{0}'")]
    UnknownCredential(String),
    #[error("credential '{0}' already exists")]
    CredentialExists(String),
    /// The credential's status does not allow the change.
    #[error("credential '{id}' is {status}; {why}")]
    CredentialState {
        id: String,
        status: String,
        why: String,
    },
    /// The signer lacks a credential the operation requires.
    #[error("{who} holds no active '{kind}' credential, which {what} requires")]
    CredentialRequired {
        who: String,
        kind: String,
        what: String,
    },
    #[error("no consent from {subject} for {party} to read '{scope}'{why}")]
    NoConsent {
        subject: String,
        party: String,
        scope: String,
        why: String,
    },
    #[error("signer {0} is not a consortium member")]
    NotMember(String),
    #[error("unknown proposal '{0}'")]
    UnknownProposal(String),
    #[error("proposal '{0}' already exists")]
    ProposalExists(String),
    #[error("proposal '{id}' is {state}; {why}")]
    ProposalState {
        id: String,
        state: String,
        why: String,
    },
    #[error("{0} already voted on proposal '{1}'")]
    AlreadyVoted(String, String),
}

impl TxError {
    pub fn kind(&self) -> ErrorKind {
        use TxError::*;
        match self {
            Malformed(_) => ErrorKind::Malformed,
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
            | AlreadyVoted(..) => ErrorKind::AlreadyExists,
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
            | RefundTooLarge { .. }
            | Policy { .. }
            | JobState { .. }
            | CredentialState { .. }
            | ProposalState { .. } => ErrorKind::FailedPrecondition,
        }
    }
}
