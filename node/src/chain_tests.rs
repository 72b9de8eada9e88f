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
