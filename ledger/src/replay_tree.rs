//! The auditor's replay tree: the state root of every block, computed from
//! one version of the state kept in memory.
//!
//! The node keeps its state tree with jmt (`commitment`): every version's
//! nodes stored, proofs served. A replay from genesis needs neither; it needs
//! each block's root, fast. jmt hashes every internal node it touches again
//! from scratch (a binary Merkle tree over its 16 children: up to 15 SHA-256)
//! and hands its nodes through a reader by value; on a chain of a million
//! transactions that was two thirds of the replay's critical path.
//!
//! This tree is the same Jellyfish Merkle tree, hashed the same way
//! (`root` is byte for byte jmt's root over the same keys and values), held
//! so that an update costs only what changed:
//!
//! - The shape is canonical (a jmt's shape depends only on its keys): there
//!   is an internal node at every nibble prefix that at least two keys share,
//!   and each key is a leaf in the slot of the longest prefix it shares with
//!   another key. One key alone is the root itself; no keys, the placeholder.
//! - Each internal node keeps its slots' hashes and the hashes of its binary
//!   tree over them (widths 16, 8, 4 and 2; jmt's `merkle_hash` rules: an
//!   empty range is the placeholder, a range holding one leaf and nothing
//!   else is that leaf's hash), and which slots changed since it was last
//!   hashed, so hashing it again reads no unchanged child and recomputes
//!   only the ranges over a changed slot: four SHA-256 for one changed child
//!   instead of fifteen.
//! - Nodes live in segments of a few thousand ([`Nodes`]), reused through
//!   a free list: no allocation per update once the tree has grown, and
//!   growing never moves the nodes already there.
//!
//! `ledger/tests/it/commitment.rs` checks every root against jmt's over
//! random blocks of inserts, updates and deletes, including keys sharing long
//! prefixes; every replay checks every root against the header the
//! validators signed, which jmt computed.

use crate::crypto::{Hash, sha256};
use crate::state::WriteSet;

/// jmt's hash of an empty subtree.
pub(crate) const PLACEHOLDER: Hash = *b"SPARSE_MERKLE_PLACEHOLDER_HASH__";
pub(crate) const LEAF_DOMAIN: &[u8; 13] = b"JMT::LeafNode";
const INTERNAL_DOMAIN: &[u8; 16] = b"JMT::IntrnalNode";

/// A key's leaf: its key hash and the leaf's hash (over the key hash and the
/// value's hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Leaf {
    key: Hash,
    hash: Hash,
}

/// What a slot of an internal node holds; its hash is kept beside it
/// ([`Internal::hashes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Empty,
    /// A leaf, by its key hash.
    Leaf(Hash),
    /// An internal node, by its index in [`ReplayTree::nodes`].
    Node(u32),
}

#[derive(Debug, Clone)]
struct Internal {
    /// Slots that hold something, and those of them that hold a leaf, kept
    /// by [`Internal::set`], so hashing reads no slot it need not.
    exists: u16,
    leaves: u16,
    /// Slots whose hash changed since the ranges were last computed.
    dirty: u16,
    slots: [Slot; 16],
    /// Each slot's hash (a leaf's, a node's as of its last hashing; the
    /// placeholder for an empty slot), so that hashing a node reads no
    /// other node than the changed ones below it.
    hashes: [Hash; 16],
    /// The binary tree over the slots in heap order: 1 is the node's hash
    /// (width 16), 2–3 width 8, 4–7 width 4, 8–15 width 2; 0 unused.
    ranges: [Hash; 16],
}

impl Internal {
    fn new() -> Self {
        Internal {
            exists: 0,
            leaves: 0,
            slots: [Slot::Empty; 16],
            hashes: [PLACEHOLDER; 16],
            ranges: [PLACEHOLDER; 16],
            // A new node has every range to compute.
            dirty: u16::MAX,
        }
    }

    /// Puts `slot` in slot `i`, keeping the masks in step.
    fn set(&mut self, i: usize, slot: Slot) {
        let bit = 1u16 << i;
        self.exists &= !bit;
        self.leaves &= !bit;
        match slot {
            Slot::Empty => {}
            Slot::Leaf(_) => {
                self.exists |= bit;
                self.leaves |= bit;
            }
            Slot::Node(_) => self.exists |= bit,
        }
        self.slots[i] = slot;
    }

    fn set_leaf(&mut self, i: usize, leaf: Leaf) {
        self.set(i, Slot::Leaf(leaf.key));
        self.hashes[i] = leaf.hash;
    }

    /// The leaf in slot `i`, if it holds one.
    fn leaf(&self, i: usize) -> Option<Leaf> {
        match self.slots[i] {
            Slot::Leaf(key) => Some(Leaf {
                key,
                hash: self.hashes[i],
            }),
            _ => None,
        }
    }
}

/// Nodes per segment of [`Nodes`].
const SEGMENT: usize = 1 << 12;

/// The tree's internal nodes by index, in segments of [`SEGMENT`]: growing
/// adds a segment instead of moving every node to a larger vector (a
/// million-transaction chain's tree holds about a gigabyte of nodes).
#[derive(Debug, Clone, Default)]
struct Nodes {
    segments: Vec<Vec<Internal>>,
}

impl Nodes {
    fn len(&self) -> usize {
        self.segments
            .last()
            .map_or(0, |last| (self.segments.len() - 1) * SEGMENT + last.len())
    }

    /// Appends a node; returns its index.
    fn push(&mut self, node: Internal) -> u32 {
        if self
            .segments
            .last()
            .is_none_or(|last| last.len() == SEGMENT)
        {
            self.segments.push(Vec::with_capacity(SEGMENT));
        }
        let index = self.len() as u32;
        if let Some(last) = self.segments.last_mut() {
            last.push(node);
        }
        index
    }
}

impl std::ops::Index<u32> for Nodes {
    type Output = Internal;
    fn index(&self, i: u32) -> &Internal {
        let i = i as usize;
        &self.segments[i / SEGMENT][i % SEGMENT]
    }
}

impl std::ops::IndexMut<u32> for Nodes {
    fn index_mut(&mut self, i: u32) -> &mut Internal {
        let i = i as usize;
        &mut self.segments[i / SEGMENT][i % SEGMENT]
    }
}

/// The tree's top: nothing, one leaf, or an internal node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Empty,
    Leaf(Leaf),
    Node(u32),
}

/// A tree that keeps only its newest version, for a replay from genesis
/// (module docs). Its roots are [`crate::commitment::update`]'s over the same
/// write sets.
#[derive(Debug, Clone)]
pub struct ReplayTree {
    root: Root,
    nodes: Nodes,
    /// Indices of `nodes` no longer in the tree.
    free: Vec<u32>,
    keys: usize,
    /// The root after the last update.
    root_hash: Hash,
}

impl Default for ReplayTree {
    fn default() -> Self {
        ReplayTree {
            root: Root::Empty,
            nodes: Nodes::default(),
            free: Vec::new(),
            keys: 0,
            // Zeros before the first update, as a replay starts.
            root_hash: [0; 32],
        }
    }
}

/// The `i`-th nibble (four bits, most significant first) of a key hash.
fn nibble(key: &Hash, i: usize) -> usize {
    usize::from(key[i / 2] >> (4 * (1 - i % 2)) & 0xf)
}

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 of a domain tag followed by two hashes, a message of 64 + 13 or
/// 64 + 16 bytes: two blocks once padded, given to sha2's compression
/// function at once. The tree hashes nothing else, millions of times per
/// replay, and `Sha256`'s buffering cost a third as much again as the
/// compression itself. The tag's length is a constant, so the copies below
/// compile to plain moves. The tests check it against `Sha256::digest`.
pub(crate) fn hash_tagged_pair<const T: usize>(tag: &[u8; T], a: &Hash, b: &Hash) -> Hash {
    const {
        assert!(
            T + 64 <= 128 - 9,
            "the message and its padding fit two blocks"
        )
    };
    let mut buf = [0u8; 128];
    buf[..T].copy_from_slice(tag);
    buf[T..T + 32].copy_from_slice(a);
    buf[T + 32..T + 64].copy_from_slice(b);
    buf[T + 64] = 0x80;
    buf[120..].copy_from_slice(&(((T + 64) as u64) * 8).to_be_bytes());
    let mut state = SHA256_IV;
    let (blocks, _) = buf.as_chunks::<64>();
    sha2::block_api::compress256(&mut state, blocks);
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// jmt's binary tree over an internal node's 16 slots, in heap order (1 the
/// node's hash, 2–3 the ranges of 8 slots, 4–7 of 4, 8–15 of 2; 0 unused),
/// computed again only over the slots in `dirty`: an empty range is the
/// placeholder, a range holding one leaf and nothing else is that leaf's
/// hash. `exists` and `leaves` are the slots holding something and those
/// holding a leaf; `slot` gives a slot's hash. Shared by the replay's tree
/// and the node's kept ranges (`tree_ranges.rs`).
pub(crate) fn rehash_ranges(
    ranges: &mut [Hash; 16],
    dirty: u16,
    exists: u16,
    leaves: u16,
    slot: impl Fn(usize) -> Hash,
) {
    for h in (1..16usize).rev() {
        let level = h.ilog2();
        let width = 16 >> level;
        let start = (h - (1 << level)) * width;
        let mask = (((1u32 << width) - 1) << start) as u16;
        if dirty & mask == 0 {
            continue;
        }
        let (e, l) = (exists & mask, leaves & mask);
        ranges[h] = if e == 0 {
            PLACEHOLDER
        } else if e.count_ones() == 1 && l != 0 {
            slot(e.trailing_zeros() as usize)
        } else if width == 2 {
            hash_internal(&slot(start), &slot(start + 1))
        } else {
            hash_internal(&ranges[2 * h], &ranges[2 * h + 1])
        };
    }
}

pub(crate) fn hash_internal(left: &Hash, right: &Hash) -> Hash {
    hash_tagged_pair(INTERNAL_DOMAIN, left, right)
}

/// jmt's leaf hash for a key hash and a value.
fn leaf_hash(key: &Hash, value: &[u8]) -> Hash {
    hash_tagged_pair(LEAF_DOMAIN, key, &sha256(value))
}

impl ReplayTree {
    /// Applies `writes` (a value sets a key, `None` deletes it; deleting an
    /// absent key changes nothing) and returns the new root.
    pub fn update(&mut self, writes: &WriteSet) -> Hash {
        for (key, value) in writes {
            let key = sha256(key);
            match value {
                Some(v) => self.insert(Leaf {
                    key,
                    hash: leaf_hash(&key, v),
                }),
                None => self.delete(&key),
            }
        }
        self.root_hash = match self.root {
            Root::Empty => PLACEHOLDER,
            Root::Leaf(l) => l.hash,
            Root::Node(n) => self.rehash(n),
        };
        self.root_hash
    }

    /// The root after the last update (zeros before the first).
    pub fn root(&self) -> Hash {
        self.root_hash
    }

    /// How many tree nodes it holds: internal nodes and leaves.
    pub fn len(&self) -> usize {
        self.nodes.len() - self.free.len() + self.keys
    }

    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    fn alloc(&mut self) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.nodes[i] = Internal::new();
                i
            }
            None => self.nodes.push(Internal::new()),
        }
    }

    fn insert(&mut self, leaf: Leaf) {
        let mut at = match self.root {
            Root::Empty => {
                self.root = Root::Leaf(leaf);
                self.keys += 1;
                return;
            }
            Root::Leaf(old) if old.key == leaf.key => {
                self.root = Root::Leaf(leaf);
                return;
            }
            Root::Leaf(old) => {
                self.root = Root::Node(self.split(old, leaf, 0));
                self.keys += 1;
                return;
            }
            Root::Node(n) => n,
        };
        for depth in 0.. {
            let i = nibble(&leaf.key, depth);
            let node = &mut self.nodes[at];
            node.dirty |= 1 << i;
            match node.slots[i] {
                Slot::Empty => {
                    node.set_leaf(i, leaf);
                    self.keys += 1;
                    return;
                }
                Slot::Leaf(key) if key == leaf.key => {
                    node.set_leaf(i, leaf);
                    return;
                }
                Slot::Leaf(key) => {
                    let old = Leaf {
                        key,
                        hash: node.hashes[i],
                    };
                    let below = self.split(old, leaf, depth + 1);
                    self.nodes[at].set(i, Slot::Node(below));
                    self.keys += 1;
                    return;
                }
                Slot::Node(c) => at = c,
            }
        }
    }

    /// A new internal node at `depth` over two leaves whose keys agree on
    /// every nibble before it: a chain of nodes down to the nibble where
    /// they differ (two distinct key hashes differ within 64).
    fn split(&mut self, a: Leaf, b: Leaf, depth: usize) -> u32 {
        let top = self.alloc();
        let mut at = top;
        for d in depth..64 {
            let (na, nb) = (nibble(&a.key, d), nibble(&b.key, d));
            if na != nb {
                let node = &mut self.nodes[at];
                node.set_leaf(na, a);
                node.set_leaf(nb, b);
                break;
            }
            let next = self.alloc();
            self.nodes[at].set(na, Slot::Node(next));
            at = next;
        }
        top
    }

    fn delete(&mut self, key: &Hash) {
        let mut at = match self.root {
            Root::Leaf(old) if old.key == *key => {
                self.root = Root::Empty;
                self.keys -= 1;
                return;
            }
            Root::Empty | Root::Leaf(_) => return,
            Root::Node(n) => n,
        };
        // The nodes from the root down, each with the slot taken.
        let mut path: Vec<(u32, usize)> = Vec::new();
        for depth in 0.. {
            let i = nibble(key, depth);
            path.push((at, i));
            match self.nodes[at].slots[i] {
                Slot::Node(c) => at = c,
                Slot::Leaf(k) if k == *key => break,
                Slot::Empty | Slot::Leaf(_) => return,
            }
        }
        self.keys -= 1;
        for &(n, i) in &path {
            self.nodes[n].dirty |= 1 << i;
        }
        let (bottom, i) = path[path.len() - 1];
        let node = &mut self.nodes[bottom];
        node.set(i, Slot::Empty);
        node.hashes[i] = PLACEHOLDER;
        // A node left with one child that is a leaf gives way to the leaf,
        // up the path as long as that leaves another such node.
        for k in (0..path.len()).rev() {
            let (n, _) = path[k];
            let Some(leaf) = self.only_leaf(n) else {
                return;
            };
            self.free.push(n);
            match k.checked_sub(1) {
                Some(up) => {
                    let (parent, slot) = path[up];
                    self.nodes[parent].set_leaf(slot, leaf);
                }
                None => self.root = Root::Leaf(leaf),
            }
        }
    }

    /// The node's one child, if it has exactly one and that is a leaf.
    fn only_leaf(&self, n: u32) -> Option<Leaf> {
        let node = &self.nodes[n];
        if node.exists.count_ones() == 1 && node.leaves == node.exists {
            node.leaf(node.exists.trailing_zeros() as usize)
        } else {
            None
        }
    }

    /// Computes again the ranges over the slots that changed, below first;
    /// returns the node's hash.
    fn rehash(&mut self, n: u32) -> Hash {
        let dirty = self.nodes[n].dirty;
        if dirty == 0 {
            return self.nodes[n].ranges[1];
        }
        let (exists, leaves) = {
            let node = &self.nodes[n];
            (node.exists, node.leaves)
        };
        // The internal children that changed, below first.
        let mut below = dirty & exists & !leaves;
        while below != 0 {
            let i = below.trailing_zeros() as usize;
            below &= below - 1;
            if let Slot::Node(c) = self.nodes[n].slots[i] {
                let h = self.rehash(c);
                self.nodes[n].hashes[i] = h;
            }
        }
        let Internal {
            ranges,
            hashes,
            dirty: d,
            ..
        } = &mut self.nodes[n];
        rehash_ranges(ranges, dirty, exists, leaves, |i| hashes[i]);
        *d = 0;
        ranges[1]
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    /// The two-block hash is SHA-256 of the same bytes, for both of the
    /// tree's tags and tags from empty to the longest that fits.
    #[test]
    fn tagged_pair_hash_is_sha256() {
        fn check<const T: usize>(tag: &[u8; T]) {
            let a: Hash = core::array::from_fn(|i| i as u8);
            let b: Hash = core::array::from_fn(|i| 0xff - i as u8);
            let mut h = Sha256::new();
            h.update(tag);
            h.update(a);
            h.update(b);
            let want: Hash = h.finalize().into();
            assert_eq!(hash_tagged_pair(tag, &a, &b), want, "tag of {T} bytes");
        }
        check(LEAF_DOMAIN);
        check(INTERNAL_DOMAIN);
        check(&[]);
        check(&[0x5a; 1]);
        check(&[0x5a; 8]);
        check(&[0x5a; 54]);
        check(&[0x5a; 55]);
    }

    /// Indices run on across segments: each node pushed is the one read
    /// back at the index `push` gave, and a write reaches only its node.
    #[test]
    fn nodes_are_indexed_across_segments() {
        let mut nodes = Nodes::default();
        let n = 2 * SEGMENT + 7;
        for i in 0..n {
            let mut node = Internal::new();
            node.exists = i as u16;
            assert_eq!(nodes.push(node), i as u32);
            assert_eq!(nodes.len(), i + 1);
        }
        assert_eq!(nodes.segments.len(), 3);
        nodes[SEGMENT as u32].leaves = 1;
        for i in 0..n {
            assert_eq!(nodes[i as u32].exists, i as u16);
            assert_eq!(nodes[i as u32].leaves, u16::from(i == SEGMENT));
        }
    }
}
