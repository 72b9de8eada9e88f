//! One version of the state tree, made by Yui's own code: the nodes,
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
use crate::tree_node::{Child, Children, Nibbles, NodePlace, TreeNode};

/// Reads the nodes of earlier versions.
pub trait NodeRead {
    fn node(&self, at: &NodePlace) -> Result<Option<Arc<TreeNode>>, String>;
}

/// A version's new nodes, the nodes it replaced, and its root.
#[derive(Debug, Default)]
pub struct Version {
    pub root: Hash,
    pub nodes: Vec<(NodePlace, Arc<TreeNode>)>,
    pub stale: Vec<NodePlace>,
    /// The key hashes of the leaves the update read: every written key
    /// that had a value before is among them (its leaf is replaced or
    /// split), and no key new to the tree whose slot was empty.
    pub leaves_read: Vec<Hash>,
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

/// The path one nibble below `path`: two distinct key hashes differ
/// within 64 nibbles, so a deeper one is never needed.
fn below(path: &Nibbles, n: u8) -> Result<Nibbles, String> {
    path.child(n)
        .ok_or_else(|| "two writes of one key hash in a version".to_string())
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

type Built = Result<Arc<TreeNode>, String>;

impl<R: NodeRead> Builder<'_, R> {
    fn put(&mut self, path: Nibbles, node: TreeNode) -> Arc<TreeNode> {
        let node = Arc::new(node);
        self.out
            .nodes
            .push((NodePlace::new(self.version, path), Arc::clone(&node)));
        node
    }

    /// The keys `kvs` into the existing node at `at`.
    fn insert_at(&mut self, at: NodePlace, kvs: &[(Hash, Hash)], depth: usize) -> Built {
        let node = self
            .reader
            .node(&at)?
            .ok_or_else(|| format!("the state tree has no node at {at:?}"))?;
        let path = at.path;
        match node.as_ref() {
            TreeNode::Internal { children } => {
                self.out.stale.push(at);
                // The children the keys do not reach stay as they were.
                let mut merged = Vec::with_capacity(children.len() + kvs.len().min(16));
                let mut old = children.iter().peekable();
                let mut changed = 0u16;
                for (n, run) in groups(kvs, depth) {
                    changed |= 1 << n;
                    while let Some((m, c)) = old.next_if(|(m, _)| *m < n) {
                        merged.push((m, *c));
                    }
                    let path_below = below(&path, n)?;
                    let new = match old.next_if(|(m, _)| *m == n) {
                        Some((_, c)) => {
                            self.insert_at(NodePlace::new(c.version, path_below), run, depth + 1)?
                        }
                        None => self.create(path_below, run, depth + 1)?,
                    };
                    merged.push((n, child_of(&new, self.version)));
                }
                merged.extend(old.map(|(m, c)| (m, *c)));
                let children = Children::from_sorted_after(merged, children, changed)
                    .ok_or_else(|| format!("children out of order at {path:?}"))?;
                Ok(self.put(path, TreeNode::Internal { children }))
            }
            TreeNode::Leaf {
                key_hash,
                value_hash,
            } => {
                self.out.stale.push(at);
                self.out.leaves_read.push(*key_hash);
                self.split_leaf(path, (*key_hash, *value_hash), kvs, depth)
            }
            TreeNode::Null => {
                if !path.is_empty() {
                    return Err(format!("an empty node below the root at {path:?}"));
                }
                self.create(path, kvs, depth)
            }
        }
    }

    /// A leaf `(key, value)` met by `kvs` at `path`.
    fn split_leaf(
        &mut self,
        path: Nibbles,
        leaf: (Hash, Hash),
        kvs: &[(Hash, Hash)],
        depth: usize,
    ) -> Built {
        if let [(k, v)] = kvs
            && *k == leaf.0
        {
            let node = TreeNode::Leaf {
                key_hash: *k,
                value_hash: *v,
            };
            return Ok(self.put(path, node));
        }
        let own = nibble(&leaf.0, depth);
        let mut children = Vec::new();
        // Where no new key shares the leaf's nibble, the leaf moves down
        // alone; it is made in nibble order among the new children, so
        // that the nodes of each depth come out in path order.
        let mut alone = !groups(kvs, depth).any(|(n, _)| n == own);
        for (n, run) in groups(kvs, depth) {
            if alone && n > own {
                self.move_leaf(&path, leaf, own, &mut children)?;
                alone = false;
            }
            let path_below = below(&path, n)?;
            let new = if n == own {
                self.split_leaf(path_below, leaf, run, depth + 1)?
            } else {
                self.create(path_below, run, depth + 1)?
            };
            children.push((n, child_of(&new, self.version)));
        }
        if alone {
            self.move_leaf(&path, leaf, own, &mut children)?;
        }
        self.internal(path, children)
    }

    /// The leaf `(key, value)`, alone below `path` in slot `own`, stored
    /// again at this version (as jmt does).
    fn move_leaf(
        &mut self,
        path: &Nibbles,
        leaf: (Hash, Hash),
        own: u8,
        children: &mut Vec<(u8, Child)>,
    ) -> Result<(), String> {
        let node = TreeNode::Leaf {
            key_hash: leaf.0,
            value_hash: leaf.1,
        };
        let moved = self.put(below(path, own)?, node);
        children.push((own, child_of(&moved, self.version)));
        Ok(())
    }

    /// An internal node of `children` (in nibble order) at `path`.
    fn internal(&mut self, path: Nibbles, children: Vec<(u8, Child)>) -> Built {
        let children = Children::from_sorted(children)
            .ok_or_else(|| format!("children out of order at {path:?}"))?;
        Ok(self.put(path, TreeNode::Internal { children }))
    }

    /// A new subtree of `kvs` at `path`.
    fn create(&mut self, path: Nibbles, kvs: &[(Hash, Hash)], depth: usize) -> Built {
        if let [(k, v)] = kvs {
            let node = TreeNode::Leaf {
                key_hash: *k,
                value_hash: *v,
            };
            return Ok(self.put(path, node));
        }
        let mut children = Vec::new();
        for (n, run) in groups(kvs, depth) {
            let new = self.create(below(&path, n)?, run, depth + 1)?;
            children.push((n, child_of(&new, self.version)));
        }
        self.internal(path, children)
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
        None => b.create(Nibbles::ROOT, kvs, 0)?,
        Some(prev) => match reader.node(&NodePlace::root(prev))? {
            // An empty tree's root is not counted replaced.
            Some(n) if matches!(n.as_ref(), TreeNode::Null) => b.create(Nibbles::ROOT, kvs, 0)?,
            _ => b.insert_at(NodePlace::root(prev), kvs, 0)?,
        },
    };
    b.out.root = root.hash();
    Ok(b.out)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use jmt::{KeyHash, Sha256Jmt};

    use super::*;
    use crate::commitment::{self, JmtReader, MemTree};
    use crate::state::WriteSet;

    /// Versions of inserts and updates, keys drawn from a few hundred, some
    /// versions of one key: the same root, the same nodes byte for byte and
    /// the same replaced nodes as jmt's batch insert, version after version;
    /// and each written key counted as existing exactly when it did.
    #[test]
    fn every_version_is_jmts_node_for_node() {
        let mut theirs_tree = MemTree::default();
        let mut ours_tree = MemTree::default();
        let mut held: BTreeSet<KeyHash> = BTreeSet::new();
        let mut next = crate::tree_node::tests::numbers(5);
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
            let set: Vec<(KeyHash, Vec<u8>)> = w
                .iter()
                .map(|(k, v)| (commitment::key_hash(k), v.clone().unwrap_or_default()))
                .collect();
            let (roots, batch) = Sha256Jmt::new(&JmtReader(&theirs_tree))
                .batch_put_value_sets(vec![set], None, version)
                .expect("jmt");
            let theirs = commitment::from_jmt(batch, version, Vec::new()).expect("jmt's nodes");
            theirs_tree.apply(&theirs);

            let (root, mine) = commitment::update(&ours_tree, &w, version).expect("ours");
            assert_eq!(root, roots[0].0, "the root of version {version}");
            let bytes = |c: &commitment::TreeChange| -> BTreeMap<NodePlace, Vec<u8>> {
                c.nodes.iter().map(|(p, n)| (*p, n.to_bytes())).collect()
            };
            assert_eq!(bytes(&mine).len(), mine.nodes.len(), "each place once");
            // Each depth's nodes come out in path order (a window sorts a
            // version's nodes by a stable sort on the depth alone).
            let mut by_depth: Vec<Nibbles> = mine.nodes.iter().map(|(p, _)| p.path).collect();
            by_depth.sort_by_key(|p| p.len());
            assert!(by_depth.is_sorted(), "version {version}'s nodes by depth");
            assert_eq!(
                bytes(&mine),
                bytes(&theirs),
                "the nodes of version {version}"
            );
            let (mut a, mut b) = (mine.stale.clone(), theirs.stale.clone());
            a.sort();
            b.sort();
            assert_eq!(a, b, "the nodes version {version} replaced");
            assert_eq!(
                mine.values, theirs.values,
                "the values of version {version}"
            );
            for k in w.keys() {
                let kh = commitment::key_hash(k);
                assert_eq!(mine.may_have_existed(&kh), held.contains(&kh), "{k:?}");
            }
            held.extend(w.keys().map(|k| commitment::key_hash(k)));
            nodes_seen += mine.nodes.len();
            ours_tree.apply(&mine);
        }
        assert!(nodes_seen > 2_000, "{nodes_seen}");
    }

    #[test]
    fn unsorted_or_empty_writes_are_refused() {
        let ours = MemTree::default();
        assert!(update(&ours, 0, &[]).is_err());
        assert!(update(&ours, 0, &[([2; 32], [0; 32]), ([1; 32], [0; 32])]).is_err());
        assert!(update(&ours, 0, &[([1; 32], [0; 32]), ([1; 32], [0; 32])]).is_err());
        // As jmt's: a version needs the root of the one before.
        let e = update(&ours, 1, &[([1; 32], [0; 32])]).expect_err("no root of version 0");
        assert!(e.contains("no node"), "{e}");
    }
}
