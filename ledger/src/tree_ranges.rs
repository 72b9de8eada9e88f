//! The hashes inside an internal node of the state tree, kept for the node
//! that replaces it.
//!
//! jmt hashes an internal node as a binary tree over its 16 slots
//! (`tree_node::range_hash`): fifteen hashes for a node with all sixteen
//! children. A block changes one child of most nodes three nibbles down
//! (4,096 of them, full once the tree holds some 65,000 keys), so almost
//! all of those fifteen hashes are the ones the node had before. A node of
//! at least [`KEPT_FROM`] children keeps its ranges' hashes; the node that
//! replaces it hashes again only the four ranges over each changed slot.
//! The hashes are the same either way (tested against `range_hash`), and
//! none of it is stored: a node read from the store has none kept, and
//! its replacement hashes all its ranges, as before.

use std::sync::OnceLock;

use crate::crypto::Hash;
use crate::replay_tree::{PLACEHOLDER, rehash_ranges};
use crate::tree_node::Children;

/// Children from which a node keeps its ranges' hashes: below, a node
/// costs a few hashes at most, and the 512 bytes are not worth keeping.
pub const KEPT_FROM: usize = 8;

/// The binary tree over the 16 slots in heap order: 1 the node's hash,
/// 2–3 the ranges of 8 slots, 4–7 of 4, 8–15 of 2; 0 unused
/// (`replay_tree::rehash_ranges`).
pub type Ranges = [Hash; 16];

/// Where the node's own hash is in [`Ranges`].
pub const WHOLE: usize = 1;

/// A node's kept [`Ranges`], set at most once. Not part of the node: two
/// nodes of the same children are equal whether or not either keeps them.
#[derive(Default)]
pub struct RangeCache(pub(crate) OnceLock<Box<Ranges>>);

impl RangeCache {
    pub(crate) fn get(&self) -> Option<&Ranges> {
        self.0.get().map(|r| &**r)
    }
}

impl Clone for RangeCache {
    fn clone(&self) -> Self {
        let c = OnceLock::new();
        if let Some(r) = self.0.get() {
            let _ = c.set(r.clone());
        }
        RangeCache(c)
    }
}

impl PartialEq for RangeCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for RangeCache {}

impl std::fmt::Debug for RangeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "kept" } else { "-" })
    }
}

/// Every range's hash of `children`. With `before` (the kept ranges of the
/// node these children replace, and the slots whose child is not the one it
/// had), only the ranges over a changed slot are hashed; the others are the
/// replaced node's.
pub fn all(children: &Children, before: Option<(&Ranges, u16)>) -> Box<Ranges> {
    let (mut r, changed) = match before {
        Some((old, changed)) => (Box::new(*old), changed),
        None => (Box::new([PLACEHOLDER; 16]), u16::MAX),
    };
    let leaves = children
        .iter()
        .filter(|(_, c)| c.leaves.is_none())
        .fold(0u16, |m, (n, _)| m | 1 << n);
    let slot = |i: usize| children.get(i as u8).map_or(PLACEHOLDER, |c| c.hash);
    rehash_ranges(&mut r, changed, children.present(), leaves, slot);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree_node::{Child, TreeNode, range_hash, tests::numbers};

    /// The slots whose child differs between `a` and `b`.
    fn changed(a: &Children, b: &Children) -> u16 {
        (0..16u8)
            .filter(|&n| a.get(n) != b.get(n))
            .fold(0, |m, n| m | 1 << n)
    }

    /// Random children: each slot taken with chance `taken` in 16, each a
    /// leaf or an internal node.
    fn children(next: &mut impl FnMut() -> u64, taken: u64) -> Vec<(u8, Child)> {
        let mut out = Vec::new();
        for n in 0..16u8 {
            if next() % 16 >= taken {
                continue;
            }
            let mut hash = [0u8; 32];
            hash[..8].copy_from_slice(&next().to_le_bytes());
            let leaves = (!next().is_multiple_of(3)).then(|| 2 + next() % 50);
            let version = next() % 9;
            out.push((
                n,
                Child {
                    hash,
                    version,
                    leaves,
                },
            ));
        }
        out
    }

    /// A node's hash is jmt's whether it was hashed whole or from the ranges
    /// kept by the node it replaced, over nodes of every size and every
    /// kind of change: children replaced, added, turned from a leaf into an
    /// internal node; a node replaced several times over.
    #[test]
    fn kept_ranges_give_the_hash_of_the_whole_node() {
        let mut next = numbers(11);
        let mut reused = 0;
        for round in 0..3_000 {
            let taken = 1 + round % 16;
            let pairs = children(&mut next, taken);
            let Some(first) = Children::from_sorted(pairs.clone()) else {
                continue;
            };
            assert_eq!(first.hash(), range_hash(&first, 0, 16), "round {round}");
            let mut old = first;
            let mut pairs = pairs;
            for step in 0..4 {
                // Change one to three slots: new children, new hashes, a
                // leaf becoming an internal node.
                for _ in 0..1 + next() % 3 {
                    let n = (next() % 16) as u8;
                    let mut hash = [0u8; 32];
                    hash[..8].copy_from_slice(&next().to_le_bytes());
                    let c = Child {
                        hash,
                        version: 10 + step,
                        leaves: next().is_multiple_of(2).then_some(2),
                    };
                    match pairs.iter_mut().find(|(m, _)| *m == n) {
                        Some(slot) => slot.1 = c,
                        None => {
                            pairs.push((n, c));
                            pairs.sort_by_key(|(m, _)| *m);
                        }
                    }
                }
                let whole = Children::from_sorted(pairs.clone()).expect("sorted");
                let new = Children::from_sorted_after(pairs.clone(), &old, changed(&old, &whole))
                    .expect("sorted");
                if old.ranges.get().is_some() && new.ranges.get().is_some() {
                    reused += 1;
                }
                assert_eq!(new.hash(), range_hash(&whole, 0, 16), "round {round}");
                assert_eq!(
                    TreeNode::Internal {
                        children: new.clone()
                    },
                    TreeNode::Internal { children: whole },
                    "kept ranges are not part of the node"
                );
                old = new;
            }
        }
        assert!(reused > 1_000, "{reused} nodes took kept ranges");
    }

    /// Small nodes keep nothing; large ones keep their ranges once hashed.
    #[test]
    fn only_nodes_of_many_children_keep_their_ranges() {
        let child = |b: u8, leaves: Option<u64>| Child {
            hash: [b; 32],
            version: 1,
            leaves,
        };
        let few = Children::from_sorted(
            (0..KEPT_FROM as u8 - 1)
                .map(|n| (n, child(n, None)))
                .collect(),
        )
        .expect("sorted");
        few.hash();
        assert!(few.ranges.get().is_none());
        let many = Children::from_sorted((0..16u8).map(|n| (n, child(n, Some(3)))).collect())
            .expect("sorted");
        assert!(many.ranges.get().is_none(), "nothing kept before hashing");
        let h = many.hash();
        assert_eq!(many.ranges.get().map(|r| r[WHOLE]), Some(h));
        assert_eq!(h, range_hash(&many, 0, 16));
    }
}
