//! The state commitment: a Jellyfish Merkle tree (the `jmt` crate) over
//! `SHA-256(key) → value`, one version per block height. Updating it touches
//! O(log n) nodes per changed key; a single key has inclusion or exclusion
//! proofs against a header's `state_root`.
//!
//! Storage of tree nodes is the caller's: the node keeps them in RocksDB,
//! [`MemTree`] keeps them in memory for tests; the auditor's replay computes
//! the same roots with [`ReplayTree`] (`replay_tree.rs`).

use std::collections::BTreeMap;

use jmt::storage::{LeafNode, Node, NodeBatch, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};

use crate::crypto::{Hash, sha256};
use crate::state::WriteSet;

/// A proof about one key, as produced by [`prove`].
pub type Proof = jmt::proof::SparseMerkleProof<sha2_010::Sha256>;

pub fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash(sha256(key))
}

/// Computes the root after applying `writes` at `version`, and the tree nodes
/// and values to store.
///
/// A write set without deletions (a block of payments) is inserted as one
/// batch: each new tree node is built and hashed once, however many of the
/// block's keys lie below it. One with deletions goes key by key, which jmt
/// supports for deletions only. Both build the same tree, since a
/// Jellyfish Merkle tree's shape depends only on the keys it holds.
pub fn update<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, NodeBatch), String> {
    update_tree(reader, writes, version).map(|(root, batch)| (root, batch.node_batch))
}

/// A new tree version as a store keeps it.
#[derive(Debug, Clone, Default)]
pub struct TreeChange {
    /// The nodes and values to write.
    pub batch: NodeBatch,
    /// The nodes the new version replaced: needed only to read versions
    /// below it, so a store that keeps a bounded history deletes them once
    /// those versions fall out of it.
    pub stale: Vec<NodeKey>,
    /// Which written keys had a value in the tree before (sorted key
    /// hashes); `None` if not known. A key outside it is new to the tree, so
    /// the store has no earlier value of it to find and delete later.
    pub existed: Option<Vec<KeyHash>>,
}

impl TreeChange {
    /// A change whose replaced nodes and earlier values are not known.
    pub fn unrecorded(batch: NodeBatch) -> Self {
        Self {
            batch,
            ..Self::default()
        }
    }

    /// Whether `kh` may have an earlier value in the store.
    pub fn may_have_existed(&self, kh: &KeyHash) -> bool {
        self.existed
            .as_ref()
            .is_none_or(|e| e.binary_search(kh).is_ok())
    }
}

/// [`update`], with what a store needs to bound its history: the
/// [`TreeChange`] (nodes and values, the nodes replaced, the keys held
/// before).
///
/// Which keys existed is learnt from the leaves the update read: to write
/// a key that has a leaf, jmt reads that leaf (to replace it, or to find
/// that the key differs and split), and it reads no leaf for a key new to
/// the tree whose slot is empty. A leaf read for a different key only adds
/// a hash that is never asked about.
pub fn update_change<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, TreeChange), String> {
    let recorder = LeafRecorder {
        inner: reader,
        leaves: Default::default(),
    };
    let (root, batch) = update_tree(&recorder, writes, version)?;
    let stale = batch
        .stale_node_index_batch
        .into_iter()
        .map(|i| i.node_key)
        .collect();
    let mut existed = recorder.leaves.into_inner();
    existed.sort_unstable();
    existed.dedup();
    Ok((
        root,
        TreeChange {
            batch: batch.node_batch,
            stale,
            existed: Some(existed),
        },
    ))
}

/// A tree reader that notes the key hash of every leaf read through it.
struct LeafRecorder<'r, R> {
    inner: &'r R,
    leaves: std::cell::RefCell<Vec<KeyHash>>,
}

impl<R: TreeReader> TreeReader for LeafRecorder<'_, R> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let node = self.inner.get_node_option(node_key)?;
        if let Some(Node::Leaf(l)) = &node {
            self.leaves.borrow_mut().push(l.key_hash());
        }
        Ok(node)
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        self.inner.get_value_option(max_version, key_hash)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        self.inner.get_rightmost_leaf()
    }
}

/// [`update`], with the nodes the new version makes stale.
fn update_tree<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, TreeUpdateBatch), String> {
    let fail = |e: anyhow::Error| format!("state tree update failed: {e}");
    let inserts: Option<Vec<(KeyHash, OwnedValue)>> = writes
        .iter()
        .map(|(k, v)| v.clone().map(|v| (key_hash(k), v)))
        .collect();
    match inserts {
        Some(set) if !set.is_empty() => {
            let (roots, batch) = Sha256Jmt::new(reader)
                .batch_put_value_sets(vec![set], None, version)
                .map_err(fail)?;
            let root = roots.first().ok_or("state tree update gave no root")?;
            Ok((root.0, batch))
        }
        _ => update_tree_by_key(reader, writes, version),
    }
}

/// [`update`] one key at a time (jmt's `put_value_set`): the way for write
/// sets that delete, and the reference the batched way is tested against.
pub fn update_by_key<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, NodeBatch), String> {
    update_tree_by_key(reader, writes, version).map(|(root, batch)| (root, batch.node_batch))
}

fn update_tree_by_key<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, TreeUpdateBatch), String> {
    let set: Vec<(KeyHash, Option<OwnedValue>)> = writes
        .iter()
        .map(|(k, v)| (key_hash(k), v.clone()))
        .collect();
    let (root, batch) = Sha256Jmt::new(reader)
        .put_value_set(set, version)
        .map_err(|e| format!("state tree update failed: {e}"))?;
    Ok((root.0, batch))
}

/// The root at `version`, if the tree has one.
pub fn root<R: TreeReader>(reader: &R, version: Version) -> Result<Option<Hash>, String> {
    Sha256Jmt::new(reader)
        .get_root_hash_option(version)
        .map(|o| o.map(|r| r.0))
        .map_err(|e| format!("state tree read failed: {e}"))
}

/// The value of `key` at `version` with a proof of inclusion (or of absence).
///
/// A version whose nodes the reader no longer holds in full (pruned, or
/// not written by a node that writes its tree every few heights, while the
/// proof was read) is an error. jmt itself unwraps a missing sibling's
/// child while collecting siblings, so that unwinding is caught here and
/// reported as the error it is; the tree is only read.
pub fn prove<R: TreeReader>(
    reader: &R,
    key: &[u8],
    version: Version,
) -> Result<(Option<Vec<u8>>, Proof), String> {
    let kh = key_hash(key);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Sha256Jmt::new(reader).get_with_proof(kh, version)
    }))
    .map_err(|_| format!("state proof failed: the tree of version {version} is not held whole"))?
    .map_err(|e| format!("state proof failed: {e}"))
}

/// Checks a proof that `key` has `value` (or is absent, for `None`) under `root`.
pub fn verify(root: &Hash, key: &[u8], value: Option<&[u8]>, proof: &Proof) -> Result<(), String> {
    proof
        .verify(jmt::RootHash(*root), key_hash(key), value)
        .map_err(|e| format!("proof does not verify: {e}"))
}

pub fn proof_to_bytes(p: &Proof) -> Vec<u8> {
    borsh::to_vec(p).unwrap_or_default()
}

pub fn proof_from_bytes(b: &[u8]) -> Result<Proof, String> {
    borsh::from_slice(b).map_err(|e| format!("malformed proof: {e}"))
}

/// The key under which a tree value is stored: key hash then big-endian
/// version, so "newest at or below a version" is one reverse seek.
pub fn value_key(kh: &KeyHash, version: Version) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&kh.0);
    k[32..].copy_from_slice(&version.to_be_bytes());
    k
}

/// A tree held in memory.
#[derive(Debug, Default, Clone)]
pub struct MemTree {
    nodes: BTreeMap<NodeKey, Node>,
    values: BTreeMap<[u8; 40], Option<OwnedValue>>,
}

impl MemTree {
    pub fn apply(&mut self, batch: &NodeBatch) {
        for (k, n) in batch.nodes() {
            self.nodes.insert(k.clone(), n.clone());
        }
        for ((version, kh), v) in batch.values() {
            self.values.insert(value_key(kh, *version), v.clone());
        }
    }
}

impl TreeReader for MemTree {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(self.nodes.get(node_key).cloned())
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        let hi = value_key(&key_hash, max_version);
        let lo = value_key(&key_hash, 0);
        Ok(self
            .values
            .range(lo..=hi)
            .next_back()
            .and_then(|(_, v)| v.clone()))
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Used only when restoring a tree from a snapshot: the leaf with the
        // greatest key hash.
        let mut best: Option<(NodeKey, LeafNode)> = None;
        for (k, n) in &self.nodes {
            if let Node::Leaf(l) = n
                && best
                    .as_ref()
                    .is_none_or(|(_, b)| l.key_hash() > b.key_hash())
            {
                best = Some((k.clone(), l.clone()));
            }
        }
        Ok(best)
    }
}

pub use crate::replay_tree::ReplayTree;
