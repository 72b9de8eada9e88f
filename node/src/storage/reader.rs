//! The store as the ledger's state reader (`state`) and as the state
//! tree's node and value reader (`tree_nodes`, `jmt_values`).

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Version};
use rocksdb::{Direction, IteratorMode};
use yui_ledger::StateRead;
use yui_ledger::commitment::value_key;
use yui_ledger::state::StateError;

use super::tree_keys::{node_db_key, node_key_of};
use super::{Store, cf};

impl StateRead for Store {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        // A failed read stops execution (the ledger refuses to go on with
        // it); it is logged here with RocksDB's own words.
        self.state_cache.get_or_read(key, || {
            Store::get(self, cf::STATE, key).map_err(|e| {
                tracing::error!(error = %e, "state read failed");
                StateError::Unreadable
            })
        })
    }

    fn scan(
        &self,
        prefix: &[u8],
        from: &[u8],
        limit: usize,
    ) -> Result<yui_ledger::state::Rows, StateError> {
        let start = if from > prefix { from } else { prefix };
        let cf = self.cf(cf::STATE).map_err(|_| StateError::Unreadable)?;
        let mut out = Vec::new();
        for item in self
            .db
            .iterator_cf(cf, IteratorMode::From(start, Direction::Forward))
        {
            let (k, v) = item.map_err(|e| {
                tracing::error!(error = %e, "state scan failed");
                StateError::Unreadable
            })?;
            if !k.starts_with(prefix) || out.len() >= limit {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }
}

impl TreeReader for Store {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        if let Some(n) = self.top.get(node_key) {
            return Ok(Some(n));
        }
        if let Some(n) = self.window.get(node_key) {
            return Ok(Some(n));
        }
        match self.get(cf::TREE_NODES, &node_db_key(node_key))? {
            Some(b) => Ok(Some(borsh::from_slice(&b)?)),
            None => Ok(None),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        // The newest at or below `max_version` of the values in memory
        // (versions since the tree's last writes) and those on disk.
        let memory = self.window.value(&key_hash, max_version)?;
        if let Some((v, value)) = &memory
            && *v > self.window.through()
        {
            return Ok(value.clone());
        }
        let mut it = self.db.raw_iterator_cf(self.cf(cf::JMT_VALUES)?);
        it.seek_for_prev(value_key(&key_hash, max_version));
        if !it.valid() {
            it.status()?;
        }
        let disk = match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.starts_with(&key_hash.0) => {
                let version = k
                    .get(32..40)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_be_bytes)
                    .ok_or_else(|| anyhow::anyhow!("a short key in jmt_values"))?;
                Some((version, borsh::from_slice::<Option<OwnedValue>>(v)?))
            }
            _ => None,
        };
        Ok(match (memory, disk) {
            (Some(m), Some(d)) if m.0 > d.0 => m.1,
            (_, Some(d)) => d.1,
            (m, None) => m.and_then(|m| m.1),
        })
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Used only by jmt's own restore, which Yui does not use (a snapshot
        // import rebuilds the tree in memory): a full scan keeps it correct
        // without an extra index.
        let mut best: Option<(NodeKey, LeafNode)> = None;
        for (k, l) in self.window.leaves() {
            if best
                .as_ref()
                .is_none_or(|(_, b)| l.key_hash() > b.key_hash())
            {
                best = Some((k, l));
            }
        }
        for item in self
            .db
            .iterator_cf(self.cf(cf::TREE_NODES)?, IteratorMode::Start)
        {
            let (k, v) = item?;
            if let Node::Leaf(l) = borsh::from_slice::<Node>(&v)?
                && best
                    .as_ref()
                    .is_none_or(|(_, b)| l.key_hash() > b.key_hash())
            {
                best = Some((node_key_of(&k)?, l));
            }
        }
        Ok(best)
    }
}
