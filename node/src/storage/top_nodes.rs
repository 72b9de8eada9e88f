//! The state tree's upper nodes, newest version of each, in memory: one
//! slot per nibble path down to depth [`DEPTH`] (at most 16⁰ + … + 16⁴ =
//! 69,905 nodes, about 70 MB when full).
//!
//! A new invoice's path reads the node at depth 4 that the last block to
//! pass there wrote, often a hundred blocks ago, from RocksDB's files. Each
//! commit puts its new nodes of depth 4 or less in their path's slot,
//! replacing the older version; a read of a node key answers from the
//! slot only if the versions match. A node key's content never changes, so
//! a match is always the node RocksDB holds under that key. Older versions
//! are read from RocksDB as before; a height below the kept history still
//! fails at its root, whose slot always holds the newest root.
//!
//! Leaves too: once a tree holds some 100,000 keys, most new invoices end
//! in a slot of depth 4 that a lone leaf holds, and that leaf is read to be
//! split (moved down beside the new one). It was written when its own
//! invoice was paid, long before, so the read searched RocksDB's memtables
//! and files: in the store bench, nine in ten of the tree's reads from
//! RocksDB were such leaves. A leaf is small (its key hash and value hash),
//! so the slots hold at most a few megabytes of them.
//!
//! A slot is an array index, not a hash map entry: a map of the same nodes
//! (hashed by node key, each replaced node removed) cost the commit as much
//! as it saved the reads (docs/bench/journal/3-2026-12-05-afternoon-to-late.md, "Why the rate falls").

use std::sync::{Arc, Mutex};

use jmt::Version;
use yui_ledger::commitment::{NodePlace, TreeNode};

/// The deepest nibble path kept.
pub const DEPTH: usize = 4;

/// One slot per nibble path of at most [`DEPTH`] nibbles.
const SLOTS: usize = (16usize.pow(DEPTH as u32 + 1) - 1) / 15;

/// A slot: the version of the node it holds, and the node.
type Slot = Option<(Version, Arc<TreeNode>)>;

pub struct TopNodes {
    slots: Mutex<Vec<Slot>>,
}

impl Default for TopNodes {
    fn default() -> Self {
        Self {
            slots: Mutex::new(vec![None; SLOTS]),
        }
    }
}

/// The slot of a node key's path: the paths of each depth follow those
/// of the depths above, in nibble order.
fn slot(k: &NodePlace) -> Option<usize> {
    let p = &k.path;
    let d = p.len();
    if d > DEPTH {
        return None;
    }
    let within = (0..d).fold(0usize, |a, i| a * 16 + usize::from(p.get(i)));
    Some((16usize.pow(d as u32) - 1) / 15 + within)
}

impl TopNodes {
    /// The node under `k`, if its path's slot holds that version.
    pub fn get(&self, k: &NodePlace) -> Option<Arc<TreeNode>> {
        let i = slot(k)?;
        let slots = self.slots.lock().ok()?;
        match slots.get(i) {
            Some(Some((v, n))) if *v == k.version => Some(Arc::clone(n)),
            _ => None,
        }
    }

    /// Whether a node under `k` would have a slot (a node of depth
    /// [`DEPTH`] or less).
    pub fn wants(k: &NodePlace) -> bool {
        k.path.len() <= DEPTH
    }

    /// Takes in a committed version's nodes (those it [`Self::wants`]).
    pub fn record<'a>(&self, nodes: impl IntoIterator<Item = &'a (NodePlace, Arc<TreeNode>)>) {
        let Ok(mut slots) = self.slots.lock() else {
            return;
        };
        for (k, n) in nodes {
            if !Self::wants(k) {
                continue;
            }
            if let Some(s) = slot(k).and_then(|i| slots.get_mut(i)) {
                *s = Some((k.version, Arc::clone(n)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use sha2::{Digest, Sha256};
    use yui_ledger::commitment::{self, MemTree, Nibbles};

    fn path(nibbles: &[u8]) -> Nibbles {
        Nibbles::from_nibbles(nibbles.iter().copied()).expect("a path")
    }

    #[test]
    fn every_path_down_to_the_depth_has_its_own_slot() {
        let mut seen = vec![false; SLOTS];
        let mut level: Vec<Vec<u8>> = vec![vec![]];
        for depth in 0..=DEPTH {
            for nibbles in &level {
                let i = slot(&NodePlace::new(7, path(nibbles))).expect("within the depth");
                assert!(!seen[i], "two paths share slot {i}");
                seen[i] = true;
            }
            if depth < DEPTH {
                level = level
                    .iter()
                    .flat_map(|p| (0..16u8).map(move |n| [p.as_slice(), &[n]].concat()))
                    .collect();
            }
        }
        assert!(seen.iter().all(|s| *s), "a slot no path uses");
        assert_eq!(slot(&NodePlace::new(7, path(&[1, 2, 3, 4, 5]))), None);
    }

    #[test]
    fn a_slot_answers_only_its_own_version_with_the_stored_node() {
        let mut mem = MemTree::default();
        let mut all: BTreeMap<NodePlace, Arc<TreeNode>> = BTreeMap::new();
        let top = TopNodes::default();
        let (mut answered, mut leaves) = (0, 0);
        for version in 0..40u64 {
            let writes: yui_ledger::WriteSet = (0..300u64)
                .map(|i| {
                    let k = Sha256::digest((version * 1_000 + i).to_le_bytes()).to_vec();
                    (k, Some(version.to_le_bytes().to_vec()))
                })
                .collect();
            let (_, change) = commitment::update(&mem, &writes, version).expect("update");
            mem.apply(&change);
            all.extend(change.nodes.iter().cloned());
            top.record(&change.nodes);
            // Every node of every version so far: the slot answers exactly
            // the newest node of its path, as stored, leaves included.
            let mut newest: BTreeMap<Nibbles, Version> = BTreeMap::new();
            for k in all.keys() {
                let v = newest.entry(k.path).or_default();
                *v = (*v).max(k.version);
            }
            for (k, n) in &all {
                match top.get(k) {
                    Some(cached) => {
                        assert_eq!(&cached, n);
                        assert!(k.path.len() <= DEPTH);
                        answered += 1;
                        if matches!(n.as_ref(), TreeNode::Leaf { .. }) {
                            leaves += 1;
                        }
                    }
                    None => assert!(
                        k.path.len() > DEPTH || newest.get(&k.path) > Some(&k.version),
                        "the newest node at {k:?} is not answered"
                    ),
                }
            }
        }
        assert!(answered > 0);
        assert!(leaves > 0, "no leaf answered");
        assert!(top.get(&NodePlace::root(38)).is_none(), "an older root");
        assert!(top.get(&NodePlace::root(39)).is_some(), "the newest root");
    }
}
