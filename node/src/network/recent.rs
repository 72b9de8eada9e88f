//! Transactions received by gossip, by hash, for a while: a proposal names
//! its block's transactions by hash, and a node rebuilds the block from its
//! mempool and from these (a transaction may still be in its signature
//! batch, or have been refused here on a state the proposer no longer has).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use yui_ledger::{Hash, SignedTransaction};

use crate::Fast;

/// How many received transactions are kept: several full blocks' worth.
pub const RECENT_MAX: usize = 32_768;

pub struct Recent {
    /// Boxed: the table stays small (tens of bytes a slot), and a
    /// transaction is not moved on insertion or eviction.
    by_hash: HashMap<Hash, Box<SignedTransaction>, Fast>,
    order: VecDeque<Hash>,
    capacity: usize,
}

impl Recent {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        // Room for the most it holds and one more batch: never resized.
        let room = capacity + crate::network::batch::TX_BATCH_MAX;
        Self {
            by_hash: HashMap::with_capacity_and_hasher(room, Fast::default()),
            order: VecDeque::with_capacity(room),
            capacity,
        }
    }

    pub fn get(&self, h: &Hash) -> Option<&SignedTransaction> {
        self.by_hash.get(h).map(|t| &**t)
    }

    /// Keeps copies of `txs` (their owner goes on to check them).
    pub fn insert_all(&mut self, txs: &[(SignedTransaction, Hash)]) {
        for (t, h) in txs {
            self.keep(*h, || t.clone());
        }
        self.bound();
    }

    /// Keeps `txs` themselves, for a node that has nothing else to do with
    /// them (one that does not vote): no copy made.
    pub fn take_all(&mut self, txs: Vec<(SignedTransaction, Hash)>) {
        for (t, h) in txs {
            self.keep(h, || t);
        }
        self.bound();
    }

    /// Keeps the transaction under `h` unless one is kept already (a
    /// repeat, same hash and bytes, changes nothing and is not made).
    fn keep(&mut self, h: Hash, tx: impl FnOnce() -> SignedTransaction) {
        if let Entry::Vacant(e) = self.by_hash.entry(h) {
            e.insert(Box::new(tx()));
            self.order.push_back(h);
        }
    }

    /// The oldest leave until the capacity holds.
    fn bound(&mut self) {
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.by_hash.remove(&old);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use yui_ledger::{Expiry, Keypair, Operation, Transaction};

    #[test]
    fn bounded_and_oldest_leave_first() {
        let k = Keypair::from_seed([4; 32]);
        let txs: Vec<(SignedTransaction, Hash)> = (0..5)
            .map(|n| {
                let t = Transaction {
                    chain_id: "c".into(),
                    signer: k.address(),
                    nonce: n,
                    expiry: Expiry::Height(9),
                    op: Operation::Burn {
                        asset: "coin".into(),
                        amount: 1,
                    },
                }
                .sign(&k);
                let h = t.hash();
                (t, h)
            })
            .collect();
        let mut r = Recent::new(3);
        r.insert_all(&txs);
        assert!(r.get(&txs[0].1).is_none() && r.get(&txs[1].1).is_none());
        assert_eq!(r.get(&txs[4].1), Some(&txs[4].0));
        r.insert_all(&txs[4..]);
        assert!(
            r.get(&txs[2].1).is_some(),
            "a repeat does not push others out"
        );
        // Taken without a copy, the same way.
        let mut owned = Recent::new(3);
        owned.take_all(txs.clone());
        assert!(owned.get(&txs[0].1).is_none() && owned.get(&txs[1].1).is_none());
        assert_eq!(owned.get(&txs[4].1), Some(&txs[4].0));
        owned.take_all(txs[4..].to_vec());
        assert!(owned.get(&txs[2].1).is_some());
    }
}
