//! Typed reads of the state's records, for the state machine, the node's
//! API and the auditor. Every read that fails is a [`StateError`].

use borsh::BorshDeserialize;

use super::{
    AssetState, Campaign, ChainParams, Holding, Job, Reputation, Rows, StateError, StateRead,
    decode, keys, read,
};
use crate::crypto::{Address, Hash};

/// Decodes every value of a scan.
fn values<T: BorshDeserialize>(rows: Rows) -> Result<Vec<T>, StateError> {
    rows.into_iter().map(|(_, v)| decode(&v)).collect()
}

/// Decodes every value of a scan, keeping its key.
fn keyed<T: BorshDeserialize>(rows: Rows) -> Result<Vec<(Vec<u8>, T)>, StateError> {
    rows.into_iter()
        .map(|(k, v)| Ok((k, decode(&v)?)))
        .collect()
}

/// The borsh parts of a key after its one-byte tag.
fn key_parts<T: BorshDeserialize>(k: &[u8]) -> Result<T, StateError> {
    decode(k.get(1..).ok_or(StateError::Corrupt)?)
}

/// The assets defined on chain, in id order.
pub fn assets<S: StateRead + ?Sized>(s: &S) -> Result<Vec<AssetState>, StateError> {
    values(s.scan(&keys::asset_prefix(), &[], usize::MAX)?)
}

/// All holdings of one account, as (asset, holding).
pub fn holdings_of<S: StateRead + ?Sized>(
    s: &S,
    a: &Address,
) -> Result<Vec<(String, Holding)>, StateError> {
    let prefix = keys::holdings_of(a);
    s.scan(&prefix, &[], 1024)?
        .into_iter()
        .map(|(k, v)| {
            let (_, asset): (Address, String) = key_parts(&k)?;
            Ok((asset, decode(&v)?))
        })
        .collect()
}

/// The assets one account holds, in key order: [`holdings_of`] without
/// decoding the holdings.
pub fn assets_held<S: StateRead + ?Sized>(s: &S, a: &Address) -> Result<Vec<String>, StateError> {
    let prefix = keys::holdings_of(a);
    s.scan(&prefix, &[], 1024)?
        .into_iter()
        .map(|(k, _)| key_parts::<(Address, String)>(&k).map(|(_, asset)| asset))
        .collect()
}

/// The campaign record, if any.
pub fn campaign<S: StateRead + ?Sized>(s: &S, id: &str) -> Result<Option<Campaign>, StateError> {
    read(s, &keys::campaign(id))
}

/// The job record, if any.
pub fn job<S: StateRead + ?Sized>(s: &S, id: &str) -> Result<Option<Job>, StateError> {
    read(s, &keys::job(id))
}

/// An account's reputation from jobs (zero if it has none).
pub fn reputation<S: StateRead + ?Sized>(s: &S, a: &Address) -> Result<Reputation, StateError> {
    Ok(read(s, &keys::reputation(a))?.unwrap_or_default())
}

/// Up to `limit` jobs with state keys at or after `from` (empty: the first),
/// in key order, each with its key (pass the last key followed by a zero byte
/// as `from` to continue).
pub fn jobs<S: StateRead + ?Sized>(
    s: &S,
    from: &[u8],
    limit: usize,
) -> Result<Vec<(Vec<u8>, Job)>, StateError> {
    keyed(s.scan(&keys::jobs_prefix(), from, limit)?)
}

/// The chain's parameters.
pub fn params<S: StateRead + ?Sized>(s: &S) -> Result<Option<ChainParams>, StateError> {
    read(s, &keys::params())
}

/// The validator set that decides the next height, in its fixed order.
pub fn validators<S: StateRead + ?Sized>(
    s: &S,
) -> Result<Vec<crate::governance::ValidatorInfo>, StateError> {
    Ok(read(s, &keys::validators())?.unwrap_or_default())
}

/// Validator changes approved and waiting for their height, in height order.
pub fn pending_validator_changes<S: StateRead + ?Sized>(
    s: &S,
) -> Result<Vec<(u64, crate::governance::ValidatorChange)>, StateError> {
    s.scan(&keys::validator_changes_prefix(), &[], 1024)?
        .into_iter()
        .map(|(k, v)| {
            let h = keys::parse_validator_change(&k).ok_or(StateError::Corrupt)?;
            Ok((h, decode(&v)?))
        })
        .collect()
}

/// The consortium's members, sorted.
pub fn members<S: StateRead + ?Sized>(s: &S) -> Result<Vec<Address>, StateError> {
    Ok(read(s, &keys::members())?.unwrap_or_default())
}

/// The proposal record, if any.
pub fn proposal<S: StateRead + ?Sized>(
    s: &S,
    id: &str,
) -> Result<Option<crate::governance::Proposal>, StateError> {
    read(s, &keys::proposal(id))
}

/// Up to `limit` proposals with keys at or after `from`, in key order, each with its key.
pub fn proposals<S: StateRead + ?Sized>(
    s: &S,
    from: &[u8],
    limit: usize,
) -> Result<Vec<(Vec<u8>, crate::governance::Proposal)>, StateError> {
    keyed(s.scan(&keys::proposals_prefix(), from, limit)?)
}

/// The credential record, if any.
pub fn credential<S: StateRead + ?Sized>(
    s: &S,
    id: &str,
) -> Result<Option<crate::credential::Credential>, StateError> {
    read(s, &keys::credential(id))
}

/// The credentials listed under an index prefix (subject, kind, id keys).
fn indexed_credentials<S: StateRead + ?Sized>(
    s: &S,
    prefix: &[u8],
    limit: usize,
) -> Result<Vec<crate::credential::Credential>, StateError> {
    let mut out = Vec::new();
    for (k, _) in s.scan(prefix, &[], limit)? {
        let (_, _, id): (Address, String, String) = key_parts(&k)?;
        // The index and the record are written together.
        out.push(credential(s, &id)?.ok_or(StateError::Corrupt)?);
    }
    Ok(out)
}

/// The credentials of one subject (every kind), in (kind, id) order.
pub fn credentials_of<S: StateRead + ?Sized>(
    s: &S,
    subject: &Address,
) -> Result<Vec<crate::credential::Credential>, StateError> {
    indexed_credentials(s, &keys::credentials_of(subject), 1024)
}

/// Whether `subject` holds a credential of `kind` that is active at `t_ms`.
/// Every credential of the kind is looked at: old suspended, revoked or
/// expired ones must not hide a current one (only credential issuers add
/// to this list).
pub fn holds_credential<S: StateRead + ?Sized>(
    s: &S,
    subject: &Address,
    kind: &str,
    t_ms: u64,
) -> Result<bool, StateError> {
    Ok(
        indexed_credentials(s, &keys::credentials_of_kind(subject, kind), usize::MAX)?
            .iter()
            .any(|c| c.standing_at(t_ms) == crate::credential::Standing::Active),
    )
}

/// The consents one subject gave, in (party, scope) order.
pub fn consents_of<S: StateRead + ?Sized>(
    s: &S,
    subject: &Address,
) -> Result<Vec<crate::credential::Consent>, StateError> {
    values(s.scan(&keys::consents_of(subject), &[], 1024)?)
}

/// A deployed contract's record, if any.
pub fn contract<S: StateRead + ?Sized>(
    s: &S,
    id: &str,
) -> Result<Option<crate::contract::Contract>, StateError> {
    read(s, &keys::contract(id))
}

/// Up to `limit` contracts with keys at or after `from`, in key order, each with its key.
pub fn contracts<S: StateRead + ?Sized>(
    s: &S,
    from: &[u8],
    limit: usize,
) -> Result<Vec<(Vec<u8>, crate::contract::Contract)>, StateError> {
    keyed(s.scan(&keys::contracts_prefix(), from, limit)?)
}

/// Uploaded contract code, if any.
pub fn code<S: StateRead + ?Sized>(s: &S, hash: &Hash) -> Result<Option<Vec<u8>>, StateError> {
    s.get(&keys::code(hash))
}
