//! The real contracts, built for wasm32v1-none, and calls of them made the
//! way the ledger makes them.
//!
//! A `.wasm` is read from `contracts/target/wasm32v1-none/release/`. If it
//! is missing, or older than any source of the contracts or the SDK (a
//! `.rs`, `.toml` or `.lock` file), the test runs `wasm-contracts/build.sh`
//! first, which builds them all, so a fresh clone needs only `cargo test`
//! and a `rustup` that can add the `wasm32v1-none` target.

use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use yui_wasm_contracts::{CallFailure, CallOutcome, Mode, Runtime};

use crate::mock::MockHost;
use crate::run;

/// Fuel limit of every call of a real contract in these tests.
pub const FUEL: u64 = 1_000_000;

fn newest_source(dir: &Path, newest: &mut SystemTime) {
    // A folder that vanishes while it is walked (an editor's or a tool's
    // temporary one) holds no source to compare.
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        if path.is_dir() {
            newest_source(&path, newest);
            continue;
        }
        let source = path
            .extension()
            .is_some_and(|ext| ext == "rs" || ext == "toml" || ext == "lock");
        if let (true, Ok(modified)) = (source, entry.metadata().and_then(|m| m.modified())) {
            *newest = (*newest).max(modified);
        }
    }
}

/// The bytes of `name.wasm` (the crate name with `_` for `-`), built if
/// missing or stale. One test at a time checks and builds.
pub fn module(name: &str) -> Vec<u8> {
    static BUILD: Mutex<()> = Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(PoisonError::into_inner);
    let root = crate::manifest_dir();
    let wasm = root.join(format!(
        "contracts/target/wasm32v1-none/release/{name}.wasm"
    ));
    let mut newest = SystemTime::UNIX_EPOCH;
    newest_source(&root.join("contracts"), &mut newest);
    newest_source(&root.join("sdk"), &mut newest);
    let built = std::fs::metadata(&wasm).and_then(|m| m.modified()).ok();
    if built.is_none_or(|built| built < newest) {
        let status = Command::new(root.join("build.sh")).status().unwrap();
        assert!(status.success(), "build.sh failed");
    }
    std::fs::read(&wasm).unwrap()
}

/// A transaction calling `method` as the ledger runs it: `value` moves from
/// the caller into the contract's account and is described as attached;
/// if the call fails, everything it did is discarded, the move included.
/// Prints the fuel used and asserts it is at most `fuel_bound`.
#[allow(clippy::too_many_arguments)]
pub fn execute(
    runtime: &Runtime,
    code: &[u8],
    label: &str,
    fuel_bound: u64,
    host: &mut MockHost,
    method: &str,
    input: &[u8],
    value: &[(&str, u64)],
) -> CallOutcome {
    let before = host.clone();
    host.attach(value);
    let outcome = run(runtime, code, method, input, FUEL, Mode::Execute, host);
    host.attached.clear();
    if outcome.result.is_err() {
        *host = before;
    }
    println!(
        "{label} {method}: {} fuel, {:?}",
        outcome.fuel_used, outcome.result
    );
    assert!(
        outcome.fuel_used <= fuel_bound,
        "{label} {method} took {}",
        outcome.fuel_used
    );
    outcome
}

/// A read-only query of `method`, its fuel printed and bounded like
/// [`execute`]'s.
pub fn query(
    runtime: &Runtime,
    code: &[u8],
    label: &str,
    fuel_bound: u64,
    host: &mut MockHost,
    method: &str,
    input: &[u8],
) -> CallOutcome {
    let outcome = run(runtime, code, method, input, FUEL, Mode::Query, host);
    println!(
        "{label} {method} (query): {} fuel, {:?}",
        outcome.fuel_used, outcome.result
    );
    assert!(
        outcome.fuel_used <= fuel_bound,
        "{label} {method} took {}",
        outcome.fuel_used
    );
    outcome
}

/// The result of a call that aborted with `code`.
pub fn aborted(code: u32) -> Result<Vec<u8>, CallFailure> {
    Err(CallFailure::Aborted { code })
}

/// The borsh bytes of `value`.
pub fn bytes(value: &impl borsh::BorshSerialize) -> Vec<u8> {
    borsh::to_vec(value).unwrap()
}
