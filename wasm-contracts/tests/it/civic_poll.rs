//! The real civic-poll contract, built for wasm32v1-none, run through
//! `validate` and `Runtime::call` against the mock host.

use std::sync::OnceLock;

use borsh::BorshSerialize;
use yui_wasm_contracts::{CallFailure, CallOutcome, Event, HostError, Mode, Runtime, validate};

use crate::built::{self, FUEL, aborted, bytes};
use crate::mock::MockHost;
use crate::run;

// The contract's abort codes, as its crate documents them.
const ALREADY_INITIALIZED: u32 = 1;
const NOT_INITIALIZED: u32 = 2;
const BAD_INPUT: u32 = 3;
const NO_SUCH_OPTION: u32 = 4;
const VALUE_ATTACHED: u32 = 5;
const POLL_CLOSED: u32 = 6;
const NO_CREDENTIAL: u32 = 7;
const ALREADY_ANSWERED: u32 = 8;
const REWARDS_SPENT: u32 = 9;
const GRANT_REFUSED: u32 = 10;
const OVERFLOW: u32 = 11;

/// The most fuel any civic-poll call may take in these tests.
const FUEL_BOUND: u64 = 45_000;
const GOVERNANCE: [u8; 32] = [0; 32];
const ALICE: [u8; 32] = [0xA1; 32];
const BOB: [u8; 32] = [0xB0; 32];
const DAN: [u8; 32] = [0xD0; 32];
/// A resident without the credential.
const CAROL: [u8; 32] = [0xCA; 32];
const ASSET: &str = "higashimurayama-points";
const KIND: &str = "resident";
const REWARD: u64 = 50;
const CLOSES_MS: u64 = 1_767_225_600_000;

/// `init`'s arguments; borsh encodes the fields in order.
#[derive(Clone, BorshSerialize)]
struct Init {
    poll_id: String,
    options: u8,
    asset: String,
    reward: u64,
    credential: String,
    closes_ms: u64,
}

fn standard() -> Init {
    Init {
        poll_id: "park-2026".to_owned(),
        options: 3,
        asset: ASSET.to_owned(),
        reward: REWARD,
        credential: KIND.to_owned(),
        closes_ms: CLOSES_MS,
    }
}

/// The civic-poll module, built if missing or stale.
fn contract() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| built::module("civic_poll"))
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
        runtime,
        code,
        "civic-poll",
        FUEL_BOUND,
        host,
        method,
        input,
        value,
    )
}

fn query(runtime: &Runtime, host: &mut MockHost, method: &str, input: &[u8]) -> CallOutcome {
    built::query(
        runtime,
        contract(),
        "civic-poll",
        FUEL_BOUND,
        host,
        method,
        input,
    )
}

/// A host with an open poll whose budget pays `rewards` rewards; Alice, Bob
/// and Dan are residents, Carol holds no credential.
fn poll_with(runtime: &Runtime, init: &Init, rewards: u64) -> MockHost {
    let mut host = MockHost::new();
    host.budgets
        .insert(ASSET.as_bytes().to_vec(), rewards * init.reward);
    host.caller = GOVERNANCE;
    let outcome = call(runtime, &mut host, "init", &bytes(init), &[]);
    assert_eq!(outcome.result, Ok(Vec::new()));
    for resident in [ALICE, BOB, DAN] {
        host.credentials
            .insert((resident, KIND.as_bytes().to_vec()));
    }
    host.time_ms = CLOSES_MS - 86_400_000;
    host
}

fn poll(runtime: &Runtime, rewards: u64) -> MockHost {
    poll_with(runtime, &standard(), rewards)
}

fn answer(runtime: &Runtime, host: &mut MockHost, voter: [u8; 32], option: u8) -> CallOutcome {
    host.caller = voter;
    call(runtime, host, "answer", &[option], &[])
}

fn tally(runtime: &Runtime, host: &mut MockHost) -> Vec<u64> {
    let outcome = query(runtime, host, "tally", b"");
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

fn answered(runtime: &Runtime, host: &mut MockHost, account: [u8; 32]) -> bool {
    let outcome = query(runtime, host, "answered", &account);
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

#[test]
fn the_real_module_validates() {
    let info = validate(contract()).unwrap();
    println!("civic_poll.wasm: {} bytes", info.size);
    assert_eq!(info.methods, ["answer", "answered", "init", "tally"]);
    assert!(info.size < 16 * 1024);
}

#[test]
fn residents_answer_once_and_earn_the_reward() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 100);
    assert_eq!(tally(&runtime, &mut host), [0, 0, 0]);

    let outcome = answer(&runtime, &mut host, ALICE, 2);
    assert_eq!(outcome.result, Ok(Vec::new()));
    let answered_event = Event {
        topic: b"answered".to_vec(),
        data: bytes(&2u8),
    };
    assert_eq!(outcome.events, vec![answered_event]);
    assert_eq!(host.balance_of(ALICE, ASSET), REWARD);
    assert_eq!(answer(&runtime, &mut host, BOB, 0).result, Ok(Vec::new()));
    assert_eq!(answer(&runtime, &mut host, DAN, 2).result, Ok(Vec::new()));
    assert_eq!(tally(&runtime, &mut host), [1, 0, 2]);

    let outcome = answer(&runtime, &mut host, ALICE, 1);
    assert_eq!(outcome.result, aborted(ALREADY_ANSWERED));
    assert_eq!(host.balance_of(ALICE, ASSET), REWARD);
    assert_eq!(tally(&runtime, &mut host), [1, 0, 2]);
    assert!(answered(&runtime, &mut host, ALICE));
    assert!(!answered(&runtime, &mut host, CAROL));
}

#[test]
fn who_chose_what_is_not_kept() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 10);
    let outcome = answer(&runtime, &mut host, ALICE, 1);
    for event in &outcome.events {
        assert!(!event.data.windows(32).any(|w| w == ALICE));
    }
    // Storage marks that Alice answered, not what: the same byte for any
    // option, and nothing else names her.
    let mut key = b"v".to_vec();
    key.extend_from_slice(&ALICE);
    assert_eq!(host.storage.get(&key), Some(&vec![1]));
    assert_eq!(answer(&runtime, &mut host, BOB, 2).result, Ok(Vec::new()));
    let mut key = b"v".to_vec();
    key.extend_from_slice(&BOB);
    assert_eq!(host.storage.get(&key), Some(&vec![1]));
    let keys: Vec<&Vec<u8>> = host.storage.keys().collect();
    assert_eq!(keys.len(), 4, "cfg, t and one mark each: {keys:?}");
}

#[test]
fn the_poll_closes_at_closes_ms() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 10);
    host.time_ms = CLOSES_MS - 1;
    assert_eq!(answer(&runtime, &mut host, ALICE, 0).result, Ok(Vec::new()));
    host.time_ms = CLOSES_MS;
    let outcome = answer(&runtime, &mut host, BOB, 0);
    assert_eq!(outcome.result, aborted(POLL_CLOSED));
    assert_eq!(host.balance_of(BOB, ASSET), 0);
    assert_eq!(tally(&runtime, &mut host), [1, 0, 0]);
}

#[test]
fn only_credentialed_residents_answer() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 10);
    let outcome = answer(&runtime, &mut host, CAROL, 0);
    assert_eq!(outcome.result, aborted(NO_CREDENTIAL));
    assert!(!answered(&runtime, &mut host, CAROL));
    assert_eq!(tally(&runtime, &mut host), [0, 0, 0]);
}

#[test]
fn options_and_inputs_are_checked() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 10);
    for option in [3, 16, 255] {
        let outcome = answer(&runtime, &mut host, ALICE, option);
        assert_eq!(outcome.result, aborted(NO_SUCH_OPTION));
    }
    host.caller = ALICE;
    for input in [&[][..], &[0, 0], &[0, 0, 0, 0]] {
        let outcome = call(&runtime, &mut host, "answer", input, &[]);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    let outcome = query(&runtime, &mut host, "answered", &[1; 33]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    assert!(!answered(&runtime, &mut host, ALICE));
}

#[test]
fn value_attached_to_an_answer_is_refused() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 10);
    host.credit(ALICE, ASSET, 500);
    host.caller = ALICE;
    let outcome = call(&runtime, &mut host, "answer", &[0], &[(ASSET, 500)]);
    assert_eq!(outcome.result, aborted(VALUE_ATTACHED));
    assert_eq!(host.balance_of(ALICE, ASSET), 500);
    assert_eq!(host.balance_of(host.contract, ASSET), 0);
    // Nothing attached, described as an empty borsh list, is fine.
    host.attached = bytes(&Vec::<(String, u64)>::new());
    let outcome = run(
        &runtime,
        contract(),
        "answer",
        &[0],
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, Ok(Vec::new()));
    assert_eq!(host.balance_of(ALICE, ASSET), 500 + REWARD);
}

#[test]
fn answers_end_when_the_reward_budget_is_spent() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 2);
    assert_eq!(answer(&runtime, &mut host, ALICE, 0).result, Ok(Vec::new()));
    assert_eq!(answer(&runtime, &mut host, BOB, 1).result, Ok(Vec::new()));
    let outcome = answer(&runtime, &mut host, DAN, 1);
    assert_eq!(outcome.result, aborted(REWARDS_SPENT));
    assert!(outcome.events.is_empty());
    assert!(!answered(&runtime, &mut host, DAN));
    assert_eq!(tally(&runtime, &mut host), [1, 1, 0]);
}

#[test]
fn a_grant_refused_for_another_reason_aborts() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 2);
    host.budgets.clear();
    let outcome = answer(&runtime, &mut host, ALICE, 0);
    assert_eq!(outcome.result, aborted(GRANT_REFUSED));
    assert_eq!(tally(&runtime, &mut host), [0, 0, 0]);
}

#[test]
fn an_overflowing_count_aborts() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 2);
    host.storage
        .insert(b"t".to_vec(), bytes(&vec![u64::MAX, 0, 0]));
    let outcome = answer(&runtime, &mut host, ALICE, 0);
    assert_eq!(outcome.result, aborted(OVERFLOW));
    assert_eq!(answer(&runtime, &mut host, ALICE, 1).result, Ok(Vec::new()));
    assert_eq!(tally(&runtime, &mut host), [u64::MAX, 1, 0]);
}

#[test]
fn init_is_checked() {
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    host.caller = ALICE;
    let outcome = call(&runtime, &mut host, "answer", &[0], &[]);
    assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    let outcome = query(&runtime, &mut host, "tally", b"");
    assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    let bad: [fn(&mut Init); 7] = [
        |init| init.options = 0,
        |init| init.options = 1,
        |init| init.options = 17,
        |init| init.reward = 0,
        |init| init.poll_id = String::new(),
        |init| init.asset = "a".repeat(65),
        |init| init.credential = String::new(),
    ];
    host.caller = GOVERNANCE;
    for change in bad {
        let mut init = standard();
        change(&mut init);
        let outcome = call(&runtime, &mut host, "init", &bytes(&init), &[]);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    let outcome = call(&runtime, &mut host, "init", b"junk", &[]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
    assert!(host.storage.is_empty());

    let mut host = poll(&runtime, 1);
    host.caller = GOVERNANCE;
    let outcome = call(&runtime, &mut host, "init", &bytes(&standard()), &[]);
    assert_eq!(outcome.result, aborted(ALREADY_INITIALIZED));
}

#[test]
fn sixteen_options_are_the_most() {
    let runtime = Runtime::new();
    let mut init = standard();
    init.options = 16;
    let mut host = poll_with(&runtime, &init, 10);
    assert_eq!(
        answer(&runtime, &mut host, ALICE, 15).result,
        Ok(Vec::new())
    );
    assert_eq!(answer(&runtime, &mut host, BOB, 0).result, Ok(Vec::new()));
    let mut expected = vec![0; 16];
    expected[0] = 1;
    expected[15] = 1;
    assert_eq!(tally(&runtime, &mut host), expected);
    let outcome = answer(&runtime, &mut host, DAN, 16);
    assert_eq!(outcome.result, aborted(NO_SUCH_OPTION));

    let mut init = standard();
    init.options = 2;
    let mut host = poll_with(&runtime, &init, 10);
    assert_eq!(tally(&runtime, &mut host), [0, 0]);
}

#[test]
fn answering_in_a_query_is_refused() {
    let runtime = Runtime::new();
    let mut host = poll(&runtime, 1);
    host.caller = ALICE;
    let outcome = query(&runtime, &mut host, "answer", &[0]);
    let expected = CallFailure::Host(HostError::ReadOnly);
    assert_eq!(outcome.result, Err(expected));
    assert_eq!(host.balance_of(ALICE, ASSET), 0);
}

#[test]
fn real_module_fuel_is_deterministic() {
    let mut fuel = Vec::new();
    for _ in 0..2 {
        let runtime = Runtime::new();
        let mut host = poll(&runtime, 5);
        for (voter, option) in [(ALICE, 0), (BOB, 2)] {
            fuel.push(answer(&runtime, &mut host, voter, option).fuel_used);
        }
    }
    println!("civic-poll answer fuel: {fuel:?}");
    assert_eq!(fuel[..2], fuel[2..]);
}
