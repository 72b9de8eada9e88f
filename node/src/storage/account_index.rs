//! Each account's history: which (height, index) entries concern it (a
//! transaction it signed or took part in, or a block's start events).
//!
//! One record per account and height, `(address, height BE)` → the
//! indexes at that height (borsh `Vec<u32>`, ascending; the
//! block-start events' index, `u32::MAX`, last). Kept as a key per entry,
//! a payment cost two memtable inserts here, and a shop paid hundreds of
//! times in a block wrote hundreds of keys where one record now holds them
//! (docs/bench/journal/4-2026-12-06.md, "One history record and one receipts record per block,
//! the tree's values every few heights").
//!
//! Stores written before keep their older keys, one per entry, `(address,
//! height BE, index BE)` → (): both forms sort by address then height, and
//! the reader takes each by its length.
//!
//! The latest heights' records wait in memory until a checkpoint of the
//! tree writes them (`index_window.rs`): a read takes those first.

use rocksdb::{Direction, IteratorMode};
use yui_ledger::Address;

use super::{Store, StoreError, cf, decode};

/// An entry's key in the older form (one key per entry).
fn entry_key(a: &Address, height: u64, index: u32) -> [u8; 44] {
    let mut k = [0u8; 44];
    k[..32].copy_from_slice(&a.0);
    k[32..40].copy_from_slice(&height.to_be_bytes());
    k[40..].copy_from_slice(&index.to_be_bytes());
    k
}

/// A height's record key for one account.
pub(super) fn record_key(a: &Address, height: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&a.0);
    k[32..].copy_from_slice(&height.to_be_bytes());
    k
}

impl Store {
    /// One account's history entries (height, index), newest first, strictly
    /// before `before` (exclusive), at most `limit`.
    pub fn history(
        &self,
        a: &Address,
        before: Option<(u64, u32)>,
        limit: usize,
    ) -> Result<Vec<(u64, u32)>, StoreError> {
        let before = before.unwrap_or((u64::MAX, u32::MAX));
        // The heights in memory are the newest; a height whose checkpoint
        // lands meanwhile is read twice, and once kept.
        let mut out = self.index.history(a, before);
        out.truncate(limit);
        // Every key at or below the older form's key of `before`: its own
        // height's record sorts before it (a prefix of it), later heights
        // after.
        let start = entry_key(a, before.0, before.1);
        let iter = self.db.iterator_cf(
            self.cf(cf::ACCOUNT_INDEX)?,
            IteratorMode::From(&start, Direction::Reverse),
        );
        let corrupt = |what: &str| StoreError::Corrupt {
            cf: cf::ACCOUNT_INDEX,
            what: what.into(),
        };
        for item in iter {
            let (k, v) = item?;
            if !k.starts_with(&a.0) || out.len() >= limit {
                break;
            }
            let h = k
                .get(32..40)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| corrupt("short key"))?;
            let indexes: Vec<u32> = match k.len() {
                40 => decode(cf::ACCOUNT_INDEX, &v)?,
                44 => vec![u32::from_be_bytes(
                    k[40..44].try_into().map_err(|_| corrupt("short key"))?,
                )],
                _ => return Err(corrupt("a key of neither form")),
            };
            for i in indexes.into_iter().rev() {
                if (h, i) >= before {
                    continue;
                }
                if out.len() >= limit {
                    break;
                }
                if out.last().is_some_and(|last| *last <= (h, i)) {
                    continue;
                }
                out.push((h, i));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::index_window::HeightIndex;
    use super::*;

    #[test]
    fn history_reads_both_forms_newest_first_and_pages_within_a_height() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let (shop, payer, other) = (Address([7; 32]), Address([3; 32]), Address([9; 32]));
        let ai = store.cf(cf::ACCOUNT_INDEX).expect("cf");
        // Heights 1 and 2 as a store from before wrote them.
        for (h, i) in [(1, 0), (1, 4), (2, 1)] {
            store
                .db
                .put_cf(ai, entry_key(&shop, h, i), [])
                .expect("put");
        }
        // Heights 3 and 4 as a commit leaves them now: in memory, until a
        // checkpoint writes them.
        for (h, entries) in [
            (
                3,
                vec![(shop, 5), (payer, 5), (shop, 0), (other, 2), (shop, 2)],
            ),
            (4, vec![(shop, u32::MAX), (shop, 1), (shop, 1), (payer, 1)]),
        ] {
            store
                .index
                .add(HeightIndex::with_entries(h, vec![], entries));
        }
        let in_memory = store.history(&shop, None, 100).expect("read");
        let mut b = rocksdb::WriteBatch::default();
        let frozen = store.index.freeze(4);
        frozen.put(&store.db, &mut b).expect("put");
        // Being written: read from memory, and once on disk from both.
        assert_eq!(store.history(&shop, None, 100).expect("read"), in_memory);
        store.db.write(b).expect("write");
        assert_eq!(store.history(&shop, None, 100).expect("read"), in_memory);
        store.index.written(4);
        assert_eq!(store.index.heights(), 0);
        let all = store.history(&shop, None, 100).expect("read");
        assert_eq!(all, in_memory, "read from disk as from memory");
        assert_eq!(
            all,
            vec![
                (4, u32::MAX),
                (4, 1),
                (3, 5),
                (3, 2),
                (3, 0),
                (2, 1),
                (1, 4),
                (1, 0)
            ]
        );
        // Pages of three, each from the last one's end, in both forms.
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let page = store.history(&shop, before, 3).expect("read");
            if page.is_empty() {
                break;
            }
            before = page.last().copied();
            pages.extend(page);
        }
        assert_eq!(pages, all);
        assert_eq!(
            store.history(&shop, Some((3, 2)), 2).expect("read"),
            vec![(3, 0), (2, 1)]
        );
        assert_eq!(
            store.history(&payer, None, 10).expect("read"),
            vec![(4, 1), (3, 5)]
        );
        assert_eq!(
            store.history(&other, Some((3, 2)), 10).expect("read"),
            vec![]
        );
        assert_eq!(
            store.history(&Address([8; 32]), None, 10).expect("read"),
            vec![]
        );
    }
}
