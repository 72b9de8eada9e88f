//! The ledger as a contract's host: its storage (namespaced by contract id),
//! credentials, balances, and value moves under the ledger's own rules, all
//! over the transaction's overlay.

use yui_wasm_contracts::{Host, HostError, refusal};

use crate::contract::Contract;
use crate::crypto::Address;
use crate::error::StateError;
use crate::receipt::Event;
use crate::state::{Overlay, StateRead, keys};

use super::Ctx;
use super::contracts::{grant_from_budget, spendable, transfer_out};

/// A contract's view of the ledger during one call.
pub(crate) struct LedgerHost<'o, 'a, S: StateRead + ?Sized> {
    ov: &'o mut Overlay<'a, S>,
    ctx: &'o Ctx,
    contract: &'o mut Contract,
    caller: Address,
    /// A public read-only query: it may read only the contract's own
    /// account, since account-level reads belong to their holders.
    query: bool,
    attached: Vec<u8>,
    /// Events of the value moves, in order.
    events: Vec<Event>,
    /// The caller and every account value moved to, sorted, once each.
    touched: Vec<Address>,
    /// The first failed state read: the node's trouble, reported as such.
    state_error: Option<StateError>,
}

impl<'o, 'a, S: StateRead + ?Sized> LedgerHost<'o, 'a, S> {
    pub(crate) fn new(
        ov: &'o mut Overlay<'a, S>,
        ctx: &'o Ctx,
        contract: &'o mut Contract,
        (caller, query): (Address, bool),
        attached: &[(String, u64)],
    ) -> Self {
        Self {
            ov,
            ctx,
            contract,
            caller,
            query,
            attached: borsh::to_vec(attached).unwrap_or_default(),
            events: Vec::new(),
            touched: vec![caller],
            state_error: None,
        }
    }

    /// The value events, the touched accounts, and a state failure if any.
    pub(crate) fn finish(self) -> (Vec<Event>, Vec<Address>, Option<StateError>) {
        (self.events, self.touched, self.state_error)
    }

    fn unavailable(&mut self, e: StateError) -> HostError {
        self.state_error.get_or_insert(e);
        HostError::StateUnavailable
    }

    /// In a query, another account's balance or credentials are private.
    fn private(&self, account: &[u8; 32]) -> Result<(), HostError> {
        if self.query && *account != self.contract.account.0 {
            return Err(HostError::refused(refusal::NOT_PERMITTED));
        }
        Ok(())
    }

    fn touch(&mut self, a: Address) {
        if let Err(i) = self.touched.binary_search(&a) {
            self.touched.insert(i, a);
        }
    }

    /// Maps a value move's outcome to what the contract sees.
    fn moved(
        &mut self,
        r: Result<(), Result<u32, StateError>>,
        to: Address,
    ) -> Result<(), HostError> {
        match r {
            Ok(()) => {
                self.touch(to);
                Ok(())
            }
            Err(Ok(code)) => Err(HostError::refused(code)),
            Err(Err(e)) => Err(self.unavailable(e)),
        }
    }
}

fn text(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok()
}

impl<S: StateRead + ?Sized> Host for LedgerHost<'_, '_, S> {
    fn caller(&self) -> [u8; 32] {
        self.caller.0
    }

    fn contract_account(&self) -> [u8; 32] {
        self.contract.account.0
    }

    fn contract_id(&self) -> Vec<u8> {
        self.contract.id.as_bytes().to_vec()
    }

    fn block_height(&self) -> u64 {
        self.ctx.height
    }

    fn block_time_ms(&self) -> u64 {
        self.ctx.time_ms
    }

    fn attached(&self) -> Vec<u8> {
        self.attached.clone()
    }

    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        let k = keys::contract_store(&self.contract.id, key);
        self.ov.get(&k).map_err(|e| self.unavailable(e))
    }

    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        let k = keys::contract_store(&self.contract.id, key);
        self.ov.put(k, value.to_vec());
        Ok(())
    }

    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        let k = keys::contract_store(&self.contract.id, key);
        self.ov.delete(k);
        Ok(())
    }

    fn has_credential(&mut self, account: &[u8; 32], kind: &[u8]) -> Result<bool, HostError> {
        self.private(account)?;
        let Some(kind) = text(kind) else {
            return Ok(false);
        };
        crate::state::holds_credential(&*self.ov, &Address(*account), kind, self.ctx.time_ms)
            .map_err(|e| self.unavailable(e))
    }

    fn balance(&mut self, account: &[u8; 32], asset: &[u8]) -> Result<u64, HostError> {
        self.private(account)?;
        let Some(asset) = text(asset) else {
            return Ok(0);
        };
        spendable(self.ov, &Address(*account), asset, self.ctx.time_ms)
            .map_err(|e| self.unavailable(e))
    }

    fn transfer(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError> {
        let Some(asset) = text(asset) else {
            return Err(HostError::refused(refusal::UNKNOWN_ASSET));
        };
        if amount == 0 {
            return Err(HostError::refused(refusal::BAD_AMOUNT));
        }
        let to = Address(*to);
        let r = transfer_out(
            self.ov,
            self.ctx,
            self.contract,
            (&to, asset, amount),
            &mut self.events,
        );
        self.moved(r, to)
    }

    fn grant(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError> {
        let Some(asset) = text(asset) else {
            return Err(HostError::refused(refusal::UNKNOWN_ASSET));
        };
        if amount == 0 {
            return Err(HostError::refused(refusal::BAD_AMOUNT));
        }
        let to = Address(*to);
        let r = grant_from_budget(
            self.ov,
            self.ctx,
            self.contract,
            (&to, asset, amount),
            &mut self.events,
        );
        self.moved(r, to)
    }
}
