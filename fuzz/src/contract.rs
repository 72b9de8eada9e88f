//! Contract code and arguments: what governance deploys (`UploadCode`) and
//! what any account sends to it (`CallContract`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use yui_wasm_contracts::limits::FUEL_PER_CALL_MAX;
use yui_wasm_contracts::refusal::{BUDGET_EXHAUSTED, INSUFFICIENT_BALANCE};
use yui_wasm_contracts::{
    Call, CallFailure, CallOutcome, Host, HostError, Mode, Runtime, code_hash, validate,
};

/// The most methods of one module the target calls.
const METHODS_CALLED_MAX: usize = 4;

/// The input's layout: byte 0 chooses the mode (bit 0: a query) and the
/// fuel (bits 1–2: 10 000 to 1 000 000); bytes 1–2 are the argument bytes'
/// length `n` (little-endian); then `n` bytes of arguments; the rest is the
/// code.
///
/// Properties: `validate` never panics; code it refuses is refused by a
/// call too; for code it accepts, each method (a few) runs without an
/// internal error (no panic contained), burns no more than its fuel, and
/// runs the same (result, fuel, events, storage) on a runtime with a warm
/// module cache and on a fresh one; an unknown method burns nothing.
pub fn contract(data: &[u8]) {
    let [flags, n0, n1, rest @ ..] = data else {
        return;
    };
    let n = usize::from(u16::from_le_bytes([*n0, *n1])).min(rest.len());
    let (input, code) = rest.split_at(n);
    let mode = if flags & 1 == 1 {
        Mode::Query
    } else {
        Mode::Execute
    };
    let fuel_limit = [10_000, 100_000, 300_000, 1_000_000][usize::from((flags >> 1) & 3)];
    let hash = code_hash(code);
    fn with<'a>(base: &Call<'a>, method: &'a str) -> Call<'a> {
        Call { method, ..*base }
    }
    let base = Call {
        code,
        code_hash: hash,
        method: "run",
        input,
        fuel_limit,
        mode,
    };
    let call = |method| with(&base, method);
    match validate(code) {
        Err(e) => {
            let out = run(runtime(), &call("run")).0;
            assert!(
                out.result.is_err(),
                "code refused by validate ({e:?}) ran: {out:?}"
            );
            assert_ne!(out.result, Err(CallFailure::Internal));
        }
        Ok(info) => {
            assert_eq!(info.code_hash, hash);
            assert_eq!(info.size as usize, code.len());
            let unknown = run(runtime(), &call("not a method name"));
            assert_eq!(unknown.0.result, Err(CallFailure::UnknownMethod));
            assert_eq!(unknown.0.fuel_used, 0);
            for method in info.methods.iter().take(METHODS_CALLED_MAX) {
                let method = method.as_str();
                let warm = run(runtime(), &call(method));
                let fresh = run(&Runtime::new(), &call(method));
                assert_ne!(warm.0.result, Err(CallFailure::Internal), "{method}");
                assert!(warm.0.fuel_used <= fuel_limit.min(FUEL_PER_CALL_MAX));
                if warm.0.result == Err(CallFailure::OutOfFuel) {
                    assert_eq!(warm.0.fuel_used, fuel_limit);
                }
                if warm.0.result.is_err() {
                    assert!(warm.0.events.is_empty());
                }
                assert_eq!(warm, fresh, "{method} ran differently on a fresh runtime");
            }
        }
    }
}

/// The runtime shared by all inputs, as a node keeps one.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(Runtime::new)
}

/// Runs one call on a fresh host; the outcome and what the host saw.
fn run(rt: &Runtime, call: &Call<'_>) -> (CallOutcome, MapHost) {
    let mut host = MapHost::default();
    host.balances.insert((CONTRACT, b"coin".to_vec()), 1_000);
    let out = rt.call(call, &mut host);
    (out, host)
}

const CALLER: [u8; 32] = [7; 32];
const CONTRACT: [u8; 32] = [9; 32];

/// A host over maps: storage, balances and a grant budget of 500.
#[derive(Debug, Default, PartialEq, Eq)]
struct MapHost {
    storage: BTreeMap<Vec<u8>, Vec<u8>>,
    balances: BTreeMap<([u8; 32], Vec<u8>), u64>,
    granted: u64,
}

impl Host for MapHost {
    fn caller(&self) -> [u8; 32] {
        CALLER
    }
    fn contract_account(&self) -> [u8; 32] {
        CONTRACT
    }
    fn contract_id(&self) -> Vec<u8> {
        b"fuzz".to_vec()
    }
    fn block_height(&self) -> u64 {
        7
    }
    fn block_time_ms(&self) -> u64 {
        1_767_225_600_000
    }
    fn attached(&self) -> Vec<u8> {
        borsh::to_vec(&vec![("coin".to_string(), 10u64)]).unwrap_or_default()
    }
    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        Ok(self.storage.get(key).cloned())
    }
    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        self.storage.insert(key.to_vec(), value.to_vec());
        Ok(())
    }
    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        self.storage.remove(key);
        Ok(())
    }
    fn has_credential(&mut self, account: &[u8; 32], kind: &[u8]) -> Result<bool, HostError> {
        Ok(account == &CALLER && kind == b"resident")
    }
    fn balance(&mut self, account: &[u8; 32], asset: &[u8]) -> Result<u64, HostError> {
        Ok(self
            .balances
            .get(&(*account, asset.to_vec()))
            .copied()
            .unwrap_or(0))
    }
    fn transfer(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError> {
        let from = self.balance(&CONTRACT, asset)?;
        let Some(left) = from.checked_sub(amount) else {
            return Err(HostError::refused(INSUFFICIENT_BALANCE));
        };
        self.balances.insert((CONTRACT, asset.to_vec()), left);
        let to_balance = self.balance(to, asset)?.saturating_add(amount);
        self.balances.insert((*to, asset.to_vec()), to_balance);
        Ok(())
    }
    fn grant(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError> {
        match self.granted.checked_add(amount) {
            Some(g) if g <= 500 => self.granted = g,
            _ => return Err(HostError::refused(BUDGET_EXHAUSTED)),
        }
        let to_balance = self.balance(to, asset)?.saturating_add(amount);
        self.balances.insert((*to, asset.to_vec()), to_balance);
        Ok(())
    }
}
