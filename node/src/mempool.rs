//! The mempool: valid transactions waiting for a block. Bounded in total and
//! per account; each account's transactions leave in nonce order, accounts in
//! order of arrival.

use std::collections::{BTreeMap, HashMap};

use crate::Fast;

use yui_ledger::{Address, Expiry, Hash, SignedTransaction};

/// Why the mempool refused a transaction it would otherwise admit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MempoolError {
    #[error("the mempool is full ({0} transactions); retry shortly")]
    Full(usize),
    #[error("this account already has {0} transactions waiting; wait for some to commit")]
    AccountFull(usize),
    #[error(
        "nonce {got} is beyond the window: the account's next nonce is {next}, at most {window} ahead are held"
    )]
    BeyondWindow { got: u64, next: u64, window: u64 },
    #[error("a transaction with nonce {0} from this account is already waiting")]
    NonceTaken(u64),
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub txs_max: usize,
    pub per_account_txs_max: usize,
    pub nonce_window: u64,
    /// A transaction that cannot be included (a nonce gap before it) is
    /// dropped after waiting this long.
    pub gapped_ttl_ms: u64,
    /// While the oldest ready transaction has waited over half of this, a
    /// growing share of new submissions is refused, every one past the
    /// whole of it ([`Mempool::overdue`]); 0: never.
    pub wait_max_ms: u64,
}

struct Entry {
    tx: SignedTransaction,
    hash: Hash,
    seq: u64,
    inserted_ms: u64,
    /// Since when it could go into a block: at its admission, or later
    /// when the gap of nonces before it closed.
    ready_ms: Option<u64>,
}

/// An account's waiting transactions by nonce.
type Queue = BTreeMap<u64, Box<Entry>>;

pub struct Mempool {
    limits: Limits,
    /// Entries boxed: a few hundred bytes each, they would otherwise be
    /// shifted along a B-tree node each time the oldest leaves.
    by_account: BTreeMap<Address, Queue>,
    by_hash: HashMap<Hash, (Address, u64), Fast>,
    /// Each waiting account's next nonce in the committed state.
    next: HashMap<Address, u64, Fast>,
    seq: u64,
    /// Since when the oldest ready transaction could go into a block: found
    /// again after each commit (and removal), kept as later ones get ready.
    oldest_ready_ms: Option<u64>,
    /// Submissions looked at for shedding (see [`Self::next_draw`]).
    draws: u64,
}

impl MempoolError {
    /// A stable name for metrics, beside the ledger's refusal codes.
    pub fn code(&self) -> &'static str {
        match self {
            MempoolError::Full(_) => "mempool.full",
            MempoolError::AccountFull(_) => "mempool.account_full",
            MempoolError::BeyondWindow { .. } => "mempool.beyond_window",
            MempoolError::NonceTaken(_) => "mempool.nonce_taken",
        }
    }
}

impl Mempool {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            by_account: BTreeMap::new(),
            by_hash: HashMap::default(),
            next: HashMap::default(),
            seq: 0,
            oldest_ready_ms: None,
            draws: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    pub fn contains(&self, h: &Hash) -> bool {
        self.by_hash.contains_key(h)
    }

    pub fn get(&self, h: &Hash) -> Option<&SignedTransaction> {
        let (a, n) = self.by_hash.get(h)?;
        self.by_account.get(a)?.get(n).map(|e| &e.tx)
    }

    /// Admits a transaction already checked against the state; `next_nonce`
    /// is the signer's nonce in the committed state.
    pub fn insert(
        &mut self,
        tx: SignedTransaction,
        hash: Hash,
        next_nonce: u64,
        now_ms: u64,
    ) -> Result<(), MempoolError> {
        let signer = tx.tx.signer;
        let nonce = tx.tx.nonce;
        if nonce >= next_nonce.saturating_add(self.limits.nonce_window) {
            return Err(MempoolError::BeyondWindow {
                got: nonce,
                next: next_nonce,
                window: self.limits.nonce_window,
            });
        }
        if self.by_hash.len() >= self.limits.txs_max {
            return Err(MempoolError::Full(self.limits.txs_max));
        }
        let q = self.by_account.entry(signer).or_default();
        if q.contains_key(&nonce) {
            return Err(MempoolError::NonceTaken(nonce));
        }
        if q.len() >= self.limits.per_account_txs_max {
            return Err(MempoolError::AccountFull(self.limits.per_account_txs_max));
        }
        self.seq += 1;
        q.insert(
            nonce,
            Box::new(Entry {
                tx,
                hash,
                seq: self.seq,
                inserted_ms: now_ms,
                ready_ms: None,
            }),
        );
        self.by_hash.insert(hash, (signer, nonce));
        self.next.insert(signer, next_nonce);
        self.mark_ready(&signer, nonce, now_ms);
        Ok(())
    }

    /// Marks the account's run of consecutive nonces from `from` on as ready
    /// from `now_ms`, where it was not already; `from` must be the account's
    /// next nonce or follow a ready transaction (else nothing is ready).
    fn mark_ready(&mut self, a: &Address, from: u64, now_ms: u64) {
        let Some(q) = self.by_account.get_mut(a) else {
            return;
        };
        let next = self.next.get(a).copied().unwrap_or(0);
        let after_ready = from
            .checked_sub(1)
            .and_then(|p| q.get(&p))
            .is_some_and(|e| e.ready_ms.is_some());
        if from != next && !after_ready {
            return;
        }
        let mut n = from;
        while let Some(e) = q.get_mut(&n) {
            e.ready_ms.get_or_insert(now_ms);
            n += 1;
        }
        // What becomes ready now is never older than what already was.
        if n > from {
            self.oldest_ready_ms.get_or_insert(now_ms);
        }
    }

    /// Looks again for the oldest ready transaction, after removals.
    pub fn refresh_oldest(&mut self) {
        self.oldest_ready_ms = self.ready().1;
    }

    /// Transactions that could go into the next block: per account, the run
    /// of consecutive nonces from its next one.
    pub fn ready_len(&self) -> usize {
        self.ready().0
    }

    /// How many transactions could go into the next block (as
    /// [`Self::ready_len`]), and since when the one waiting longest among
    /// them could go into one (its admission here, or the moment the gap
    /// before it closed).
    pub fn ready(&self) -> (usize, Option<u64>) {
        let mut count = 0;
        let mut oldest: Option<u64> = None;
        for (a, q) in &self.by_account {
            let mut n = self.next.get(a).copied().unwrap_or(0);
            while let Some(e) = q.get(&n) {
                count += 1;
                let since = e.ready_ms.unwrap_or(e.inserted_ms);
                oldest = Some(oldest.map_or(since, |o| o.min(since)));
                n += 1;
            }
        }
        (count, oldest)
    }

    /// Drops transactions stuck behind a nonce gap for longer than the TTL,
    /// so they cannot fill the mempool for ever. Returns how many.
    pub fn evict_gapped(&mut self, now_ms: u64) -> usize {
        let ttl = self.limits.gapped_ttl_ms;
        let mut stale = Vec::new();
        for (a, q) in &self.by_account {
            let next = self.next.get(a).copied().unwrap_or(0);
            let mut n = next;
            while q.contains_key(&n) {
                n += 1;
            }
            stale.extend(
                q.range(n..)
                    .filter(|(_, e)| now_ms.saturating_sub(e.inserted_ms) > ttl)
                    .map(|(_, e)| e.hash),
            );
        }
        for h in &stale {
            self.remove(h);
        }
        stale.len()
    }

    /// Drops transactions no block after `head_height` (made at
    /// `head_time_ms`) may include: their expiry has passed. Returns how many.
    pub fn evict_expired(&mut self, head_height: u64, head_time_ms: u64) -> usize {
        let stale: Vec<Hash> = self
            .by_account
            .values()
            .flat_map(|q| q.values())
            .filter(|e| expired(&e.tx, head_height, head_time_ms))
            .map(|e| e.hash)
            .collect();
        for h in &stale {
            self.remove(h);
        }
        stale.len()
    }

    /// After a block commits, on every node (whether it proposes or not):
    /// forgets the used nonces of the block's signers (`next` gives each
    /// one's new next nonce), then what expired and what waited behind a
    /// gap for too long. Returns how many waiting transactions were evicted.
    pub fn after_commit(
        &mut self,
        signers: &[(Address, u64)],
        head_height: u64,
        head_time_ms: u64,
        now_ms: u64,
    ) -> usize {
        for (a, next) in signers {
            self.prune_account(a, *next);
            // A nonce committed from another node's mempool may close a gap.
            self.mark_ready(a, *next, now_ms);
        }
        let evicted = self.evict_expired(head_height, head_time_ms) + self.evict_gapped(now_ms);
        self.refresh_oldest();
        evicted
    }

    /// Whether to refuse a new submission because the chain is not keeping
    /// up with what this node admits: the oldest ready transaction has
    /// waited over half of the limit. Between half and the whole limit a
    /// growing share is refused, chosen by `draw` (spread evenly over
    /// `u16`: [`Self::next_draw`]), so the load eases off smoothly; beyond
    /// the limit every one. Returns how long it waited.
    pub fn overdue(&self, now_ms: u64, draw: u16) -> Option<u64> {
        let max = self.limits.wait_max_ms;
        let waited = now_ms.saturating_sub(self.oldest_ready_ms?);
        let half = max / 2;
        if max == 0 || waited <= half {
            return None;
        }
        let share = (waited - half).saturating_mul(1 << 16) / (max - half);
        (u64::from(draw) < share).then_some(waited)
    }

    /// The draw for the next submission [`Self::overdue`] judges: spread
    /// evenly over `u16` in order of arrival (the golden-ratio sequence), so
    /// the share refused falls on submissions in turn, never on the same
    /// transaction each time it is sent again.
    pub fn next_draw(&mut self) -> u16 {
        self.draws = self.draws.wrapping_add(1);
        (self.draws.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as u16
    }

    /// Candidates for the next block: per account, consecutive nonces from
    /// `next_nonce(account)`; accounts ordered by their oldest waiting
    /// transaction. At most `max` transactions, with their hashes.
    pub fn candidates(
        &self,
        max: usize,
        next_nonce: impl Fn(&Address) -> u64,
    ) -> Vec<(SignedTransaction, Hash)> {
        let mut accounts: Vec<(u64, &Address, &Queue)> = self
            .by_account
            .iter()
            .filter_map(|(a, q)| q.values().map(|e| e.seq).min().map(|s| (s, a, q)))
            .collect();
        accounts.sort_by_key(|(s, _, _)| *s);
        let mut out = Vec::new();
        for (_, a, q) in accounts {
            let mut n = next_nonce(a);
            while let Some(e) = q.get(&n) {
                if out.len() >= max {
                    return out;
                }
                out.push((e.tx.clone(), e.hash));
                n += 1;
            }
        }
        out
    }

    /// Removes a transaction (committed or found invalid); returns when it
    /// was admitted, if it was here.
    pub fn remove(&mut self, h: &Hash) -> Option<u64> {
        let (a, n) = self.by_hash.remove(h)?;
        let q = self.by_account.get_mut(&a)?;
        let e = q.remove(&n);
        if q.is_empty() {
            self.by_account.remove(&a);
            self.next.remove(&a);
        }
        e.map(|e| e.inserted_ms)
    }

    /// Drops every transaction of `a` with a nonce below `next` (used up).
    pub fn prune_account(&mut self, a: &Address, next: u64) {
        let Some(q) = self.by_account.get_mut(a) else {
            return;
        };
        let stale: Vec<u64> = q.range(..next).map(|(n, _)| *n).collect();
        for n in stale {
            if let Some(e) = q.remove(&n) {
                self.by_hash.remove(&e.hash);
            }
        }
        if q.is_empty() {
            self.by_account.remove(a);
            self.next.remove(a);
        } else {
            self.next.insert(*a, next);
        }
    }
}

/// Whether no block after `head_height`, made at `head_time_ms`, may
/// include `tx`: a block's height is above the head's and its time is at
/// least one millisecond after it.
fn expired(tx: &SignedTransaction, head_height: u64, head_time_ms: u64) -> bool {
    match tx.tx.expiry {
        Expiry::Height(h) => h <= head_height,
        Expiry::Time(t) => t <= head_time_ms,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use yui_ledger::{Expiry, Keypair, Operation, Transaction};

    fn tx(k: &Keypair, nonce: u64) -> SignedTransaction {
        let op = Operation::Burn {
            asset: "coin".into(),
            amount: 1,
        };
        Transaction {
            chain_id: "c".into(),
            signer: k.address(),
            nonce,
            expiry: Expiry::Height(9),
            op,
        }
        .sign(k)
    }

    fn pool() -> Mempool {
        Mempool::new(Limits {
            txs_max: 4,
            per_account_txs_max: 3,
            nonce_window: 5,
            gapped_ttl_ms: 1_000,
            wait_max_ms: 500,
        })
    }

    #[test]
    fn bounded_in_total_per_account_and_by_nonce_window() {
        let (a, b) = (Keypair::from_seed([1; 32]), Keypair::from_seed([2; 32]));
        let mut m = pool();
        for n in 0..3 {
            let t = tx(&a, n);
            m.insert(t.clone(), t.hash(), 0, 0).unwrap();
        }
        let t = tx(&a, 3);
        assert_eq!(
            m.insert(t.clone(), t.hash(), 0, 0),
            Err(MempoolError::AccountFull(3))
        );
        let t = tx(&b, 7);
        assert!(matches!(
            m.insert(t.clone(), t.hash(), 0, 0),
            Err(MempoolError::BeyondWindow { .. })
        ));
        let t = tx(&b, 0);
        m.insert(t.clone(), t.hash(), 0, 0).unwrap();
        let t = tx(&b, 1);
        assert_eq!(
            m.insert(t.clone(), t.hash(), 0, 0),
            Err(MempoolError::Full(4))
        );
        assert_eq!(
            m.insert(tx(&b, 0), tx(&b, 0).hash(), 0, 0),
            Err(MempoolError::Full(4))
        );
    }

    #[test]
    fn gapped_transactions_are_not_ready_and_expire() {
        let a = Keypair::from_seed([1; 32]);
        let mut m = pool();
        for n in [0, 2] {
            let t = tx(&a, n);
            m.insert(t.clone(), t.hash(), 0, 0).unwrap();
        }
        assert_eq!((m.len(), m.ready_len()), (2, 1));
        assert_eq!(m.candidates(10, |_| 0).len(), 1);
        m.prune_account(&a.address(), 1);
        assert_eq!((m.len(), m.ready_len()), (1, 0));
        assert_eq!(m.evict_gapped(500), 0);
        assert_eq!(m.evict_gapped(1_500), 1);
        assert!(m.is_empty());
    }

    /// The proposer's clock for the block interval is the oldest waiting
    /// transaction that could go into the block: one behind a nonce gap
    /// does not count, however long it has waited.
    #[test]
    fn the_oldest_ready_transaction_is_the_one_that_can_go_into_a_block() {
        let (a, b) = (Keypair::from_seed([1; 32]), Keypair::from_seed([2; 32]));
        let mut m = pool();
        m.limits.txs_max = 10;
        assert_eq!(m.ready(), (0, None));
        let gapped = tx(&b, 1);
        m.insert(gapped.clone(), gapped.hash(), 0, 100).unwrap();
        assert_eq!(m.ready(), (0, None));
        for (n, at) in [(0, 300), (1, 200)] {
            let t = tx(&a, n);
            m.insert(t.clone(), t.hash(), 0, at).unwrap();
        }
        assert_eq!(m.ready(), (2, Some(200)));
        let first = tx(&b, 0);
        m.insert(first.clone(), first.hash(), 0, 400).unwrap();
        // b's nonce 1 was admitted at 100 but could go into a block only
        // once the gap before it closed, at 400.
        assert_eq!(m.ready(), (4, Some(200)));
        let c = Keypair::from_seed([3; 32]);
        let gapped = tx(&c, 1);
        m.insert(gapped.clone(), gapped.hash(), 0, 50).unwrap();
        assert_eq!(m.ready(), (4, Some(200)));
        // c's nonce 0 commits from another node's block: its 1 is ready now.
        m.after_commit(&[(c.address(), 1)], 1, 10, 500);
        assert_eq!(m.ready(), (5, Some(200)));
        let (a0, a1) = (tx(&a, 0).hash(), tx(&a, 1).hash());
        m.remove(&a0);
        m.remove(&a1);
        m.after_commit(&[(a.address(), 2)], 2, 20, 600);
        assert_eq!(m.ready(), (3, Some(400)));
        m.remove(&first.hash());
        m.remove(&tx(&b, 1).hash());
        assert_eq!(m.ready(), (1, Some(500)));
    }

    #[test]
    fn a_node_sheds_load_while_its_oldest_ready_transaction_waits_too_long() {
        let (a, b) = (Keypair::from_seed([1; 32]), Keypair::from_seed([2; 32]));
        let mut m = pool(); // wait_max_ms 500: shedding from 250 ms, all from 500
        assert_eq!(m.overdue(10_000, 0), None, "nothing waits");
        for (k, at) in [(&a, 1_000), (&b, 1_200)] {
            let t = tx(k, 0);
            m.insert(t.clone(), t.hash(), 0, at).unwrap();
        }
        // Ready from 1,000 without any commit: a chain that stalls sheds too.
        assert_eq!(m.overdue(1_250, 0), None);
        assert_eq!(m.overdue(1_251, 0), Some(251));
        m.after_commit(&[], 1, 10, 1_100);
        assert_eq!(m.overdue(1_250, 0), None, "up to half the limit none");
        // Between half and the whole limit, a growing share by the draw.
        assert_eq!(m.overdue(1_251, 0), Some(251));
        assert_eq!(m.overdue(1_251, 300), None);
        assert_eq!(m.overdue(1_375, 0x7FFF), Some(375));
        assert_eq!(m.overdue(1_375, 0x8000), None);
        assert_eq!(m.overdue(1_499, u16::MAX), None);
        assert_eq!(m.overdue(1_500, u16::MAX), Some(500), "from the limit all");
        assert_eq!(m.overdue(9_999, u16::MAX), Some(8_999));
        // a's payment commits: b's, admitted at 1,200, is the oldest left.
        m.after_commit(&[(a.address(), 1)], 2, 20, 1_600);
        assert_eq!(m.overdue(1_700, u16::MAX), Some(500));
        assert_eq!(m.overdue(1_699, u16::MAX), None);
        m.after_commit(&[(b.address(), 1)], 3, 30, 1_800);
        assert_eq!(m.overdue(100_000, 0), None, "nothing is left waiting");
        // A transaction behind a nonce gap cannot go into a block: it never
        // makes the node shed (it leaves by its own time to live).
        let gapped = tx(&a, 5);
        m.insert(gapped.clone(), gapped.hash(), 1, 2_000).unwrap();
        m.after_commit(&[], 4, 40, 2_100);
        assert_eq!(m.overdue(2_900, 0), None);
        // A limit of 0 turns the rule off.
        let mut off = Mempool::new(Limits {
            wait_max_ms: 0,
            ..m.limits
        });
        let t = tx(&a, 0);
        off.insert(t.clone(), t.hash(), 0, 0).unwrap();
        off.after_commit(&[], 1, 10, 10);
        assert_eq!(off.overdue(1_000_000, 0), None);
    }

    #[test]
    fn the_draws_spread_evenly_so_a_share_refuses_that_share_of_submissions() {
        let mut m = pool();
        let draws: Vec<u16> = (0..4_096).map(|_| m.next_draw()).collect();
        for share in [1u32 << 14, 1 << 15, 3 << 14] {
            let refused = draws.iter().filter(|d| u32::from(**d) < share).count();
            let expected = 4_096 * share as usize / (1 << 16);
            assert!(
                refused.abs_diff(expected) <= 8,
                "{refused} of 4,096 below {share}, expected about {expected}"
            );
        }
        // Consecutive submissions are not refused in runs.
        let run = draws
            .windows(4)
            .filter(|w| w.iter().all(|d| *d < 1 << 14))
            .count();
        assert_eq!(run, 0, "four in a row below a quarter");
    }

    #[test]
    fn after_commit_evicts_the_expired_and_the_long_gapped_on_every_node() {
        let a = Keypair::from_seed([1; 32]);
        let b = Keypair::from_seed([2; 32]);
        let mut m = pool();
        // a: nonces 0 and 1 commit; 2 is then ready and must stay however
        // long it waits. b: nonce 1 waits behind a gap.
        for n in [0, 1, 2] {
            let t = tx(&a, n);
            m.insert(t.clone(), t.hash(), 0, 0).unwrap();
        }
        let gapped = tx(&b, 1);
        m.insert(gapped.clone(), gapped.hash(), 0, 0).unwrap();
        assert_eq!(m.after_commit(&[(a.address(), 2)], 1, 10, 5_000), 1);
        assert_eq!((m.len(), m.ready_len()), (1, 1));
        assert!(!m.contains(&gapped.hash()));
        // The transactions expire at height 9: after block 9 none may be
        // included, so even a ready one leaves.
        assert_eq!(m.after_commit(&[], 8, 20, 5_000), 0);
        assert_eq!(m.after_commit(&[], 9, 30, 5_000), 1);
        assert!(m.is_empty());
        // Once the expired one has gone, its nonce is free again.
        let mut by_height = tx(&b, 0).tx;
        by_height.expiry = Expiry::Height(100);
        let t = by_height.sign(&b);
        m.insert(t.clone(), t.hash(), 0, 6_000).unwrap();
        let mut by_time = tx(&b, 1).tx;
        by_time.expiry = Expiry::Time(100);
        let by_time = by_time.sign(&b);
        m.insert(by_time.clone(), by_time.hash(), 0, 6_000).unwrap();
        assert_eq!(m.after_commit(&[], 10, 99, 6_000), 0);
        assert_eq!(m.after_commit(&[], 11, 100, 6_000), 1);
        assert_eq!(m.len(), 1);
    }
}
