//! A block's receipts: one record per block, `height BE` → its receipts
//! in order, each in its own borsh bytes (the record is borsh's
//! `Vec<Vec<u8>>`: a count, then each receipt's length and bytes), so one
//! receipt is read by skipping the lengths before it, without decoding
//! the others.
//!
//! Kept as a key per transaction, the receipts were an insert per payment
//! into a memtable of their own (docs/bench/journal/4-2026-12-06.md, "One history record and one
//! receipts record per block, the tree's values every few heights").
//! Stores written before keep their `(height BE, index BE)` keys,
//! which a read falls back to. A block's start events stay under `(height
//! BE, u32::MAX)`.

use yui_ledger::Receipt;

use super::{Store, StoreError, cf, decode, hkey, rkey};

/// The record of `receipts` (borsh `Vec<Vec<u8>>`, each inner one a
/// receipt's borsh bytes).
pub(super) fn record(receipts: &[Receipt]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + receipts.len() * 160);
    out.extend_from_slice(&(receipts.len() as u32).to_le_bytes());
    for r in receipts {
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        // Writing into a Vec cannot fail.
        let _ = borsh::to_writer(&mut out, r);
        let len = (out.len() - at - 4) as u32;
        out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
    out
}

/// The bytes of entry `i` of a record (`Some(None)` past its last);
/// `None` if the record is cut short.
fn entry(record: &[u8], i: u32) -> Option<Option<&[u8]>> {
    let count = u32::from_le_bytes(record.get(..4)?.try_into().ok()?);
    if i >= count {
        return Some(None);
    }
    let mut at = 4usize;
    let len_at = |at: usize| -> Option<usize> {
        let bytes = record.get(at..at.checked_add(4)?)?;
        usize::try_from(u32::from_le_bytes(bytes.try_into().ok()?)).ok()
    };
    for _ in 0..i {
        at = at.checked_add(4)?.checked_add(len_at(at)?)?;
    }
    let start = at.checked_add(4)?;
    Some(Some(record.get(start..start.checked_add(len_at(at)?)?)?))
}

impl Store {
    /// The receipt of transaction `index` of block `height`.
    pub fn receipt(&self, height: u64, index: u32) -> Result<Option<Receipt>, StoreError> {
        if let Some(rec) = self.get(cf::RECEIPTS, &hkey(height))? {
            return match entry(&rec, index) {
                Some(Some(bytes)) => decode(cf::RECEIPTS, bytes).map(Some),
                Some(None) => Ok(None),
                None => Err(StoreError::Corrupt {
                    cf: cf::RECEIPTS,
                    what: format!("the receipts of height {height} are cut short"),
                }),
            };
        }
        self.receipt_kept_apart(height, index)
    }

    /// A receipt as stores written before kept it, under its own key.
    fn receipt_kept_apart(&self, height: u64, index: u32) -> Result<Option<Receipt>, StoreError> {
        self.get(cf::RECEIPTS, &rkey(height, index))?
            .map(|b| decode(cf::RECEIPTS, &b))
            .transpose()
    }

    /// The receipts of block `height`'s `count` transactions, in order.
    pub fn receipts(&self, height: u64, count: usize) -> Result<Vec<Receipt>, StoreError> {
        let Some(rec) = self.get(cf::RECEIPTS, &hkey(height))? else {
            return (0..count)
                .map(|i| {
                    let i = u32::try_from(i).unwrap_or(u32::MAX);
                    self.receipt_kept_apart(height, i)?
                        .ok_or_else(|| missing(height, i))
                })
                .collect();
        };
        let all: Vec<Vec<u8>> = decode(cf::RECEIPTS, &rec)?;
        if all.len() != count {
            return Err(missing(height, all.len() as u32));
        }
        all.iter().map(|b| decode(cf::RECEIPTS, b)).collect()
    }
}

fn missing(height: u64, i: u32) -> StoreError {
    StoreError::Corrupt {
        cf: cf::RECEIPTS,
        what: format!("receipt {i} of height {height} is not stored"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yui_ledger::{Address, Event};

    fn receipt(i: u32) -> Receipt {
        Receipt {
            tx_hash: [i as u8; 32],
            signer: Address([9; 32]),
            height: 7,
            index: i,
            error: None,
            events: (0..i)
                .map(|n| Event::Burned {
                    asset: "coin".into(),
                    from: Address([n as u8; 32]),
                    amount: u64::from(n),
                })
                .collect(),
        }
    }

    #[test]
    fn a_blocks_receipts_are_one_record_read_one_at_a_time_or_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let rc = store.cf(cf::RECEIPTS).expect("cf");
        let block: Vec<Receipt> = (0..5).map(receipt).collect();
        let rec = record(&block);
        assert_eq!(
            borsh::from_slice::<Vec<Vec<u8>>>(&rec).expect("borsh"),
            block
                .iter()
                .map(|r| borsh::to_vec(r).expect("encode"))
                .collect::<Vec<_>>(),
            "the record is borsh's Vec<Vec<u8>>"
        );
        store.db.put_cf(rc, hkey(7), &rec).expect("put");
        // Height 6 as a store from before wrote it: a key per receipt.
        for r in &block[..2] {
            let bytes = borsh::to_vec(r).expect("encode");
            store.db.put_cf(rc, rkey(6, r.index), bytes).expect("put");
        }
        for h in [6, 7] {
            let n = if h == 6 { 2 } else { 5 };
            for i in 0..n {
                assert_eq!(
                    store.receipt(h, i).expect("read"),
                    Some(receipt(i)),
                    "{h}/{i}"
                );
            }
            assert_eq!(store.receipt(h, n).expect("read"), None, "past the end");
            assert_eq!(
                store.receipts(h, n as usize).expect("read"),
                block[..n as usize]
            );
            assert!(store.receipts(h, n as usize + 1).is_err(), "one too many");
        }
        assert_eq!(store.receipt(8, 0).expect("read"), None);
        store
            .db
            .put_cf(rc, hkey(9), &rec[..rec.len() - 3])
            .expect("put");
        assert!(store.receipt(9, 4).is_err(), "a record cut short");
    }
}
