//! One version of the state tree, made by Yui's own code (work in
//! progress on branch `tree-update`; not used by the node yet): the nodes,
//! the replaced nodes and the root that jmt 0.12's `batch_put_value_sets`
//! makes for a set of inserts and updates, node for node, over nodes shared
//! by `Arc` rather than copied.
//!
//! The rules, as jmt's batch insert applies them to a version `v` and key
//! hashes sorted ascending:
//! - every existing node the insert visits is replaced (stale since `v`);
//! - every new node is written at `v`, under its nibble path;
//! - an internal node keeps its other children as they were and takes a
//!   new child for each nibble the keys below it start with;
//! - a leaf met by keys other than its own becomes an internal node; the
//!   leaf is written again, at `v`, in the slot where it ends up alone;
//! - the root of `v` is at the empty path; an empty tree's root (`Null`)
//!   at `v - 1` is not counted replaced.

use std::sync::Arc;

use crate::crypto::Hash;
use crate::tree_node::{Child, TreeNode};

/// A node's place: the version it was written at and its nibble path.
pub type Place = (u64, Vec<u8>);

/// Reads the nodes of earlier versions.
pub trait NodeRead {
    fn node(&self, at: &Place) -> Result<Option<Arc<TreeNode>>, String>;
}

/// A version's new nodes, the nodes it replaced, and its root.
#[derive(Debug, Default)]
pub struct Version {
    pub root: Hash,
    pub nodes: Vec<(Place, Arc<TreeNode>)>,
    pub stale: Vec<Place>,
}

/// The `i`-th nibble of a key hash, most significant first.
fn nibble(key: &Hash, i: usize) -> u8 {
    (key[i / 2] >> (4 * (1 - i % 2))) & 0xf
}

/// Runs of `kvs` (sorted) that share their nibble at `depth`.
fn groups(kvs: &[(Hash, Hash)], depth: usize) -> impl Iterator<Item = (u8, &[(Hash, Hash)])> {
    let mut rest = kvs;
    std::iter::from_fn(move || {
        let (first, _) = rest.first()?;
        let n = nibble(first, depth);
        let len = rest
            .iter()
            .take_while(|(k, _)| nibble(k, depth) == n)
            .count();
        let (run, tail) = rest.split_at(len);
        rest = tail;
        Some((n, run))
    })
}

fn child_of(node: &TreeNode, version: u64) -> Child {
    Child {
        hash: node.hash(),
        version,
        leaves: match node {
            TreeNode::Leaf { .. } => None,
            other => Some(other.leaf_count()),
        },
    }
}

struct Builder<'r, R> {
    reader: &'r R,
    version: u64,
    out: Version,
}

impl<R: NodeRead> Builder<'_, R> {
    fn put(&mut self, path: Vec<u8>, node: TreeNode) -> Arc<TreeNode> {
        let node = Arc::new(node);
        self.out
            .nodes
            .push(((self.version, path), Arc::clone(&node)));
        node
    }

    /// The keys `kvs` into the existing node at `at`.
    fn insert_at(
        &mut self,
        at: Place,
        kvs: &[(Hash, Hash)],
        depth: usize,
    ) -> Result<Arc<TreeNode>, String> {
        let node = self
            .reader
            .node(&at)?
            .ok_or_else(|| format!("the state tree has no node at {at:?}"))?;
        let (old_version, path) = at;
        match node.as_ref() {
            TreeNode::Internal { children } => {
                self.out.stale.push((old_version, path.clone()));
                let mut children = children.clone();
                for (n, run) in groups(kvs, depth) {
                    let mut below = path.clone();
                    below.push(n);
                    let new = match children[usize::from(n)] {
                        Some(c) => self.insert_at((c.version, below), run, depth + 1)?,
                        None => self.create(below, run, depth + 1),
                    };
                    children[usize::from(n)] = Some(child_of(&new, self.version));
                }
                Ok(self.put(path, TreeNode::Internal { children }))
            }
            TreeNode::Leaf {
                key_hash,
                value_hash,
            } => {
                self.out.stale.push((old_version, path.clone()));
                Ok(self.split_leaf(path, (*key_hash, *value_hash), kvs, depth))
            }
            TreeNode::Null => {
                if !path.is_empty() {
                    return Err(format!("an empty node below the root at {path:?}"));
                }
                Ok(self.create(path, kvs, depth))
            }
        }
    }

    /// A leaf `(key, value)` met by `kvs` at `path`.
    fn split_leaf(
        &mut self,
        path: Vec<u8>,
        leaf: (Hash, Hash),
        kvs: &[(Hash, Hash)],
        depth: usize,
    ) -> Arc<TreeNode> {
        if let [(k, v)] = kvs
            && *k == leaf.0
        {
            return self.put(
                path,
                TreeNode::Leaf {
                    key_hash: *k,
                    value_hash: *v,
                },
            );
        }
        let own = nibble(&leaf.0, depth);
        let mut children = Box::new([None; 16]);
        let mut alone = true;
        for (n, run) in groups(kvs, depth) {
            let mut below = path.clone();
            below.push(n);
            let new = if n == own {
                alone = false;
                self.split_leaf(below, leaf, run, depth + 1)
            } else {
                self.create(below, run, depth + 1)
            };
            children[usize::from(n)] = Some(child_of(&new, self.version));
        }
        if alone {
            let mut below = path.clone();
            below.push(own);
            let moved = self.put(
                below,
                TreeNode::Leaf {
                    key_hash: leaf.0,
                    value_hash: leaf.1,
                },
            );
            children[usize::from(own)] = Some(child_of(&moved, self.version));
        }
        self.put(path, TreeNode::Internal { children })
    }

    /// A new subtree of `kvs` at `path`.
    fn create(&mut self, path: Vec<u8>, kvs: &[(Hash, Hash)], depth: usize) -> Arc<TreeNode> {
        if let [(k, v)] = kvs {
            return self.put(
                path,
                TreeNode::Leaf {
                    key_hash: *k,
                    value_hash: *v,
                },
            );
        }
        let mut children = Box::new([None; 16]);
        for (n, run) in groups(kvs, depth) {
            let mut below = path.clone();
            below.push(n);
            let new = self.create(below, run, depth + 1);
            children[usize::from(n)] = Some(child_of(&new, self.version));
        }
        self.put(path, TreeNode::Internal { children })
    }
}

/// Version `version` of the tree whose previous version is `version - 1`
/// (none before version 0), with `kvs`: key hashes and value hashes,
/// sorted by key hash, each key once, at least one.
pub fn update<R: NodeRead>(
    reader: &R,
    version: u64,
    kvs: &[(Hash, Hash)],
) -> Result<Version, String> {
    if kvs.is_empty() {
        return Err("a version of the state tree with no writes".into());
    }
    if kvs.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err("key hashes not sorted and distinct".into());
    }
    let mut b = Builder {
        reader,
        version,
        out: Version::default(),
    };
    let root = match version.checked_sub(1) {
        None => b.create(Vec::new(), kvs, 0),
        Some(prev) => match reader.node(&(prev, Vec::new()))? {
            // An empty tree's root is not counted replaced.
            Some(n) if matches!(n.as_ref(), TreeNode::Null) => b.create(Vec::new(), kvs, 0),
            _ => b.insert_at((prev, Vec::new()), kvs, 0)?,
        },
    };
    b.out.root = root.hash();
    Ok(b.out)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::*;
    use crate::commitment::{self, MemTree};
    use crate::crypto::sha256;
    use crate::state::WriteSet;

    #[derive(Default)]
    struct Nodes(HashMap<Place, Arc<TreeNode>>);

    impl NodeRead for Nodes {
        fn node(&self, at: &Place) -> Result<Option<Arc<TreeNode>>, String> {
            Ok(self.0.get(at).cloned())
        }
    }

    fn place(k: &jmt::storage::NodeKey) -> Place {
        (
            k.version(),
            k.nibble_path().nibbles().map(u8::from).collect(),
        )
    }

    /// Versions of inserts and updates, keys drawn from a few hundred, some
    /// versions of one key: the same root, the same nodes byte for byte and
    /// the same replaced nodes as jmt's batch insert, version after version.
    #[test]
    fn every_version_is_jmts_node_for_node() {
        let mut jmt_tree = MemTree::default();
        let mut ours = Nodes::default();
        let mut x: u64 = 5;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        let mut nodes_seen = 0;
        for version in 0..60u64 {
            let mut w = WriteSet::new();
            let writes = if version % 10 == 3 {
                1
            } else {
                1 + next() % 80
            };
            for _ in 0..writes {
                let k = next() % 700;
                w.insert(
                    format!("key-{k}").into_bytes(),
                    Some(format!("v{version}-{k}").into_bytes()),
                );
            }
            let (root, change) = commitment::update_change(&jmt_tree, &w, version).expect("jmt");
            jmt_tree.apply(&change.batch);

            let kvs: BTreeMap<Hash, Hash> = w
                .iter()
                .map(|(k, v)| {
                    (
                        commitment::key_hash(k).0,
                        sha256(v.as_deref().unwrap_or_default()),
                    )
                })
                .collect();
            let kvs: Vec<(Hash, Hash)> = kvs.into_iter().collect();
            let mine = update(&ours, version, &kvs).expect("ours");

            assert_eq!(mine.root, root, "the root of version {version}");
            let theirs: BTreeMap<Place, Vec<u8>> = change
                .batch
                .nodes()
                .iter()
                .map(|(k, n)| (place(k), borsh::to_vec(n).expect("borsh")))
                .collect();
            let made: BTreeMap<Place, Vec<u8>> = mine
                .nodes
                .iter()
                .map(|(p, n)| (p.clone(), n.to_bytes()))
                .collect();
            assert_eq!(made.len(), mine.nodes.len(), "each place once");
            assert_eq!(made, theirs, "the nodes of version {version}");
            let mut stale: Vec<Place> = change.stale.iter().map(place).collect();
            let mut my_stale = mine.stale.clone();
            stale.sort();
            my_stale.sort();
            assert_eq!(my_stale, stale, "the nodes version {version} replaced");
            nodes_seen += mine.nodes.len();
            for (p, n) in mine.nodes {
                ours.0.insert(p, n);
            }
        }
        assert!(nodes_seen > 2_000, "{nodes_seen}");
    }

    #[test]
    fn unsorted_or_empty_writes_are_refused() {
        let ours = Nodes::default();
        assert!(update(&ours, 0, &[]).is_err());
        assert!(update(&ours, 0, &[([2; 32], [0; 32]), ([1; 32], [0; 32])]).is_err());
        assert!(update(&ours, 0, &[([1; 32], [0; 32]), ([1; 32], [0; 32])]).is_err());
        // As jmt's: a version needs the root of the one before.
        let e = update(&ours, 1, &[([1; 32], [0; 32])]).expect_err("no root of version 0");
        assert!(e.contains("no node"), "{e}");
    }
}
