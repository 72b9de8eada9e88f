//! The state commitment: a Jellyfish Merkle tree (the `jmt` crate) over
//! `SHA-256(key) → value`, one version per block height. Updating it touches
//! O(log n) nodes per changed key; a single key has inclusion or exclusion
//! proofs against a header's `state_root`.
//!
//! The tree is jmt 0.12's, node for node and byte for byte, but a version
//! without deletions (every block of payments) is built by Yui's own code
//! (`tree_update.rs`, over `tree_node.rs`'s node type): jmt hands its nodes
//! through its reader by value and keeps its node types private, so each
//! read and each new node was copied two or three times. Deletions go
//! through jmt's own code ([`update_by_key`]), and so do proofs, through
//! [`JmtReader`], which decodes the stored bytes into jmt's type.
//!
//! Storage of tree nodes is the caller's ([`TreeRead`]): the node keeps them
//! in RocksDB, [`MemTree`] keeps them in memory for tests; the auditor's
//! replay computes the same roots with [`ReplayTree`] (`replay_tree.rs`).

use std::collections::BTreeMap;
use std::sync::Arc;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};

use crate::crypto::{Hash, sha256};
use crate::state::WriteSet;
pub use crate::tree_node::{Children, Nibbles, NodePlace, TreeNode};
pub use crate::tree_update::NodeRead;

/// A proof about one key, as produced by [`prove`].
pub type Proof = jmt::proof::SparseMerkleProof<sha2_010::Sha256>;

pub fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash(sha256(key))
}

/// Reads the stored tree: its nodes, and the newest value of a key at or
/// below a version.
pub trait TreeRead: NodeRead {
    fn value(&self, max_version: Version, kh: &KeyHash) -> Result<Option<OwnedValue>, String>;
}

/// A [`TreeRead`] as jmt's reader, for proofs and deletions (jmt's own
/// code): each node read is decoded from its stored bytes into jmt's type.
pub struct JmtReader<'r, R>(pub &'r R);

impl<R: TreeRead> TreeReader for JmtReader<'_, R> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        match self.0.node(&NodePlace::from_jmt(node_key)) {
            Ok(Some(n)) => Ok(Some(borsh::from_slice(&n.to_bytes())?)),
            Ok(None) => Ok(None),
            Err(e) => Err(anyhow::anyhow!(e)),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        self.0
            .value(max_version, &key_hash)
            .map_err(|e| anyhow::anyhow!(e))
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Asked only by jmt's restore from a chunked snapshot; a Yui
        // snapshot import builds its tree with `update` instead.
        Err(anyhow::anyhow!(
            "the state tree is not restored through jmt's restore"
        ))
    }
}

/// A new tree version as a store keeps it.
#[derive(Debug, Clone, Default)]
pub struct TreeChange {
    /// The version: a block's height.
    pub version: Version,
    /// The new nodes, one shared copy of each.
    pub nodes: Vec<(NodePlace, Arc<TreeNode>)>,
    /// The values written at `version` (`None`: deleted), by key hash.
    pub values: Vec<(KeyHash, Option<OwnedValue>)>,
    /// The nodes the new version replaced: needed only to read versions
    /// below it, so a store that keeps a bounded history deletes them once
    /// those versions fall out of it.
    pub stale: Vec<NodePlace>,
    /// Which written keys had a value in the tree before (sorted key
    /// hashes). A key outside it is new to the tree, so the store has no
    /// earlier value of it to find and delete later. It may hold hashes of
    /// keys not written, never that of a written key new to the tree: a
    /// node's filter of the state's keys (`node/src/storage/state_keys.rs`)
    /// adds only the written keys outside it.
    pub existed: Vec<KeyHash>,
}

impl TreeChange {
    /// Whether `kh` may have an earlier value in the store.
    pub fn may_have_existed(&self, kh: &KeyHash) -> bool {
        self.existed.binary_search(kh).is_ok()
    }
}

/// Computes the root after applying `writes` at `version` over the tree
/// whose last version is `version - 1`, and the [`TreeChange`] to store.
///
/// A write set without deletions (a block of payments) is inserted by
/// `tree_update.rs`: each new node built and hashed once, however many of
/// the block's keys lie below it, over nodes shared rather than copied. One
/// with deletions goes key by key through jmt's own code. Both build jmt's
/// tree, node for node: its shape depends only on the keys it holds.
///
/// Which keys existed is learnt from the leaves the update read: to write
/// a key that has a leaf, the update reads that leaf (to replace it, or to
/// find that the key differs and split), and it reads no leaf for a key new
/// to the tree whose slot is empty. A leaf read for a different key only
/// adds a hash that is never asked about.
pub fn update<R: TreeRead>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, TreeChange), String> {
    let mut kvs = Vec::with_capacity(writes.len());
    for (k, v) in writes {
        match v {
            Some(v) => kvs.push((key_hash(k).0, sha256(v), v)),
            None => return update_by_key(reader, writes, version),
        }
    }
    if kvs.is_empty() {
        return update_by_key(reader, writes, version);
    }
    kvs.sort_unstable_by_key(|kv| kv.0);
    let hashes: Vec<(Hash, Hash)> = kvs.iter().map(|(k, v, _)| (*k, *v)).collect();
    let made = crate::tree_update::update(reader, version, &hashes)
        .map_err(|e| format!("state tree update failed: {e}"))?;
    let mut existed: Vec<KeyHash> = made.leaves_read.into_iter().map(KeyHash).collect();
    existed.sort_unstable();
    existed.dedup();
    let change = TreeChange {
        version,
        nodes: made.nodes,
        values: kvs
            .into_iter()
            .map(|(k, _, v)| (KeyHash(k), Some(v.clone())))
            .collect(),
        stale: made.stale,
        existed,
    };
    Ok((made.root, change))
}

/// [`update`] one key at a time through jmt's `put_value_set`: the way for
/// write sets that delete, and the reference the other is tested against.
pub fn update_by_key<R: TreeRead>(
    reader: &R,
    writes: &WriteSet,
    version: Version,
) -> Result<(Hash, TreeChange), String> {
    let recorder = LeafRecorder {
        inner: JmtReader(reader),
        leaves: Default::default(),
    };
    let set: Vec<(KeyHash, Option<OwnedValue>)> = writes
        .iter()
        .map(|(k, v)| (key_hash(k), v.clone()))
        .collect();
    let (root, batch) = Sha256Jmt::new(&recorder)
        .put_value_set(set, version)
        .map_err(|e| format!("state tree update failed: {e}"))?;
    let mut existed = recorder.leaves.into_inner();
    existed.sort_unstable();
    existed.dedup();
    Ok((root.0, from_jmt(batch, version, existed)?))
}

/// jmt's update batch as a [`TreeChange`].
pub(crate) fn from_jmt(
    batch: TreeUpdateBatch,
    version: Version,
    existed: Vec<KeyHash>,
) -> Result<TreeChange, String> {
    let mut nodes = Vec::with_capacity(batch.node_batch.nodes().len());
    for (k, n) in batch.node_batch.nodes() {
        let bytes = borsh::to_vec(n).map_err(|e| e.to_string())?;
        nodes.push((
            NodePlace::from_jmt(k),
            Arc::new(TreeNode::from_bytes(&bytes)?),
        ));
    }
    Ok(TreeChange {
        version,
        nodes,
        values: batch
            .node_batch
            .values()
            .iter()
            .map(|((_, kh), v)| (*kh, v.clone()))
            .collect(),
        stale: batch
            .stale_node_index_batch
            .iter()
            .map(|i| NodePlace::from_jmt(&i.node_key))
            .collect(),
        existed,
    })
}

/// A tree reader that notes the key hash of every leaf read through it.
struct LeafRecorder<R> {
    inner: R,
    leaves: std::cell::RefCell<Vec<KeyHash>>,
}

impl<R: TreeReader> TreeReader for LeafRecorder<R> {
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

/// The root at `version`, if the tree has one.
pub fn root<R: NodeRead>(reader: &R, version: Version) -> Result<Option<Hash>, String> {
    reader
        .node(&NodePlace::root(version))
        .map(|n| n.map(|n| n.hash()))
        .map_err(|e| format!("state tree read failed: {e}"))
}

/// The value of `key` at `version` with a proof of inclusion (or of absence).
///
/// A version whose nodes the reader no longer holds in full (pruned, or
/// not written by a node that writes its tree every few heights, while the
/// proof was read) is an error. jmt itself unwraps a missing sibling's
/// child while collecting siblings, so that unwinding is caught here and
/// reported as the error it is; the tree is only read.
pub fn prove<R: TreeRead>(
    reader: &R,
    key: &[u8],
    version: Version,
) -> Result<(Option<Vec<u8>>, Proof), String> {
    let kh = key_hash(key);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Sha256Jmt::new(&JmtReader(reader)).get_with_proof(kh, version)
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
    nodes: BTreeMap<NodePlace, Arc<TreeNode>>,
    values: BTreeMap<[u8; 40], Option<OwnedValue>>,
}

impl MemTree {
    pub fn apply(&mut self, change: &TreeChange) {
        for (k, n) in &change.nodes {
            self.nodes.insert(*k, Arc::clone(n));
        }
        for (kh, v) in &change.values {
            self.values.insert(value_key(kh, change.version), v.clone());
        }
    }
}

impl NodeRead for MemTree {
    fn node(&self, at: &NodePlace) -> Result<Option<Arc<TreeNode>>, String> {
        Ok(self.nodes.get(at).cloned())
    }
}

impl TreeRead for MemTree {
    fn value(&self, max_version: Version, kh: &KeyHash) -> Result<Option<OwnedValue>, String> {
        let hi = value_key(kh, max_version);
        let lo = value_key(kh, 0);
        Ok(self
            .values
            .range(lo..=hi)
            .next_back()
            .and_then(|(_, v)| v.clone()))
    }
}

pub use crate::replay_tree::ReplayTree;
