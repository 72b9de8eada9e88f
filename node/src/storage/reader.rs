//! The store as the ledger's state reader (`state`) and as the state
//! tree's node and value reader (`tree_nodes`, `jmt_values`): nodes from
//! the top slots, then the window, then RocksDB, shared rather than copied.

use std::sync::Arc;

use jmt::{KeyHash, OwnedValue, Version};
use rocksdb::{Direction, IteratorMode};
use yui_ledger::StateRead;
use yui_ledger::commitment::{NodePlace, NodeRead, TreeNode, TreeRead, value_key};
use yui_ledger::state::StateError;

use super::tree_keys::node_db_key;
use super::{Store, StoreError, cf};

impl StateRead for Store {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        // A failed read stops execution (the ledger refuses to go on with
        // it); it is logged here with RocksDB's own words.
        self.state_cache.get_or_read(key, || {
            // A key the family never held (a new invoice) costs RocksDB
            // nothing (`state_keys.rs`).
            if !self
                .state_keys
                .may_hold(&yui_ledger::commitment::key_hash(key))
            {
                return Ok(None);
            }
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

impl NodeRead for Store {
    fn node(&self, at: &NodePlace) -> Result<Option<Arc<TreeNode>>, String> {
        if let Some(n) = self.top.get(at) {
            return Ok(Some(n));
        }
        if let Some(n) = self.window.get(at) {
            return Ok(Some(n));
        }
        match self
            .get(cf::TREE_NODES, &node_db_key(at))
            .map_err(|e| e.to_string())?
        {
            Some(b) => Ok(Some(Arc::new(TreeNode::from_bytes(&b).map_err(|e| {
                format!("{}: the node at {at:?}: {e}", cf::TREE_NODES)
            })?))),
            None => Ok(None),
        }
    }
}

impl TreeRead for Store {
    fn value(
        &self,
        max_version: Version,
        key_hash: &KeyHash,
    ) -> Result<Option<OwnedValue>, String> {
        self.tree_value(max_version, key_hash)
            .map_err(|e| e.to_string())
    }
}

impl Store {
    /// The newest value of `key_hash` at or below `max_version`: of the
    /// values in memory (versions since the tree's last writes) and those
    /// on disk.
    pub fn tree_value(
        &self,
        max_version: Version,
        key_hash: &KeyHash,
    ) -> Result<Option<OwnedValue>, StoreError> {
        let memory = self.window.value(key_hash, max_version)?;
        if let Some((v, value)) = &memory
            && *v > self.window.through()
        {
            return Ok(value.clone());
        }
        let mut it = self.db.raw_iterator_cf(self.cf(cf::JMT_VALUES)?);
        it.seek_for_prev(value_key(key_hash, max_version));
        if !it.valid() {
            it.status()?;
        }
        let corrupt = |what: String| StoreError::Corrupt {
            cf: cf::JMT_VALUES,
            what,
        };
        let disk = match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.starts_with(&key_hash.0) => {
                let version = k
                    .get(32..40)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_be_bytes)
                    .ok_or_else(|| corrupt("a short key".into()))?;
                let value = borsh::from_slice::<Option<OwnedValue>>(v)
                    .map_err(|e| corrupt(e.to_string()))?;
                Some((version, value))
            }
            _ => None,
        };
        Ok(match (memory, disk) {
            (Some(m), Some(d)) if m.0 > d.0 => m.1,
            (_, Some(d)) => d.1,
            (m, None) => m.and_then(|m| m.1),
        })
    }
}
