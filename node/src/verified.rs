//! Each signature verified once per node.
//!
//! A transaction's signature is checked when it first reaches the node (a
//! wallet's submission, a gossip batch, a proposed block), in batches on
//! both cores; its hash then enters [`Verified`], a bounded set that block
//! building and block validation consult instead of verifying again. The
//! set does not depend on the mempool still holding the transaction: a
//! transaction evicted, or committed by a block this node validated for
//! another round, stays known until newer ones push it out.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use yui_ledger::crypto::SignatureError;
use yui_ledger::{Address, Hash, SignedTransaction};

/// How many verified transaction hashes a node remembers: at 10,000 tx/s,
/// about 13 s of traffic, far longer than a transaction waits for a block
/// (about 8 MiB).
pub const VERIFIED_MAX: usize = 131_072;

/// A bounded set of transaction hashes whose signatures verified here;
/// the oldest leave first.
pub struct Verified {
    inner: Mutex<Inner>,
    capacity: usize,
}

struct Inner {
    set: HashSet<Hash, crate::Fast>,
    order: VecDeque<Hash>,
}

impl Verified {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                set: HashSet::default(),
                order: VecDeque::new(),
            }),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn contains(&self, h: &Hash) -> bool {
        self.lock().set.contains(h)
    }

    pub fn len(&self) -> usize {
        self.lock().set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remembers hashes whose signatures verified.
    pub fn insert_all<'a>(&self, hashes: impl IntoIterator<Item = &'a Hash>) {
        let mut g = self.lock();
        for h in hashes {
            if g.set.insert(*h) {
                g.order.push_back(*h);
            }
        }
        while g.order.len() > self.capacity {
            if let Some(old) = g.order.pop_front() {
                g.set.remove(&old);
            }
        }
    }

    /// Verifies the signatures of `txs` (with their hashes) that this node
    /// has not verified before, as batches on `threads` threads, remembers
    /// those that pass, and returns a verdict per transaction in order.
    pub fn verify(
        &self,
        txs: &[(&SignedTransaction, Hash)],
        threads: usize,
    ) -> Vec<Result<(), SignatureError>> {
        let todo: Vec<usize> = {
            let g = self.lock();
            (0..txs.len())
                .filter(|i| !g.set.contains(&txs[*i].1))
                .collect()
        };
        let mut out: Vec<Result<(), SignatureError>> = vec![Ok(()); txs.len()];
        if todo.is_empty() {
            return out;
        }
        let msgs: Vec<Vec<u8>> = todo.iter().map(|i| txs[*i].0.tx.sign_bytes()).collect();
        let items: Vec<(Address, &[u8], &[u8; 64])> = todo
            .iter()
            .zip(&msgs)
            .map(|(i, m)| {
                let stx = txs[*i].0;
                (stx.tx.signer, m.as_slice(), &stx.signature)
            })
            .collect();
        let verdicts = yui_ledger::crypto::verify_batch_parallel(&items, threads);
        let mut good = Vec::with_capacity(todo.len());
        for (i, v) in todo.iter().zip(verdicts) {
            if v.is_ok() {
                good.push(txs[*i].1);
            }
            out[*i] = v;
        }
        self.insert_all(&good);
        out
    }
}

static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// The threads a node verifies batches on: its runtime's
/// (`node.runtime_threads`, set at start-up with [`set_threads`]), else
/// every core this machine offers, asked once. Each asking reads the
/// cgroup's CPU quota from its files, which at every gossip batch and
/// block was 0.9 % of the devnet's CPU.
pub fn threads() -> usize {
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Verifies batches on `n` threads (at least one) from now on, if no batch
/// was verified yet. Nodes that share a machine's cores verify on their
/// share of them: six devnet nodes on two cores, each splitting its
/// batches over two threads, made smaller batches (less work saved per
/// signature) and a thread start per batch, for no more cores
/// (docs/bench/journal/4-2026-12-06.md, "One history record and one receipts record per block,
/// the tree's values every few heights").
pub fn set_threads(n: usize) {
    let _ = THREADS.set(n.max(1));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use yui_ledger::{Expiry, Keypair, Operation, Transaction};

    fn tx(k: &Keypair, nonce: u64) -> SignedTransaction {
        Transaction {
            chain_id: "c".into(),
            signer: k.address(),
            nonce,
            expiry: Expiry::Height(9),
            op: Operation::Burn {
                asset: "coin".into(),
                amount: 1,
            },
        }
        .sign(k)
    }

    #[test]
    fn verdicts_per_transaction_and_only_good_ones_remembered() {
        let k = Keypair::from_seed([3; 32]);
        let good: Vec<SignedTransaction> = (0..70).map(|n| tx(&k, n)).collect();
        let mut bad = tx(&k, 99);
        bad.signature[5] ^= 1;
        let mut all: Vec<(&SignedTransaction, Hash)> = good.iter().map(|t| (t, t.hash())).collect();
        all.insert(33, (&bad, bad.hash()));
        let v = Verified::new(1_000);
        let verdicts = v.verify(&all, 2);
        assert_eq!(verdicts.iter().filter(|r| r.is_err()).count(), 1);
        assert!(verdicts[33].is_err());
        assert_eq!(v.len(), 70);
        assert!(!v.contains(&bad.hash()));
        // A second pass verifies nothing again and gives the same verdicts
        // for the remembered ones; the bad one is still refused.
        assert_eq!(v.verify(&all, 1), verdicts);
    }

    #[test]
    fn bounded_oldest_leave_first() {
        let v = Verified::new(3);
        let hs: Vec<Hash> = (0u8..5).map(|i| [i; 32]).collect();
        v.insert_all(&hs);
        assert_eq!(v.len(), 3);
        assert!(!v.contains(&hs[0]) && !v.contains(&hs[1]));
        assert!(v.contains(&hs[4]));
    }
}
