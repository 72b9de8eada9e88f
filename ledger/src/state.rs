//! The ledger's state as key → value bytes, and the records stored under each
//! key. Keys are a one-byte-tag prefix followed by fixed-width or
//! length-prefixed (borsh) parts, so no two records can share a key. Values
//! are borsh. The whole map is committed by the Jellyfish Merkle tree in
//! `commitment`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::asset::{AssetClass, Campaign, MerchantClass};
use crate::crypto::{Address, Hash};
pub use crate::error::StateError;

/// A role granted by governance (in genesis for now).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case", tag = "role", content = "of")]
pub enum Role {
    /// May mint the named asset.
    Issuer(String),
    Merchant(MerchantClass),
    Coordinator,
    CredentialIssuer,
}

impl Role {
    pub fn describe(&self) -> String {
        match self {
            Role::Issuer(a) => format!("issuer of '{a}'"),
            Role::Merchant(c) => format!("merchant ({})", c.as_str()),
            Role::Coordinator => "coordinator".into(),
            Role::CredentialIssuer => "credential issuer".into(),
        }
    }
}

/// An account's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Account {
    /// The nonce the account's next transaction must carry.
    pub nonce: u64,
    /// Sorted, each at most once.
    pub roles: Vec<Role>,
    /// A display name from genesis (empty for accounts created by receiving).
    pub name: String,
}

impl Account {
    pub fn merchant_class(&self) -> Option<MerchantClass> {
        self.roles.iter().find_map(|r| match r {
            Role::Merchant(c) => Some(*c),
            _ => None,
        })
    }

    pub fn has(&self, role: &Role) -> bool {
        self.roles.contains(role)
    }
}

/// A part of a holding with one expiry.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Lot {
    pub amount: u64,
    /// Block time (ms) at which it expires; `None` never.
    pub expires_at: Option<u64>,
}

/// An account's balance of one asset, as lots sorted by expiry (earliest
/// first, never-expiring last).
#[derive(Debug, Clone, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Holding {
    pub lots: Vec<Lot>,
    /// Block time of the last change (for rolling expiry).
    pub last_change_ms: u64,
}

impl Holding {
    pub fn total(&self) -> u64 {
        // Lots of one holding never sum past the asset's supply, which is a u64.
        self.lots
            .iter()
            .fold(0u64, |a, l| a.saturating_add(l.amount))
    }

    /// The earliest expiry among the lots.
    pub fn next_expiry(&self) -> Option<u64> {
        self.lots.iter().filter_map(|l| l.expires_at).min()
    }
}

/// An asset class with its running supply figures.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct AssetState {
    pub class: AssetClass,
    /// Everything ever minted.
    pub issued: u64,
    /// Everything burned by holders or by redemption.
    pub burned: u64,
    /// Everything that expired into the breakage account.
    pub expired: u64,
}

/// A paid invoice: who paid, how much of which asset, how much refunded.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Invoice {
    pub payer: Address,
    pub amount: u64,
    /// (asset, amount) in the order they were drawn.
    pub parts: Vec<(String, u64)>,
    pub refunded: u64,
    pub paid_at_height: u64,
}

/// Where a job stands. `Posted`, `Accepted`, `Submitted` and `Disputed` are
/// open (the job holds its reward in escrow); the others are closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum JobState {
    Posted,
    Accepted,
    Submitted,
    Approved,
    Cancelled,
    Disputed,
    Resolved,
    Expired,
    AutoReleased,
}

impl JobState {
    pub fn as_str(&self) -> &'static str {
        match self {
            JobState::Posted => "posted",
            JobState::Accepted => "accepted",
            JobState::Submitted => "submitted",
            JobState::Approved => "approved",
            JobState::Cancelled => "cancelled",
            JobState::Disputed => "disputed",
            JobState::Resolved => "resolved",
            JobState::Expired => "expired",
            JobState::AutoReleased => "auto_released",
        }
    }

    /// Whether the job still holds its reward in escrow.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            JobState::Posted | JobState::Accepted | JobState::Submitted | JobState::Disputed
        )
    }
}

/// What a step in a job's history did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum JobAction {
    Post,
    Accept,
    Submit,
    Approve,
    ConsentCancel,
    Cancel,
    Dispute,
    Resolve,
    /// Not accepted by its deadline (a timeout at a block's start).
    Expire,
    /// Submitted and unanswered for the review period (a timeout).
    AutoRelease,
}

impl JobAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            JobAction::Post => "post",
            JobAction::Accept => "accept",
            JobAction::Submit => "submit",
            JobAction::Approve => "approve",
            JobAction::ConsentCancel => "consent_cancel",
            JobAction::Cancel => "cancel",
            JobAction::Dispute => "dispute",
            JobAction::Resolve => "resolve",
            JobAction::Expire => "expire",
            JobAction::AutoRelease => "auto_release",
        }
    }
}

/// One step in a job's history.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct JobStep {
    pub action: JobAction,
    /// The signer; `None` for a timeout acting at a block's start.
    pub by: Option<Address>,
    /// The state after the step.
    pub state: JobState,
    pub height: u64,
    pub at_ms: u64,
}

/// A job paid from escrow (see PRODUCT.md, "Microwork").
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Job {
    pub id: String,
    pub poster: Address,
    pub asset: String,
    pub reward: u64,
    /// Rules on disputes and may cancel after acceptance; holds `Role::Coordinator`.
    pub coordinator: Address,
    pub accept_deadline_ms: u64,
    /// Only a holder of an active credential of this kind may accept it.
    pub required_credential: Option<String>,
    pub description_hash: [u8; 32],
    pub state: JobState,
    pub worker: Option<Address>,
    /// The escrowed lots, with the expiries they had in the poster's holding;
    /// they sum to `reward` while the job is open and are empty once closed.
    pub escrow: Vec<Lot>,
    pub proof_hash: Option<[u8; 32]>,
    pub rating: Option<u8>,
    /// The worker has signed `ConsentCancel`.
    pub cancel_consent: bool,
    pub disputed_by: Option<Address>,
    pub reason_hash: Option<[u8; 32]>,
    /// To the worker on resolution.
    pub resolved_to_worker: Option<u64>,
    /// The pending timeout's time (its key in the job timer queue), if any.
    pub timer_at: Option<u64>,
    pub posted_at_ms: u64,
    pub accepted_at_ms: Option<u64>,
    pub submitted_at_ms: Option<u64>,
    pub closed_at_ms: Option<u64>,
    pub history: Vec<JobStep>,
}

impl Job {
    /// The value still held in escrow.
    pub fn escrow_total(&self) -> u64 {
        // The lots were debited from one holding and sum to `reward`, a u64.
        self.escrow
            .iter()
            .fold(0u64, |a, l| a.saturating_add(l.amount))
    }
}

/// An account's public reputation from jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Reputation {
    /// Jobs completed as worker: approved or released on review timeout.
    pub jobs_completed: u64,
    pub rating_sum: u64,
    pub rating_count: u64,
    /// Disputes resolved with less than half of the escrow to this side.
    pub disputes_lost: u64,
}

pub use crate::governance::ChainParams;

/// Key prefixes.
mod tag {
    pub const ACCOUNT: u8 = b'a';
    pub const HOLDING: u8 = b'b';
    pub const CAMPAIGN: u8 = b'c';
    pub const DEPOSIT: u8 = b'd';
    pub const GRANT_EVENT: u8 = b'g';
    pub const INVOICE: u8 = b'i';
    /// A job paid from escrow, by id.
    pub const JOB: u8 = b'j';
    pub const PARAMS: u8 = b'p';
    /// Job timeouts (acceptance deadline, review period): time big-endian first.
    pub const JOB_TIMER: u8 = b'q';
    pub const PAYOUT: u8 = b'r';
    pub const ASSET: u8 = b's';
    /// An account's reputation from jobs.
    pub const REPUTATION: u8 = b'v';
    pub const EXPIRY: u8 = b'x';
    /// A credential, by id.
    pub const CREDENTIAL: u8 = b'C';
    /// Index of credentials by (subject, kind, id).
    pub const CREDENTIAL_OF: u8 = b'K';
    /// A consent, by (subject, party, scope).
    pub const CONSENT: u8 = b'N';
    /// A governance proposal, by id.
    pub const PROPOSAL: u8 = b'G';
    /// Proposal expiries: time big-endian first, then the proposal id.
    pub const PROPOSAL_TIMER: u8 = b'T';
    /// The validator set of the next height.
    pub const VALIDATORS: u8 = b'V';
    /// Validator changes waiting for their height: height big-endian, then key.
    pub const VALIDATOR_CHANGE: u8 = b'W';
    /// The consortium's members.
    pub const MEMBERS: u8 = b'm';
    /// Contract code, by its SHA-256.
    pub const CODE: u8 = b'k';
    /// Code being uploaded, by (uploader, code hash).
    pub const CODE_UPLOAD: u8 = b'U';
    /// One chunk of an upload: (uploader, code hash), then the index big-endian.
    pub const CODE_CHUNK: u8 = b'u';
    /// A deployed contract, by id.
    pub const CONTRACT: u8 = b'Z';
    /// A contract's own storage: (contract id, key).
    pub const CONTRACT_STORE: u8 = b'S';
    /// Which contract an account belongs to: account → contract id.
    pub const CONTRACT_OF_ACCOUNT: u8 = b'Y';
}

fn key_of(tag: u8, parts: impl BorshSerialize) -> Vec<u8> {
    // Room for the longest common keys (a tag, two addresses and an id), so
    // building one does not grow the vector step by step.
    let mut k = Vec::with_capacity(96);
    k.push(tag);
    // Serialising into a Vec cannot fail.
    let _ = BorshSerialize::serialize(&parts, &mut k);
    k
}

pub mod keys {
    use super::*;

    pub fn account(a: &Address) -> Vec<u8> {
        key_of(tag::ACCOUNT, a)
    }
    pub fn holding(a: &Address, asset: &str) -> Vec<u8> {
        key_of(tag::HOLDING, (a, asset))
    }
    /// Prefix of all holdings of one account.
    pub fn holdings_of(a: &Address) -> Vec<u8> {
        key_of(tag::HOLDING, a)
    }
    pub fn asset(id: &str) -> Vec<u8> {
        key_of(tag::ASSET, id)
    }
    pub fn asset_prefix() -> Vec<u8> {
        vec![tag::ASSET]
    }
    pub fn campaign(id: &str) -> Vec<u8> {
        key_of(tag::CAMPAIGN, id)
    }
    pub fn deposit(asset: &str, r: &str) -> Vec<u8> {
        key_of(tag::DEPOSIT, (asset, r))
    }
    pub fn payout(asset: &str, r: &str) -> Vec<u8> {
        key_of(tag::PAYOUT, (asset, r))
    }
    pub fn grant_event(asset: &str, event: &str, to: &Address) -> Vec<u8> {
        key_of(tag::GRANT_EVENT, (asset, event, to))
    }
    pub fn invoice(merchant: &Address, id: &str) -> Vec<u8> {
        key_of(tag::INVOICE, (merchant, id))
    }
    pub fn job(id: &str) -> Vec<u8> {
        key_of(tag::JOB, id)
    }
    pub fn jobs_prefix() -> Vec<u8> {
        vec![tag::JOB]
    }
    pub fn reputation(a: &Address) -> Vec<u8> {
        key_of(tag::REPUTATION, a)
    }
    /// Job timer queue entry: time first (big-endian), then the job id.
    pub fn job_timer(at_ms: u64, job: &str) -> Vec<u8> {
        let mut k = vec![tag::JOB_TIMER];
        k.extend_from_slice(&at_ms.to_be_bytes());
        let _ = BorshSerialize::serialize(job, &mut k);
        k
    }
    pub fn job_timer_prefix() -> Vec<u8> {
        vec![tag::JOB_TIMER]
    }
    /// Parses a job timer key back into (time, job id).
    pub fn parse_job_timer(k: &[u8]) -> Option<(u64, String)> {
        let rest = k.strip_prefix(&[tag::JOB_TIMER])?;
        let t = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
        let id: String = borsh::from_slice(rest.get(8..)?).ok()?;
        Some((t, id))
    }
    pub fn params() -> Vec<u8> {
        vec![tag::PARAMS]
    }
    pub fn credential(id: &str) -> Vec<u8> {
        key_of(tag::CREDENTIAL, id)
    }
    pub fn credentials_prefix() -> Vec<u8> {
        vec![tag::CREDENTIAL]
    }
    pub fn credential_of(subject: &Address, kind: &str, id: &str) -> Vec<u8> {
        key_of(tag::CREDENTIAL_OF, (subject, kind, id))
    }
    /// Prefix of one subject's credentials of one kind.
    pub fn credentials_of_kind(subject: &Address, kind: &str) -> Vec<u8> {
        key_of(tag::CREDENTIAL_OF, (subject, kind))
    }
    /// Prefix of all of one subject's credentials.
    pub fn credentials_of(subject: &Address) -> Vec<u8> {
        key_of(tag::CREDENTIAL_OF, subject)
    }
    pub fn consent(subject: &Address, party: &Address, scope: &str) -> Vec<u8> {
        key_of(tag::CONSENT, (subject, party, scope))
    }
    /// Prefix of all consents one subject gave.
    pub fn consents_of(subject: &Address) -> Vec<u8> {
        key_of(tag::CONSENT, subject)
    }
    pub fn proposal(id: &str) -> Vec<u8> {
        key_of(tag::PROPOSAL, id)
    }
    pub fn proposals_prefix() -> Vec<u8> {
        vec![tag::PROPOSAL]
    }
    pub fn proposal_timer(at_ms: u64, id: &str) -> Vec<u8> {
        let mut k = vec![tag::PROPOSAL_TIMER];
        k.extend_from_slice(&at_ms.to_be_bytes());
        let _ = BorshSerialize::serialize(id, &mut k);
        k
    }
    pub fn proposal_timer_prefix() -> Vec<u8> {
        vec![tag::PROPOSAL_TIMER]
    }
    /// Parses a proposal timer key back into (time, proposal id).
    pub fn parse_proposal_timer(k: &[u8]) -> Option<(u64, String)> {
        let rest = k.strip_prefix(&[tag::PROPOSAL_TIMER])?;
        let t = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
        let id: String = borsh::from_slice(rest.get(8..)?).ok()?;
        Some((t, id))
    }
    pub fn validators() -> Vec<u8> {
        vec![tag::VALIDATORS]
    }
    pub fn validator_change(height: u64, key: &Address) -> Vec<u8> {
        let mut k = vec![tag::VALIDATOR_CHANGE];
        k.extend_from_slice(&height.to_be_bytes());
        k.extend_from_slice(&key.0);
        k
    }
    pub fn validator_changes_prefix() -> Vec<u8> {
        vec![tag::VALIDATOR_CHANGE]
    }
    /// The height of a validator change key.
    pub fn parse_validator_change(k: &[u8]) -> Option<u64> {
        let rest = k.strip_prefix(&[tag::VALIDATOR_CHANGE])?;
        Some(u64::from_be_bytes(rest.get(..8)?.try_into().ok()?))
    }
    pub fn members() -> Vec<u8> {
        vec![tag::MEMBERS]
    }
    pub fn code(hash: &Hash) -> Vec<u8> {
        key_of(tag::CODE, hash)
    }
    pub fn code_upload(uploader: &Address, hash: &Hash) -> Vec<u8> {
        key_of(tag::CODE_UPLOAD, (uploader, hash))
    }
    pub fn code_chunk(uploader: &Address, hash: &Hash, index: u32) -> Vec<u8> {
        let mut k = key_of(tag::CODE_CHUNK, (uploader, hash));
        k.extend_from_slice(&index.to_be_bytes());
        k
    }
    pub fn contract(id: &str) -> Vec<u8> {
        key_of(tag::CONTRACT, id)
    }
    pub fn contracts_prefix() -> Vec<u8> {
        vec![tag::CONTRACT]
    }
    pub fn contract_of_account(account: &Address) -> Vec<u8> {
        key_of(tag::CONTRACT_OF_ACCOUNT, account)
    }
    /// A key of a contract's own storage. The id is length-prefixed, so one
    /// contract's keys never share a prefix with another's.
    pub fn contract_store(id: &str, key: &[u8]) -> Vec<u8> {
        let mut k = key_of(tag::CONTRACT_STORE, id);
        k.extend_from_slice(key);
        k
    }
    /// Expiry queue entry: time first (big-endian) so the queue is in time order.
    pub fn expiry(at_ms: u64, asset: &str, a: &Address) -> Vec<u8> {
        let mut k = vec![tag::EXPIRY];
        k.extend_from_slice(&at_ms.to_be_bytes());
        let _ = BorshSerialize::serialize(&(asset, a), &mut k);
        k
    }
    pub fn expiry_prefix() -> Vec<u8> {
        vec![tag::EXPIRY]
    }
    /// Parses an expiry key back into (time, asset, account).
    pub fn parse_expiry(k: &[u8]) -> Option<(u64, String, Address)> {
        let rest = k.strip_prefix(&[tag::EXPIRY])?;
        let t = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
        let (asset, a): (String, Address) = borsh::from_slice(rest.get(8..)?).ok()?;
        Some((t, asset, a))
    }
}

/// Key-value rows of a scan, in key order.
pub type Rows = Vec<(Vec<u8>, Vec<u8>)>;

/// The entries of a time-ordered queue (keys: `prefix`, then the due time as
/// a big-endian u64, then anything) that are due at `now_ms`: up to `limit`,
/// in key order. Reads in small chunks and stops at the first entry not yet
/// due, so a block start costs what is due, not the queue's length (the
/// first chunk is small, as most blocks find nothing due). The
/// result is the same as keeping the due entries among the queue's first
/// `limit`. A key too short to hold a time counts as due, for the caller to
/// skip.
pub fn scan_due<S: StateRead + ?Sized>(
    s: &S,
    prefix: &[u8],
    now_ms: u64,
    limit: usize,
) -> Result<Rows, StateError> {
    const FIRST_CHUNK: usize = 4;
    const CHUNK_MAX: usize = 256;
    let mut chunk = FIRST_CHUNK;
    let due = |k: &[u8]| {
        k.get(prefix.len()..prefix.len() + 8)
            .and_then(|b| b.try_into().ok())
            .is_none_or(|b: [u8; 8]| u64::from_be_bytes(b) <= now_ms)
    };
    let mut out = Rows::new();
    let mut from = prefix.to_vec();
    while out.len() < limit {
        let want = chunk.min(limit - out.len());
        chunk = (chunk * 2).min(CHUNK_MAX);
        let rows = s.scan(prefix, &from, want)?;
        let full = rows.len() == want;
        for (k, v) in rows {
            if !due(&k) {
                return Ok(out);
            }
            from.clone_from(&k);
            out.push((k, v));
        }
        if !full {
            break;
        }
        // The next key after the last one read.
        from.push(0);
    }
    Ok(out)
}

/// Read access to committed state. Implemented by the node over RocksDB and by
/// [`MemState`] for tests and replay.
///
/// A read that fails is an error, never "absent": a node whose disk fails
/// must stop executing, not compute a different state from missing records.
pub trait StateRead {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;
    /// [`Self::get`], borrowed where the state holds the bytes in memory
    /// (most reads only decode them).
    fn get_ref(&self, key: &[u8]) -> Result<Option<Cow<'_, [u8]>>, StateError> {
        Ok(self.get(key)?.map(Cow::Owned))
    }
    /// Up to `limit` entries with keys starting with `prefix`, at or after `from`, in key order.
    fn scan(&self, prefix: &[u8], from: &[u8], limit: usize) -> Result<Rows, StateError>;
}

/// A change set: key → new value (`None` deletes). Ordered, so applying it and
/// hashing it is deterministic.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// An overlay's pending writes, found by key in constant time: a block's
/// overlay holds a few thousand, and every read of a transaction looks
/// there first. The map's order depends on a seed chosen at random, so it
/// is never iterated as it stands: the writes leave sorted
/// ([`Overlay::into_writes`]), and a scan sorts the ones it takes.
pub type Pending = HashMap<Vec<u8>, Option<Vec<u8>>, foldhash::fast::RandomState>;

/// Pending writes layered over a base state. Reads see the writes; `scan`
/// merges them in key order.
pub struct Overlay<'a, S: StateRead + ?Sized> {
    base: &'a S,
    writes: Pending,
}

impl<'a, S: StateRead + ?Sized> Overlay<'a, S> {
    pub fn new(base: &'a S) -> Self {
        Self::with_capacity(base, 0)
    }

    /// An overlay with room for `writes` writes before its map grows.
    pub fn with_capacity(base: &'a S, writes: usize) -> Self {
        Self {
            base,
            writes: Pending::with_capacity_and_hasher(writes, Default::default()),
        }
    }

    /// The writes, in key order.
    pub fn into_writes(self) -> WriteSet {
        self.writes.into_iter().collect()
    }

    /// The writes as they are, to be taken into the overlay below
    /// ([`Self::absorb`]) once the work that made them has succeeded.
    pub fn into_pending(self) -> Pending {
        self.writes
    }

    /// Takes in the pending writes of an overlay that was layered over this one.
    pub fn absorb(&mut self, writes: Pending) {
        self.writes.extend(writes);
    }

    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    pub fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    /// A typed record; one that does not decode is [`StateError::Corrupt`].
    pub fn get_rec<T: BorshDeserialize>(&self, key: &[u8]) -> Result<Option<T>, StateError> {
        read(self, key)
    }

    /// Whether a record exists under `key`.
    pub fn has(&self, key: &[u8]) -> Result<bool, StateError> {
        Ok(self.get_ref(key)?.is_some())
    }

    pub fn put_rec<T: BorshSerialize>(&mut self, key: Vec<u8>, value: &T) {
        self.put(key, borsh::to_vec(value).unwrap_or_default());
    }
}

impl<S: StateRead + ?Sized> StateRead for Overlay<'_, S> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(key),
        }
    }

    fn get_ref(&self, key: &[u8]) -> Result<Option<Cow<'_, [u8]>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.as_deref().map(Cow::Borrowed)),
            None => self.base.get_ref(key),
        }
    }

    fn scan(&self, prefix: &[u8], from: &[u8], limit: usize) -> Result<Rows, StateError> {
        let start = if from > prefix { from } else { prefix };
        let own: Vec<(&Vec<u8>, &Option<Vec<u8>>)> = self
            .writes
            .iter()
            .filter(|(k, _)| k.as_slice() >= start && k.starts_with(prefix))
            .collect();
        if own.is_empty() {
            return self.base.scan(prefix, start, limit);
        }
        // Enough base entries to fill `limit` even if every delete in the
        // range hits one (deletes elsewhere cannot).
        let deletes = own.iter().filter(|(_, v)| v.is_none()).count();
        let mut out: BTreeMap<Vec<u8>, Vec<u8>> = self
            .base
            .scan(prefix, start, limit.saturating_add(deletes))?
            .into_iter()
            .collect();
        for (k, v) in own {
            match v {
                Some(v) => {
                    out.insert(k.clone(), v.clone());
                }
                None => {
                    out.remove(k);
                }
            }
        }
        Ok(out.into_iter().take(limit).collect())
    }
}

/// Decodes a stored record; one that does not decode is corrupt state.
pub fn decode<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, StateError> {
    borsh::from_slice(bytes).map_err(|_| StateError::Corrupt)
}

/// A typed read of a record from any state.
pub fn read<T: BorshDeserialize, S: StateRead + ?Sized>(
    s: &S,
    key: &[u8],
) -> Result<Option<T>, StateError> {
    s.get_ref(key)?.map(|b| decode(&b)).transpose()
}

mod mem;
mod query;
pub use mem::MemState;
pub use query::*;
