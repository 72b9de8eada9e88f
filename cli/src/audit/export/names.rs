//! How an export names accounts and references: as they are on chain, or
//! (`--pseudonymous`) by keyed hashes, so that a researcher's copy names
//! no resident. A pseudonym is the first 16 bytes of HMAC-SHA-256 under the
//! export's key, of a domain tag and the value, in hex: the same account
//! always has the same pseudonym under one key (so flows can be followed),
//! and without the key nobody can test a guess ("is this the address I
//! know?"). Free text a person typed (a grant's reason, a purpose) is left
//! out of a pseudonymous copy.

use std::collections::BTreeMap;

use hmac::{KeyInit, Mac};
use yui_ledger::Address;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Bytes of a pseudonym (32 hex characters: never mistaken for a 64-hex address).
const PSEUDONYM_BYTES: usize = 16;

/// What a pseudonym stands for: one domain each, so an account and a
/// reference spelled alike get different pseudonyms.
#[derive(Debug, Clone, Copy)]
pub enum Domain {
    Account,
    Transaction,
    /// An invoice id, a payout reference, a job id, a credential id.
    Reference,
}

impl Domain {
    fn tag(self) -> &'static [u8] {
        match self {
            Domain::Account => b"yui-export/account\0",
            Domain::Transaction => b"yui-export/tx\0",
            Domain::Reference => b"yui-export/ref\0",
        }
    }
}

/// Names in an export.
pub struct Names {
    key: Option<HmacSha256>,
    accounts: BTreeMap<Address, String>,
}

impl Names {
    /// Accounts by their addresses, references as they are.
    pub fn plain() -> Self {
        Self {
            key: None,
            accounts: BTreeMap::new(),
        }
    }

    /// Keyed pseudonyms under `key`.
    pub fn pseudonymous(key: &[u8; 32]) -> Self {
        Self {
            key: HmacSha256::new_from_slice(key).ok(),
            accounts: BTreeMap::new(),
        }
    }

    pub fn is_pseudonymous(&self) -> bool {
        self.key.is_some()
    }

    fn keyed(&self, domain: Domain, value: &[u8]) -> Option<String> {
        let mut mac = self.key.clone()?;
        mac.update(domain.tag());
        mac.update(value);
        let out = mac.finalize().into_bytes();
        Some(hex::encode(&out[..PSEUDONYM_BYTES]))
    }

    /// An account: its address in hex, or its pseudonym.
    pub fn account(&mut self, a: &Address) -> String {
        if self.key.is_none() {
            return a.to_hex();
        }
        if let Some(n) = self.accounts.get(a) {
            return n.clone();
        }
        let n = self.keyed(Domain::Account, &a.0).unwrap_or_default();
        self.accounts.insert(*a, n.clone());
        n
    }

    /// A transaction's hash in hex, or its pseudonym (a node answers who
    /// signed a transaction to anyone who knows its hash).
    pub fn transaction(&self, h: &[u8; 32]) -> String {
        self.keyed(Domain::Transaction, h)
            .unwrap_or_else(|| hex::encode(h))
    }

    /// A reference someone chose that can lead to a person (an invoice id,
    /// a payout reference, a job id, a credential id): as it is, or its
    /// pseudonym.
    pub fn reference(&self, r: &str) -> String {
        self.keyed(Domain::Reference, r.as_bytes())
            .unwrap_or_else(|| r.to_string())
    }

    /// Free text a person wrote: as it is, or nothing.
    pub fn free_text(&self, t: &str) -> Option<String> {
        (self.key.is_none() && !t.is_empty()).then(|| t.to_string())
    }
}

/// A new random pseudonym key.
pub fn random_key() -> anyhow::Result<[u8; 32]> {
    let mut k = [0u8; 32];
    getrandom::fill(&mut k).map_err(|e| anyhow::anyhow!("no randomness for the key: {e}"))?;
    Ok(k)
}

/// The pseudonym key kept in `path` (64 hex characters), written there
/// first (mode 0600) with a new random key when the file does not exist, so
/// that the exports of successive months give an account the same
/// pseudonym.
pub fn key_file(path: &std::path::Path) -> anyhow::Result<[u8; 32]> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|e| anyhow::anyhow!("{}: not a hex key: {e}", path.display()))?;
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                anyhow::anyhow!("{}: a pseudonym key is 32 bytes (64 hex)", path.display())
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let k = random_key()?;
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let mut f = o
                .open(path)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
            std::io::Write::write_all(&mut f, format!("{}\n", hex::encode(k)).as_bytes())?;
            Ok(k)
        }
        Err(e) => Err(anyhow::anyhow!("reading {}: {e}", path.display())),
    }
}
