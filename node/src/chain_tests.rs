//! The node's shared state: what it bounds.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::snapshot::tests::{genesis, home, open};

fn hash(i: usize) -> Hash {
    yui_ledger::crypto::sha256(&(i as u64).to_be_bytes())
}

#[test]
fn commit_waiters_are_bounded_and_a_place_frees_when_one_goes() {
    let dir = tempfile::tempdir().unwrap();
    let shared = open(&home(dir.path(), &genesis("yui-waiters")));
    // Several submitters may wait for one transaction; all count.
    let mut waiting: Vec<_> = (0..WAITERS_MAX)
        .map(|i| (hash(i % 1_000), shared.wait_for(hash(i % 1_000)).unwrap()))
        .collect();
    assert_eq!(shared.waiters_len(), WAITERS_MAX);
    assert!(shared.wait_for(hash(5_000)).is_none(), "one too many");
    assert!(
        shared.wait_for(hash(7)).is_none(),
        "also for a transaction waited on"
    );
    // A submitter that goes (answered, timed out, disconnected) frees its place.
    let (h, rx) = waiting.pop().unwrap();
    drop(rx);
    shared.forget_waiters(&h);
    assert_eq!(shared.waiters_len(), WAITERS_MAX - 1);
    assert!(shared.wait_for(hash(5_000)).is_some());
    assert!(shared.wait_for(hash(5_001)).is_none());
    // A commit answers and removes every waiter of its transaction.
    let answered = lock(&shared.waiters).take(&hash(3)).len();
    assert_eq!(answered, WAITERS_MAX / 1_000 + 1);
    assert_eq!(shared.waiters_len(), WAITERS_MAX - answered);
}

#[test]
fn gossip_admissions_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let shared = open(&home(dir.path(), &genesis("yui-gossip")));
    let held: Vec<_> = (0..GOSSIP_ADMISSIONS_MAX)
        .map(|_| {
            shared
                .gossip_admissions
                .clone()
                .try_acquire_owned()
                .unwrap()
        })
        .collect();
    assert!(
        shared
            .gossip_admissions
            .clone()
            .try_acquire_owned()
            .is_err()
    );
    drop(held);
    assert_eq!(
        shared.gossip_admissions.available_permits(),
        GOSSIP_ADMISSIONS_MAX
    );
}

/// The city's charge of 100 coin to the key of seed 4, with `deposit_ref`.
fn city_charge(shared: &Shared, deposit_ref: &str) -> yui_ledger::Transaction {
    let city = yui_ledger::Keypair::from_seed([3; 32]);
    yui_ledger::Transaction {
        chain_id: shared.genesis.chain_id.clone(),
        signer: city.address(),
        nonce: 0,
        expiry: yui_ledger::Expiry::Height(1_000),
        op: yui_ledger::Operation::Charge {
            to: yui_ledger::Keypair::from_seed([4; 32]).address(),
            asset: "coin".into(),
            amount: 100,
            deposit_ref: deposit_ref.into(),
            campaign: None,
        },
    }
}

/// The block `shared` builds (as the city) around `stx`, from its pool.
fn block_of(shared: &Shared, stx: &yui_ledger::SignedTransaction) -> Block {
    shared
        .mempool()
        .insert(stx.clone(), stx.hash(), 0, 1_700_000_000_500)
        .unwrap();
    let city = yui_ledger::Keypair::from_seed([3; 32]);
    let p = shared
        .build_block(city.address(), 1_700_000_001_000)
        .unwrap();
    assert_eq!(p.block.txs, vec![stx.clone()]);
    p.block
}

/// A block holding a charge whose signature is forged (signed by another
/// key than its signer), built by a proposer that skipped the check.
fn forged_block(shared: &Shared) -> Block {
    let city = yui_ledger::Keypair::from_seed([3; 32]);
    let other = yui_ledger::Keypair::from_seed([4; 32]);
    let tx = city_charge(shared, "forged");
    let mut stx = tx.clone().sign(&city);
    stx.signature = tx.sign(&other).signature;
    assert!(stx.check_stateless(&shared.genesis.chain_id).is_err());
    block_of(shared, &stx)
}

#[test]
fn only_a_voting_node_checks_the_signatures_of_a_block_no_certificate_names() {
    let g = genesis("yui-trust");
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let proposer = open(&home(dirs[0].path(), &g));
    let block = forged_block(&proposer);
    let city = block.header.proposer;
    let now = 1_700_000_002_000;

    let voter = open(&home(dirs[1].path(), &g));
    assert!(voter.votes());
    let refused = voter
        .validate_block(block.clone(), city, now, false, None)
        .err();
    assert!(
        refused.as_ref().is_some_and(|e| e.contains("signature")),
        "{refused:?}"
    );
    // Named by a verified certificate: a quorum checked it already.
    assert!(
        voter
            .validate_block(block.clone(), city, now, true, None)
            .is_ok()
    );

    // An observer (no key) votes on nothing and commits only certified
    // blocks: it executes the proposal without the check (ADR 0007).
    let (cfg, base) = Config::load(&home(dirs[2].path(), &g).join("config.toml")).unwrap();
    let observer = Shared::open(cfg, &base, None).unwrap();
    assert!(!observer.votes());
    let p = observer
        .validate_block(block.clone(), city, now, false, None)
        .unwrap();
    assert_eq!(p.block.hash(), block.hash());
}

/// A block rebuilt from the pool comes with the hashes its transactions
/// were admitted under, and they are not computed again: a wrong list is
/// caught by the header's transaction root, not recomputed away.
#[test]
fn a_block_rebuilt_from_the_pool_is_validated_with_the_hashes_it_was_admitted_under() {
    let g = genesis("yui-known-hashes");
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let proposer = open(&home(dirs[0].path(), &g));
    let city = yui_ledger::Keypair::from_seed([3; 32]);
    let stx = city_charge(&proposer, "known").sign(&city);
    let block = block_of(&proposer, &stx);
    let now = 1_700_000_002_000;
    let voter = open(&home(dirs[1].path(), &g));
    let validate = |known: Option<Vec<Hash>>| {
        voter.validate_block(
            block.clone(),
            city.address(),
            now,
            false,
            known.map(KnownHashes::admitted),
        )
    };
    let p = validate(Some(vec![stx.hash()])).unwrap();
    assert_eq!(p.tx_hashes, vec![stx.hash()]);
    let wrong = validate(Some(vec![[7; 32]])).err();
    assert!(
        wrong
            .as_ref()
            .is_some_and(|e| e.contains("transaction root")),
        "{wrong:?}"
    );
    // A list that cannot be the block's is not used.
    assert!(validate(Some(vec![])).is_ok());
    assert!(validate(None).is_ok());
}
