//! The real exchange contract, built for wasm32v1-none, run through
//! `validate` and `Runtime::call` against the mock host.

use std::sync::OnceLock;

use borsh::BorshSerialize;
use yui_wasm_contracts::{
    CallFailure, CallOutcome, Event, HostError, Mode, Runtime, refusal, validate,
};

use crate::built::{self, FUEL, aborted, bytes};
use crate::mock::MockHost;
use crate::run;

// The contract's abort codes, as its crate documents them.
const ALREADY_INITIALIZED: u32 = 1;
const NOT_INITIALIZED: u32 = 2;
const BAD_INPUT: u32 = 3;
const NOT_GOVERNANCE: u32 = 4;
const BAD_ATTACHMENT: u32 = 5;
const WRONG_ASSET: u32 = 6;
const OVER_DAILY_CAP: u32 = 7;
const ZERO_OUTPUT: u32 = 8;
const POOL_EMPTY: u32 = 9;
const TRANSFER_REFUSED: u32 = 10;
const OVERFLOW: u32 = 11;

/// The most fuel any exchange call may take in these tests.
const FUEL_BOUND: u64 = 45_000;
const GOVERNANCE: [u8; 32] = [0; 32];
const ALICE: [u8; 32] = [0xA1; 32];
const BOB: [u8; 32] = [0xB0; 32];
const FUNDER: [u8; 32] = [0xF0; 32];
const A: &str = "kodaira-points";
const B: &str = "higashi-points";
const OTHER: &str = "other-points";
const CAP: u64 = 1_000;
const DAY_MS: u64 = 86_400_000;
/// Noon UTC of some day.
const NOON_MS: u64 = 20_454 * DAY_MS + DAY_MS / 2;

/// `init`'s arguments; borsh encodes the fields in order.
#[derive(Clone, BorshSerialize)]
struct Init {
    asset_a: String,
    asset_b: String,
    rate_num: u64,
    rate_den: u64,
    daily_cap: u64,
}

/// One A buys one and a half B.
fn standard() -> Init {
    Init {
        asset_a: A.to_owned(),
        asset_b: B.to_owned(),
        rate_num: 3,
        rate_den: 2,
        daily_cap: CAP,
    }
}

/// The exchange module, built if missing or stale.
fn contract() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| built::module("exchange"))
}

fn call(
    runtime: &Runtime,
    host: &mut MockHost,
    method: &str,
    input: &[u8],
    value: &[(&str, u64)],
) -> CallOutcome {
    let code = contract();
    built::execute(
        runtime, code, "exchange", FUEL_BOUND, host, method, input, value,
    )
}

fn query(runtime: &Runtime, host: &mut MockHost, method: &str, input: &[u8]) -> CallOutcome {
    built::query(
        runtime,
        contract(),
        "exchange",
        FUEL_BOUND,
        host,
        method,
        input,
    )
}

/// A host with the pair set up by `init` and nothing in the pool; Alice,
/// Bob and the funder hold 1,000,000 of each asset and of another one.
fn exchange_with(runtime: &Runtime, init: &Init) -> MockHost {
    let mut host = MockHost::new();
    host.caller = GOVERNANCE;
    let outcome = call(runtime, &mut host, "init", &bytes(init), &[]);
    assert_eq!(outcome.result, Ok(Vec::new()));
    for account in [ALICE, BOB, FUNDER] {
        for asset in [A, B, OTHER] {
            host.credit(account, asset, 1_000_000);
        }
    }
    host.time_ms = NOON_MS;
    host
}

/// [`exchange_with`] the standard pair, its pool funded with `a` and `b`.
fn funded(runtime: &Runtime, a: u64, b: u64) -> MockHost {
    let mut host = exchange_with(runtime, &standard());
    fund(runtime, &mut host, &[(A, a), (B, b)]);
    host
}

fn fund(runtime: &Runtime, host: &mut MockHost, value: &[(&str, u64)]) -> CallOutcome {
    host.caller = FUNDER;
    call(runtime, host, "fund", b"", value)
}

fn swap(
    runtime: &Runtime,
    host: &mut MockHost,
    account: [u8; 32],
    asset: &str,
    given: u64,
) -> CallOutcome {
    host.caller = account;
    call(runtime, host, "swap", b"", &[(asset, given)])
}

/// What a successful swap received.
fn received(outcome: &CallOutcome) -> u64 {
    borsh::from_slice(outcome.result.as_ref().unwrap()).unwrap()
}

fn pool(runtime: &Runtime, host: &mut MockHost) -> (u64, u64) {
    let outcome = query(runtime, host, "pool", b"");
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

fn rate(runtime: &Runtime, host: &mut MockHost) -> (u64, u64, u64) {
    let outcome = query(runtime, host, "rate", b"");
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

fn used_today(runtime: &Runtime, host: &mut MockHost, account: [u8; 32]) -> u64 {
    let outcome = query(runtime, host, "used_today", &account);
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

fn governance(
    runtime: &Runtime,
    host: &mut MockHost,
    caller: [u8; 32],
    method: &str,
    input: &[u8],
) -> CallOutcome {
    host.caller = caller;
    call(runtime, host, method, input, &[])
}

#[test]
fn the_real_module_validates() {
    let info = validate(contract()).unwrap();
    println!("exchange.wasm: {} bytes", info.size);
    let methods = [
        "fund",
        "init",
        "pool",
        "rate",
        "set_cap",
        "set_rate",
        "swap",
        "used_today",
    ];
    assert_eq!(info.methods, methods);
    assert!(info.size < 16 * 1024);
}

#[test]
fn anyone_funds_the_pool_with_the_two_assets_only() {
    let runtime = Runtime::new();
    let mut host = exchange_with(&runtime, &standard());
    assert_eq!(pool(&runtime, &mut host), (0, 0));
    let outcome = fund(&runtime, &mut host, &[(A, 5_000), (B, 7_000)]);
    assert_eq!(outcome.result, Ok(Vec::new()));
    let funded = Event {
        topic: b"funded".to_vec(),
        data: bytes(&(FUNDER, 5_000u64, 7_000u64)),
    };
    assert_eq!(outcome.events, vec![funded]);
    assert_eq!(pool(&runtime, &mut host), (5_000, 7_000));
    assert_eq!(fund(&runtime, &mut host, &[(B, 1)]).result, Ok(Vec::new()));
    assert_eq!(pool(&runtime, &mut host), (5_000, 7_001));

    let outcome = fund(&runtime, &mut host, &[(A, 10), (OTHER, 10)]);
    assert_eq!(outcome.result, aborted(WRONG_ASSET));
    let outcome = fund(&runtime, &mut host, &[]);
    assert_eq!(outcome.result, aborted(BAD_ATTACHMENT));
    host.caller = FUNDER;
    let outcome = call(&runtime, &mut host, "fund", &[0], &[(A, 10)]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    assert_eq!(pool(&runtime, &mut host), (5_000, 7_001));
    assert_eq!(host.balance_of(FUNDER, OTHER), 1_000_000);
    assert_eq!(host.balance_of(FUNDER, A), 995_000);
}

#[test]
fn swaps_go_both_ways_at_the_rate_rounded_down() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 10_000, 10_000);
    let outcome = swap(&runtime, &mut host, ALICE, A, 100);
    assert_eq!(received(&outcome), 150);
    let swapped = Event {
        topic: b"swapped".to_vec(),
        data: bytes(&(ALICE, A.to_owned(), 100u64, 150u64)),
    };
    assert_eq!(outcome.events, vec![swapped]);
    assert_eq!(host.balance_of(ALICE, A), 999_900);
    assert_eq!(host.balance_of(ALICE, B), 1_000_150);
    assert_eq!(pool(&runtime, &mut host), (10_100, 9_850));
    assert_eq!(used_today(&runtime, &mut host, ALICE), 100);

    // 101 B × 2 / 3 = 67.33…: 67 A.
    let outcome = swap(&runtime, &mut host, ALICE, B, 101);
    assert_eq!(received(&outcome), 67);
    assert_eq!(pool(&runtime, &mut host), (10_033, 9_951));
    assert_eq!(used_today(&runtime, &mut host, ALICE), 201);
    assert_eq!(used_today(&runtime, &mut host, BOB), 0);
}

#[test]
fn the_daily_cap_counts_per_account_per_utc_day() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 100_000, 100_000);
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, A, 900)), 1_350);
    let outcome = swap(&runtime, &mut host, ALICE, B, 101);
    assert_eq!(outcome.result, aborted(OVER_DAILY_CAP));
    assert_eq!(host.balance_of(ALICE, B), 1_001_350);
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, B, 100)), 66);
    assert_eq!(used_today(&runtime, &mut host, ALICE), CAP);
    let outcome = swap(&runtime, &mut host, ALICE, A, 1);
    assert_eq!(outcome.result, aborted(OVER_DAILY_CAP));
    // Bob's usage is his own.
    assert_eq!(received(&swap(&runtime, &mut host, BOB, A, CAP)), 1_500);
    let outcome = swap(&runtime, &mut host, BOB, A, CAP + 1);
    assert_eq!(outcome.result, aborted(OVER_DAILY_CAP));

    // The last millisecond of the UTC day is still today; the next is not.
    host.time_ms = NOON_MS + DAY_MS / 2 - 1;
    let outcome = swap(&runtime, &mut host, ALICE, A, 1);
    assert_eq!(outcome.result, aborted(OVER_DAILY_CAP));
    host.time_ms = NOON_MS + DAY_MS / 2;
    assert_eq!(used_today(&runtime, &mut host, ALICE), 0);
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, A, CAP)), 1_500);
    assert_eq!(used_today(&runtime, &mut host, ALICE), CAP);
}

#[test]
fn a_swap_that_pays_nothing_aborts() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 1_000, 1_000);
    // One B buys two thirds of an A: nothing.
    let outcome = swap(&runtime, &mut host, ALICE, B, 1);
    assert_eq!(outcome.result, aborted(ZERO_OUTPUT));
    assert_eq!(host.balance_of(ALICE, B), 1_000_000);
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, B, 2)), 1);
}

#[test]
fn an_empty_pool_refuses_the_swap() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 1_000, 149);
    let outcome = swap(&runtime, &mut host, ALICE, A, 100);
    assert_eq!(outcome.result, aborted(POOL_EMPTY));
    assert!(outcome.events.is_empty());
    assert_eq!(host.balance_of(ALICE, A), 1_000_000);
    assert_eq!(pool(&runtime, &mut host), (1_000, 149));
    assert_eq!(used_today(&runtime, &mut host, ALICE), 0);
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, A, 99)), 148);
    assert_eq!(pool(&runtime, &mut host), (1_099, 1));
}

#[test]
fn a_swap_takes_exactly_one_attachment_of_the_pair() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 1_000, 1_000);
    host.caller = ALICE;
    let wrong: [(&[(&str, u64)], u32); 4] = [
        (&[], BAD_ATTACHMENT),
        (&[(A, 10), (B, 10)], BAD_ATTACHMENT),
        (&[(A, 0)], BAD_ATTACHMENT),
        (&[(OTHER, 10)], WRONG_ASSET),
    ];
    for (value, code) in wrong {
        let outcome = call(&runtime, &mut host, "swap", b"", value);
        assert_eq!(outcome.result, aborted(code), "{value:?}");
    }
    let outcome = call(&runtime, &mut host, "swap", &[1], &[(A, 10)]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    host.attached = b"junk".to_vec();
    let outcome = run(
        &runtime,
        contract(),
        "swap",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, aborted(BAD_ATTACHMENT));
    host.attached.clear();
    assert_eq!(pool(&runtime, &mut host), (1_000, 1_000));
    assert_eq!(host.balance_of(ALICE, OTHER), 1_000_000);
}

#[test]
fn only_governance_sets_the_rate_and_the_cap() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 100_000, 100_000);
    assert_eq!(rate(&runtime, &mut host), (3, 2, CAP));
    let new_rate = bytes(&(5u64, 4u64));
    let outcome = governance(&runtime, &mut host, ALICE, "set_rate", &new_rate);
    assert_eq!(outcome.result, aborted(NOT_GOVERNANCE));
    let outcome = governance(&runtime, &mut host, ALICE, "set_cap", &bytes(&5u64));
    assert_eq!(outcome.result, aborted(NOT_GOVERNANCE));
    assert_eq!(rate(&runtime, &mut host), (3, 2, CAP));

    let outcome = governance(&runtime, &mut host, GOVERNANCE, "set_rate", &new_rate);
    assert_eq!(outcome.result, Ok(Vec::new()));
    let event = Event {
        topic: b"rate".to_vec(),
        data: new_rate.clone(),
    };
    assert_eq!(outcome.events, vec![event]);
    assert_eq!(rate(&runtime, &mut host), (5, 4, CAP));
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, A, 100)), 125);
    assert_eq!(received(&swap(&runtime, &mut host, ALICE, B, 100)), 80);

    for input in [bytes(&(0u64, 1u64)), bytes(&(1u64, 0u64)), vec![1; 15]] {
        let outcome = governance(&runtime, &mut host, GOVERNANCE, "set_rate", &input);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    let outcome = governance(&runtime, &mut host, GOVERNANCE, "set_cap", &[1; 9]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));

    // A cap lowered below today's usage leaves nothing for today.
    let outcome = governance(&runtime, &mut host, GOVERNANCE, "set_cap", &bytes(&150u64));
    assert_eq!(outcome.result, Ok(Vec::new()));
    let event = Event {
        topic: b"cap".to_vec(),
        data: bytes(&150u64),
    };
    assert_eq!(outcome.events, vec![event]);
    assert_eq!(rate(&runtime, &mut host), (5, 4, 150));
    let outcome = swap(&runtime, &mut host, ALICE, A, 1);
    assert_eq!(outcome.result, aborted(OVER_DAILY_CAP));
    assert_eq!(received(&swap(&runtime, &mut host, BOB, A, 150)), 187);
    // A cap of zero stops swaps.
    let outcome = governance(&runtime, &mut host, GOVERNANCE, "set_cap", &bytes(&0u64));
    assert_eq!(outcome.result, Ok(Vec::new()));
    host.time_ms += DAY_MS;
    let outcome = swap(&runtime, &mut host, ALICE, A, 1);
    assert_eq!(outcome.result, aborted(OVER_DAILY_CAP));
}

#[test]
fn large_amounts_are_exact_or_abort() {
    let runtime = Runtime::new();
    let mut init = standard();
    init.rate_num = 1_000_000_000_007;
    init.rate_den = 1_000_000_000_000;
    init.daily_cap = u64::MAX;
    let mut host = exchange_with(&runtime, &init);
    host.credit(FUNDER, B, u64::MAX / 2);
    assert_eq!(
        fund(&runtime, &mut host, &[(B, u64::MAX / 2)]).result,
        Ok(Vec::new())
    );
    host.credit(ALICE, A, 10_000_000_000_000);
    // 10^13 × (10^12 + 7) overflows 64 bits; the 128-bit product does not.
    let outcome = swap(&runtime, &mut host, ALICE, A, 10_000_000_000_000);
    assert_eq!(received(&outcome), 10_000_000_000_070);

    let outcome = governance(
        &runtime,
        &mut host,
        GOVERNANCE,
        "set_rate",
        &bytes(&(u64::MAX, 1u64)),
    );
    assert_eq!(outcome.result, Ok(Vec::new()));
    let outcome = swap(&runtime, &mut host, ALICE, A, 2);
    assert_eq!(outcome.result, aborted(OVERFLOW));

    // Two entries of one asset (the ledger never sends them) whose sum
    // overflows.
    host.caller = FUNDER;
    host.attached = bytes(&vec![(A.to_owned(), u64::MAX), (A.to_owned(), 1u64)]);
    let outcome = run(
        &runtime,
        contract(),
        "fund",
        b"",
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, aborted(OVERFLOW));
    host.attached.clear();
}

#[test]
fn refused_transfers_abort() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 1_000, 1_000);
    host.refuse_transfers = Some(refusal::NOT_PERMITTED);
    let outcome = swap(&runtime, &mut host, ALICE, A, 10);
    assert_eq!(outcome.result, aborted(TRANSFER_REFUSED));
    assert_eq!(host.balance_of(ALICE, A), 1_000_000);
}

#[test]
fn init_and_inputs_are_checked() {
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    host.caller = ALICE;
    for method in ["fund", "swap"] {
        let outcome = call(&runtime, &mut host, method, b"", &[]);
        assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    }
    host.caller = GOVERNANCE;
    let outcome = call(&runtime, &mut host, "set_cap", &bytes(&1u64), &[]);
    assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    for method in ["rate", "pool"] {
        let outcome = query(&runtime, &mut host, method, b"");
        assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    }
    let bad: [fn(&mut Init); 5] = [
        |init| init.rate_num = 0,
        |init| init.rate_den = 0,
        |init| init.asset_b = A.to_owned(),
        |init| init.asset_a = String::new(),
        |init| init.asset_b = "b".repeat(65),
    ];
    for change in bad {
        let mut init = standard();
        change(&mut init);
        let outcome = call(&runtime, &mut host, "init", &bytes(&init), &[]);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    let mut trailing = bytes(&standard());
    trailing.push(0);
    for input in [b"junk".to_vec(), trailing] {
        let outcome = call(&runtime, &mut host, "init", &input, &[]);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    assert!(host.storage.is_empty());

    let mut host = exchange_with(&runtime, &standard());
    host.caller = GOVERNANCE;
    let outcome = call(&runtime, &mut host, "init", &bytes(&standard()), &[]);
    assert_eq!(outcome.result, aborted(ALREADY_INITIALIZED));
    let outcome = query(&runtime, &mut host, "used_today", &[1; 31]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    // `init` stored the names as given and the rate apart.
    assert_eq!(host.storage[&b"ab".to_vec()], bytes(&(A, B)));
    assert_eq!(rate(&runtime, &mut host), (3, 2, CAP));
}

#[test]
fn swapping_in_a_query_is_refused() {
    let runtime = Runtime::new();
    let mut host = funded(&runtime, 1_000, 1_000);
    host.caller = ALICE;
    host.attach(&[(A, 10)]);
    let outcome = query(&runtime, &mut host, "swap", b"");
    let expected = CallFailure::Host(HostError::ReadOnly);
    assert_eq!(outcome.result, Err(expected));
    assert_eq!(host.balance_of(ALICE, B), 1_000_000);
}

#[test]
fn real_module_fuel_is_deterministic() {
    let mut fuel = Vec::new();
    for _ in 0..2 {
        let runtime = Runtime::new();
        let mut host = funded(&runtime, 10_000, 10_000);
        for (account, asset) in [(ALICE, A), (ALICE, B), (BOB, A)] {
            fuel.push(swap(&runtime, &mut host, account, asset, 100).fuel_used);
        }
    }
    println!("exchange swap fuel: {fuel:?}");
    assert_eq!(fuel[..3], fuel[3..]);
}
