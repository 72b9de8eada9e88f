//! Credentials of residents and digital residents, consent to read a
//! subject's data, and the salted claim digests that keep personal data off
//! the chain.
//!
//! A credential on chain holds only `claims_digest`: the SHA-256 of the sorted
//! list of its claims' leaves, where a leaf is the hash of one claim's name,
//! value and a random salt. The holder keeps the values and salts (the CLI
//! writes them to a file that never leaves the wallet). To prove one claim to
//! a verifier off chain, the holder shows that claim's name, value and salt
//! together with the other leaves (hashes, which reveal nothing without their
//! salts); the verifier recomputes the digest and compares it with the chain's.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::crypto::{Address, Hash, sha256};

/// Domain tag of a claim leaf.
pub const CLAIM_LEAF_DOMAIN: &[u8] = b"yui/claim-leaf/v1";
/// Domain tag of a claims digest.
pub const CLAIMS_DIGEST_DOMAIN: &[u8] = b"yui/claims-digest/v1";
/// Bytes of salt per claim.
pub const SALT_LEN: usize = 16;

/// The hash of one claim: name, value and salt behind a domain tag.
pub fn claim_leaf(name: &str, value: &str, salt: &[u8; SALT_LEN]) -> Hash {
    let bytes = borsh::to_vec(&(CLAIM_LEAF_DOMAIN, name, value, salt)).unwrap_or_default();
    sha256(&bytes)
}

/// The digest of a set of claim leaves (their order does not matter).
pub fn claims_digest(leaves: &[Hash]) -> Hash {
    let mut sorted = leaves.to_vec();
    sorted.sort();
    let bytes = borsh::to_vec(&(CLAIMS_DIGEST_DOMAIN, sorted)).unwrap_or_default();
    sha256(&bytes)
}

/// One claim shown to a verifier, with what is needed to check it against a
/// credential's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub name: String,
    pub value: String,
    /// Hex of the claim's salt.
    pub salt: String,
    /// Hex of every leaf of the credential's claims, this one included.
    pub leaves: Vec<String>,
}

impl Disclosure {
    /// Checks the claim against `digest`: its leaf is among the leaves, and
    /// the leaves hash to the digest.
    pub fn verify(&self, digest: &Hash) -> Result<(), String> {
        let salt: [u8; SALT_LEN] = hex::decode(&self.salt)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("salt must be {SALT_LEN} bytes of hex"))?;
        let mut leaves = Vec::with_capacity(self.leaves.len());
        for l in &self.leaves {
            let h: Hash = hex::decode(l)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| "each leaf must be 32 bytes of hex".to_string())?;
            leaves.push(h);
        }
        let leaf = claim_leaf(&self.name, &self.value, &salt);
        if !leaves.contains(&leaf) {
            return Err(format!(
                "claim '{}' with this value and salt is not among the credential's claims",
                self.name
            ));
        }
        if claims_digest(&leaves) != *digest {
            return Err("the claims do not hash to the credential's digest".into());
        }
        Ok(())
    }
}

/// A credential's status as set by its issuer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    Active,
    Suspended,
    Revoked,
}

impl CredentialStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            CredentialStatus::Active => "active",
            CredentialStatus::Suspended => "suspended",
            CredentialStatus::Revoked => "revoked",
        }
    }
}

/// Whether a credential counts at a given time: its status then, and its
/// validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Not yet on chain at that time.
    NotIssued,
    /// Before its valid-from.
    NotYetValid,
    Active,
    Suspended,
    Revoked,
    /// At or after its valid-until.
    Expired,
}

impl Standing {
    pub fn as_str(&self) -> &'static str {
        match self {
            Standing::NotIssued => "not_issued",
            Standing::NotYetValid => "not_yet_valid",
            Standing::Active => "active",
            Standing::Suspended => "suspended",
            Standing::Revoked => "revoked",
            Standing::Expired => "expired",
        }
    }
}

/// What a change of a credential's status was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum CredentialAction {
    Issue,
    Suspend,
    Reinstate,
    Revoke,
}

impl CredentialAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            CredentialAction::Issue => "issue",
            CredentialAction::Suspend => "suspend",
            CredentialAction::Reinstate => "reinstate",
            CredentialAction::Revoke => "revoke",
        }
    }
}

/// One change of a credential's status.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CredentialStep {
    pub action: CredentialAction,
    pub by: Address,
    pub status: CredentialStatus,
    pub reason: String,
    pub height: u64,
    pub at_ms: u64,
}

/// A credential (see PRODUCT.md, "Digital residents and credentials").
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Credential {
    pub id: String,
    pub subject: Address,
    /// `digital_resident`, `resident`, `skill`, `qualification`, …
    pub kind: String,
    pub issuer: Address,
    pub valid_from_ms: u64,
    pub valid_until_ms: u64,
    /// SHA-256 over the salted claim leaves; no claim value is on chain.
    pub claims_digest: Hash,
    pub status: CredentialStatus,
    pub history: Vec<CredentialStep>,
}

impl Credential {
    /// The credential's standing at block time `t_ms`, from its history.
    pub fn standing_at(&self, t_ms: u64) -> Standing {
        let Some(step) = self.history.iter().rev().find(|s| s.at_ms <= t_ms) else {
            return Standing::NotIssued;
        };
        match step.status {
            CredentialStatus::Suspended => Standing::Suspended,
            CredentialStatus::Revoked => Standing::Revoked,
            CredentialStatus::Active if t_ms < self.valid_from_ms => Standing::NotYetValid,
            CredentialStatus::Active if t_ms >= self.valid_until_ms => Standing::Expired,
            CredentialStatus::Active => Standing::Active,
        }
    }
}

/// One read of a subject's data by a party holding consent.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Access {
    pub purpose: String,
    pub height: u64,
    pub at_ms: u64,
}

/// A subject's consent for `party` to read their data of `scope`.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Consent {
    pub subject: Address,
    pub party: Address,
    /// What may be read: a credential id, `profile`, or another agreed name.
    pub scope: String,
    pub granted_at_ms: u64,
    /// The consent lapses at this block time, if set.
    pub expires_at_ms: Option<u64>,
    /// Set when the subject revoked it.
    pub revoked_at_ms: Option<u64>,
    /// Every access ever recorded under this consent.
    pub access_count: u64,
    /// The latest accesses, oldest first (at most `limits::ACCESSES_KEPT_MAX`).
    pub accesses: Vec<Access>,
}

impl Consent {
    /// Whether the party may read under this consent at `t_ms`.
    pub fn is_active(&self, t_ms: u64) -> bool {
        self.revoked_at_ms.is_none() && self.expires_at_ms.is_none_or(|e| t_ms < e)
    }
}
