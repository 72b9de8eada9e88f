//! The holder's side of salted claims: a claims file (name → value) becomes
//! a wallet file with a fresh salt per claim, whose digest the issuer puts on
//! chain; one claim of it becomes a disclosure a verifier checks against the
//! chain. The wallet file holds personal data: it stays with the holder.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use yui_ledger::credential::{Disclosure, SALT_LEN, claim_leaf, claims_digest};

/// One salted claim as the holder keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaltedClaim {
    pub name: String,
    pub value: String,
    /// Hex.
    pub salt: String,
}

/// The holder's claims with their salts, and the digest for the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsWallet {
    pub claims: Vec<SaltedClaim>,
    /// Hex of the digest the credential carries.
    pub digest: String,
}

/// Most claims in one credential.
pub const CLAIMS_MAX: usize = 64;

/// Salts every claim of a `{"name": value, …}` JSON object. String values are
/// taken as they are; other JSON values as their JSON text.
pub fn salt_claims(claims_json: &str) -> anyhow::Result<ClaimsWallet> {
    let map: BTreeMap<String, serde_json::Value> = serde_json::from_str(claims_json)
        .map_err(|e| anyhow::anyhow!("claims must be a JSON object of name → value: {e}"))?;
    if map.is_empty() || map.len() > CLAIMS_MAX {
        anyhow::bail!(
            "a credential has 1..={CLAIMS_MAX} claims, got {}",
            map.len()
        );
    }
    let mut claims = Vec::with_capacity(map.len());
    for (name, v) in map {
        let value = match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness for salts: {e}"))?;
        claims.push(SaltedClaim {
            name,
            value,
            salt: hex::encode(salt),
        });
    }
    let leaves = leaves(&claims)?;
    Ok(ClaimsWallet {
        digest: hex::encode(claims_digest(&leaves)),
        claims,
    })
}

fn leaves(claims: &[SaltedClaim]) -> anyhow::Result<Vec<[u8; 32]>> {
    claims
        .iter()
        .map(|c| {
            let salt: [u8; SALT_LEN] = hex::decode(&c.salt)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| anyhow::anyhow!("claim '{}' has a malformed salt", c.name))?;
            Ok(claim_leaf(&c.name, &c.value, &salt))
        })
        .collect()
}

impl ClaimsWallet {
    /// The digest as bytes, checked against the claims.
    pub fn digest(&self) -> anyhow::Result<[u8; 32]> {
        let d = claims_digest(&leaves(&self.claims)?);
        if hex::encode(d) != self.digest {
            anyhow::bail!("the wallet file's digest does not match its claims");
        }
        Ok(d)
    }

    /// A disclosure of one claim: its value and salt, and the other leaves.
    pub fn disclose(&self, name: &str) -> anyhow::Result<Disclosure> {
        let c = self
            .claims
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| anyhow::anyhow!("no claim '{name}' in the wallet file"))?;
        Ok(Disclosure {
            name: c.name.clone(),
            value: c.value.clone(),
            salt: c.salt.clone(),
            leaves: leaves(&self.claims)?.iter().map(hex::encode).collect(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_disclosed_claim_verifies_and_a_changed_one_does_not() {
        let w = salt_claims(r#"{"name": "Emma Larsen", "born": 1994, "country": "DK"}"#).unwrap();
        let digest = w.digest().unwrap();
        let d = w.disclose("country").unwrap();
        assert_eq!(d.value, "DK");
        assert_eq!(d.verify(&digest), Ok(()));
        let mut lie = d.clone();
        lie.value = "JP".into();
        assert!(lie.verify(&digest).unwrap_err().contains("not among"));
        // Non-string values keep their JSON text.
        assert_eq!(w.disclose("born").unwrap().value, "1994");
        // Fresh salts: the same claims never give the same digest twice.
        let again =
            salt_claims(r#"{"name": "Emma Larsen", "born": 1994, "country": "DK"}"#).unwrap();
        assert_ne!(again.digest, w.digest);
        assert!(w.disclose("phone").is_err());
        assert!(salt_claims("[1, 2]").is_err());
        assert!(salt_claims("{}").is_err());
    }
}
