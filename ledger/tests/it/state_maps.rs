//! The in-memory state and the overlay against a plain ordered map: the
//! same records, reads and scans after any sequence of writes.

use std::collections::BTreeMap;

use proptest::prelude::*;
use yui_ledger::state::{MemState, Overlay, StateRead, WriteSet};

/// Keys from a small alphabet under three tags, so that writes hit the same
/// keys again, keys share prefixes, and scans meet their neighbours.
fn key() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![b'a', b'b', b'c']),
        proptest::collection::vec(0u8..3, 0..4),
    )
        .prop_map(|(t, rest)| {
            let mut k = vec![t];
            k.extend(rest);
            k
        })
}

fn value() -> impl Strategy<Value = Option<Vec<u8>>> {
    proptest::option::weighted(0.7, proptest::collection::vec(any::<u8>(), 0..40))
}

fn model_scan(
    m: &BTreeMap<Vec<u8>, Vec<u8>>,
    prefix: &[u8],
    from: &[u8],
    limit: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    m.iter()
        .filter(|(k, _)| k.starts_with(prefix) && k.as_slice() >= from)
        .take(limit)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Makes one write in an overlay.
fn put<S: StateRead + ?Sized>(ov: &mut Overlay<'_, S>, (k, v): &(Vec<u8>, Option<Vec<u8>>)) {
    match v {
        Some(v) => ov.put(k.clone(), v.clone()),
        None => ov.delete(k.clone()),
    }
}

fn write(m: &mut BTreeMap<Vec<u8>, Vec<u8>>, k: &[u8], v: &Option<Vec<u8>>) {
    match v {
        Some(v) => m.insert(k.to_vec(), v.clone()),
        None => m.remove(k),
    };
}

proptest! {
    /// Blocks of writes applied one after another (records replaced,
    /// removed, added again into freed slots), then every read and scan.
    #[test]
    fn mem_state_is_an_ordered_map(
        blocks in proptest::collection::vec(
            proptest::collection::vec((key(), value()), 0..30), 1..8),
        inserts in proptest::collection::vec((key(), proptest::collection::vec(any::<u8>(), 0..8)), 0..10),
        probes in proptest::collection::vec((key(), key(), 0usize..20), 1..10),
    ) {
        let mut state = MemState::default();
        let mut model = BTreeMap::new();
        for block in &blocks {
            let writes: WriteSet = block.iter().cloned().collect();
            state.apply(&writes);
            for (k, v) in &writes {
                write(&mut model, k, v);
            }
        }
        for (k, v) in &inserts {
            state.insert(k.clone(), v.clone());
            model.insert(k.clone(), v.clone());
        }
        let all: Vec<_> = state.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let expected: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        prop_assert_eq!(all, expected);
        prop_assert_eq!(state.len(), model.len());
        let mut copy = MemState::default();
        for (k, v) in &model {
            copy.insert(k.clone(), v.clone());
        }
        prop_assert!(state == copy);
        for (k, from, limit) in &probes {
            prop_assert_eq!(state.get(k).unwrap(), model.get(k).cloned());
            prop_assert_eq!(state.record(k), model.get(k));
            let prefix = &k[..1];
            prop_assert_eq!(
                state.scan(prefix, from, *limit).unwrap(),
                model_scan(&model, prefix, from, *limit)
            );
        }
    }

    /// An overlay of puts and deletes (of keys present or not) reads and
    /// scans as the merged map would, whatever the prefix, start and limit.
    #[test]
    fn overlay_reads_as_the_merged_map(
        base in proptest::collection::vec((key(), proptest::collection::vec(any::<u8>(), 0..8)), 0..40),
        writes in proptest::collection::vec((key(), value()), 0..40),
        probes in proptest::collection::vec((key(), key(), 0usize..20), 1..10),
    ) {
        let mut state = MemState::default();
        let mut model = BTreeMap::new();
        for (k, v) in &base {
            state.insert(k.clone(), v.clone());
            model.insert(k.clone(), v.clone());
        }
        let mut ov = Overlay::new(&state);
        for (k, v) in &writes {
            match v {
                Some(v) => ov.put(k.clone(), v.clone()),
                None => ov.delete(k.clone()),
            }
            write(&mut model, k, v);
        }
        for (k, from, limit) in &probes {
            prop_assert_eq!(ov.get(k).unwrap(), model.get(k).cloned());
            for prefix in [&k[..1], k.as_slice()] {
                prop_assert_eq!(
                    ov.scan(prefix, from, *limit).unwrap(),
                    model_scan(&model, prefix, from, *limit)
                );
            }
        }
        // The writes leave in key order, the last write of each key.
        let expected: WriteSet = writes.iter().cloned().collect();
        prop_assert_eq!(ov.into_writes(), expected);
    }

    /// Writes made in an overlay layered over another, then taken into it,
    /// read and leave as if made in the lower one.
    #[test]
    fn an_absorbed_overlay_reads_as_writes_made_below(
        lower in proptest::collection::vec((key(), value()), 0..30),
        upper in proptest::collection::vec((key(), value()), 0..30),
        probes in proptest::collection::vec(key(), 1..10),
    ) {
        let state = MemState::default();
        let mut ov = Overlay::new(&state);
        let mut model = BTreeMap::new();
        for (k, v) in lower.iter().chain(&upper) {
            write(&mut model, k, v);
        }
        for w in &lower {
            put(&mut ov, w);
        }
        let mut child = Overlay::new(&ov);
        for w in &upper {
            put(&mut child, w);
        }
        let pending = child.into_pending();
        ov.absorb(pending);
        for k in &probes {
            prop_assert_eq!(ov.get(k).unwrap(), model.get(k).cloned());
        }
        let expected: WriteSet = lower.iter().chain(&upper).cloned().collect();
        prop_assert_eq!(ov.into_writes(), expected);
    }
}
