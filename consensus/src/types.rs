//! Validator sets, votes and commit certificates: the consensus types that leave
//! this crate and reach the disk, the wire and auditors.
//!
//! Every byte string that is signed is the canonical `borsh` encoding of a
//! [`VoteSignBytes`] or a [`ProposalSignBytes`] behind its domain tag, so a vote
//! can never be mistaken for a transaction or a proposal signature, nor either
//! be replayed on another chain.

use borsh::{BorshDeserialize, BorshSerialize};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// A 32-byte hash (SHA-256).
pub type Hash = [u8; 32];

/// Domain tag for prevote and precommit signatures.
pub const VOTE_DOMAIN: &[u8] = b"yui/consensus/vote/v1";
/// Domain tag for proposal signatures.
pub const PROPOSAL_DOMAIN: &[u8] = b"yui/consensus/proposal/v1";

/// Errors found while checking consensus data from an untrusted source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("validator index {index} is outside the validator set of {len}")]
    UnknownValidator { index: u32, len: usize },
    #[error("bad signature from validator {index}")]
    BadSignature { index: u32 },
    #[error("validator {index} signed twice in one certificate")]
    DuplicateSigner { index: u32 },
    #[error("certificate has voting power {have}, needs more than {need}")]
    NotEnoughPower { have: u64, need: u64 },
    #[error("certificate is for {what}, expected {expected}")]
    Mismatch { what: String, expected: String },
    #[error("malformed public key")]
    BadKey,
}

/// One validator: its ed25519 public key and voting power.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Validator {
    pub public_key: [u8; 32],
    pub power: u64,
}

/// The validators of a height, in a fixed order. Indices into this list name
/// validators in votes and certificates.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
    total_power: u64,
}

impl ValidatorSet {
    /// Builds a set; validators with zero power are dropped, duplicates refused.
    pub fn new(validators: Vec<Validator>) -> Result<Self, VerifyError> {
        let validators: Vec<Validator> = validators.into_iter().filter(|v| v.power > 0).collect();
        let mut total: u64 = 0;
        for (i, v) in validators.iter().enumerate() {
            if validators[..i].iter().any(|w| w.public_key == v.public_key) {
                return Err(VerifyError::Mismatch {
                    what: "duplicate validator key".into(),
                    expected: "distinct keys".into(),
                });
            }
            VerifyingKey::from_bytes(&v.public_key).map_err(|_| VerifyError::BadKey)?;
            total = total.checked_add(v.power).ok_or(VerifyError::BadKey)?;
        }
        if validators.is_empty() {
            return Err(VerifyError::Mismatch {
                what: "empty validator set".into(),
                expected: "at least one validator".into(),
            });
        }
        Ok(Self {
            validators,
            total_power: total,
        })
    }

    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    pub fn len(&self) -> usize {
        self.validators.len()
    }

    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    pub fn total_power(&self) -> u64 {
        self.total_power
    }

    /// Power strictly above which a set of votes is a quorum: more than two
    /// thirds of the total (2f+1 of 3f+1 equal validators).
    pub fn quorum_threshold(&self) -> u64 {
        // floor(2t/3) without overflowing for any total t.
        let t = self.total_power;
        t / 3 * 2 + t % 3 * 2 / 3
    }

    /// Power strictly above which at least one honest validator is included
    /// (f+1 of 3f+1).
    pub fn honest_threshold(&self) -> u64 {
        self.total_power / 3
    }

    pub fn index_of(&self, public_key: &[u8; 32]) -> Option<u32> {
        self.validators
            .iter()
            .position(|v| &v.public_key == public_key)
            .map(|i| i as u32)
    }

    pub fn get(&self, index: u32) -> Option<&Validator> {
        self.validators.get(index as usize)
    }

    pub fn power_of(&self, index: u32) -> u64 {
        self.get(index).map_or(0, |v| v.power)
    }

    /// The proposer of `(height, round)`: a pure function of the set, the height
    /// and the round (weighted round robin over a deterministic sequence).
    pub fn proposer(&self, height: u64, round: u32) -> u32 {
        let slot = height.wrapping_add(u64::from(round)) % self.total_power;
        let mut acc = 0u64;
        for (i, v) in self.validators.iter().enumerate() {
            acc += v.power;
            if slot < acc {
                return i as u32;
            }
        }
        0
    }

    /// A hash committing to the set, stored in block headers.
    pub fn hash(&self) -> Hash {
        let bytes = borsh::to_vec(self).unwrap_or_default();
        Sha256::digest(bytes).into()
    }
}

/// Which of Tendermint's two voting steps a vote belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum VoteKind {
    Prevote,
    Precommit,
}

/// The bytes a validator signs for a vote.
#[derive(Debug, Clone, BorshSerialize)]
pub struct VoteSignBytes<'a> {
    pub domain: &'a [u8],
    pub chain_id: &'a str,
    pub kind: VoteKind,
    pub height: u64,
    pub round: u32,
    /// `None` is a vote for nil.
    pub block_hash: Option<Hash>,
}

impl VoteSignBytes<'_> {
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }
}

/// A signed prevote or precommit.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    pub kind: VoteKind,
    pub height: u64,
    pub round: u32,
    pub block_hash: Option<Hash>,
    pub validator: u32,
    pub signature: [u8; 64],
}

impl Vote {
    /// Signs a vote. The caller must have made the signer state durable first.
    pub fn sign(
        key: &SigningKey,
        chain_id: &str,
        validator: u32,
        kind: VoteKind,
        height: u64,
        round: u32,
        block_hash: Option<Hash>,
    ) -> Self {
        let msg = VoteSignBytes {
            domain: VOTE_DOMAIN,
            chain_id,
            kind,
            height,
            round,
            block_hash,
        }
        .to_bytes();
        Self {
            kind,
            height,
            round,
            block_hash,
            validator,
            signature: key.sign(&msg).to_bytes(),
        }
    }

    /// Checks the signature against the validator's key in `set`.
    pub fn verify(&self, chain_id: &str, set: &ValidatorSet) -> Result<(), VerifyError> {
        let v = set
            .get(self.validator)
            .ok_or(VerifyError::UnknownValidator {
                index: self.validator,
                len: set.len(),
            })?;
        let msg = VoteSignBytes {
            domain: VOTE_DOMAIN,
            chain_id,
            kind: self.kind,
            height: self.height,
            round: self.round,
            block_hash: self.block_hash,
        }
        .to_bytes();
        verify_strict(&v.public_key, &msg, &self.signature).map_err(|_| VerifyError::BadSignature {
            index: self.validator,
        })
    }
}

/// The bytes a proposer signs for a proposal.
#[derive(Debug, Clone, BorshSerialize)]
pub struct ProposalSignBytes<'a> {
    pub domain: &'a [u8],
    pub chain_id: &'a str,
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
    pub pol_round: Option<u32>,
    pub proposer: u32,
}

impl ProposalSignBytes<'_> {
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }
}

/// A signed proposal: the proposer of `(height, round)` names the block it
/// proposes. `pol_round` is Tendermint's valid round: the earlier round in which
/// the proposer saw more than two thirds of prevotes for this block, if any.
/// The block itself travels beside the proposal; only its hash is signed here.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
    pub pol_round: Option<u32>,
    pub proposer: u32,
    pub signature: [u8; 64],
}

impl Proposal {
    /// Signs a proposal. The caller must have made the signer state durable first.
    pub fn sign(
        key: &SigningKey,
        chain_id: &str,
        proposer: u32,
        height: u64,
        round: u32,
        block_hash: Hash,
        pol_round: Option<u32>,
    ) -> Self {
        let msg = ProposalSignBytes {
            domain: PROPOSAL_DOMAIN,
            chain_id,
            height,
            round,
            block_hash,
            pol_round,
            proposer,
        }
        .to_bytes();
        Self {
            height,
            round,
            block_hash,
            pol_round,
            proposer,
            signature: key.sign(&msg).to_bytes(),
        }
    }

    /// Checks the signature against the proposer's key in `set`. Whether the
    /// proposer is the one due at `(height, round)` is the consensus core's check.
    pub fn verify(&self, chain_id: &str, set: &ValidatorSet) -> Result<(), VerifyError> {
        let v = set
            .get(self.proposer)
            .ok_or(VerifyError::UnknownValidator {
                index: self.proposer,
                len: set.len(),
            })?;
        let msg = ProposalSignBytes {
            domain: PROPOSAL_DOMAIN,
            chain_id,
            height: self.height,
            round: self.round,
            block_hash: self.block_hash,
            pol_round: self.pol_round,
            proposer: self.proposer,
        }
        .to_bytes();
        verify_strict(&v.public_key, &msg, &self.signature).map_err(|_| VerifyError::BadSignature {
            index: self.proposer,
        })
    }
}

/// A consensus message between validators.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Message {
    Proposal(Proposal),
    Vote(Vote),
}

impl Message {
    /// The height the message belongs to.
    pub fn height(&self) -> u64 {
        match self {
            Message::Proposal(p) => p.height,
            Message::Vote(v) => v.height,
        }
    }

    /// The round the message belongs to.
    pub fn round(&self) -> u32 {
        match self {
            Message::Proposal(p) => p.round,
            Message::Vote(v) => v.round,
        }
    }

    /// The index of the validator that signed the message.
    pub fn signer(&self) -> u32 {
        match self {
            Message::Proposal(p) => p.proposer,
            Message::Vote(v) => v.validator,
        }
    }
}

/// Verifies an ed25519 signature under Yui's one rule,
/// [`crate::signature::verify`] (ADR 0006): canonical key and R, neither of
/// small order, S < ℓ, and the cofactored equation.
///
/// The error carries nothing: callers attach their own context (see
/// [`VerifyError::BadSignature`]). Kept under its old name for the node.
#[allow(clippy::result_unit_err)]
pub fn verify_strict(public_key: &[u8; 32], msg: &[u8], signature: &[u8; 64]) -> Result<(), ()> {
    crate::signature::verify(public_key, msg, signature).map_err(|_| ())
}

/// One validator's precommit signature inside a certificate.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CommitSignature {
    pub validator: u32,
    pub signature: [u8; 64],
}

/// Proof that a block was committed: precommits for it from validators holding
/// more than two thirds of the voting power, at one height and round.
/// Anyone who knows the validator set of that height checks it offline.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CommitCertificate {
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
    /// Sorted by validator index, each validator at most once.
    pub signatures: Vec<CommitSignature>,
}

impl CommitCertificate {
    /// Builds a certificate from precommits for one block.
    pub fn from_precommits(height: u64, round: u32, block_hash: Hash, votes: &[Vote]) -> Self {
        let mut signatures: Vec<CommitSignature> = votes
            .iter()
            .filter(|v| {
                v.kind == VoteKind::Precommit
                    && v.height == height
                    && v.round == round
                    && v.block_hash == Some(block_hash)
            })
            .map(|v| CommitSignature {
                validator: v.validator,
                signature: v.signature,
            })
            .collect();
        signatures.sort_by_key(|s| s.validator);
        signatures.dedup_by_key(|s| s.validator);
        Self {
            height,
            round,
            block_hash,
            signatures,
        }
    }

    /// Checks every signature and that the signers hold a quorum of `set`.
    pub fn verify(&self, chain_id: &str, set: &ValidatorSet) -> Result<(), VerifyError> {
        let msg = VoteSignBytes {
            domain: VOTE_DOMAIN,
            chain_id,
            kind: VoteKind::Precommit,
            height: self.height,
            round: self.round,
            block_hash: Some(self.block_hash),
        }
        .to_bytes();
        let mut power = 0u64;
        let mut last: Option<u32> = None;
        for s in &self.signatures {
            if last.is_some_and(|l| l >= s.validator) {
                return Err(VerifyError::DuplicateSigner { index: s.validator });
            }
            last = Some(s.validator);
            let v = set.get(s.validator).ok_or(VerifyError::UnknownValidator {
                index: s.validator,
                len: set.len(),
            })?;
            verify_strict(&v.public_key, &msg, &s.signature)
                .map_err(|_| VerifyError::BadSignature { index: s.validator })?;
            power += v.power;
        }
        if power <= set.quorum_threshold() {
            return Err(VerifyError::NotEnoughPower {
                have: power,
                need: set.quorum_threshold(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u8) -> SigningKey {
        SigningKey::from_bytes(&[i; 32])
    }

    fn set(n: u8) -> ValidatorSet {
        ValidatorSet::new(
            (1..=n)
                .map(|i| Validator {
                    public_key: key(i).verifying_key().to_bytes(),
                    power: 1,
                })
                .collect(),
        )
        .expect("valid set")
    }

    #[test]
    fn certificate_needs_more_than_two_thirds() {
        let s = set(4);
        let h = [7u8; 32];
        let votes: Vec<Vote> = (0..3)
            .map(|i| {
                Vote::sign(
                    &key(i as u8 + 1),
                    "c",
                    i,
                    VoteKind::Precommit,
                    5,
                    0,
                    Some(h),
                )
            })
            .collect();
        let cert = CommitCertificate::from_precommits(5, 0, h, &votes);
        assert_eq!(cert.verify("c", &s), Ok(()));
        let short = CommitCertificate::from_precommits(5, 0, h, &votes[..2]);
        assert!(matches!(
            short.verify("c", &s),
            Err(VerifyError::NotEnoughPower { .. })
        ));
        assert!(matches!(
            cert.verify("other-chain", &s),
            Err(VerifyError::BadSignature { .. })
        ));
    }

    #[test]
    fn certificate_refuses_duplicates_and_strangers() {
        let s = set(4);
        let h = [1u8; 32];
        let v = Vote::sign(&key(1), "c", 0, VoteKind::Precommit, 1, 0, Some(h));
        let mut cert = CommitCertificate::from_precommits(1, 0, h, std::slice::from_ref(&v));
        cert.signatures.push(cert.signatures[0].clone());
        assert!(matches!(
            cert.verify("c", &s),
            Err(VerifyError::DuplicateSigner { .. })
        ));
        cert.signatures = vec![CommitSignature {
            validator: 9,
            signature: v.signature,
        }];
        assert!(matches!(
            cert.verify("c", &s),
            Err(VerifyError::UnknownValidator { .. })
        ));
    }

    #[test]
    fn proposal_signature_binds_every_field() {
        let s = set(4);
        let p = Proposal::sign(&key(2), "c", 1, 3, 2, [5u8; 32], Some(1));
        assert_eq!(p.verify("c", &s), Ok(()));
        assert!(matches!(
            p.verify("d", &s),
            Err(VerifyError::BadSignature { .. })
        ));
        let mut q = p.clone();
        q.pol_round = None;
        assert!(matches!(
            q.verify("c", &s),
            Err(VerifyError::BadSignature { .. })
        ));
        q = p.clone();
        q.proposer = 2;
        assert!(matches!(
            q.verify("c", &s),
            Err(VerifyError::BadSignature { .. })
        ));
        q.proposer = 7;
        assert!(matches!(
            q.verify("c", &s),
            Err(VerifyError::UnknownValidator { .. })
        ));
    }

    #[test]
    fn quorum_threshold_is_two_thirds_rounded_down_without_overflow() {
        for total in 1..50u64 {
            let s = ValidatorSet {
                validators: Vec::new(),
                total_power: total,
            };
            assert_eq!(s.quorum_threshold(), total * 2 / 3);
        }
        let huge = ValidatorSet {
            validators: Vec::new(),
            total_power: u64::MAX,
        };
        assert_eq!(huge.quorum_threshold(), u64::MAX / 3 * 2);
    }

    #[test]
    fn proposer_rotates_over_all_validators() {
        let s = set(4);
        let mut seen: Vec<u32> = (0..4).map(|r| s.proposer(10, r)).collect();
        seen.sort();
        assert_eq!(seen, vec![0, 1, 2, 3]);
        assert_eq!(s.proposer(3, 1), s.proposer(3, 1));
    }
}
