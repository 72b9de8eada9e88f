//! Consensus messages (proposals and votes, as gossiped) and commit
//! certificates (as synced, served and audited), checked against a fixed
//! validator set.

use yui_consensus::signature;
use yui_consensus::{
    CommitCertificate, CommitSignature, Message, PROPOSAL_DOMAIN, Proposal, ProposalSignBytes,
    VOTE_DOMAIN, ValidatorSet, Vote, VoteKind, VoteSignBytes,
};

use crate::world::{CHAIN_ID, validator_keys, validator_set};

/// The first byte chooses the decoder: even for a [`Message`], odd for a
/// [`CommitCertificate`]; the rest is the encoding.
///
/// Properties: the decoders are canonical; a message's verdict is the
/// ed25519 rule's verdict on its sign bytes by its validator's key, alone
/// and in a batch; the same message signed by its validator verifies and,
/// for another height, does not; a certificate verifies exactly when its
/// signers are distinct validators in increasing order, each signature
/// verifies and their power is above the quorum threshold.
pub fn consensus_msg(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    if kind % 2 == 0 {
        message(rest);
    } else {
        certificate(rest);
    }
}

fn message(data: &[u8]) {
    let Ok(m) = borsh::from_slice::<Message>(data) else {
        return;
    };
    assert_eq!(borsh::to_vec(&m).unwrap(), data, "message not canonical");
    let set = validator_set();
    let verdict = verify(&m, set);
    let expected = match set.get(m.signer()) {
        None => false,
        Some(v) => {
            let (msg, sig) = sign_bytes(&m);
            let single = signature::verify(&v.public_key, &msg, &sig).is_ok();
            let batch = signature::verify_batch(&[(&v.public_key, &msg, &sig)]);
            assert_eq!(batch.len(), 1);
            assert_eq!(batch[0].is_ok(), single, "batch and single disagree");
            single
        }
    };
    assert_eq!(verdict.is_ok(), expected, "message verdict {verdict:?}");

    // Signed by its validator, it verifies; moved to another height, not.
    let Some(key) = validator_keys().get(m.signer() as usize) else {
        return;
    };
    let signed = match &m {
        Message::Vote(v) => Message::Vote(Vote::sign(
            key,
            CHAIN_ID,
            v.validator,
            v.kind,
            v.height,
            v.round,
            v.block_hash,
        )),
        Message::Proposal(p) => Message::Proposal(Proposal::sign(
            key,
            CHAIN_ID,
            p.proposer,
            p.height,
            p.round,
            p.block_hash,
            p.pol_round,
        )),
    };
    assert_eq!(verify(&signed, set), Ok(()), "a signed message refused");
    let moved = match signed {
        Message::Vote(mut v) => {
            v.height = v.height.wrapping_add(1);
            Message::Vote(v)
        }
        Message::Proposal(mut p) => {
            p.height = p.height.wrapping_add(1);
            Message::Proposal(p)
        }
    };
    assert!(verify(&moved, set).is_err(), "a moved message verified");
}

fn verify(m: &Message, set: &ValidatorSet) -> Result<(), yui_consensus::VerifyError> {
    match m {
        Message::Vote(v) => v.verify(CHAIN_ID, set),
        Message::Proposal(p) => p.verify(CHAIN_ID, set),
    }
}

/// The bytes a message's signature covers, and the signature.
fn sign_bytes(m: &Message) -> (Vec<u8>, [u8; 64]) {
    match m {
        Message::Vote(v) => (
            VoteSignBytes {
                domain: VOTE_DOMAIN,
                chain_id: CHAIN_ID,
                kind: v.kind,
                height: v.height,
                round: v.round,
                block_hash: v.block_hash,
            }
            .to_bytes(),
            v.signature,
        ),
        Message::Proposal(p) => (
            ProposalSignBytes {
                domain: PROPOSAL_DOMAIN,
                chain_id: CHAIN_ID,
                height: p.height,
                round: p.round,
                block_hash: p.block_hash,
                pol_round: p.pol_round,
                proposer: p.proposer,
            }
            .to_bytes(),
            p.signature,
        ),
    }
}

fn certificate(data: &[u8]) {
    let Ok(c) = borsh::from_slice::<CommitCertificate>(data) else {
        return;
    };
    assert_eq!(
        borsh::to_vec(&c).unwrap(),
        data,
        "certificate not canonical"
    );
    let set = validator_set();
    let verdict = c.verify(CHAIN_ID, set);
    assert_eq!(
        verdict.is_ok(),
        rule(&c, set),
        "certificate verdict {verdict:?}"
    );

    // The same signers, each signing for real.
    let keys = validator_keys();
    let signed = CommitCertificate {
        signatures: c
            .signatures
            .iter()
            .map(|s| CommitSignature {
                validator: s.validator,
                signature: keys.get(s.validator as usize).map_or(s.signature, |k| {
                    Vote::sign(
                        k,
                        CHAIN_ID,
                        s.validator,
                        VoteKind::Precommit,
                        c.height,
                        c.round,
                        Some(c.block_hash),
                    )
                    .signature
                }),
            })
            .collect(),
        ..c.clone()
    };
    let verdict = signed.verify(CHAIN_ID, set);
    assert_eq!(
        verdict.is_ok(),
        rule(&signed, set),
        "signed certificate {verdict:?}"
    );
    // Precommits gathered into a certificate verify exactly when the
    // distinct signers have a quorum.
    let votes: Vec<Vote> = signed
        .signatures
        .iter()
        .map(|s| Vote {
            kind: VoteKind::Precommit,
            height: c.height,
            round: c.round,
            block_hash: Some(c.block_hash),
            validator: s.validator,
            signature: s.signature,
        })
        .collect();
    let gathered = CommitCertificate::from_precommits(c.height, c.round, c.block_hash, &votes);
    assert_eq!(gathered.verify(CHAIN_ID, set).is_ok(), rule(&gathered, set));
}

/// The certificate rule, written out: distinct known signers in increasing
/// order, every signature valid, power above the quorum threshold.
fn rule(c: &CommitCertificate, set: &ValidatorSet) -> bool {
    let msg = VoteSignBytes {
        domain: VOTE_DOMAIN,
        chain_id: CHAIN_ID,
        kind: VoteKind::Precommit,
        height: c.height,
        round: c.round,
        block_hash: Some(c.block_hash),
    }
    .to_bytes();
    let increasing = c
        .signatures
        .windows(2)
        .all(|w| w[0].validator < w[1].validator);
    let mut power = 0u64;
    for s in &c.signatures {
        let Some(v) = set.get(s.validator) else {
            return false;
        };
        if signature::verify(&v.public_key, &msg, &s.signature).is_err() {
            return false;
        }
        power += v.power;
    }
    increasing && power > set.quorum_threshold()
}
