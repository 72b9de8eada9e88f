//! Calls of hand-written modules under every limit.

use yui_wasm_contracts::{
    CallFailure, CodeError, Event, FUEL_TABLE, HostError, LimitKind, Mode, Runtime, TrapKind,
    limits, refusal, validate,
};

use crate::mock::MockHost;
use crate::{run, wasm};

const FUEL: u64 = 1_000_000;

/// One module with a method for each behaviour under test.
const MODULE: &str = r#"(module
  (import "yui" "input_len" (func $input_len (result i32)))
  (import "yui" "input_read" (func $input_read (param i32)))
  (import "yui" "output" (func $output (param i32 i32)))
  (import "yui" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "yui" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "yui" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "yui" "abort" (func $abort (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key")
  (data (i32.const 16) "put")
  (func (export "put")
    (call $input_read (i32.const 1024))
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 1024) (call $input_len))
    (call $emit (i32.const 16) (i32.const 3) (i32.const 1024) (call $input_len))
    (call $output (i32.const 1024) (call $input_len)))
  (func (export "get")
    (local $n i32)
    (local.set $n (call $storage_read (i32.const 0) (i32.const 3) (i32.const 2048) (i32.const 1024)))
    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return)))
    (call $output (i32.const 2048) (local.get $n)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "bomb") (loop $l (drop (memory.grow (i32.const 1))) (br $l)))
  (func $deep (export "deep") (call $deep))
  (func (export "flood_writes")
    (local $i i32)
    (loop $l
      (i32.store (i32.const 100) (local.get $i))
      (call $storage_write (i32.const 100) (i32.const 4) (i32.const 100) (i32.const 4))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000)))))
  (func (export "flood_events")
    (loop $l
      (call $emit (i32.const 16) (i32.const 3) (i32.const 0) (i32.const 3))
      (br $l)))
  (func (export "write_then_trap")
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 3))
    (unreachable))
  (func (export "abort7") (call $abort (i32.const 7)))
  (func (export "out_of_bounds") (call $output (i32.const 65500) (i32.const 100)))
  (func (export "big_key") (call $storage_write (i32.const 0) (i32.const 129) (i32.const 0) (i32.const 1)))
  (func (export "div_zero") (drop (i32.div_u (i32.const 1) (i32.const 0)))))"#;

fn module() -> Vec<u8> {
    wasm(MODULE)
}

#[test]
fn a_call_writes_storage_emits_and_outputs() {
    let code = module();
    validate(&code).unwrap();
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    let outcome = run(
        &runtime,
        &code,
        "put",
        b"hello",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Ok(b"hello".to_vec()));
    assert_eq!(host.storage.get(&b"key"[..]), Some(&b"hello".to_vec()));
    let event = Event {
        topic: b"put".to_vec(),
        data: b"hello".to_vec(),
    };
    assert_eq!(outcome.events, vec![event]);
    assert!(outcome.fuel_used > FUEL_TABLE.call_base + FUEL_TABLE.storage_write_base);
    assert!(outcome.fuel_used < 20_000, "fuel {}", outcome.fuel_used);

    let outcome = run(&runtime, &code, "get", b"", FUEL, Mode::Query, &mut host);
    assert_eq!(outcome.result, Ok(b"hello".to_vec()));
    assert!(outcome.events.is_empty());
}

#[test]
fn an_endless_loop_runs_out_of_fuel_at_the_limit() {
    let code = module();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "spin",
        b"",
        250_000,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::OutOfFuel));
    assert_eq!(outcome.fuel_used, 250_000);
}

#[test]
fn the_fuel_limit_is_capped() {
    let code = module();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "spin",
        b"",
        u64::MAX,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::OutOfFuel));
    assert_eq!(outcome.fuel_used, limits::FUEL_PER_CALL_MAX);
}

#[test]
fn a_memory_bomb_is_contained() {
    let code = module();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "bomb",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::MemoryLimit));
    assert!(outcome.fuel_used < FUEL);
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let code = module();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "deep",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::StackOverflow));
    assert!(outcome.fuel_used < FUEL);
}

#[test]
fn floods_of_writes_and_events_hit_their_limits() {
    let code = module();
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    let outcome = run(
        &runtime,
        &code,
        "flood_writes",
        b"",
        10_000_000,
        Mode::Execute,
        &mut host,
    );
    let what = LimitKind::StorageWrites;
    assert_eq!(outcome.result, Err(CallFailure::LimitExceeded { what }));
    assert_eq!(host.writes_seen, limits::STORAGE_WRITES_PER_CALL_MAX);

    let outcome = run(
        &runtime,
        &code,
        "flood_events",
        b"",
        10_000_000,
        Mode::Execute,
        &mut host,
    );
    let what = LimitKind::Events;
    assert_eq!(outcome.result, Err(CallFailure::LimitExceeded { what }));
    assert!(
        outcome.events.is_empty(),
        "events of a failed call are dropped"
    );

    let outcome = run(
        &runtime,
        &code,
        "big_key",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    let what = LimitKind::StorageKey;
    assert_eq!(outcome.result, Err(CallFailure::LimitExceeded { what }));
}

#[test]
fn a_trap_after_a_write_fails_and_leaves_discarding_to_the_ledger() {
    let code = module();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "write_then_trap",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(
        outcome.result,
        Err(CallFailure::Trap(TrapKind::Unreachable))
    );
    // The host saw the write: the ledger drops its child overlay on failure.
    assert_eq!(host.storage.get(&b"key"[..]), Some(&b"put".to_vec()));
}

#[test]
fn traps_aborts_and_bad_pointers_are_typed_failures() {
    let code = module();
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    let outcome = run(
        &runtime,
        &code,
        "abort7",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::Aborted { code: 7 }));
    let outcome = run(
        &runtime,
        &code,
        "out_of_bounds",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    let expected = CallFailure::Trap(TrapKind::MemoryOutOfBounds);
    assert_eq!(outcome.result, Err(expected));
    let outcome = run(
        &runtime,
        &code,
        "div_zero",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(
        outcome.result,
        Err(CallFailure::Trap(TrapKind::DivisionByZero))
    );
    let outcome = run(&runtime, &code, "nope", b"", FUEL, Mode::Execute, &mut host);
    assert_eq!(outcome.result, Err(CallFailure::UnknownMethod));
    assert_eq!(outcome.fuel_used, 0);
    let big = vec![0; limits::INPUT_BYTES_MAX + 1];
    let outcome = run(&runtime, &code, "put", &big, FUEL, Mode::Execute, &mut host);
    assert_eq!(outcome.result, Err(CallFailure::BadInput));
    host.fail_reads = true;
    let outcome = run(&runtime, &code, "get", b"", FUEL, Mode::Execute, &mut host);
    let expected = CallFailure::Host(HostError::StateUnavailable);
    assert_eq!(outcome.result, Err(expected));
}

#[test]
fn a_panicking_host_is_contained() {
    let code = module();
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    host.panic_on_read = true;
    let outcome = run(&runtime, &code, "get", b"", FUEL, Mode::Execute, &mut host);
    assert_eq!(outcome.result, Err(CallFailure::Internal));
    assert_eq!(outcome.fuel_used, FUEL);
    // The runtime goes on working after the panic.
    host.panic_on_read = false;
    let outcome = run(&runtime, &code, "get", b"", FUEL, Mode::Execute, &mut host);
    assert_eq!(outcome.result, Ok(Vec::new()));
}

#[test]
fn too_little_fuel_stops_before_the_host_is_touched() {
    let code = module();
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    let outcome = run(
        &runtime,
        &code,
        "put",
        b"x",
        5_000,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::OutOfFuel));
    assert_eq!(outcome.fuel_used, 5_000);
    // Enough to enter, not enough for the write: the fuel is charged first.
    let outcome = run(
        &runtime,
        &code,
        "put",
        b"x",
        12_000,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Err(CallFailure::OutOfFuel));
    assert_eq!(outcome.fuel_used, 12_000);
    assert!(host.storage.is_empty());
    assert_eq!(host.writes_seen, 0);
}

/// The runtime starts a fresh engine after `ENGINE_RECYCLE_MODULES`
/// compilations however small the modules (finding 3 in `fuzz/README.md`):
/// the cache empties, and calls run the same before and after.
#[test]
fn the_engine_is_recycled_after_enough_modules() {
    let runtime = Runtime::new();
    let put = |code: &[u8]| {
        let mut host = MockHost::new();
        run(
            &runtime,
            code,
            "put",
            b"abc",
            FUEL,
            Mode::Execute,
            &mut host,
        )
    };
    let base = module();
    let first = put(&base);
    assert!(first.result.is_ok(), "{first:?}");
    let mut most = 0;
    for i in 1..yui_wasm_contracts::limits::ENGINE_RECYCLE_MODULES {
        // The same module with a custom section naming `i`: another hash.
        let mut code = base.clone();
        code.extend([0x00, 0x03, 0x02, (i % 128) as u8, (i / 128) as u8]);
        assert_eq!(put(&code).fuel_used, first.fuel_used);
        most = most.max(runtime.cached_modules());
    }
    assert_eq!(most, yui_wasm_contracts::limits::MODULE_CACHE_ENTRIES_MAX);
    // The last compilation started a fresh engine with an empty cache.
    assert_eq!(runtime.cached_modules(), 0);
    assert_eq!(put(&base).fuel_used, first.fuel_used);
    assert_eq!(runtime.cached_modules(), 1);
}

#[test]
fn fuel_is_deterministic_across_calls_and_caches() {
    let code = module();
    let cached = Runtime::new();
    let mut fuel = Vec::new();
    for _ in 0..3 {
        let mut host = MockHost::new();
        fuel.push(
            run(
                &cached,
                &code,
                "put",
                b"abc",
                FUEL,
                Mode::Execute,
                &mut host,
            )
            .fuel_used,
        );
    }
    for _ in 0..2 {
        let fresh = Runtime::new();
        let mut host = MockHost::new();
        fuel.push(run(&fresh, &code, "put", b"abc", FUEL, Mode::Execute, &mut host).fuel_used);
        assert_eq!(fresh.cached_modules(), 1);
    }
    assert!(fuel.windows(2).all(|w| w[0] == w[1]), "fuel {fuel:?}");
    assert_eq!(cached.cached_modules(), 1);
}

#[test]
fn a_query_cannot_change_state() {
    let code = module();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "put",
        b"x",
        FUEL,
        Mode::Query,
        &mut host,
    );
    let expected = CallFailure::Host(HostError::ReadOnly);
    assert_eq!(outcome.result, Err(expected));
    assert!(host.storage.is_empty());
    assert_eq!(host.writes_seen, 0);
}

#[test]
fn invalid_or_mismatched_code_does_not_run() {
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (func (export "f") (drop (f64.const 1))))"#,
    );
    let outcome = run(&runtime, &code, "f", b"", FUEL, Mode::Execute, &mut host);
    let expected = CallFailure::InvalidCode(CodeError::FloatsUsed);
    assert_eq!(outcome.result, Err(expected));
    assert_eq!(outcome.fuel_used, 0);
    let call = yui_wasm_contracts::Call {
        code: &module(),
        code_hash: [0; 32],
        method: "put",
        input: b"",
        fuel_limit: FUEL,
        mode: Mode::Execute,
    };
    let outcome = runtime.call(&call, &mut host);
    let expected = CallFailure::InvalidCode(CodeError::HashMismatch);
    assert_eq!(outcome.result, Err(expected));
    assert_eq!(runtime.cached_modules(), 0);
}

/// Every host function, called once with good arguments.
const EVERY_IMPORT: &str = r#"(module
  (import "yui" "input_len" (func $input_len (result i32)))
  (import "yui" "input_read" (func $input_read (param i32)))
  (import "yui" "output" (func $output (param i32 i32)))
  (import "yui" "caller" (func $caller (param i32)))
  (import "yui" "contract_account" (func $contract_account (param i32)))
  (import "yui" "block_height" (func $block_height (result i64)))
  (import "yui" "block_time_ms" (func $block_time_ms (result i64)))
  (import "yui" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "yui" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "yui" "storage_remove" (func $storage_remove (param i32 i32)))
  (import "yui" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "yui" "has_credential" (func $has_credential (param i32 i32 i32) (result i32)))
  (import "yui" "balance" (func $balance (param i32 i32 i32) (result i64)))
  (import "yui" "transfer" (func $transfer (param i32 i32 i32 i64) (result i32)))
  (import "yui" "grant" (func $grant (param i32 i32 i32 i64) (result i32)))
  (import "yui" "attached_len" (func $attached_len (result i32)))
  (import "yui" "attached_read" (func $attached_read (param i32)))
  (import "yui" "abort" (func $abort (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "yen")
  (data (i32.const 8) "resident")
  (data (i32.const 16) "k")
  ;; Output layout at 512: caller(32) contract(32) height(8) time(8)
  ;; credential(4) balance(8) transfer(4) grant(4) attached_len(4)
  ;; storage_read of a missing key(4).
  (func (export "everything")
    (call $caller (i32.const 512))
    (call $contract_account (i32.const 544))
    (i64.store (i32.const 576) (call $block_height))
    (i64.store (i32.const 584) (call $block_time_ms))
    (i32.store (i32.const 592) (call $has_credential (i32.const 512) (i32.const 8) (i32.const 8)))
    (i64.store (i32.const 596) (call $balance (i32.const 544) (i32.const 0) (i32.const 3)))
    (i32.store (i32.const 604) (call $transfer (i32.const 512) (i32.const 0) (i32.const 3) (i64.const 5)))
    (i32.store (i32.const 608) (call $grant (i32.const 512) (i32.const 0) (i32.const 3) (i64.const 1000)))
    (i32.store (i32.const 612) (call $attached_len))
    (call $attached_read (i32.const 1024))
    (call $storage_write (i32.const 16) (i32.const 1) (i32.const 0) (i32.const 3))
    (call $storage_remove (i32.const 16) (i32.const 1))
    (i32.store (i32.const 616) (call $storage_read (i32.const 16) (i32.const 1) (i32.const 0) (i32.const 0)))
    (drop (call $input_len))
    (call $input_read (i32.const 2048))
    (call $output (i32.const 512) (i32.const 108))))"#;

#[test]
fn every_host_function_is_linked_and_answers() {
    let code = wasm(EVERY_IMPORT);
    validate(&code).unwrap();
    let mut host = MockHost::new();
    host.credentials.insert((host.caller, b"resident".to_vec()));
    host.balances.insert((host.contract, b"yen".to_vec()), 20);
    host.budgets.insert(b"yen".to_vec(), 10);
    host.attached = vec![1, 2, 3];
    let outcome = run(
        &Runtime::new(),
        &code,
        "everything",
        b"in",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    let out = outcome.result.unwrap();
    assert_eq!(out.len(), 108);
    assert_eq!(out[0..32], [1; 32]);
    assert_eq!(out[32..64], [9; 32]);
    assert_eq!(u64::from_le_bytes(out[64..72].try_into().unwrap()), 7);
    assert_eq!(
        u64::from_le_bytes(out[72..80].try_into().unwrap()),
        1_700_000_000_000
    );
    assert_eq!(i32::from_le_bytes(out[80..84].try_into().unwrap()), 1);
    assert_eq!(u64::from_le_bytes(out[84..92].try_into().unwrap()), 20);
    assert_eq!(i32::from_le_bytes(out[92..96].try_into().unwrap()), 0);
    let budget_exhausted = refusal::BUDGET_EXHAUSTED as i32;
    assert_eq!(
        i32::from_le_bytes(out[96..100].try_into().unwrap()),
        budget_exhausted
    );
    assert_eq!(i32::from_le_bytes(out[100..104].try_into().unwrap()), 3);
    assert_eq!(i32::from_le_bytes(out[104..108].try_into().unwrap()), -1);
    assert_eq!(host.balance_of([1; 32], "yen"), 5);
    assert_eq!(host.balance_of([9; 32], "yen"), 15);
    assert!(host.storage.is_empty());
}

#[test]
fn the_sdk_mirrors_the_refusal_codes() {
    use crate::sdk_refusal as sdk;
    assert_eq!(sdk::INSUFFICIENT_BALANCE, refusal::INSUFFICIENT_BALANCE);
    assert_eq!(sdk::BUDGET_EXHAUSTED, refusal::BUDGET_EXHAUSTED);
    assert_eq!(sdk::UNKNOWN_ASSET, refusal::UNKNOWN_ASSET);
    assert_eq!(sdk::NOT_PERMITTED, refusal::NOT_PERMITTED);
    assert_eq!(sdk::BAD_AMOUNT, refusal::BAD_AMOUNT);
    assert_eq!(sdk::OTHER, refusal::OTHER);
    assert_eq!(HostError::refused(0), HostError::refused(refusal::OTHER));
}

#[test]
fn a_contract_reads_its_own_id() {
    let code = wasm(
        r#"(module
        (import "yui" "contract_id_len" (func $len (result i32)))
        (import "yui" "contract_id_read" (func $read (param i32)))
        (import "yui" "output" (func $output (param i32 i32)))
        (memory (export "memory") 1)
        (func (export "whoami")
            (call $read (i32.const 0))
            (call $output (i32.const 0) (call $len))))"#,
    );
    validate(&code).unwrap();
    let mut host = MockHost::new();
    let outcome = run(
        &Runtime::new(),
        &code,
        "whoami",
        b"",
        FUEL,
        Mode::Query,
        &mut host,
    );
    assert_eq!(outcome.result.unwrap(), b"mock-contract");
}
