//! The real town contracts end to end through the ledger: `voucher-sale`,
//! `civic-poll` and `exchange`, each uploaded in chunks by a member,
//! deployed by a vote with its init arguments, assets and budget, then
//! called by signed `CallContract` transactions. Balances, events, receipts
//! and refusals are checked against the interfaces their crates document
//! (`wasm-contracts/contracts/*/src/lib.rs`); every refused call must leave
//! the state as it was but for the signer's nonce (`Chain::refuse`).

use std::collections::BTreeMap;

use borsh::BorshDeserialize;
use yui_ledger::contract::{Contract, GOVERNANCE_CALLER, contract_account};
use yui_ledger::error::Rule;
use yui_ledger::governance::{GovAction, ProposalState};
use yui_ledger::receipt::MintSource;
use yui_ledger::state;
use yui_ledger::{
    Address, AssetClass, AssetKind, BlockOutcome, Event, ExpiryPolicy, Keypair, Operation, Receipt,
    Role, SignedTransaction, SpendScope, TxError, execute_block, query_contract,
};
use yui_wasm_contracts::CallFailure;

use crate::contracts::{town_contract, upload};
use crate::fixture::*;

/// Fuel limit of every call here: ~20 times what the contracts burn.
const FUEL: u64 = 1_000_000;
/// The credential kind the city issues to its residents.
const RESIDENT: &str = "resident";

// The contracts' own abort codes, as their crates document them.
const NOT_OPEN: u32 = 4;
const CLOSED: u32 = 5;
const SALE_NO_CREDENTIAL: u32 = 6;
const OVER_LIMIT: u32 = 7;
const WRONG_PAYMENT: u32 = 8;
const SOLD_OUT: u32 = 9;

const NO_SUCH_OPTION: u32 = 4;
const POLL_CLOSED: u32 = 6;
const POLL_NO_CREDENTIAL: u32 = 7;
const ALREADY_ANSWERED: u32 = 8;
const REWARDS_SPENT: u32 = 9;

const NOT_GOVERNANCE: u32 = 4;
const BAD_ATTACHMENT: u32 = 5;
const OVER_DAILY_CAP: u32 = 7;
const ZERO_OUTPUT: u32 = 8;
const POOL_EMPTY: u32 = 9;

fn bytes<T: borsh::BorshSerialize>(v: &T) -> Vec<u8> {
    borsh::to_vec(v).unwrap()
}

fn call(id: &str, method: &str, args: Vec<u8>, attach: &[(&str, u64)]) -> Operation {
    Operation::CallContract {
        contract_id: id.into(),
        method: method.into(),
        args,
        fuel_limit: FUEL,
        attach: attach.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
    }
}

fn define_asset(class: AssetClass) -> GovAction {
    GovAction::DefineAsset { class }
}

fn deploy_action(
    id: &str,
    code_hash: [u8; 32],
    init_args: Vec<u8>,
    assets: &[&str],
    budget: &[(&str, u64)],
) -> GovAction {
    GovAction::DeployContract {
        contract_id: id.into(),
        code_hash,
        init_args,
        assets: assets.iter().map(|a| a.to_string()).collect(),
        budget: budget.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
    }
}

/// Passes `action` by a vote of every member; must execute.
fn pass(c: &mut Chain, id: &str, action: GovAction) {
    let p = c.pass(id, action);
    assert_eq!(p.state, ProposalState::Executed, "{id}: {:?}", p.failure);
}

/// Uploads the real contract `file` (the city, a member, in chunks) and
/// deploys it as `id` by a vote; the contract as deployed.
fn deploy(
    c: &mut Chain,
    id: &str,
    file: &str,
    init_args: Vec<u8>,
    assets: &[&str],
    budget: &[(&str, u64)],
) -> Contract {
    let hash = upload(c, &town_contract(file));
    let action = deploy_action(id, hash, init_args, assets, budget);
    pass(c, &format!("deploy-{id}"), action);
    let k = state::contract(&c.state, id).unwrap().unwrap();
    assert_eq!((k.code_hash, k.calls), (hash, 1), "init ran once");
    assert_eq!(k.account, contract_account(id));
    k
}

/// A points asset of the city's; `transferable` or not, never expiring.
fn points(id: &str, transferable: bool) -> AssetClass {
    AssetClass {
        id: id.into(),
        kind: AssetKind::Point,
        issuers: vec![city().address()],
        transferable,
        spendable_at: SpendScope::Anyone,
        redeemable: false,
        redeem_fee_bps: 0,
        fee_account: operator().address(),
        holding_cap: 0,
        expiry: ExpiryPolicy::None,
        breakage_account: BREAKAGE,
        pay_priority: 30,
        required_credential: None,
    }
}

/// The contract's abort code; checks the error is a `ContractFailed` of `id`
/// that burned some fuel, within the limit (printed with `--nocapture`).
fn aborted(e: &TxError, id: &str) -> u32 {
    match e {
        TxError::ContractFailed {
            contract_id,
            failure: CallFailure::Aborted { code },
            fuel_used,
        } if contract_id == id && *fuel_used > 0 && *fuel_used < FUEL => {
            println!("fuel {id} aborted {code}: {fuel_used}");
            *code
        }
        other => panic!("not an abort of {id}: {other:?}"),
    }
}

/// The fuel of the one `ContractCalled` event of `method`.
fn called_fuel(events: &[Event], id: &str, method: &str) -> u64 {
    let fuels: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::ContractCalled {
                contract_id,
                method: m,
                fuel_used,
                ..
            } if contract_id == id && m == method => Some(*fuel_used),
            _ => None,
        })
        .collect();
    assert_eq!(fuels.len(), 1, "{events:?}");
    assert!(fuels[0] > 0 && fuels[0] < FUEL);
    println!("fuel {id} {method}: {}", fuels[0]);
    fuels[0]
}

/// A read-only query at the next block's time, by no one in particular.
fn query<T: BorshDeserialize>(c: &Chain, id: &str, method: &str, args: Vec<u8>) -> T {
    let before = c.state.clone();
    let (out, fuel) = query_contract(&c.state, &c.next_ctx(), (id, method, &args, FUEL)).unwrap();
    assert!(fuel > 0 && fuel < FUEL);
    assert_eq!(c.state, before);
    borsh::from_slice(&out).unwrap()
}

fn emitted(id: &str, topic: &str, data: Vec<u8>, mut accounts: Vec<Address>) -> Event {
    accounts.sort();
    accounts.dedup();
    Event::ContractEmitted {
        contract_id: id.into(),
        topic: topic.as_bytes().to_vec(),
        data,
        accounts,
    }
}

fn transferred(asset: &str, from: Address, to: Address, amount: u64) -> Event {
    Event::Transferred {
        asset: asset.into(),
        from,
        to,
        amount,
    }
}

// --- voucher-sale ---------------------------------------------------------

const SALE: &str = "premium-2026";
const PREMIUM: &str = "premium-voucher";
const PRICE: u64 = 10_000;
const FACE: u64 = 13_000;
const MAX_SETS: u32 = 5;
const PREMIUM_END: u64 = T0 + 180 * DAY;

/// Premium vouchers: residents only, at most five sets (65,000) a person,
/// spent at small local shops until a fixed date. (The fixture's `voucher`
/// caps holdings at 50,000, under five sets.)
fn premium_class() -> AssetClass {
    AssetClass {
        id: PREMIUM.into(),
        kind: AssetKind::Voucher,
        issuers: vec![city().address()],
        transferable: false,
        spendable_at: SpendScope::MerchantClasses(vec![yui_ledger::MerchantClass::SmallLocal]),
        redeemable: true,
        redeem_fee_bps: 0,
        fee_account: operator().address(),
        holding_cap: u64::from(MAX_SETS) * FACE,
        expiry: ExpiryPolicy::FixedDate(PREMIUM_END),
        breakage_account: BREAKAGE,
        pay_priority: 1,
        required_credential: Some(RESIDENT.into()),
    }
}

fn sale_init(opens_ms: u64, closes_ms: u64) -> Vec<u8> {
    bytes(&(
        city().address().0,
        COIN.to_string(),
        PREMIUM.to_string(),
        PRICE,
        FACE,
        MAX_SETS,
        RESIDENT.to_string(),
        opens_ms,
        closes_ms,
    ))
}

fn buy(sets: u32, coins: u64) -> Operation {
    call(SALE, "buy", bytes(&sets), &[(COIN, coins)])
}

#[test]
fn premium_vouchers_sell_to_residents_within_the_limit_the_window_and_the_budget() {
    let mut c = Chain::new();
    let (a, b, cl) = (alice().address(), bob().address(), carol().address());
    let city_a = city().address();
    let sale = contract_account(SALE);
    pass(&mut c, "define-premium", define_asset(premium_class()));
    let opens = T0 + DAY;
    let closes = opens + 7 * DAY;
    // The city funds eight sets' vouchers; the contract may hold coins.
    let k = deploy(
        &mut c,
        SALE,
        "voucher_sale",
        sale_init(opens, closes),
        &[COIN],
        &[(PREMIUM, 8 * FACE)],
    );
    assert_eq!(k.budget[0].allotted, 104_000);
    c.issue("resident-alice", &alice(), RESIDENT);
    c.issue("resident-bob", &bob(), RESIDENT);
    c.charge(&alice(), 60_000, "d-alice", None);
    c.charge(&bob(), 40_000, "d-bob", None);
    c.charge(&carol(), 20_000, "d-carol", None);

    // Before the window.
    assert_eq!(aborted(&c.refuse(&alice(), buy(1, PRICE)), SALE), NOT_OPEN);
    c.advance_to(opens);

    // A resident pays 10,000 coins for 13,000 vouchers; the coins pass
    // through the contract to the city.
    let events = c.ok(&alice(), buy(1, PRICE));
    let fuel = called_fuel(&events, SALE, "buy");
    assert_eq!(
        events,
        vec![
            transferred(COIN, a, sale, PRICE),
            Event::ContractCalled {
                contract_id: SALE.into(),
                caller: a,
                method: "buy".into(),
                fuel_used: fuel,
            },
            transferred(COIN, sale, city_a, PRICE),
            Event::Minted {
                asset: PREMIUM.into(),
                to: a,
                amount: FACE,
                source: MintSource::Contract {
                    contract_id: SALE.into()
                },
                expires_at: Some(PREMIUM_END),
            },
            emitted(SALE, "sold", bytes(&(a.0, 1u32, FACE)), vec![a, city_a]),
        ]
    );
    assert_eq!(c.balance(&a, COIN), 50_000);
    assert_eq!(c.balance(&a, PREMIUM), FACE);
    assert_eq!(c.balance(&city_a, COIN), PRICE);
    assert_eq!(c.balance(&sale, COIN), 0, "the coins are the city's");

    // A non-resident is refused and keeps the coins she attached.
    let e = c.refuse(&carol(), buy(1, PRICE));
    assert_eq!(aborted(&e, SALE), SALE_NO_CREDENTIAL);
    assert_eq!(c.balance(&cl, COIN), 20_000);
    assert_eq!(c.balance(&cl, PREMIUM), 0);

    // Wrong payments: short, over, one price for two sets, nothing.
    for op in [
        buy(1, PRICE - 1),
        buy(1, PRICE + 1),
        buy(2, PRICE),
        call(SALE, "buy", bytes(&1u32), &[]),
    ] {
        assert_eq!(aborted(&c.refuse(&alice(), op), SALE), WRONG_PAYMENT);
    }
    // An asset the contract may not hold never reaches it.
    assert_eq!(
        c.refuse(&alice(), call(SALE, "buy", bytes(&1u32), &[(POINT, 1)])),
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::ContractDoesNotHold
        }
    );
    assert_eq!(c.balance(&a, COIN), 50_000);

    // Four more sets make five; a sixth is over the limit.
    let events = c.ok(&alice(), buy(4, 4 * PRICE));
    called_fuel(&events, SALE, "buy");
    assert_eq!(c.balance(&a, PREMIUM), 5 * FACE);
    assert_eq!(
        aborted(&c.refuse(&alice(), buy(1, PRICE)), SALE),
        OVER_LIMIT
    );
    assert_eq!(c.balance(&a, COIN), 10_000);

    // Three sets are left in the budget: four are sold out, three sell.
    assert_eq!(
        aborted(&c.refuse(&bob(), buy(4, 4 * PRICE)), SALE),
        SOLD_OUT
    );
    assert_eq!(c.balance(&b, COIN), 40_000);
    c.ok(&bob(), buy(3, 3 * PRICE));
    assert_eq!(c.balance(&b, PREMIUM), 3 * FACE);
    // Carol, now a resident, finds the sale sold out and keeps her coins...
    c.issue("resident-carol", &carol(), RESIDENT);
    assert_eq!(aborted(&c.refuse(&carol(), buy(1, PRICE)), SALE), SOLD_OUT);
    assert_eq!(c.balance(&cl, COIN), 20_000);
    // ... until governance funds one more set.
    pass(
        &mut c,
        "premium-more",
        GovAction::SetContractBudget {
            contract_id: SALE.into(),
            asset: PREMIUM.into(),
            allotted: 9 * FACE,
        },
    );
    c.ok(&carol(), buy(1, PRICE));

    // The queries, and the books: coins at the city, vouchers minted from
    // the budget only.
    assert_eq!(query::<u32>(&c, SALE, "bought", bytes(&a.0)), 5);
    assert_eq!(query::<u32>(&c, SALE, "bought", bytes(&cl.0)), 1);
    assert_eq!(query::<(u64, u64)>(&c, SALE, "stats", vec![]), (9, 3));
    assert_eq!(c.balance(&city_a, COIN), 9 * PRICE);
    assert_eq!(c.balance(&sale, COIN), 0);
    assert_eq!(c.asset(PREMIUM).issued, 9 * FACE);
    let k = state::contract(&c.state, SALE).unwrap().unwrap();
    assert_eq!(k.budget[0].granted, 9 * FACE);
    assert_eq!(
        k.calls, 5,
        "init and four purchases; failed calls are not counted"
    );

    // The window closes at `closes_ms` exactly.
    c.advance_to(closes - BLOCK_MS);
    assert_eq!(c.next_ctx().time_ms, closes);
    assert_eq!(aborted(&c.refuse(&bob(), buy(1, PRICE)), SALE), CLOSED);
    assert_eq!(c.balance(&b, COIN), 10_000);
}

// --- civic-poll -------------------------------------------------------------

const POLL: &str = "park-poll";
const REWARD: u64 = 50;

fn answer(option: u8) -> Operation {
    call(POLL, "answer", bytes(&option), &[])
}

#[test]
fn residents_answer_the_poll_once_and_earn_points_while_the_tally_is_public() {
    let mut c = Chain::new();
    let a = alice().address();
    let closes = T0 + 14 * DAY;
    // The fixture's `point` is not transferable: the reward stays earned.
    let init = bytes(&(
        "park-benches-2026".to_string(),
        3u8,
        POINT.to_string(),
        REWARD,
        RESIDENT.to_string(),
        closes,
    ));
    deploy(
        &mut c,
        POLL,
        "civic_poll",
        init,
        &[],
        &[(POINT, 3 * REWARD)],
    );
    for (id, k) in [
        ("r-alice", alice()),
        ("r-bob", bob()),
        ("r-carol", carol()),
        ("r-coord", coordinator()),
    ] {
        c.issue(id, &k, RESIDENT);
    }
    assert_eq!(query::<Vec<u64>>(&c, POLL, "tally", vec![]), vec![0, 0, 0]);

    let events = c.ok(&alice(), answer(2));
    let fuel = called_fuel(&events, POLL, "answer");
    assert_eq!(
        events,
        vec![
            Event::ContractCalled {
                contract_id: POLL.into(),
                caller: a,
                method: "answer".into(),
                fuel_used: fuel,
            },
            Event::Minted {
                asset: POINT.into(),
                to: a,
                amount: REWARD,
                source: MintSource::Contract {
                    contract_id: POLL.into()
                },
                expires_at: Some(c.time_ms + u64::from(POINT_DAYS) * DAY),
            },
            emitted(POLL, "answered", vec![2], vec![a]),
        ]
    );
    assert_eq!(c.balance(&a, POINT), REWARD);
    // Once only; options 0–2 only; residents only.
    assert_eq!(
        aborted(&c.refuse(&alice(), answer(0)), POLL),
        ALREADY_ANSWERED
    );
    assert_eq!(aborted(&c.refuse(&bob(), answer(3)), POLL), NO_SUCH_OPTION);
    assert_eq!(
        aborted(&c.refuse(&shop_small(), answer(1)), POLL),
        POLL_NO_CREDENTIAL
    );
    // Value attached to `answer`: the contract may hold nothing.
    c.charge(&bob(), 100, "d-bob", None);
    assert_eq!(
        c.refuse(&bob(), call(POLL, "answer", bytes(&1u8), &[(COIN, 1)])),
        TxError::Policy {
            asset: COIN.into(),
            rule: Rule::ContractDoesNotHold
        }
    );
    c.ok(&bob(), answer(0));
    c.ok(&carol(), answer(2));
    assert_eq!(c.balance(&carol().address(), POINT), REWARD);
    // The earned points cannot be passed on.
    assert_eq!(
        c.refuse(&alice(), transfer_op(carol().address(), POINT, 10)),
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::NotTransferable
        }
    );

    // The budget paid three answers: the fourth is refused, nothing counted.
    assert_eq!(
        aborted(&c.refuse(&coordinator(), answer(1)), POLL),
        REWARDS_SPENT
    );
    assert_eq!(c.balance(&coordinator().address(), POINT), 0);
    assert_eq!(query::<Vec<u64>>(&c, POLL, "tally", vec![]), vec![1, 0, 2]);
    assert!(query::<bool>(&c, POLL, "answered", bytes(&a.0)));
    assert!(!query::<bool>(
        &c,
        POLL,
        "answered",
        bytes(&coordinator().address().0)
    ));
    assert_eq!(c.asset(POINT).issued, 3 * REWARD);
    let k = state::contract(&c.state, POLL).unwrap().unwrap();
    assert_eq!((k.calls, k.budget[0].granted), (4, 3 * REWARD));

    // Governance funds more answers, but the poll has closed.
    pass(
        &mut c,
        "poll-more",
        GovAction::SetContractBudget {
            contract_id: POLL.into(),
            asset: POINT.into(),
            allotted: 10 * REWARD,
        },
    );
    c.advance_to(closes - BLOCK_MS);
    assert_eq!(
        aborted(&c.refuse(&coordinator(), answer(1)), POLL),
        POLL_CLOSED
    );
    assert_eq!(query::<Vec<u64>>(&c, POLL, "tally", vec![]), vec![1, 0, 2]);
}

// --- exchange ---------------------------------------------------------------

const EX: &str = "east-west";
const EAST: &str = "east-pt";
const WEST: &str = "west-pt";
const CAP: u64 = 1_000;

/// Two communities' transferable points, both issued by the city, and the
/// exchange between them at 3 west for 2 east, at most 1,000 units a day.
fn exchange_chain() -> Chain {
    let mut c = Chain::new();
    let city_a = city().address();
    for asset in [EAST, WEST] {
        pass(
            &mut c,
            &format!("define-{asset}"),
            define_asset(points(asset, true)),
        );
        pass(
            &mut c,
            &format!("issuer-{asset}"),
            GovAction::GrantRole {
                account: city_a,
                role: Role::Issuer(asset.into()),
            },
        );
    }
    let init = bytes(&(EAST.to_string(), WEST.to_string(), 3u64, 2u64, CAP));
    let k = deploy(&mut c, EX, "exchange", init, &[EAST, WEST], &[]);
    assert!(k.budget.is_empty(), "it mints nothing");
    c
}

fn swap(asset: &str, given: u64) -> Operation {
    call(EX, "swap", vec![], &[(asset, given)])
}

/// The pool as the contract reports it, which must be its account's balances.
fn pool(c: &Chain) -> (u64, u64) {
    let p: (u64, u64) = query(c, EX, "pool", vec![]);
    let acct = contract_account(EX);
    assert_eq!(p, (c.balance(&acct, EAST), c.balance(&acct, WEST)));
    p
}

fn swapped(who: Address, given_asset: &str, given: u64, received: u64) -> Event {
    emitted(
        EX,
        "swapped",
        bytes(&(who.0, given_asset.to_string(), given, received)),
        vec![who],
    )
}

#[test]
fn points_swap_at_the_governed_rate_within_a_daily_cap_and_the_pool() {
    let mut c = exchange_chain();
    let (a, b, city_a) = (alice().address(), bob().address(), city().address());
    let ex = contract_account(EX);
    assert_eq!(
        query::<(u64, u64, u64)>(&c, EX, "rate", vec![]),
        (3, 2, CAP)
    );

    // The city funds the pool with both.
    c.grant(&city(), EAST, 2_000);
    c.grant(&city(), WEST, 2_000);
    let events = c.ok(
        &city(),
        call(EX, "fund", vec![], &[(EAST, 2_000), (WEST, 2_000)]),
    );
    let fuel = called_fuel(&events, EX, "fund");
    assert_eq!(
        events,
        vec![
            transferred(EAST, city_a, ex, 2_000),
            transferred(WEST, city_a, ex, 2_000),
            Event::ContractCalled {
                contract_id: EX.into(),
                caller: city_a,
                method: "fund".into(),
                fuel_used: fuel,
            },
            emitted(
                EX,
                "funded",
                bytes(&(city_a.0, 2_000u64, 2_000u64)),
                vec![city_a]
            ),
        ]
    );
    assert_eq!(pool(&c), (2_000, 2_000));
    c.grant(&alice(), EAST, 3_000);
    c.grant(&bob(), EAST, 2_000);

    // 400 east give 600 west at 3/2.
    let events = c.ok(&alice(), swap(EAST, 400));
    let fuel = called_fuel(&events, EX, "swap");
    assert_eq!(
        events,
        vec![
            transferred(EAST, a, ex, 400),
            Event::ContractCalled {
                contract_id: EX.into(),
                caller: a,
                method: "swap".into(),
                fuel_used: fuel,
            },
            transferred(WEST, ex, a, 600),
            swapped(a, EAST, 400, 600),
        ]
    );
    assert_eq!((c.balance(&a, EAST), c.balance(&a, WEST)), (2_600, 600));
    assert_eq!(pool(&c), (2_400, 1_400));
    c.ok(&alice(), swap(EAST, 600));
    assert_eq!(pool(&c), (3_000, 500));
    assert_eq!(query::<u64>(&c, EX, "used_today", bytes(&a.0)), CAP);
    // The cap counts units given in either direction.
    assert_eq!(
        aborted(&c.refuse(&alice(), swap(EAST, 1)), EX),
        OVER_DAILY_CAP
    );
    assert_eq!(
        aborted(&c.refuse(&alice(), swap(WEST, 1)), EX),
        OVER_DAILY_CAP
    );
    // 1,000 east would take 1,500 west from a pool of 500: refused, and Bob
    // keeps his points.
    assert_eq!(
        aborted(&c.refuse(&bob(), swap(EAST, 1_000)), EX),
        POOL_EMPTY
    );
    assert_eq!(c.balance(&b, EAST), 2_000);
    assert_eq!(pool(&c), (3_000, 500));
    c.ok(&bob(), swap(EAST, 300));
    assert_eq!(pool(&c), (3_300, 50));
    // Two assets attached, or none: not a swap.
    assert_eq!(
        aborted(
            &c.refuse(&bob(), call(EX, "swap", vec![], &[(EAST, 1), (WEST, 1)])),
            EX
        ),
        BAD_ATTACHMENT
    );
    assert_eq!(
        aborted(&c.refuse(&bob(), call(EX, "swap", vec![], &[])), EX),
        BAD_ATTACHMENT
    );

    // Only governance sets the rate and the cap.
    let rate_args = bytes(&(1u64, 2u64));
    let e = c.refuse(&alice(), call(EX, "set_rate", rate_args.clone(), &[]));
    assert_eq!(aborted(&e, EX), NOT_GOVERNANCE);
    let e = c.refuse(&city(), call(EX, "set_cap", bytes(&u64::MAX), &[]));
    assert_eq!(aborted(&e, EX), NOT_GOVERNANCE);
    let action = GovAction::CallContract {
        contract_id: EX.into(),
        method: "set_rate".into(),
        args: rate_args.clone(),
    };
    let events = pass_collecting(&mut c, "rate-1-2", action);
    let fuel = called_fuel(&events, EX, "set_rate");
    assert!(events.contains(&Event::ContractCalled {
        contract_id: EX.into(),
        caller: GOVERNANCE_CALLER,
        method: "set_rate".into(),
        fuel_used: fuel,
    }));
    assert!(events.contains(&emitted(EX, "rate", rate_args, vec![GOVERNANCE_CALLER])));
    assert_eq!(
        query::<(u64, u64, u64)>(&c, EX, "rate", vec![]),
        (1, 2, CAP)
    );

    // The next UTC day: the cap starts again.
    let tomorrow = (c.time_ms / DAY + 1) * DAY;
    c.advance_to(tomorrow);
    assert_eq!(query::<u64>(&c, EX, "used_today", bytes(&a.0)), 0);
    // 1 east is worth half a west, rounded down to nothing.
    assert_eq!(aborted(&c.refuse(&alice(), swap(EAST, 1)), EX), ZERO_OUTPUT);
    // The other way: 600 west give 600 × 2 / 1 east.
    let events = c.ok(&alice(), swap(WEST, 600));
    assert!(events.contains(&transferred(EAST, ex, a, 1_200)));
    assert!(events.contains(&swapped(a, WEST, 600, 1_200)));
    assert_eq!(pool(&c), (2_100, 650));
    c.ok(&alice(), swap(EAST, 400));
    assert_eq!(pool(&c), (2_500, 450));
    assert_eq!((c.balance(&a, EAST), c.balance(&a, WEST)), (2_800, 1_100));
    assert_eq!(
        aborted(&c.refuse(&alice(), swap(WEST, 1)), EX),
        OVER_DAILY_CAP
    );
    // Bob empties the west side exactly; then it has nothing to pay.
    c.ok(&bob(), swap(EAST, 900));
    assert_eq!(pool(&c), (3_400, 0));
    assert_eq!(aborted(&c.refuse(&bob(), swap(EAST, 2)), EX), POOL_EMPTY);
    assert_eq!(pool(&c), (3_400, 0));
    assert_eq!((c.balance(&b, EAST), c.balance(&b, WEST)), (800, 900));

    // Nothing was minted or lost: each asset's holdings add up to its supply.
    for asset in [EAST, WEST] {
        let held: u64 = c
            .all_holdings()
            .iter()
            .filter(|(_, id, _)| id == asset)
            .map(|(_, _, h)| h.total())
            .sum();
        assert_eq!(held, c.asset(asset).issued, "{asset}");
    }
}

/// `Chain::pass`, returning the events of every vote (the last carries out
/// the action).
fn pass_collecting(c: &mut Chain, id: &str, action: GovAction) -> Vec<Event> {
    let ms = c.member_keys();
    let expires = c.time_ms + 7 * DAY;
    let mut events = c.ok(&ms[0], propose_op(id, action, expires));
    for m in &ms[1..] {
        if c.proposal(id).state != ProposalState::Open {
            break;
        }
        events.extend(c.ok(m, vote_op(id, true)));
    }
    let p = c.proposal(id);
    assert_eq!(p.state, ProposalState::Executed, "{id}: {:?}", p.failure);
    events
}

// --- determinism --------------------------------------------------------------

/// A chain driven block by block, keeping each block's transactions and
/// outcome so it can be replayed.
struct Recorded {
    chain: Chain,
    blocks: Vec<(u64, Vec<SignedTransaction>, BlockOutcome)>,
}

impl Recorded {
    /// One block at `time_ms` of `ops`, signed in order (a signer's nonces
    /// follow each other within the block); its receipts.
    fn block_at(&mut self, time_ms: u64, ops: Vec<(Keypair, Operation)>) -> Vec<Receipt> {
        let mut nonces = BTreeMap::new();
        let txs: Vec<SignedTransaction> = ops
            .into_iter()
            .map(|(k, op)| {
                let a = k.address();
                let n = nonces.entry(a).or_insert_with(|| self.chain.nonce(&a));
                let stx = self.chain.tx(&k, *n, op).sign(&k);
                *n += 1;
                stx
            })
            .collect();
        let out = self.chain.block_at(time_ms, &txs);
        let receipts = out.receipts.clone();
        self.blocks.push((time_ms, txs, out));
        receipts
    }

    fn block(&mut self, ops: Vec<(Keypair, Operation)>) -> Vec<Receipt> {
        self.block_at(self.chain.time_ms + BLOCK_MS, ops)
    }

    /// Every member's vote in one block: the proposal passes and executes.
    fn pass(&mut self, id: &str, action: GovAction) {
        let expires = self.chain.time_ms + DAY;
        let mut ops = vec![(city(), propose_op(id, action, expires))];
        ops.push((chamber(), vote_op(id, true)));
        ops.push((coordinator(), vote_op(id, true)));
        assert!(self.block(ops).iter().all(|r| r.error.is_none()));
        let p = self.chain.proposal(id);
        assert_eq!(p.state, ProposalState::Executed, "{id}: {:?}", p.failure);
    }

    /// All the chunks of the real contract `file` in one block.
    fn upload(&mut self, file: &str) -> [u8; 32] {
        let code = town_contract(file);
        let hash = yui_ledger::crypto::sha256(&code);
        let ops = code
            .chunks(yui_ledger::contract::CODE_CHUNK_BYTES_MAX)
            .enumerate()
            .map(|(i, chunk)| {
                let op = Operation::UploadCode {
                    code_hash: hash,
                    total_len: code.len() as u32,
                    index: i as u32,
                    chunk: chunk.to_vec(),
                };
                (city(), op)
            })
            .collect();
        assert!(self.block(ops).iter().all(|r| r.error.is_none()));
        hash
    }
}

#[test]
fn town_contract_blocks_replay_to_the_same_receipts_and_state() {
    let mut r = Recorded {
        chain: Chain::new(),
        blocks: Vec::new(),
    };
    let city_a = city().address();
    // Setup: assets, issuer roles, all three contracts, residents, balances.
    r.pass("define-premium", define_asset(premium_class()));
    for asset in [EAST, WEST] {
        r.pass(
            &format!("define-{asset}"),
            define_asset(points(asset, true)),
        );
        let role = GovAction::GrantRole {
            account: city_a,
            role: Role::Issuer(asset.into()),
        };
        r.pass(&format!("issuer-{asset}"), role);
    }
    let opens = r.chain.time_ms + BLOCK_MS;
    let hash = r.upload("voucher_sale");
    // Both close before the next UTC day starts.
    let closes = opens + DAY / 2;
    let init = sale_init(opens, closes);
    let action = deploy_action(SALE, hash, init, &[COIN], &[(PREMIUM, 3 * FACE)]);
    r.pass("deploy-sale", action);
    let hash = r.upload("civic_poll");
    let init = bytes(&(
        "p".to_string(),
        2u8,
        POINT.to_string(),
        REWARD,
        RESIDENT.to_string(),
        closes,
    ));
    r.pass(
        "deploy-poll",
        deploy_action(POLL, hash, init, &[], &[(POINT, 2 * REWARD)]),
    );
    let hash = r.upload("exchange");
    let init = bytes(&(EAST.to_string(), WEST.to_string(), 3u64, 2u64, CAP));
    r.pass(
        "deploy-ex",
        deploy_action(EX, hash, init, &[EAST, WEST], &[]),
    );
    let from = r.chain.time_ms;
    let setup = r.block(vec![
        (
            city(),
            issue_op("ra", alice().address(), RESIDENT, from, from + 90 * DAY),
        ),
        (
            city(),
            issue_op("rb", bob().address(), RESIDENT, from, from + 90 * DAY),
        ),
        (city(), charge_op(alice().address(), 100_000, "da", None)),
        (city(), charge_op(carol().address(), 50_000, "dc", None)),
        (city(), grant_op(city_a, EAST, 1_000, "pool", None)),
        (city(), grant_op(city_a, WEST, 1_000, "pool", None)),
        (city(), grant_op(bob().address(), EAST, 5_000, "t", None)),
        (
            city(),
            call(EX, "fund", vec![], &[(EAST, 1_000), (WEST, 1_000)]),
        ),
    ]);
    assert!(setup.iter().all(|x| x.error.is_none()), "{setup:?}");

    // Busy blocks mixing successes and contract failures.
    let mixed = [
        r.block(vec![
            (alice(), buy(2, 2 * PRICE)),
            (carol(), buy(1, PRICE)),     // not a resident
            (alice(), buy(4, 4 * PRICE)), // over five sets
            (bob(), swap(EAST, 400)),
            (bob(), swap(EAST, 700)), // over the cap
            (alice(), answer(1)),
            (alice(), answer(0)),                            // answered
            (bob(), answer(7)),                              // no such option
            (carol(), answer(0)),                            // not a resident
            (bob(), call(EX, "set_cap", bytes(&9u64), &[])), // not governance
        ]),
        r.block(vec![
            (bob(), answer(0)),
            (alice(), buy(2, 2 * PRICE)), // sold out: one set left
            (alice(), buy(1, PRICE)),
            (bob(), swap(EAST, 600)), // 900 west from 400: empty
            (bob(), swap(EAST, 200)),
        ]),
        r.block_at(
            (r.chain.time_ms / DAY + 1) * DAY,
            vec![
                (bob(), swap(EAST, 200)), // a new day; 300 west from 100: empty
                (bob(), swap(EAST, 60)),
                (alice(), buy(1, PRICE)), // closed
                (carol(), answer(1)),     // closed
            ],
        ),
    ];
    // Every failed call's receipt is the contract's abort with the fuel it
    // burned, and nothing else: no events.
    let codes: Vec<Vec<Option<u32>>> = mixed
        .iter()
        .map(|receipts| {
            receipts
                .iter()
                .map(|x| match &x.error {
                    None => None,
                    Some(TxError::ContractFailed {
                        failure: CallFailure::Aborted { code },
                        fuel_used,
                        ..
                    }) if *fuel_used > 0 && *fuel_used < FUEL && x.events.is_empty() => Some(*code),
                    Some(other) => panic!("tx {} of block {}: {other:?}", x.index, x.height),
                })
                .collect()
        })
        .collect();
    let (ok, abort) = (None, Some);
    assert_eq!(
        codes,
        [
            vec![
                ok,
                abort(SALE_NO_CREDENTIAL),
                abort(OVER_LIMIT),
                ok,
                abort(OVER_DAILY_CAP),
                ok,
                abort(ALREADY_ANSWERED),
                abort(NO_SUCH_OPTION),
                abort(POLL_NO_CREDENTIAL),
                abort(NOT_GOVERNANCE),
            ],
            vec![ok, abort(SOLD_OUT), ok, abort(POOL_EMPTY), ok],
            vec![abort(POOL_EMPTY), ok, abort(CLOSED), abort(POLL_CLOSED)],
        ]
    );
    assert_eq!(
        pool_of(&r.chain),
        (1_000 + 400 + 200 + 60, 1_000 - 600 - 300 - 90)
    );

    // Replayed on a fresh chain, every block gives the same outcome.
    let mut fresh = Chain::new();
    for (time_ms, txs, outcome) in &r.blocks {
        let replayed = execute_block(&fresh.state, fresh.ctx_at(*time_ms), txs).unwrap();
        assert_eq!(&replayed, outcome, "block {}", fresh.height + 1);
        fresh.state.apply(&replayed.writes);
        fresh.height += 1;
        fresh.time_ms = *time_ms;
    }
    assert_eq!(fresh.state, r.chain.state);
    assert_eq!(fresh.height, r.chain.height);
}

fn pool_of(c: &Chain) -> (u64, u64) {
    let acct = contract_account(EX);
    (c.balance(&acct, EAST), c.balance(&acct, WEST))
}
