//! Certificates in the replay: their signatures are verified in the
//! preparing stage's batches against the validator set execution last found
//! (a guess made ahead of the state that decides), and execution accepts a
//! certificate from that alone only when the guess was its set and
//! [`holds_quorum`] says the signers make a quorum there. In every other
//! case (another set, a signature that did not verify, a signer twice or
//! unknown, too little power) execution runs `CommitCertificate::verify`
//! itself, so a certificate is refused exactly as before, with its error.

use std::sync::{Arc, Mutex};

use yui_consensus::{
    CommitCertificate, VOTE_DOMAIN, Validator, ValidatorSet, VoteKind, VoteSignBytes,
};
use yui_ledger::{Hash, MemState};

/// A validator set with its hash.
pub(super) type KnownSet = Arc<(ValidatorSet, Hash)>;

/// The set execution found last, shared with the preparing stage.
#[derive(Default, Clone)]
pub(super) struct SharedSet(Arc<Mutex<Option<KnownSet>>>);

impl SharedSet {
    pub fn get(&self) -> Option<KnownSet> {
        self.0.lock().ok().and_then(|s| s.clone())
    }

    fn set(&self, known: KnownSet) {
        if let Ok(mut s) = self.0.lock() {
            *s = Some(known);
        }
    }
}

/// The bytes every signature of `cert` signs: a precommit for its block.
pub(super) fn vote_sign_bytes(chain_id: &str, cert: &CommitCertificate) -> Vec<u8> {
    VoteSignBytes {
        domain: VOTE_DOMAIN,
        chain_id,
        kind: VoteKind::Precommit,
        height: cert.height,
        round: cert.round,
        block_hash: Some(cert.block_hash),
    }
    .to_bytes()
}

/// Whether `cert`'s signers, all signatures taken as valid, make it valid
/// under `set`: each at most once and in increasing order, each in the set,
/// with more than the quorum threshold of power. With every signature
/// verified, this accepts only what `CommitCertificate::verify` accepts
/// (the tests compare them).
pub(super) fn holds_quorum(cert: &CommitCertificate, set: &ValidatorSet) -> bool {
    let mut last: Option<u32> = None;
    let mut power = 0u64;
    for s in &cert.signatures {
        if last.is_some_and(|l| l >= s.validator) {
            return false;
        }
        last = Some(s.validator);
        let Some(v) = set.get(s.validator) else {
            return false;
        };
        power = power.saturating_add(v.power);
    }
    power > set.quorum_threshold()
}

/// The validator set a replayed state records, rebuilt only when the record
/// changes (governance), and published for the preparing stage.
#[derive(Default)]
pub(super) struct Validators {
    validators: Vec<Validator>,
    current: Option<KnownSet>,
    shared: SharedSet,
}

impl Validators {
    pub fn new(shared: SharedSet) -> Self {
        Self {
            shared,
            ..Self::default()
        }
    }

    /// The set that decides the block after `state`.
    pub fn current(&mut self, state: &MemState) -> Result<KnownSet, String> {
        let validators: Vec<Validator> = yui_ledger::state::validators(state)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|v| Validator {
                public_key: v.public_key.0,
                power: v.power,
            })
            .collect();
        if let Some(known) = &self.current
            && validators == self.validators
        {
            return Ok(known.clone());
        }
        let set = ValidatorSet::new(validators.clone())
            .map_err(|e| format!("validator set in state: {e}"))?;
        let hash = set.hash();
        let known = Arc::new((set, hash));
        self.validators = validators;
        self.current = Some(known.clone());
        self.shared.set(known.clone());
        Ok(known)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use ed25519_dalek::SigningKey;
    use yui_consensus::{CommitSignature, Vote};

    use super::*;

    const CHAIN: &str = "yui-cert-test";

    fn key(i: u8) -> SigningKey {
        SigningKey::from_bytes(&[i; 32])
    }

    fn set(powers: &[u64]) -> ValidatorSet {
        ValidatorSet::new(
            powers
                .iter()
                .enumerate()
                .map(|(i, p)| Validator {
                    public_key: key(i as u8 + 1).verifying_key().to_bytes(),
                    power: *p,
                })
                .collect(),
        )
        .unwrap()
    }

    fn signature(i: u32, hash: [u8; 32]) -> CommitSignature {
        let v = Vote::sign(
            &key(i as u8 + 1),
            CHAIN,
            i,
            VoteKind::Precommit,
            7,
            1,
            Some(hash),
        );
        CommitSignature {
            validator: i,
            signature: v.signature,
        }
    }

    #[test]
    fn the_audit_quorum_check_accepts_only_what_certificate_verify_accepts() {
        let hash = [9; 32];
        let signed: Vec<CommitSignature> = (0..5).map(|i| signature(i, hash)).collect();
        let sets = [set(&[1, 1, 1, 1]), set(&[5, 1, 1, 1]), set(&[1, 2, 3])];
        // Every list of up to five signers out of indices 0..5 (one past
        // the sets' ends), in any order, repeats included.
        let mut shapes: Vec<Vec<u32>> = vec![vec![]];
        for _ in 0..5 {
            let longer: Vec<Vec<u32>> = shapes
                .iter()
                .filter(|s| s.len() < 5)
                .flat_map(|s| {
                    (0..5u32).map(move |i| {
                        let mut t = s.clone();
                        t.push(i);
                        t
                    })
                })
                .collect();
            shapes.extend(longer);
            shapes.sort();
            shapes.dedup();
        }
        let (mut accepted, mut refused) = (0, 0);
        for set in &sets {
            for shape in &shapes {
                let cert = CommitCertificate {
                    height: 7,
                    round: 1,
                    block_hash: hash,
                    signatures: shape.iter().map(|i| signed[*i as usize].clone()).collect(),
                };
                let verified = cert.verify(CHAIN, set).is_ok();
                assert_eq!(holds_quorum(&cert, set), verified, "{shape:?}");
                if verified {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert!(accepted >= 10 && refused > 1_000, "{accepted} {refused}");
    }

    #[test]
    fn the_audit_vote_bytes_are_what_validators_sign() {
        let hash = [3; 32];
        let cert = CommitCertificate {
            height: 7,
            round: 1,
            block_hash: hash,
            signatures: vec![signature(0, hash)],
        };
        let msg = vote_sign_bytes(CHAIN, &cert);
        let pk = key(1).verifying_key().to_bytes();
        let sig = cert.signatures[0].signature;
        assert!(yui_consensus::signature::verify(&pk, &msg, &sig).is_ok());
        assert!(
            yui_consensus::signature::verify(&pk, &vote_sign_bytes("other", &cert), &sig).is_err()
        );
    }
}
