//! Accounts are ed25519 public keys. Yui applies one signature rule everywhere,
//! [`yui_consensus::signature`] (see `docs/adr/0006-ed25519-batchable-rule.md`):
//! canonical key and R, neither of small order, S < ℓ, and the cofactored
//! equation. A signature valid on one node is valid on every node, and a
//! batch's verdict on each signature is the single verdict.

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use yui_consensus::signature::{self, SigError};

/// A 32-byte SHA-256 hash.
pub type Hash = [u8; 32];

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// An account: the 32 bytes of an ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Address(pub [u8; 32]);

impl Address {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The all-zero address, used as the breakage sink when none is named.
    pub const ZERO: Address = Address([0; 32]);
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", &self.to_hex()[..12])
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl FromStr for Address {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = hex::decode(s.trim()).map_err(|e| format!("address is not hex: {e}"))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "address must be 32 bytes (64 hex characters)".to_string())?;
        Ok(Address(arr))
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A signing key with its address.
pub struct Keypair {
    key: SigningKey,
}

impl Keypair {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn address(&self) -> Address {
        Address(self.key.verifying_key().to_bytes())
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }

    /// The key file format shared by `yui-node` and `yui`: JSON with the
    /// address and the secret seed (hex). Callers write it with mode 0600.
    pub fn to_json(&self) -> String {
        let kf = KeyFile {
            address: self.address().to_hex(),
            secret_seed: hex::encode(self.seed()),
        };
        serde_json::to_string_pretty(&kf).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        let kf: KeyFile = serde_json::from_str(text).map_err(|e| format!("not a key file: {e}"))?;
        let seed: [u8; 32] = hex::decode(&kf.secret_seed)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("secret_seed must be 32 bytes of hex")?;
        let key = Keypair::from_seed(seed);
        if key.address().to_hex() != kf.address {
            return Err("address does not match the secret seed".into());
        }
        Ok(key)
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    address: String,
    secret_seed: String,
}

/// Why a signature was refused. Its borsh codes are consensus bytes (ADR
/// 0004): the rule's malformed R or S is reported as `Invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, BorshSerialize, BorshDeserialize)]
pub enum SignatureError {
    #[error("the public key is not the canonical encoding of an ed25519 point of large order")]
    MalformedKey,
    #[error("the signature does not verify under Yui's ed25519 rule")]
    Invalid,
}

impl From<SigError> for SignatureError {
    fn from(e: SigError) -> Self {
        match e {
            SigError::MalformedKey => SignatureError::MalformedKey,
            SigError::MalformedSignature | SigError::Invalid => SignatureError::Invalid,
        }
    }
}

/// Whether `key` can ever sign under [`verify`]: the canonical encoding of an
/// ed25519 point not of small order. A small-order (weak) key never verifies,
/// and a non-canonical encoding would name a point that already has another
/// name; a key that must sign (a validator's) is checked with this.
pub fn is_signing_key(key: &Address) -> bool {
    signature::is_signing_key(&key.0)
}

/// Verifies `signature` over `msg` by `signer` under Yui's rule
/// ([`yui_consensus::signature::verify`]).
pub fn verify(signer: &Address, msg: &[u8], signature: &[u8; 64]) -> Result<(), SignatureError> {
    signature::verify(&signer.0, msg, signature).map_err(SignatureError::from)
}

/// [`verify`] for many signatures at once, in a batch: one verdict per item,
/// in order, each equal to [`verify`]'s. For the node's admission of gossiped
/// and submitted transactions; block execution keeps to [`verify`]. The
/// batch's random coefficients never change a verdict (ADR 0006).
pub fn verify_batch(items: &[(Address, &[u8], &[u8; 64])]) -> Vec<Result<(), SignatureError>> {
    verify_batch_parallel(items, 1)
}

/// [`verify_batch`] spread over up to `threads` threads
/// ([`yui_consensus::signature::verify_batch_parallel`]); same verdicts.
pub fn verify_batch_parallel(
    items: &[(Address, &[u8], &[u8; 64])],
    threads: usize,
) -> Vec<Result<(), SignatureError>> {
    let items: Vec<signature::Item<'_>> = items
        .iter()
        .map(|(signer, msg, sig)| (&signer.0, *msg, *sig))
        .collect();
    signature::verify_batch_parallel(&items, threads)
        .into_iter()
        .map(|v| v.map_err(SignatureError::from))
        .collect()
}

/// Serde for 32-byte hashes and digests as hex strings (for JSON at the edge).
pub mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = hex::decode(s.trim()).map_err(serde::de::Error::custom)?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("expected 32 bytes (64 hex characters)"))
    }
}

/// Serde for byte strings as hex (for JSON at the edge).
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.trim()).map_err(serde::de::Error::custom)
    }
}
