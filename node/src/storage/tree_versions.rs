//! The tree nodes a window holds, version by version (`tree_window.rs`).
//!
//! Each version's new nodes are kept as one list sorted by nibble path,
//! beside a flag per node that a later version set when it replaced the
//! node. A read finds the version, then the path (through the index below). So a
//! commit costs a list built in order and a flag set per node it
//! replaced, where a map of the whole window cost an insertion per new
//! node, and a removal and another insertion per replaced one, each a
//! cache miss in a table of a hundred thousand entries (docs/bench/journal/4-2026-12-06.md,
//! "The state tree built by Yui's own code"). And a checkpoint writes the
//! nodes still live in key order as they lie, with no sort: a node's stored
//! key orders by version, then by path length, then by path.
//!
//! A version's list of a few thousand nodes spans more than the caches,
//! and a binary search there took a dozen cache misses: each replaced
//! node is found again to be marked, each node read to be updated. So each
//! version also keeps an index from path to position, built once with the
//! list and never changed (the flags change, not the positions).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use yui_ledger::commitment::{Nibbles, NodePlace, TreeNode};

use crate::Fast;

/// One version's nodes, sorted by path, which a later version replaced,
/// and where each path is in the list.
#[derive(Clone, Default)]
struct Version {
    nodes: Vec<(Nibbles, Arc<TreeNode>)>,
    replaced: Vec<bool>,
    index: HashMap<Nibbles, u32, Fast>,
}

impl Version {
    fn find(&self, path: &Nibbles) -> Option<usize> {
        self.index.get(path).map(|i| *i as usize)
    }

    /// Takes `nodes` (sorted, one per path) and their flags, and indexes them.
    fn set(&mut self, nodes: Vec<(Nibbles, Arc<TreeNode>)>, replaced: Vec<bool>) {
        self.index = HashMap::with_capacity_and_hasher(nodes.len(), Fast::default());
        self.index
            .extend(nodes.iter().enumerate().map(|(i, (p, _))| (*p, i as u32)));
        self.nodes = nodes;
        self.replaced = replaced;
    }
}

/// Nodes of several versions.
#[derive(Clone, Default)]
pub(super) struct VersionNodes {
    versions: BTreeMap<u64, Version>,
    len: usize,
}

impl VersionNodes {
    /// Nodes held, replaced or not.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The node at `k`, if held.
    pub fn get(&self, k: &NodePlace) -> Option<&Arc<TreeNode>> {
        let v = self.versions.get(&k.version)?;
        v.find(&k.path).map(|i| &v.nodes[i].1)
    }

    /// Takes in nodes (of any versions: a version already held gains
    /// them), none of them replaced yet.
    pub fn add(&mut self, nodes: &[(NodePlace, Arc<TreeNode>)]) {
        let mut by_version: BTreeMap<u64, Vec<(Nibbles, Arc<TreeNode>)>> = BTreeMap::new();
        for (k, n) in nodes {
            by_version
                .entry(k.version)
                .or_default()
                .push((k.path, Arc::clone(n)));
        }
        for (version, mut list) in by_version {
            sort_by_path(&mut list);
            // One node per place: a place added again keeps the first.
            list.dedup_by(|a, b| a.0 == b.0);
            let v = self.versions.entry(version).or_default();
            let before = v.nodes.len();
            if before == 0 {
                let replaced = vec![false; list.len()];
                v.set(list, replaced);
            } else {
                let mut both: Vec<((Nibbles, Arc<TreeNode>), bool)> = std::mem::take(&mut v.nodes)
                    .into_iter()
                    .zip(std::mem::take(&mut v.replaced))
                    .chain(list.into_iter().map(|n| (n, false)))
                    .collect();
                both.sort_by_key(|a| a.0.0);
                both.dedup_by(|a, b| a.0.0 == b.0.0);
                let (nodes, replaced) = both.into_iter().unzip();
                v.set(nodes, replaced);
            }
            self.len += v.nodes.len() - before;
        }
    }

    /// Marks the node at `k` replaced; false if it is not held here.
    pub fn replace(&mut self, k: &NodePlace) -> bool {
        let Some(v) = self.versions.get_mut(&k.version) else {
            return false;
        };
        match v.find(&k.path) {
            Some(i) => {
                v.replaced[i] = true;
                true
            }
            None => false,
        }
    }

    /// The nodes no version replaced, in stored-key order.
    pub fn live(&self) -> impl Iterator<Item = (NodePlace, &Arc<TreeNode>)> {
        self.versions.iter().flat_map(|(version, v)| {
            v.nodes
                .iter()
                .zip(&v.replaced)
                .filter(|(_, r)| !**r)
                .map(|((p, n), _)| (NodePlace::new(*version, *p), n))
        })
    }

    /// Only the nodes a version replaced.
    pub fn into_replaced(self) -> VersionNodes {
        let mut out = VersionNodes::default();
        for (version, v) in self.versions {
            let nodes: Vec<(Nibbles, Arc<TreeNode>)> = v
                .nodes
                .into_iter()
                .zip(v.replaced)
                .filter_map(|(n, r)| r.then_some(n))
                .collect();
            if !nodes.is_empty() {
                out.len += nodes.len();
                let replaced = vec![true; nodes.len()];
                out.versions
                    .entry(version)
                    .or_default()
                    .set(nodes, replaced);
            }
        }
        out
    }
}

/// Sorts a version's nodes by path (path length first, as stored keys
/// order). A version's update makes the nodes of each depth in path order
/// (`tree_update.rs`, children before their parent), so a stable sort on
/// the length alone puts them in order; a list already in order (jmt's,
/// from an ordered map) is left as it is, and any other is sorted whole.
fn sort_by_path(nodes: &mut [(Nibbles, Arc<TreeNode>)]) {
    let ordered = |n: &[(Nibbles, Arc<TreeNode>)]| n.is_sorted_by(|a, b| a.0 <= b.0);
    if ordered(nodes) {
        return;
    }
    nodes.sort_by_key(|(p, _)| p.len());
    if !ordered(nodes) {
        nodes.sort_unstable_by_key(|a| a.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yui_ledger::commitment::{self, MemTree};

    fn place(version: u64, nibbles: &[u8]) -> NodePlace {
        NodePlace::new(
            version,
            Nibbles::from_nibbles(nibbles.iter().copied()).expect("a path"),
        )
    }

    #[test]
    fn nodes_are_found_marked_and_listed_live_in_stored_key_order() {
        let mut tree = MemTree::default();
        let mut held = VersionNodes::default();
        let mut all = Vec::new();
        for version in 0..6u64 {
            let writes: yui_ledger::WriteSet = (0..200u64)
                .map(|i| {
                    let k = format!("key-{}", (version * 37 + i * 11) % 500).into_bytes();
                    (k, Some(version.to_le_bytes().to_vec()))
                })
                .collect();
            let (_, change) = commitment::update(&tree, &writes, version).expect("update");
            tree.apply(&change);
            held.add(&change.nodes);
            for k in &change.stale {
                assert_eq!(held.replace(k), k.version < version, "{k:?}");
            }
            all.extend(change.nodes.iter().map(|(k, _)| *k));
            all.retain(|k| !change.stale.contains(k));
        }
        assert!(held.len() > all.len());
        for k in &all {
            assert!(held.get(k).is_some(), "{k:?}");
        }
        let live: Vec<NodePlace> = held.live().map(|(k, _)| k).collect();
        let mut expected = all.clone();
        expected.sort();
        assert_eq!(live, expected, "the live nodes, in order");
        let keys: Vec<Vec<u8>> = live.iter().map(NodePlace::db_key).collect();
        assert!(keys.is_sorted(), "in stored-key order");
        let replaced = held.clone().into_replaced();
        assert_eq!(replaced.len(), held.len() - live.len());
        assert!(replaced.live().next().is_none());
        assert!(held.get(&place(99, &[])).is_none());
        assert!(!held.replace(&place(99, &[])));
    }

    #[test]
    fn paths_out_of_order_are_sorted_and_a_place_is_held_once() {
        let leaf = Arc::new(TreeNode::Leaf {
            key_hash: [1; 32],
            value_hash: [2; 32],
        });
        let mut held = VersionNodes::default();
        held.add(&[
            (place(3, &[2, 1]), leaf.clone()),
            (place(3, &[]), leaf.clone()),
            (place(3, &[1]), leaf.clone()),
            (place(3, &[1, 5]), leaf.clone()),
            (place(3, &[1]), leaf.clone()),
        ]);
        assert_eq!(held.len(), 4);
        let live: Vec<NodePlace> = held.live().map(|(k, _)| k).collect();
        assert_eq!(
            live,
            vec![
                place(3, &[]),
                place(3, &[1]),
                place(3, &[1, 5]),
                place(3, &[2, 1])
            ]
        );
    }
}
