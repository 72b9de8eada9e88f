//! The state tree's stored nodes in Yui's own type.
//!
//! The node's tree is jmt 0.12's: every version's nodes stored under
//! `(version, nibble path)` as borsh of jmt's `Node`, and proofs built by jmt
//! from them. jmt keeps its internal node type private and hands nodes
//! through its reader by value, so each read copied a node and each version
//! copied every new node again (docs/bench/journal/4-2026-12-06.md,
//! "Writes in key order, and what the state tree costs the devnet"). So Yui builds a version's nodes itself
//! (`tree_update.rs`) and shares them by `Arc`; this module holds the node,
//! its place ([`NodePlace`]), their stored bytes (exactly jmt's, so stores
//! and proofs stay as they are) and the node's hash (exactly jmt's).
//!
//! jmt's encoding (borsh, derived): a variant byte (`Null` 0, `Internal`
//! 1, `Leaf` 2); a leaf is `key_hash[32] ‖ value_hash[32]`; an internal
//! node is 16 × `Option<Child>`, `num_children: u64`, `leaf_count: u64`,
//! and a child is `hash[32] ‖ version: u64 ‖ node_type`, where `node_type`
//! is 0 for a leaf, or 1 ‖ `leaf_count: u64` below an internal node.

use crate::crypto::Hash;
use crate::replay_tree::{LEAF_DOMAIN, PLACEHOLDER, hash_internal, hash_tagged_pair};
use crate::tree_ranges::{self, RangeCache};

/// A child slot of an internal node: the child's hash, the version it was
/// written at, and how many leaves are below it (`None`: it is a leaf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Child {
    pub hash: Hash,
    pub version: u64,
    pub leaves: Option<u64>,
}

impl Child {
    fn leaf_count(&self) -> u64 {
        self.leaves.unwrap_or(1)
    }
}

/// An internal node's children: which of the 16 slots are taken (bit `n`
/// for nibble `n`) and those children in nibble order. Most internal nodes
/// away from the root hold two or three, so a node is a few hundred bytes
/// rather than the kilobyte of sixteen slots.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Children {
    present: u16,
    list: Box<[Child]>,
    /// The hashes of the binary tree over the slots, for a node with many
    /// children (`tree_ranges.rs`); not part of the node's bytes or equality.
    pub(crate) ranges: RangeCache,
}

impl Children {
    /// Children from `(nibble, child)` pairs in strictly ascending nibble
    /// order (each nibble below 16); `None` otherwise.
    pub fn from_sorted(pairs: Vec<(u8, Child)>) -> Option<Children> {
        let mut present = 0u16;
        let mut last: Option<u8> = None;
        for (n, _) in &pairs {
            if *n > 15 || last.is_some_and(|l| l >= *n) {
                return None;
            }
            present |= 1 << n;
            last = Some(*n);
        }
        // Into a list of its own size: collected in place over `pairs`, the
        // list would be shrunk (reallocated and copied) into its box.
        let mut list = Vec::with_capacity(pairs.len());
        list.extend(pairs.into_iter().map(|(_, c)| c));
        Some(Children {
            present,
            list: list.into_boxed_slice(),
            ranges: RangeCache::default(),
        })
    }

    /// [`Self::from_sorted`] for the node that replaces one with the
    /// children `old`, where only the slots in `changed` (bit `n` for
    /// nibble `n`) may hold another child than `old` does: if `old` kept the
    /// hashes of its slots' ranges, only those over a changed slot are hashed
    /// again (`tree_ranges.rs`).
    pub fn from_sorted_after(
        pairs: Vec<(u8, Child)>,
        old: &Children,
        changed: u16,
    ) -> Option<Children> {
        let new = Self::from_sorted(pairs)?;
        if let Some(before) = old.ranges.get()
            && new.len() >= tree_ranges::KEPT_FROM
        {
            new.keep_ranges(tree_ranges::all(&new, Some((before, changed))));
        }
        Some(new)
    }

    /// Which slots are taken: bit `n` for nibble `n`.
    pub(crate) fn present(&self) -> u16 {
        self.present
    }

    /// jmt's hash of the internal node of these children: the binary tree
    /// over its 16 slots, where an empty range is the placeholder and a
    /// range holding a single leaf and nothing else is that leaf's hash. A
    /// node with many children keeps its ranges' hashes for the node that
    /// replaces it.
    pub fn hash(&self) -> Hash {
        if let Some(r) = self.ranges.get() {
            return r[tree_ranges::WHOLE];
        }
        if self.len() < tree_ranges::KEPT_FROM {
            return range_hash(self, 0, 16);
        }
        let r = tree_ranges::all(self, None);
        let h = r[tree_ranges::WHOLE];
        self.keep_ranges(r);
        h
    }

    fn keep_ranges(&self, r: Box<tree_ranges::Ranges>) {
        if self.len() >= tree_ranges::KEPT_FROM {
            // Set once: a second caller computed the same hashes.
            let _ = self.ranges.0.set(r);
        }
    }

    /// The child in slot `n`.
    pub fn get(&self, n: u8) -> Option<&Child> {
        if n > 15 || self.present & (1 << n) == 0 {
            return None;
        }
        let below = (self.present & ((1u16 << n) - 1)).count_ones() as usize;
        self.list.get(below)
    }

    /// The children with their nibbles, in nibble order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &Child)> {
        (0..16u8)
            .filter(|n| self.present & (1 << n) != 0)
            .zip(self.list.iter())
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// A stored node of the state tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeNode {
    /// The empty tree's root.
    Null,
    Leaf {
        key_hash: Hash,
        value_hash: Hash,
    },
    Internal {
        children: Children,
    },
}

/// Most nibbles in a path: a key hash's 64.
pub const NIBBLES_MAX: usize = 64;

/// A node's nibble path from the root, packed two nibbles to a byte (the
/// first in the high half), as jmt's `NibblePath`. Fixed size, so that a
/// place is copied, hashed and compared without an allocation.
///
/// Ordered by length, then by nibbles: the order of stored node keys
/// (`NodePlace::db_key`), which a window's sorted lists rely on.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Nibbles {
    len: u8,
    bytes: [u8; NIBBLES_MAX / 2],
}

/// Hashes the bytes in use only (the rest are always zero): a window's map
/// hashes a few bytes a node rather than 33.
impl std::hash::Hash for Nibbles {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u8(self.len);
        state.write(&self.bytes[..self.len().div_ceil(2)]);
    }
}

impl Default for Nibbles {
    fn default() -> Self {
        Self::ROOT
    }
}

impl std::fmt::Debug for Nibbles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (0..self.len()).try_for_each(|i| write!(f, "{:x}", self.get(i)))
    }
}

impl Nibbles {
    /// The root's path: no nibbles.
    pub const ROOT: Nibbles = Nibbles {
        len: 0,
        bytes: [0; NIBBLES_MAX / 2],
    };

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`-th nibble (below [`Self::len`]).
    pub fn get(&self, i: usize) -> u8 {
        (self.bytes[i / 2] >> (4 * (1 - i % 2))) & 0xf
    }

    /// The path one nibble further down; `None` below a key hash's last.
    pub fn child(&self, n: u8) -> Option<Nibbles> {
        let i = self.len();
        if i >= NIBBLES_MAX {
            return None;
        }
        let mut c = *self;
        c.bytes[i / 2] |= (n & 0xf) << (4 * (1 - i % 2));
        c.len += 1;
        Some(c)
    }

    /// A path from its nibbles (each below 16, at most [`NIBBLES_MAX`]).
    pub fn from_nibbles(nibbles: impl IntoIterator<Item = u8>) -> Option<Nibbles> {
        nibbles
            .into_iter()
            .try_fold(Nibbles::ROOT, |p, n| if n < 16 { p.child(n) } else { None })
    }

    /// jmt's borsh bytes of the path: the count (u64), then the packed
    /// bytes with their length (u32).
    fn put(&self, out: &mut Vec<u8>) {
        let used = self.len().div_ceil(2);
        out.extend_from_slice(&(self.len as u64).to_le_bytes());
        out.extend_from_slice(&(used as u32).to_le_bytes());
        out.extend_from_slice(&self.bytes[..used]);
    }

    fn read(r: &mut Reader<'_>) -> Result<Nibbles, String> {
        let n = r.u64()?;
        let used = r.take(4)?;
        let used = u32::from_le_bytes([used[0], used[1], used[2], used[3]]) as usize;
        let bytes = r.take(used)?;
        if n > NIBBLES_MAX as u64 || used != (n as usize).div_ceil(2) {
            return Err(format!("a nibble path of {n} nibbles in {used} bytes"));
        }
        let mut p = Nibbles {
            len: n as u8,
            bytes: [0; NIBBLES_MAX / 2],
        };
        p.bytes[..used].copy_from_slice(bytes);
        if n % 2 == 1 && p.bytes[used - 1] & 0xf != 0 {
            return Err("a nibble path with a stray half byte".into());
        }
        Ok(p)
    }
}

/// Where a stored node is: the version that wrote it and its nibble path
/// (jmt's `NodeKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodePlace {
    pub version: u64,
    pub path: Nibbles,
}

impl NodePlace {
    pub fn new(version: u64, path: Nibbles) -> Self {
        Self { version, path }
    }

    /// The root of `version`.
    pub fn root(version: u64) -> Self {
        Self::new(version, Nibbles::ROOT)
    }

    /// jmt's borsh bytes of its `NodeKey` (the version little-endian).
    pub fn to_jmt_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(8 + 12 + self.path.len().div_ceil(2));
        b.extend_from_slice(&self.version.to_le_bytes());
        self.path.put(&mut b);
        b
    }

    /// A place from jmt's borsh bytes of a `NodeKey`.
    pub fn from_jmt_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader(bytes);
        let version = r.u64()?;
        let path = Nibbles::read(&mut r)?;
        r.end()?;
        Ok(Self { version, path })
    }

    /// The key a store keeps the node under: jmt's bytes with the version
    /// big-endian, so that keys sort by version.
    pub fn db_key(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(8 + 12 + self.path.len().div_ceil(2));
        self.write_db_key(&mut b);
        b
    }

    /// Appends [`Self::db_key`] to `b`.
    pub fn write_db_key(&self, b: &mut Vec<u8>) {
        b.extend_from_slice(&self.version.to_be_bytes());
        self.path.put(b);
    }

    /// A place from its [`Self::db_key`].
    pub fn from_db_key(key: &[u8]) -> Result<Self, String> {
        let mut b = key.to_vec();
        b.get_mut(..8).ok_or("a short node key")?.reverse();
        Self::from_jmt_bytes(&b)
    }

    /// A place from jmt's own key.
    pub fn from_jmt(k: &jmt::storage::NodeKey) -> Self {
        let path =
            Nibbles::from_nibbles(k.nibble_path().nibbles().map(u8::from)).unwrap_or(Nibbles::ROOT);
        Self::new(k.version(), path)
    }
}

const TAG_NULL: u8 = 0;
const TAG_INTERNAL: u8 = 1;
const TAG_LEAF: u8 = 2;

/// Reads the stored bytes in order, refusing any that jmt would not write.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("a tree node ends early".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    fn end(&self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err("bytes after a tree node or key".into())
        }
    }

    fn hash(&mut self) -> Result<Hash, String> {
        let mut h = [0u8; 32];
        h.copy_from_slice(self.take(32)?);
        Ok(h)
    }
}

impl TreeNode {
    /// Leaves below this node (a leaf is one, the empty root none).
    pub fn leaf_count(&self) -> u64 {
        match self {
            TreeNode::Null => 0,
            TreeNode::Leaf { .. } => 1,
            TreeNode::Internal { children } => children.list.iter().map(Child::leaf_count).sum(),
        }
    }

    /// jmt's stored bytes of this node.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.stored_len());
        self.write_to(&mut b);
        b
    }

    /// The length of [`Self::to_bytes`].
    pub fn stored_len(&self) -> usize {
        match self {
            TreeNode::Null => 1,
            TreeNode::Leaf { .. } => 65,
            TreeNode::Internal { children } => {
                let wide = children.list.iter().filter(|c| c.leaves.is_some()).count();
                1 + 16 + children.len() * 41 + wide * 8 + 16
            }
        }
    }

    /// Appends jmt's stored bytes of this node to `b`.
    pub fn write_to(&self, b: &mut Vec<u8>) {
        match self {
            TreeNode::Null => b.push(TAG_NULL),
            TreeNode::Leaf {
                key_hash,
                value_hash,
            } => {
                b.push(TAG_LEAF);
                b.extend_from_slice(key_hash);
                b.extend_from_slice(value_hash);
            }
            TreeNode::Internal { children } => {
                b.push(TAG_INTERNAL);
                // One pass over the present children, in nibble order, with
                // the empty slots between them; the leaves counted on the way.
                let mut list = children.list.iter();
                let mut leaves = 0u64;
                for n in 0..16u8 {
                    if children.present & (1 << n) == 0 {
                        b.push(0);
                        continue;
                    }
                    let Some(c) = list.next() else { break };
                    leaves += c.leaf_count();
                    b.push(1);
                    b.extend_from_slice(&c.hash);
                    b.extend_from_slice(&c.version.to_le_bytes());
                    match c.leaves {
                        None => b.push(0),
                        Some(n) => {
                            b.push(1);
                            b.extend_from_slice(&n.to_le_bytes());
                        }
                    }
                }
                let n = children.len() as u64;
                b.extend_from_slice(&n.to_le_bytes());
                b.extend_from_slice(&leaves.to_le_bytes());
            }
        }
    }

    /// A node from jmt's stored bytes. Bytes jmt would not have written (a
    /// count that does not match the children, trailing bytes) are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader(bytes);
        let node = match r.byte()? {
            TAG_NULL => TreeNode::Null,
            TAG_LEAF => TreeNode::Leaf {
                key_hash: r.hash()?,
                value_hash: r.hash()?,
            },
            TAG_INTERNAL => {
                let mut pairs = Vec::new();
                for n in 0..16u8 {
                    match r.byte()? {
                        0 => {}
                        1 => {
                            let hash = r.hash()?;
                            let version = r.u64()?;
                            let leaves = match r.byte()? {
                                0 => None,
                                1 => Some(r.u64()?),
                                t => return Err(format!("a tree node's child type {t}")),
                            };
                            pairs.push((
                                n,
                                Child {
                                    hash,
                                    version,
                                    leaves,
                                },
                            ));
                        }
                        t => return Err(format!("a tree node's slot tag {t}")),
                    }
                }
                let present = pairs.len() as u64;
                let children = Children::from_sorted(pairs).ok_or("a tree node's slots")?;
                let node = TreeNode::Internal { children };
                let (count, leaves) = (r.u64()?, r.u64()?);
                if count != present || leaves != node.leaf_count() {
                    return Err("a tree node's counts do not match its children".into());
                }
                node
            }
            t => return Err(format!("a tree node's tag {t}")),
        };
        if !r.0.is_empty() {
            return Err("bytes after a tree node".into());
        }
        Ok(node)
    }

    /// jmt's hash of this node: a leaf's over its key and value hashes; an
    /// internal node's, the binary tree over its 16 slots, where an empty
    /// range is the placeholder and a range holding a single leaf and
    /// nothing else is that leaf's hash.
    pub fn hash(&self) -> Hash {
        match self {
            TreeNode::Null => PLACEHOLDER,
            TreeNode::Leaf {
                key_hash,
                value_hash,
            } => hash_tagged_pair(LEAF_DOMAIN, key_hash, value_hash),
            TreeNode::Internal { children } => children.hash(),
        }
    }
}

/// jmt's hash of the slots `start .. start + width` of an internal node.
pub(crate) fn range_hash(children: &Children, start: u8, width: u8) -> Hash {
    let mask = (((1u32 << width) - 1) << start) as u16;
    let bits = children.present & mask;
    let only = (bits.count_ones() == 1)
        .then(|| children.get(bits.trailing_zeros() as u8))
        .flatten();
    match only {
        _ if bits == 0 => PLACEHOLDER,
        Some(c) if c.leaves.is_none() || width == 1 => c.hash,
        _ => {
            let half = width / 2;
            hash_internal(
                &range_hash(children, start, half),
                &range_hash(children, start + half, half),
            )
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use jmt::Sha256Jmt;

    use super::*;
    use crate::commitment::{self, JmtReader, MemTree};
    use crate::state::WriteSet;

    /// Pseudo-random numbers of 31 bits from `seed` (a linear
    /// congruential generator): the tests' write sets, the same every run.
    pub(crate) fn numbers(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        }
    }

    /// Every node of trees jmt built, over inserts, updates and deletes of
    /// keys some of which share long prefixes: the same bytes back, and
    /// jmt's hash (as its parent records it, or as the version's root).
    #[test]
    fn every_node_jmt_stores_reads_back_to_its_bytes_and_its_hash() {
        let mut tree = MemTree::default();
        // Every node stored so far.
        let mut all: HashMap<NodePlace, TreeNode> = HashMap::new();
        let mut next = numbers(11);
        let mut checked = 0;
        for version in 0..40u64 {
            let mut w = WriteSet::new();
            for _ in 0..(1 + next() % 60) {
                let k = next() % 500;
                let v = (!next().is_multiple_of(7))
                    .then(|| format!("value {version} {k}").into_bytes());
                w.insert(format!("key-{k}").into_bytes(), v);
            }
            let set: Vec<_> = w
                .iter()
                .map(|(k, v)| (commitment::key_hash(k), v.clone()))
                .collect();
            let (root, batch) = Sha256Jmt::new(&JmtReader(&tree))
                .put_value_set(set, version)
                .expect("jmt");
            for (k, n) in batch.node_batch.nodes() {
                let bytes = borsh::to_vec(n).expect("borsh");
                let ours = TreeNode::from_bytes(&bytes).expect("our type reads jmt's bytes");
                assert_eq!(ours.to_bytes(), bytes, "{k:?}");
                assert_eq!(ours.stored_len(), bytes.len(), "{k:?}");
                let place = NodePlace::from_jmt(k);
                let key = borsh::to_vec(k).expect("borsh");
                assert_eq!(place.to_jmt_bytes(), key, "the place's bytes are jmt's");
                assert_eq!(NodePlace::from_jmt_bytes(&key), Ok(place));
                assert_eq!(NodePlace::from_db_key(&place.db_key()), Ok(place));
                if place.path.is_empty() && k.version() == version {
                    assert_eq!(ours.hash(), root.0, "the root of version {version}");
                }
                all.insert(place, ours);
            }
            tree.apply(&commitment::from_jmt(batch, version, Vec::new()).expect("nodes"));
            for (place, node) in &all {
                let TreeNode::Internal { children } = node else {
                    continue;
                };
                for (i, c) in children.iter() {
                    let below = place.path.child(i).expect("a path");
                    let child = &all[&NodePlace::new(c.version, below)];
                    assert_eq!(child.hash(), c.hash, "jmt's hash of the child");
                    assert_eq!(child.leaf_count(), c.leaf_count());
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    /// Places order as their stored keys do, paths of every length and
    /// nibble mixed.
    #[test]
    fn places_order_as_their_stored_keys() {
        let mut next = numbers(3);
        let places: Vec<NodePlace> = (0..2_000)
            .map(|_| {
                let len = (next() % 65) as usize;
                let nibbles: Vec<u8> = (0..len).map(|_| (next() % 16) as u8).collect();
                let path = Nibbles::from_nibbles(nibbles).expect("a path");
                NodePlace::new(next() % 3, path)
            })
            .collect();
        let mut by_place = places.clone();
        by_place.sort();
        let mut by_key = places;
        by_key.sort_by_key(NodePlace::db_key);
        assert_eq!(by_place, by_key);
    }

    #[test]
    fn nibble_paths_jmt_would_not_write_are_refused() {
        let p = NodePlace::new(7, Nibbles::from_nibbles([1, 2, 3]).expect("a path"));
        assert_eq!(format!("{:?}", p.path), "123");
        let mut bytes = p.to_jmt_bytes();
        assert_eq!(NodePlace::from_jmt_bytes(&bytes), Ok(p));
        *bytes.last_mut().expect("a byte") |= 1;
        assert!(
            NodePlace::from_jmt_bytes(&bytes).is_err(),
            "a stray half byte"
        );
        let mut long = p.to_jmt_bytes();
        long.push(0);
        assert!(NodePlace::from_jmt_bytes(&long).is_err(), "trailing bytes");
        let mut many = p.to_jmt_bytes();
        many[8] = 65;
        assert!(NodePlace::from_jmt_bytes(&many).is_err(), "65 nibbles");
        assert!(NodePlace::from_db_key(&[1, 2]).is_err());
        assert_eq!(Nibbles::from_nibbles([16]), None);
        let full = Nibbles::from_nibbles([0xf; NIBBLES_MAX]).expect("64 nibbles");
        assert_eq!(full.child(0), None);
    }

    #[test]
    fn bytes_jmt_would_not_write_are_refused() {
        let leaf = TreeNode::Leaf {
            key_hash: [1; 32],
            value_hash: [2; 32],
        }
        .to_bytes();
        assert!(TreeNode::from_bytes(&leaf[..40]).is_err());
        let mut long = leaf.clone();
        long.push(0);
        assert!(TreeNode::from_bytes(&long).is_err());
        let child = Child {
            hash: [5; 32],
            version: 9,
            leaves: Some(4),
        };
        assert!(Children::from_sorted(vec![(3, child), (3, child)]).is_none());
        assert!(Children::from_sorted(vec![(16, child)]).is_none());
        let children = Children::from_sorted(vec![(3, child)]).expect("children");
        assert_eq!(children.get(3), Some(&child));
        assert_eq!(children.get(2), None);
        let mut internal = TreeNode::Internal { children }.to_bytes();
        let n = internal.len();
        internal[n - 1] ^= 1;
        assert!(
            TreeNode::from_bytes(&internal).is_err(),
            "a wrong leaf count"
        );
        assert!(TreeNode::from_bytes(&[9]).is_err());
    }
}
