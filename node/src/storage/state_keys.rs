//! Which keys the `state` family may hold: a Bloom filter in memory over
//! the tree's hash of every key written there, so a read of a key the
//! family has never held is answered without RocksDB.
//!
//! Every payment carries a new invoice, and every node checks it for
//! "already paid?" before executing it. The state cache cannot answer that
//! (the key was never read before), so each check searched RocksDB's
//! memtables and the filters of the family's files, one after another:
//! once the chain held a few hundred thousand invoices, that search was a
//! larger share of a payment's cost than executing it (docs/bench/journal/5-2026-12-06-day-to-12-07-later.md,
//! "Fewer walks for absent keys").
//!
//! The filter may say "maybe" of a key that is absent (about one in a
//! hundred per layer), and then RocksDB answers as before; it never says
//! "absent" of a key the family holds:
//! - a commit adds each key it writes that is new to the tree
//!   (`TreeChange::existed` names the others, which an earlier commit or
//!   the opening scan added), before its batch is written; genesis and a
//!   snapshot import add every key they write;
//! - a store opens with the filter off ("maybe" for every key) and a
//!   thread scans the family's keys into it. The scan's iterator is taken
//!   before [`StateKeys::open`] returns, so a key the scan does not see
//!   was written after it and added by its commit. The filter answers
//!   once the scan has ended;
//! - a deleted key stays in the filter: "maybe", and RocksDB says absent.
//!
//! The filter grows in layers, each for twice the keys of the one before,
//! so a town's growing state never fills it: a key is absent only if every
//! layer says so. About 1.2 bytes a key at 1 % false positives per layer.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use fastbloom::AtomicBloomFilter;
use jmt::KeyHash;
use rocksdb::{DB, IteratorMode};

use super::{StoreError, cf};

/// The keys the first layer is sized for, at least.
const FIRST_LAYER_KEYS: usize = 1 << 20;

/// Each layer's false positive rate.
const LAYER_FALSE_POSITIVES: f64 = 0.01;

/// Keys the scan adds between looks at whether the store is closing.
const SCAN_STEP: usize = 4096;

struct Layer {
    bloom: AtomicBloomFilter<foldhash::fast::FixedState>,
    /// The keys it was sized for.
    capacity: usize,
    added: AtomicUsize,
}

impl Layer {
    fn new(capacity: usize) -> Self {
        Self {
            // The key hashes are already uniform: their first eight bytes
            // are the filter's hash, and the hasher is never used.
            bloom: AtomicBloomFilter::with_false_pos(LAYER_FALSE_POSITIVES)
                .hasher(foldhash::fast::FixedState::default())
                .expected_items(capacity),
            capacity,
            added: AtomicUsize::new(0),
        }
    }
}

/// The filter's hash of a key hash.
fn source(kh: &KeyHash) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&kh.0[..8]);
    u64::from_le_bytes(b)
}

pub(super) struct StateKeys {
    layers: RwLock<Vec<Layer>>,
    /// The opening scan has added every key the family held.
    complete: AtomicBool,
    /// The store is closing: the scan stops.
    stop: AtomicBool,
    scan: Mutex<Option<JoinHandle<()>>>,
}

impl StateKeys {
    /// A filter that says "maybe" of every key until [`Self::open`]'s scan
    /// ends.
    fn new(capacity: usize) -> Self {
        Self {
            layers: RwLock::new(vec![Layer::new(capacity.max(FIRST_LAYER_KEYS))]),
            complete: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            scan: Mutex::new(None),
        }
    }

    /// The filter of the store `db`: its first layer sized for twice the
    /// keys RocksDB estimates the family holds, filled by a thread of its
    /// own. Returns once that thread's iterator is taken.
    pub(super) fn open(db: &Arc<DB>) -> Result<Arc<Self>, StoreError> {
        let handle = super::cf_in(db, cf::STATE)?;
        let estimate = db
            .property_int_value_cf(handle, "rocksdb.estimate-num-keys")?
            .unwrap_or(0);
        let keys = Arc::new(Self::new(
            usize::try_from(estimate.saturating_mul(2)).unwrap_or(usize::MAX),
        ));
        let (taken, started) = std::sync::mpsc::channel();
        let (filter, db) = (Arc::clone(&keys), Arc::clone(db));
        let thread = std::thread::Builder::new()
            .name("yui-state-keys".into())
            .spawn(move || filter.fill(&db, &taken))
            .map_err(|e| StoreError::Invalid(format!("cannot start the state keys' scan: {e}")))?;
        // The thread says once its iterator is taken (or that it failed).
        let _ = started.recv();
        *keys.scan.lock().unwrap_or_else(|p| p.into_inner()) = Some(thread);
        Ok(keys)
    }

    fn fill(&self, db: &DB, taken: &std::sync::mpsc::Sender<()>) {
        let Some(handle) = db.cf_handle(cf::STATE) else {
            let _ = taken.send(());
            return;
        };
        let iter = db.iterator_cf(handle, IteratorMode::Start);
        let _ = taken.send(());
        let (mut n, began) = (0usize, std::time::Instant::now());
        for item in iter {
            match item {
                Ok((k, _)) => self.add(&yui_ledger::commitment::key_hash(&k)),
                Err(e) => {
                    tracing::error!(error = %e, "the state keys' scan failed; every state read goes to RocksDB");
                    return;
                }
            }
            n += 1;
            if n.is_multiple_of(SCAN_STEP) && self.stop.load(Ordering::Relaxed) {
                return;
            }
        }
        self.complete.store(true, Ordering::Release);
        // A new store (before its genesis) has nothing to scan: not news.
        if n > 0 {
            tracing::info!(
                keys = n,
                ms = began.elapsed().as_millis() as u64,
                "state keys scanned: reads of keys never written skip RocksDB"
            );
        }
    }

    /// Whether the family may hold the key whose tree hash is `kh`: false
    /// only if it never held it.
    pub(super) fn may_hold(&self, kh: &KeyHash) -> bool {
        if !self.complete.load(Ordering::Acquire) {
            return true;
        }
        let h = source(kh);
        let layers = self.layers.read().unwrap_or_else(|p| p.into_inner());
        layers.iter().any(|l| l.bloom.contains_hash(h))
    }

    /// Adds the key whose tree hash is `kh`.
    pub(super) fn add(&self, kh: &KeyHash) {
        let h = source(kh);
        {
            let layers = self.layers.read().unwrap_or_else(|p| p.into_inner());
            let Some(last) = layers.last() else {
                return;
            };
            last.bloom.insert_hash(h);
            if last.added.fetch_add(1, Ordering::Relaxed) + 1 < last.capacity {
                return;
            }
        }
        let mut layers = self.layers.write().unwrap_or_else(|p| p.into_inner());
        // Another add may have grown it meanwhile.
        if let Some(last) = layers.last()
            && last.added.load(Ordering::Relaxed) >= last.capacity
        {
            let next = last.capacity.saturating_mul(2);
            layers.push(Layer::new(next));
        }
    }

    /// Stops the scan, if it still runs, and waits for it.
    pub(super) fn close(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wait_scanned();
    }

    /// Waits for the opening scan, if it still runs.
    pub(super) fn wait_scanned(&self) {
        let thread = self.scan.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    /// The layers and the keys they were sized for.
    #[cfg(test)]
    pub(super) fn capacities(&self) -> Vec<usize> {
        let layers = self.layers.read().unwrap_or_else(|p| p.into_inner());
        layers.iter().map(|l| l.capacity).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kh(i: u32) -> KeyHash {
        yui_ledger::commitment::key_hash(&i.to_be_bytes())
    }

    #[test]
    fn no_added_key_is_ever_called_absent_and_the_layers_grow() {
        let keys = StateKeys::new(1000);
        keys.complete.store(true, Ordering::Release);
        assert_eq!(keys.capacities(), vec![FIRST_LAYER_KEYS]);
        let n = 3 * FIRST_LAYER_KEYS as u32;
        for i in 0..n {
            keys.add(&kh(i));
        }
        let caps = keys.capacities();
        assert_eq!(
            caps,
            vec![FIRST_LAYER_KEYS, 2 * FIRST_LAYER_KEYS, 4 * FIRST_LAYER_KEYS],
            "a full layer is followed by one twice its size"
        );
        assert!((0..n).all(|i| keys.may_hold(&kh(i))));
        // Keys never added: most are called absent, at about the layers'
        // summed rate.
        let maybe = (n..n + 100_000).filter(|i| keys.may_hold(&kh(*i))).count();
        assert!(maybe < 4_000, "{maybe} of 100,000 absent keys said maybe");
    }

    #[test]
    fn until_the_scan_ends_every_key_may_be_held() {
        let keys = StateKeys::new(10);
        assert!(keys.may_hold(&kh(1)));
        keys.add(&kh(2));
        keys.complete.store(true, Ordering::Release);
        assert!(keys.may_hold(&kh(2)));
        assert!(!(100..200).all(|i| keys.may_hold(&kh(i))));
    }
}
