//! A host over in-memory maps, standing in for the ledger's block overlay.

use std::collections::{BTreeMap, BTreeSet};

use yui_wasm_contracts::{Host, HostError, refusal};

/// Storage, balances, budgets and credentials in ordered maps.
#[derive(Debug, Clone, Default)]
pub struct MockHost {
    pub caller: [u8; 32],
    pub contract: [u8; 32],
    pub height: u64,
    pub time_ms: u64,
    pub attached: Vec<u8>,
    pub storage: BTreeMap<Vec<u8>, Vec<u8>>,
    pub balances: BTreeMap<([u8; 32], Vec<u8>), u64>,
    /// What governance allotted the contract to mint, per asset.
    pub budgets: BTreeMap<Vec<u8>, u64>,
    pub credentials: BTreeSet<([u8; 32], Vec<u8>)>,
    /// Every storage write and removal the host saw, in order.
    pub writes_seen: u32,
    /// When set, every storage read fails as a node-side failure.
    pub fail_reads: bool,
    /// When set, a storage read panics, as a buggy host might.
    pub panic_on_read: bool,
    /// When set, every transfer is refused with this code, as an asset's
    /// policy might refuse it.
    pub refuse_transfers: Option<u32>,
}

impl MockHost {
    pub fn new() -> Self {
        Self {
            caller: [1; 32],
            contract: [9; 32],
            height: 7,
            time_ms: 1_700_000_000_000,
            ..Self::default()
        }
    }

    /// Moves `value` from the caller's account into the contract's and
    /// describes it as attached (borsh `Vec<(String, u64)>`), as the ledger
    /// does before a call. Nothing attached is no bytes.
    pub fn attach(&mut self, value: &[(&str, u64)]) {
        if value.is_empty() {
            self.attached.clear();
            return;
        }
        let mut list = Vec::new();
        for &(asset, amount) in value {
            let from = self
                .balances
                .entry((self.caller, asset.as_bytes().to_vec()));
            let have = from.or_insert(0);
            *have = have
                .checked_sub(amount)
                .expect("the caller holds the attachment");
            *self
                .balances
                .entry((self.contract, asset.as_bytes().to_vec()))
                .or_insert(0) += amount;
            list.push((asset.to_owned(), amount));
        }
        self.attached = borsh::to_vec(&list).unwrap();
    }

    /// Credits `amount` of `asset` to `account`.
    pub fn credit(&mut self, account: [u8; 32], asset: &str, amount: u64) {
        *self
            .balances
            .entry((account, asset.as_bytes().to_vec()))
            .or_insert(0) += amount;
    }

    pub fn balance_of(&self, account: [u8; 32], asset: &str) -> u64 {
        let key = (account, asset.as_bytes().to_vec());
        self.balances.get(&key).copied().unwrap_or(0)
    }
}

impl Host for MockHost {
    fn caller(&self) -> [u8; 32] {
        self.caller
    }
    fn contract_account(&self) -> [u8; 32] {
        self.contract
    }
    fn contract_id(&self) -> Vec<u8> {
        b"mock-contract".to_vec()
    }
    fn block_height(&self) -> u64 {
        self.height
    }
    fn block_time_ms(&self) -> u64 {
        self.time_ms
    }
    fn attached(&self) -> Vec<u8> {
        self.attached.clone()
    }
    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        if self.fail_reads {
            return Err(HostError::StateUnavailable);
        }
        if self.panic_on_read {
            panic!("a host bug");
        }
        Ok(self.storage.get(key).cloned())
    }
    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        self.writes_seen += 1;
        self.storage.insert(key.to_vec(), value.to_vec());
        Ok(())
    }
    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        self.writes_seen += 1;
        self.storage.remove(key);
        Ok(())
    }
    fn has_credential(&mut self, account: &[u8; 32], kind: &[u8]) -> Result<bool, HostError> {
        Ok(self.credentials.contains(&(*account, kind.to_vec())))
    }
    fn balance(&mut self, account: &[u8; 32], asset: &[u8]) -> Result<u64, HostError> {
        Ok(self
            .balances
            .get(&(*account, asset.to_vec()))
            .copied()
            .unwrap_or(0))
    }
    fn transfer(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError> {
        if let Some(code) = self.refuse_transfers {
            return Err(HostError::refused(code));
        }
        let from = (self.contract, asset.to_vec());
        let have = self.balances.get(&from).copied().unwrap_or(0);
        let Some(left) = have.checked_sub(amount) else {
            return Err(HostError::refused(refusal::INSUFFICIENT_BALANCE));
        };
        self.balances.insert(from, left);
        *self.balances.entry((*to, asset.to_vec())).or_insert(0) += amount;
        Ok(())
    }
    fn grant(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError> {
        let Some(budget) = self.budgets.get_mut(asset) else {
            return Err(HostError::refused(refusal::UNKNOWN_ASSET));
        };
        let Some(left) = budget.checked_sub(amount) else {
            return Err(HostError::refused(refusal::BUDGET_EXHAUSTED));
        };
        *budget = left;
        *self.balances.entry((*to, asset.to_vec())).or_insert(0) += amount;
        Ok(())
    }
}
