//! The newest committed value of the state keys read or written lately,
//! in memory in front of the `state` family.
//!
//! A payment reads the same few records several times on each node: its
//! admission's dry run, the proposer's execution, each validator's, each
//! reading the payer's and payee's holdings, accounts and nonces. From
//! RocksDB each read searches the family's memtables (skip lists of
//! hundreds of thousands of entries) and then its files; at 5,000
//! payments/s that was 7 % of every node's CPU (docs/bench/journal/3-2026-12-05-afternoon-to-late.md, "A state
//! cache and writes in key order").
//!
//! The cache holds what RocksDB holds, never anything else:
//! - a commit puts every key it wrote, with its new value or its absence,
//!   after the batch is on disk ([`StateCache::committed`]);
//! - a read that misses leaves a placeholder for its key, reads RocksDB
//!   and fills the placeholder in. A commit's put replaces a placeholder,
//!   and quick_cache then refuses the read's fill: a value read before the
//!   commit never lands after it. Other reads of that key wait for the
//!   first, so one miss reads RocksDB once;
//! - anything else that rewrites the family (a snapshot imported, the
//!   genesis written) empties the cache, placeholders included.
//!
//! A read that hits between a commit's write and its put sees the value
//! before that commit, as it would have a moment earlier: a commit is
//! visible to everyone once `commit_block` returns.
//!
//! Bounded in bytes ([`STATE_CACHE_BYTES`]); quick_cache evicts by its
//! S3-FIFO policy, which keeps what is read again over what is read once.

use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Bytes the cache holds at most: keys, values and [`ENTRY_BYTES`] each.
pub const STATE_CACHE_BYTES: u64 = 64 << 20;

/// What an entry costs beside its key and value (the map's slot, the two
/// vectors' headers, the policy's bookkeeping), as counted against the
/// bound.
const ENTRY_BYTES: u64 = 80;

/// A state record's value, or its absence (a read of an unknown account
/// is as common as a known one's, for a new payee).
type Value = Option<Vec<u8>>;

#[derive(Clone)]
struct Bytes;

impl Weighter<Vec<u8>, Value> for Bytes {
    fn weight(&self, k: &Vec<u8>, v: &Value) -> u64 {
        ENTRY_BYTES + k.len() as u64 + v.as_ref().map_or(0, |v| v.len() as u64)
    }
}

pub struct StateCache {
    cache: Cache<Vec<u8>, Value, Bytes>,
}

impl Default for StateCache {
    fn default() -> Self {
        Self::new(STATE_CACHE_BYTES)
    }
}

impl StateCache {
    /// A cache of at most `bytes`.
    pub fn new(bytes: u64) -> Self {
        // quick_cache sizes its tables from the expected count; a typical
        // record (a holding under its key) weighs about 160 bytes.
        let items = usize::try_from(bytes / 160).unwrap_or(usize::MAX).max(1);
        Self {
            cache: Cache::with_weighter(items, bytes, Bytes),
        }
    }

    /// The value under `key`: from the cache, or else from `read` (RocksDB),
    /// which then fills it in.
    pub fn get_or_read<E>(
        &self,
        key: &[u8],
        read: impl FnOnce() -> Result<Value, E>,
    ) -> Result<Value, E> {
        self.cache.get_or_insert_with(key, read)
    }

    /// Takes in a commit's writes, once they are on disk.
    pub fn committed(&self, writes: &yui_ledger::WriteSet) {
        for (k, v) in writes {
            self.cache.insert(k.clone(), v.clone());
        }
    }

    /// Forgets everything (the family was rewritten otherwise than by a
    /// commit).
    pub fn clear(&self) {
        self.cache.clear();
    }

    /// Bytes held, as weighed against the bound.
    pub fn weight(&self) -> u64 {
        self.cache.weight()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn read(v: Option<&[u8]>, reads: &Cell<u32>) -> Result<Value, ()> {
        reads.set(reads.get() + 1);
        Ok(v.map(<[u8]>::to_vec))
    }

    #[test]
    fn a_read_fills_the_cache_and_a_commit_replaces_what_it_holds() {
        let cache = StateCache::new(1 << 20);
        let reads = Cell::new(0);
        assert_eq!(
            cache.get_or_read(b"k", || read(Some(b"1"), &reads)),
            Ok(Some(b"1".to_vec()))
        );
        assert_eq!(
            cache.get_or_read(b"k", || read(Some(b"stale"), &reads)),
            Ok(Some(b"1".to_vec()))
        );
        assert_eq!(reads.get(), 1, "the second read is the cache's");
        // An absence is held too.
        assert_eq!(cache.get_or_read(b"new", || read(None, &reads)), Ok(None));
        assert_eq!(
            cache.get_or_read(b"new", || read(Some(b"x"), &reads)),
            Ok(None)
        );
        assert_eq!(reads.get(), 2);
        let writes = [
            (b"k".to_vec(), None),
            (b"new".to_vec(), Some(b"2".to_vec())),
        ]
        .into();
        cache.committed(&writes);
        assert_eq!(
            cache.get_or_read(b"k", || read(Some(b"1"), &reads)),
            Ok(None)
        );
        assert_eq!(
            cache.get_or_read(b"new", || read(None, &reads)),
            Ok(Some(b"2".to_vec()))
        );
        assert_eq!(reads.get(), 2, "a commit's writes are held without a read");
        cache.clear();
        assert_eq!(
            cache.get_or_read(b"k", || read(Some(b"3"), &reads)),
            Ok(Some(b"3".to_vec()))
        );
        assert_eq!(reads.get(), 3);
    }

    #[test]
    fn a_value_read_before_a_commit_never_lands_after_it() {
        let cache = StateCache::new(1 << 20);
        let new = [(b"k".to_vec(), Some(b"new".to_vec()))].into();
        // The read sees RocksDB before the commit; the commit's write and
        // put happen while it is under way.
        let got = cache.get_or_read(b"k", || {
            cache.committed(&new);
            Ok::<_, ()>(Some(b"old".to_vec()))
        });
        assert_eq!(got, Ok(Some(b"old".to_vec())), "the reader is answered");
        let reads = Cell::new(0);
        assert_eq!(
            cache.get_or_read(b"k", || read(None, &reads)),
            Ok(Some(b"new".to_vec()))
        );
        assert_eq!(reads.get(), 0);
    }

    #[test]
    fn a_failed_read_is_not_held_and_the_bound_holds() {
        let cache = StateCache::new(64 * 1024);
        assert_eq!(cache.get_or_read(b"k", || Err::<Value, _>("io")), Err("io"));
        let reads = Cell::new(0);
        assert_eq!(
            cache.get_or_read(b"k", || read(Some(b"v"), &reads)),
            Ok(Some(b"v".to_vec()))
        );
        assert_eq!(reads.get(), 1);
        for i in 0..10_000u32 {
            let k = i.to_be_bytes();
            cache
                .get_or_read(&k, || read(Some(&[7u8; 100]), &reads))
                .expect("read");
        }
        assert!(cache.weight() <= 64 * 1024, "{} bytes held", cache.weight());
    }
}
