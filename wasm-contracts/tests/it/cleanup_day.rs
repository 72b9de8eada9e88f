//! The real cleanup-day contract, built for wasm32v1-none, run through
//! `validate` and `Runtime::call` against the mock host.

use std::sync::OnceLock;

use yui_wasm_contracts::{CallFailure, CallOutcome, Event, HostError, Mode, Runtime, validate};

use crate::built::{self, FUEL, aborted};
use crate::mock::MockHost;
use crate::run;

// The contract's abort codes, as its crate documents them.
const ALREADY_INITIALIZED: u32 = 1;
const NOT_INITIALIZED: u32 = 2;
const BAD_INPUT: u32 = 3;
const NOT_COORDINATOR: u32 = 4;
const ALREADY_PAID: u32 = 5;
const CAMPAIGN_ENDED: u32 = 6;
const GRANT_REFUSED: u32 = 7;

/// The most fuel any cleanup-day call may take in these tests.
const FUEL_BOUND: u64 = 60_000;
const COORDINATOR: [u8; 32] = [0xC0; 32];
const ASSET: &str = "kusunoki-points";
const REWARD: u64 = 100;

/// The cleanup-day module, built if missing or stale.
fn contract() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| built::module("cleanup_day"))
}

fn init_args(coordinator: [u8; 32], asset: &str, reward: u64) -> Vec<u8> {
    borsh::to_vec(&(coordinator, asset.to_owned(), reward)).unwrap()
}

/// A host with an initialised campaign whose budget pays `rewards` rewards.
fn campaign(runtime: &Runtime, rewards: u64) -> MockHost {
    let mut host = MockHost::new();
    host.budgets
        .insert(ASSET.as_bytes().to_vec(), rewards * REWARD);
    let outcome = call(
        runtime,
        &mut host,
        "init",
        &init_args(COORDINATOR, ASSET, REWARD),
    );
    assert_eq!(outcome.result, Ok(Vec::new()));
    host.caller = COORDINATOR;
    host
}

fn call(runtime: &Runtime, host: &mut MockHost, method: &str, input: &[u8]) -> CallOutcome {
    let outcome = run(
        runtime,
        contract(),
        method,
        input,
        FUEL,
        Mode::Execute,
        host,
    );
    println!("cleanup-day {method}: {} fuel", outcome.fuel_used);
    assert!(
        outcome.fuel_used <= FUEL_BOUND,
        "{method} took {}",
        outcome.fuel_used
    );
    outcome
}

fn query(runtime: &Runtime, host: &mut MockHost, method: &str, input: &[u8]) -> CallOutcome {
    built::query(
        runtime,
        contract(),
        "cleanup-day",
        FUEL_BOUND,
        host,
        method,
        input,
    )
}

#[test]
fn the_real_module_validates() {
    let code = contract();
    let info = validate(code).unwrap();
    println!("cleanup_day.wasm: {} bytes", info.size);
    assert_eq!(info.methods, ["attended", "init", "record", "stats"]);
    assert!(info.size < 16 * 1024);
}

#[test]
fn record_pays_each_attendee_once() {
    let runtime = Runtime::new();
    let mut host = campaign(&runtime, 10);
    let alice = [0xA1; 32];
    let outcome = call(&runtime, &mut host, "record", &alice);
    assert_eq!(outcome.result, Ok(Vec::new()));
    assert_eq!(host.balance_of(alice, ASSET), REWARD);
    let paid = Event {
        topic: b"paid".to_vec(),
        data: borsh::to_vec(&(alice, REWARD)).unwrap(),
    };
    assert_eq!(outcome.events, vec![paid]);

    let outcome = call(&runtime, &mut host, "record", &alice);
    assert_eq!(outcome.result, aborted(ALREADY_PAID));
    assert_eq!(host.balance_of(alice, ASSET), REWARD);

    let outcome = query(&runtime, &mut host, "attended", &alice);
    assert_eq!(outcome.result, Ok(borsh::to_vec(&true).unwrap()));
    let outcome = query(&runtime, &mut host, "attended", &[0xB0; 32]);
    assert_eq!(outcome.result, Ok(borsh::to_vec(&false).unwrap()));
    let outcome = query(&runtime, &mut host, "stats", b"");
    assert_eq!(outcome.result, Ok(borsh::to_vec(&1u64).unwrap()));
}

#[test]
fn only_the_coordinator_records() {
    let runtime = Runtime::new();
    let mut host = campaign(&runtime, 10);
    host.caller = [0xBB; 32];
    let outcome = call(&runtime, &mut host, "record", &[0xA1; 32]);
    assert_eq!(outcome.result, aborted(NOT_COORDINATOR));
    assert_eq!(host.balance_of([0xA1; 32], ASSET), 0);
}

#[test]
fn the_campaign_ends_when_the_budget_runs_out() {
    let runtime = Runtime::new();
    let mut host = campaign(&runtime, 2);
    for attendee in [[1; 32], [2; 32]] {
        assert_eq!(
            call(&runtime, &mut host, "record", &attendee).result,
            Ok(Vec::new())
        );
    }
    for attendee in [[3; 32], [4; 32]] {
        let outcome = call(&runtime, &mut host, "record", &attendee);
        assert_eq!(outcome.result, aborted(CAMPAIGN_ENDED));
        assert!(outcome.events.is_empty());
        assert_eq!(host.balance_of(attendee, ASSET), 0);
    }
    let outcome = query(&runtime, &mut host, "stats", b"");
    assert_eq!(outcome.result, Ok(borsh::to_vec(&2u64).unwrap()));
}

#[test]
fn init_and_inputs_are_checked() {
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    host.caller = COORDINATOR;
    let outcome = call(&runtime, &mut host, "record", &[1; 32]);
    assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    let zero_reward = init_args(COORDINATOR, ASSET, 0);
    let outcome = call(&runtime, &mut host, "init", &zero_reward);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    let outcome = call(&runtime, &mut host, "init", b"junk");
    assert_eq!(outcome.result, aborted(BAD_INPUT));

    let mut host = campaign(&runtime, 1);
    let again = init_args([7; 32], ASSET, 1);
    let outcome = call(&runtime, &mut host, "init", &again);
    assert_eq!(outcome.result, aborted(ALREADY_INITIALIZED));
    let outcome = call(&runtime, &mut host, "record", &[1; 31]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    let outcome = call(&runtime, &mut host, "record", &[1; 33]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
}

#[test]
fn a_grant_refused_for_another_reason_aborts() {
    let runtime = Runtime::new();
    let mut host = campaign(&runtime, 1);
    host.budgets.clear();
    let outcome = call(&runtime, &mut host, "record", &[1; 32]);
    assert_eq!(outcome.result, aborted(GRANT_REFUSED));
}

#[test]
fn record_in_a_query_is_refused() {
    let runtime = Runtime::new();
    let mut host = campaign(&runtime, 1);
    let outcome = query(&runtime, &mut host, "record", &[1; 32]);
    let expected = CallFailure::Host(HostError::ReadOnly);
    assert_eq!(outcome.result, Err(expected));
    assert_eq!(host.balance_of([1; 32], ASSET), 0);
}

#[test]
fn real_module_fuel_is_deterministic() {
    let mut fuel = Vec::new();
    for _ in 0..2 {
        let runtime = Runtime::new();
        let mut host = campaign(&runtime, 5);
        for attendee in [[1; 32], [2; 32]] {
            fuel.push(call(&runtime, &mut host, "record", &attendee).fuel_used);
        }
    }
    println!("cleanup-day record fuel: {fuel:?}");
    assert_eq!(fuel[0], fuel[2]);
    assert_eq!(fuel[1], fuel[3]);
}
