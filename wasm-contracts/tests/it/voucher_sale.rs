//! The real voucher-sale contract (premium vouchers), built for
//! wasm32v1-none, run through `validate` and `Runtime::call` against the
//! mock host.

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
const NOT_OPEN: u32 = 4;
const CLOSED: u32 = 5;
const NO_CREDENTIAL: u32 = 6;
const OVER_LIMIT: u32 = 7;
const WRONG_PAYMENT: u32 = 8;
const SOLD_OUT: u32 = 9;
const TRANSFER_REFUSED: u32 = 10;
const GRANT_REFUSED: u32 = 11;
const OVERFLOW: u32 = 12;

/// The most fuel any voucher-sale call may take in these tests.
const FUEL_BOUND: u64 = 55_000;
const GOVERNANCE: [u8; 32] = [0; 32];
const CITY: [u8; 32] = [0xC1; 32];
const ALICE: [u8; 32] = [0xA1; 32];
const BOB: [u8; 32] = [0xB0; 32];
/// A resident without the credential.
const CAROL: [u8; 32] = [0xCA; 32];
const COIN: &str = "kodaira-coin";
const VOUCHER: &str = "kodaira-voucher";
const KIND: &str = "resident";
const PRICE: u64 = 10_000;
const FACE: u64 = 13_000;
const OPENS_MS: u64 = 1_767_225_600_000;
const CLOSES_MS: u64 = OPENS_MS + 14 * 86_400_000;

/// `init`'s arguments; borsh encodes the fields in order.
#[derive(Clone, BorshSerialize)]
struct Init {
    city: [u8; 32],
    coin: String,
    voucher: String,
    price: u64,
    face: u64,
    max_sets: u32,
    credential: String,
    opens_ms: u64,
    closes_ms: u64,
}

fn standard() -> Init {
    Init {
        city: CITY,
        coin: COIN.to_owned(),
        voucher: VOUCHER.to_owned(),
        price: PRICE,
        face: FACE,
        max_sets: 5,
        credential: KIND.to_owned(),
        opens_ms: OPENS_MS,
        closes_ms: CLOSES_MS,
    }
}

/// The voucher-sale module, built if missing or stale.
fn contract() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| built::module("voucher_sale"))
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
        "voucher-sale",
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
        "voucher-sale",
        FUEL_BOUND,
        host,
        method,
        input,
    )
}

/// A host whose sale `init` set up, open, with a budget of `sets` sets of
/// vouchers; Alice and Bob are residents holding 100,000 coins each, Carol
/// holds coins but no credential.
fn sale_with(runtime: &Runtime, init: &Init, sets: u64) -> MockHost {
    let mut host = MockHost::new();
    host.budgets
        .insert(VOUCHER.as_bytes().to_vec(), sets * init.face);
    host.caller = GOVERNANCE;
    let outcome = call(runtime, &mut host, "init", &bytes(init), &[]);
    assert_eq!(outcome.result, Ok(Vec::new()));
    for resident in [ALICE, BOB, CAROL] {
        host.credit(resident, COIN, 100_000);
    }
    for resident in [ALICE, BOB] {
        host.credentials
            .insert((resident, KIND.as_bytes().to_vec()));
    }
    host.time_ms = OPENS_MS + 3_600_000;
    host
}

fn sale(runtime: &Runtime, sets: u64) -> MockHost {
    sale_with(runtime, &standard(), sets)
}

/// `buyer` buys `sets` sets, paying exactly.
fn buy(runtime: &Runtime, host: &mut MockHost, buyer: [u8; 32], sets: u32) -> CallOutcome {
    pay(
        runtime,
        host,
        buyer,
        sets,
        &[(COIN, PRICE * u64::from(sets))],
    )
}

/// `buyer` asks for `sets` sets attaching `value`.
fn pay(
    runtime: &Runtime,
    host: &mut MockHost,
    buyer: [u8; 32],
    sets: u32,
    value: &[(&str, u64)],
) -> CallOutcome {
    host.caller = buyer;
    call(runtime, host, "buy", &bytes(&sets), value)
}

fn bought(runtime: &Runtime, host: &mut MockHost, account: [u8; 32]) -> u32 {
    let outcome = query(runtime, host, "bought", &account);
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

fn stats(runtime: &Runtime, host: &mut MockHost) -> (u64, u64) {
    let outcome = query(runtime, host, "stats", b"");
    borsh::from_slice(&outcome.result.unwrap()).unwrap()
}

#[test]
fn the_real_module_validates() {
    let info = validate(contract()).unwrap();
    println!("voucher_sale.wasm: {} bytes", info.size);
    assert_eq!(info.methods, ["bought", "buy", "init", "stats"]);
    assert!(info.size < 16 * 1024);
}

#[test]
fn a_resident_pays_the_city_and_gets_premium_vouchers() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 100);
    assert_eq!(stats(&runtime, &mut host), (0, 0));

    let outcome = buy(&runtime, &mut host, ALICE, 2);
    assert_eq!(outcome.result, Ok(Vec::new()));
    assert_eq!(host.balance_of(ALICE, COIN), 80_000);
    assert_eq!(host.balance_of(CITY, COIN), 20_000);
    assert_eq!(host.balance_of(host.contract, COIN), 0);
    assert_eq!(host.balance_of(ALICE, VOUCHER), 26_000);
    let sold = Event {
        topic: b"sold".to_vec(),
        data: bytes(&(ALICE, 2u32, 26_000u64)),
    };
    assert_eq!(outcome.events, vec![sold]);
    assert_eq!(bought(&runtime, &mut host, ALICE), 2);
    assert_eq!(stats(&runtime, &mut host), (2, 1));

    assert_eq!(buy(&runtime, &mut host, BOB, 1).result, Ok(Vec::new()));
    assert_eq!(buy(&runtime, &mut host, ALICE, 1).result, Ok(Vec::new()));
    assert_eq!(bought(&runtime, &mut host, ALICE), 3);
    assert_eq!(bought(&runtime, &mut host, BOB), 1);
    assert_eq!(bought(&runtime, &mut host, CAROL), 0);
    assert_eq!(stats(&runtime, &mut host), (4, 2));
    assert_eq!(host.balance_of(CITY, COIN), 40_000);
    assert_eq!(host.balance_of(ALICE, VOUCHER), 39_000);
}

#[test]
fn a_sixth_set_is_refused() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 100);
    let outcome = buy(&runtime, &mut host, ALICE, 6);
    assert_eq!(outcome.result, aborted(OVER_LIMIT));
    assert_eq!(buy(&runtime, &mut host, ALICE, 3).result, Ok(Vec::new()));
    assert_eq!(
        buy(&runtime, &mut host, ALICE, 3).result,
        aborted(OVER_LIMIT)
    );
    assert_eq!(buy(&runtime, &mut host, ALICE, 2).result, Ok(Vec::new()));
    assert_eq!(bought(&runtime, &mut host, ALICE), 5);

    let outcome = buy(&runtime, &mut host, ALICE, 1);
    assert_eq!(outcome.result, aborted(OVER_LIMIT));
    assert!(outcome.events.is_empty());
    // The ledger discarded the call, the attached coins' move included.
    assert_eq!(host.balance_of(ALICE, COIN), 50_000);
    assert_eq!(host.balance_of(ALICE, VOUCHER), 5 * FACE);
    let outcome = pay(&runtime, &mut host, ALICE, u32::MAX, &[(COIN, PRICE)]);
    assert_eq!(outcome.result, aborted(OVER_LIMIT));
    assert_eq!(stats(&runtime, &mut host), (5, 1));
    // Bob's limit is his own.
    assert_eq!(buy(&runtime, &mut host, BOB, 5).result, Ok(Vec::new()));
}

#[test]
fn the_sale_is_open_from_opens_ms_until_closes_ms() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 100);
    host.time_ms = OPENS_MS - 1;
    assert_eq!(buy(&runtime, &mut host, ALICE, 1).result, aborted(NOT_OPEN));
    host.time_ms = OPENS_MS;
    assert_eq!(buy(&runtime, &mut host, ALICE, 1).result, Ok(Vec::new()));
    host.time_ms = CLOSES_MS - 1;
    assert_eq!(buy(&runtime, &mut host, ALICE, 1).result, Ok(Vec::new()));
    host.time_ms = CLOSES_MS;
    assert_eq!(buy(&runtime, &mut host, ALICE, 1).result, aborted(CLOSED));
    assert_eq!(host.balance_of(ALICE, COIN), 80_000);
}

#[test]
fn only_credentialed_residents_buy() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 100);
    let outcome = buy(&runtime, &mut host, CAROL, 1);
    assert_eq!(outcome.result, aborted(NO_CREDENTIAL));
    assert_eq!(host.balance_of(CAROL, COIN), 100_000);
    assert_eq!(host.balance_of(CAROL, VOUCHER), 0);
    host.credentials.insert((CAROL, b"visitor".to_vec()));
    let outcome = buy(&runtime, &mut host, CAROL, 1);
    assert_eq!(outcome.result, aborted(NO_CREDENTIAL));
}

#[test]
fn the_payment_must_be_exactly_the_price() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 100);
    host.credit(ALICE, "other-points", 100_000);
    let wrong: [&[(&str, u64)]; 5] = [
        &[],
        &[(COIN, 2 * PRICE - 1)],
        &[(COIN, 2 * PRICE + 1)],
        &[("other-points", 2 * PRICE)],
        &[(COIN, 2 * PRICE), ("other-points", 1)],
    ];
    for value in wrong {
        let outcome = pay(&runtime, &mut host, ALICE, 2, value);
        assert_eq!(outcome.result, aborted(WRONG_PAYMENT), "{value:?}");
        assert_eq!(host.balance_of(ALICE, COIN), 100_000);
        assert_eq!(host.balance_of(ALICE, "other-points"), 100_000);
    }
    // An empty list described as borsh is nothing attached as well.
    host.caller = ALICE;
    host.attached = bytes(&Vec::<(String, u64)>::new());
    let input = bytes(&1u32);
    let outcome = run(
        &runtime,
        contract(),
        "buy",
        &input,
        FUEL,
        Mode::Execute,
        &mut host,
    );
    assert_eq!(outcome.result, aborted(WRONG_PAYMENT));
    host.attached.clear();
    assert_eq!(host.balance_of(ALICE, VOUCHER), 0);
    assert_eq!(stats(&runtime, &mut host), (0, 0));
}

#[test]
fn the_sale_is_sold_out_when_the_budget_is_spent() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 3);
    assert_eq!(buy(&runtime, &mut host, ALICE, 2).result, Ok(Vec::new()));
    let outcome = buy(&runtime, &mut host, BOB, 2);
    assert_eq!(outcome.result, aborted(SOLD_OUT));
    assert_eq!(host.balance_of(BOB, COIN), 100_000);
    assert_eq!(host.balance_of(BOB, VOUCHER), 0);
    assert_eq!(buy(&runtime, &mut host, BOB, 1).result, Ok(Vec::new()));
    assert_eq!(buy(&runtime, &mut host, BOB, 1).result, aborted(SOLD_OUT));
    assert_eq!(host.balance_of(CITY, COIN), 3 * PRICE);
    assert_eq!(stats(&runtime, &mut host), (3, 2));
    assert_eq!(bought(&runtime, &mut host, BOB), 1);
}

#[test]
fn refused_transfers_and_grants_abort() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 10);
    host.refuse_transfers = Some(refusal::NOT_PERMITTED);
    let outcome = buy(&runtime, &mut host, ALICE, 1);
    assert_eq!(outcome.result, aborted(TRANSFER_REFUSED));
    host.refuse_transfers = None;
    host.budgets.clear();
    let outcome = buy(&runtime, &mut host, ALICE, 1);
    assert_eq!(outcome.result, aborted(GRANT_REFUSED));
    assert_eq!(host.balance_of(ALICE, COIN), 100_000);
    assert_eq!(host.balance_of(CITY, COIN), 0);
}

#[test]
fn init_and_inputs_are_checked() {
    let runtime = Runtime::new();
    let mut host = MockHost::new();
    host.caller = ALICE;
    let outcome = call(&runtime, &mut host, "buy", &bytes(&1u32), &[]);
    assert_eq!(outcome.result, aborted(NOT_INITIALIZED));
    let bad: [fn(&mut Init); 9] = [
        |init| init.price = 0,
        |init| init.face = 0,
        |init| init.max_sets = 0,
        |init| init.voucher = COIN.to_owned(),
        |init| init.coin = String::new(),
        |init| init.credential = "k".repeat(65),
        |init| init.closes_ms = init.opens_ms,
        |init| init.opens_ms = init.closes_ms + 1,
        |init| init.voucher = "v".repeat(65),
    ];
    host.caller = GOVERNANCE;
    for change in bad {
        let mut init = standard();
        change(&mut init);
        let outcome = call(&runtime, &mut host, "init", &bytes(&init), &[]);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    let mut trailing = bytes(&standard());
    trailing.push(0);
    for input in [b"junk".to_vec(), trailing, Vec::new()] {
        let outcome = call(&runtime, &mut host, "init", &input, &[]);
        assert_eq!(outcome.result, aborted(BAD_INPUT));
    }
    assert!(host.storage.is_empty());

    let mut host = sale(&runtime, 10);
    host.caller = GOVERNANCE;
    let outcome = call(&runtime, &mut host, "init", &bytes(&standard()), &[]);
    assert_eq!(outcome.result, aborted(ALREADY_INITIALIZED));
    let price = &[(COIN, PRICE)];
    host.caller = ALICE;
    for input in [&bytes(&0u32)[..], &[1, 0, 0], &[1, 0, 0, 0, 0], b""] {
        let outcome = call(&runtime, &mut host, "buy", input, price);
        assert_eq!(outcome.result, aborted(BAD_INPUT), "{input:?}");
    }
    let outcome = query(&runtime, &mut host, "bought", &[1; 31]);
    assert_eq!(outcome.result, aborted(BAD_INPUT));
}

#[test]
fn overflowing_products_and_totals_abort() {
    let runtime = Runtime::new();
    let mut init = standard();
    init.price = u64::MAX / 2;
    let mut host = sale_with(&runtime, &init, 1);
    let outcome = pay(&runtime, &mut host, ALICE, 3, &[(COIN, 1)]);
    assert_eq!(outcome.result, aborted(OVERFLOW));

    let mut init = standard();
    init.face = u64::MAX / 2;
    let mut host = sale_with(&runtime, &init, 1);
    let outcome = buy(&runtime, &mut host, ALICE, 3);
    assert_eq!(outcome.result, aborted(OVERFLOW));

    let mut host = sale(&runtime, 10);
    host.storage.insert(b"s".to_vec(), bytes(&(u64::MAX, 7u64)));
    let outcome = buy(&runtime, &mut host, ALICE, 1);
    assert_eq!(outcome.result, aborted(OVERFLOW));
    assert_eq!(host.balance_of(ALICE, VOUCHER), 0);
}

#[test]
fn buying_in_a_query_is_refused() {
    let runtime = Runtime::new();
    let mut host = sale(&runtime, 10);
    host.caller = ALICE;
    host.attach(&[(COIN, PRICE)]);
    let outcome = query(&runtime, &mut host, "buy", &bytes(&1u32));
    let expected = CallFailure::Host(HostError::ReadOnly);
    assert_eq!(outcome.result, Err(expected));
    assert_eq!(host.balance_of(ALICE, VOUCHER), 0);
}

#[test]
fn real_module_fuel_is_deterministic() {
    let mut fuel = Vec::new();
    for _ in 0..2 {
        let runtime = Runtime::new();
        let mut host = sale(&runtime, 10);
        for buyer in [ALICE, ALICE, BOB] {
            fuel.push(buy(&runtime, &mut host, buyer, 1).fuel_used);
        }
    }
    println!("voucher-sale buy fuel: {fuel:?}");
    assert_eq!(fuel[..3], fuel[3..]);
}
