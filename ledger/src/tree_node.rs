//! The state tree's stored nodes in Yui's own type (work in progress on
//! branch `tree-update`; not used by the node yet).
//!
//! The node's tree is jmt 0.12's: every version's nodes stored under
//! `(version, nibble path)` as borsh of jmt's `Node`, and proofs built by jmt
//! from them. jmt keeps its internal node type private and hands nodes
//! through its reader by value, so each read copies a node and each version
//! copies every new node again (BENCHMARKS.md, "what the state tree costs
//! the devnet"). A tree update of Yui's own would build these nodes itself
//! and share them; this module is its first part: the node, its stored
//! bytes (exactly jmt's, so stores and proofs stay as they are) and its
//! hash (exactly jmt's).
//!
//! jmt's encoding (borsh, derived): a variant byte (`Null` 0, `Internal`
//! 1, `Leaf` 2); a leaf is `key_hash[32] ‖ value_hash[32]`; an internal
//! node is 16 × `Option<Child>`, `num_children: u64`, `leaf_count: u64`,
//! and a child is `hash[32] ‖ version: u64 ‖ node_type`, where `node_type`
//! is 0 for a leaf, or 1 ‖ `leaf_count: u64` below an internal node.

use crate::crypto::Hash;
use crate::replay_tree::{LEAF_DOMAIN, PLACEHOLDER, hash_internal, hash_tagged_pair};

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

/// A stored node of the state tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeNode {
    /// The empty tree's root.
    Null,
    Leaf {
        key_hash: Hash,
        value_hash: Hash,
    },
    /// Boxed, as jmt does, so that a leaf is small. Most internal nodes
    /// away from the root hold two or three children: a sparse list may
    /// serve the update better.
    Internal {
        children: Box<[Option<Child>; 16]>,
    },
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
            TreeNode::Internal { children } => {
                children.iter().flatten().map(Child::leaf_count).sum()
            }
        }
    }

    /// jmt's stored bytes of this node.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            TreeNode::Null => vec![TAG_NULL],
            TreeNode::Leaf {
                key_hash,
                value_hash,
            } => {
                let mut b = Vec::with_capacity(65);
                b.push(TAG_LEAF);
                b.extend_from_slice(key_hash);
                b.extend_from_slice(value_hash);
                b
            }
            TreeNode::Internal { children } => {
                let mut b = Vec::with_capacity(1 + 16 + 16 * 49 + 16);
                b.push(TAG_INTERNAL);
                for c in children.iter() {
                    match c {
                        None => b.push(0),
                        Some(c) => {
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
                    }
                }
                let n = children.iter().flatten().count() as u64;
                b.extend_from_slice(&n.to_le_bytes());
                b.extend_from_slice(&self.leaf_count().to_le_bytes());
                b
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
                let mut children = Box::new([None; 16]);
                for slot in children.iter_mut() {
                    *slot = match r.byte()? {
                        0 => None,
                        1 => {
                            let hash = r.hash()?;
                            let version = r.u64()?;
                            let leaves = match r.byte()? {
                                0 => None,
                                1 => Some(r.u64()?),
                                t => return Err(format!("a tree node's child type {t}")),
                            };
                            Some(Child {
                                hash,
                                version,
                                leaves,
                            })
                        }
                        t => return Err(format!("a tree node's slot tag {t}")),
                    };
                }
                let present = children.iter().flatten().count() as u64;
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
            TreeNode::Internal { children } => range_hash(children, 0, 16),
        }
    }
}

fn range_hash(children: &[Option<Child>; 16], start: usize, width: usize) -> Hash {
    let slots = &children[start..start + width];
    let mut present = slots.iter().flatten();
    match (present.next(), present.next()) {
        (None, _) => PLACEHOLDER,
        (Some(c), None) if c.leaves.is_none() => c.hash,
        _ if width == 1 => slots[0].map_or(PLACEHOLDER, |c| c.hash),
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
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::commitment::{self, MemTree};
    use crate::state::WriteSet;

    /// Every node of trees jmt built, over inserts, updates and deletes of
    /// keys some of which share long prefixes: the same bytes back, and
    /// jmt's hash (as its parent records it, or as the version's root).
    #[test]
    fn every_node_jmt_stores_reads_back_to_its_bytes_and_its_hash() {
        let mut tree = MemTree::default();
        // Every node stored so far, by nibble path and version.
        let mut all: HashMap<(Vec<u8>, u64), TreeNode> = HashMap::new();
        let mut x: u64 = 11;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        let mut checked = 0;
        for version in 0..40u64 {
            let mut w = WriteSet::new();
            for _ in 0..(1 + next() % 60) {
                let k = next() % 500;
                let v = (next() % 7 != 0).then(|| format!("value {version} {k}").into_bytes());
                w.insert(format!("key-{k}").into_bytes(), v);
            }
            let (root, batch) = commitment::update_by_key(&tree, &w, version).expect("jmt");
            tree.apply(&batch);
            for (k, n) in batch.nodes() {
                let bytes = borsh::to_vec(n).expect("borsh");
                let ours = TreeNode::from_bytes(&bytes).expect("our type reads jmt's bytes");
                assert_eq!(ours.to_bytes(), bytes, "{k:?}");
                let path: Vec<u8> = k.nibble_path().nibbles().map(u8::from).collect();
                if path.is_empty() && k.version() == version {
                    assert_eq!(ours.hash(), root, "the root of version {version}");
                }
                all.insert((path, k.version()), ours);
            }
            for ((path, _), node) in &all {
                let TreeNode::Internal { children } = node else {
                    continue;
                };
                for (i, c) in children.iter().enumerate() {
                    let Some(c) = c else { continue };
                    let mut below = path.clone();
                    below.push(i as u8);
                    let child = &all[&(below, c.version)];
                    assert_eq!(child.hash(), c.hash, "jmt's hash of the child");
                    assert_eq!(child.leaf_count(), c.leaf_count());
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
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
        let mut children = [None; 16];
        children[3] = Some(Child {
            hash: [5; 32],
            version: 9,
            leaves: Some(4),
        });
        let mut internal = TreeNode::Internal {
            children: Box::new(children),
        }
        .to_bytes();
        let n = internal.len();
        internal[n - 1] ^= 1;
        assert!(
            TreeNode::from_bytes(&internal).is_err(),
            "a wrong leaf count"
        );
        assert!(TreeNode::from_bytes(&[9]).is_err());
    }
}
