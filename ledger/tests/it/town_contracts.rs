//! The real town contracts end to end through the ledger: `voucher-sale`,
//! `civic-poll` and `exchange`, each uploaded in chunks by a member,
//! deployed by a vote with its init arguments, assets and budget, then
//! called by signed `CallContract` transactions. Balances, events, receipts
//! and refusals are checked against the interfaces their crates document
//! (`wasm-contracts/contracts/*/src/lib.rs`); every refused call must leave
//! the state as it was but for the signer's nonce (`Chain::refuse`).

use std::collections::BTreeMap;

use borsh::BorshDeserialize;
use yui_ledger::contract::{Contract, contract_account};
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
use crate::town_poll_exchange::*;

/// Fuel limit of every call here: ~20 times what the contracts burn.
pub(crate) const FUEL: u64 = 1_000_000;
/// The credential kind the city issues to its residents.
pub(crate) const RESIDENT: &str = "resident";

// The contracts' own abort codes, as their crates document them.
pub(crate) const NOT_OPEN: u32 = 4;
pub(crate) const CLOSED: u32 = 5;
pub(crate) const SALE_NO_CREDENTIAL: u32 = 6;
pub(crate) const OVER_LIMIT: u32 = 7;
pub(crate) const WRONG_PAYMENT: u32 = 8;
pub(crate) const SOLD_OUT: u32 = 9;

pub(crate) const NO_SUCH_OPTION: u32 = 4;
pub(crate) const POLL_CLOSED: u32 = 6;
pub(crate) const POLL_NO_CREDENTIAL: u32 = 7;
pub(crate) const ALREADY_ANSWERED: u32 = 8;
pub(crate) const REWARDS_SPENT: u32 = 9;

pub(crate) const NOT_GOVERNANCE: u32 = 4;
pub(crate) const BAD_ATTACHMENT: u32 = 5;
pub(crate) const OVER_DAILY_CAP: u32 = 7;
pub(crate) const ZERO_OUTPUT: u32 = 8;
pub(crate) const POOL_EMPTY: u32 = 9;

pub(crate) fn bytes<T: borsh::BorshSerialize>(v: &T) -> Vec<u8> {
    borsh::to_vec(v).unwrap()
}

pub(crate) fn call(id: &str, method: &str, args: Vec<u8>, attach: &[(&str, u64)]) -> Operation {
    Operation::CallContract {
        contract_id: id.into(),
        method: method.into(),
        args,
        fuel_limit: FUEL,
        attach: attach.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
    }
}

pub(crate) fn define_asset(class: AssetClass) -> GovAction {
    GovAction::DefineAsset { class }
}

pub(crate) fn deploy_action(
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
pub(crate) fn pass(c: &mut Chain, id: &str, action: GovAction) {
    let p = c.pass(id, action);
    assert_eq!(p.state, ProposalState::Executed, "{id}: {:?}", p.failure);
}

/// Uploads the real contract `file` (the city, a member, in chunks) and
/// deploys it as `id` by a vote; the contract as deployed.
pub(crate) fn deploy(
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
pub(crate) fn points(id: &str, transferable: bool) -> AssetClass {
    AssetClass {
        id: id.into(),
        kind: AssetKind::Point,
        issuers: vec![city().address()],
        transferable,
        spendable_at: SpendScope::Anyone,
        redeemable: false,
        redeem_fee_bps: 0,
        fee_account: city().address(),
        holding_cap: 0,
        expiry: ExpiryPolicy::None,
        breakage_account: breakage(),
        pay_priority: 30,
        required_credential: None,
    }
}

/// The contract's abort code; checks the error is a `ContractFailed` of `id`
/// that burned some fuel, within the limit (printed with `--nocapture`).
pub(crate) fn aborted(e: &TxError, id: &str) -> u32 {
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
pub(crate) fn called_fuel(events: &[Event], id: &str, method: &str) -> u64 {
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
pub(crate) fn query<T: BorshDeserialize>(c: &Chain, id: &str, method: &str, args: Vec<u8>) -> T {
    let before = c.state.clone();
    let (out, fuel) = query_contract(&c.state, &c.next_ctx(), (id, method, &args, FUEL)).unwrap();
    assert!(fuel > 0 && fuel < FUEL);
    assert_eq!(c.state, before);
    borsh::from_slice(&out).unwrap()
}

pub(crate) fn emitted(id: &str, topic: &str, data: Vec<u8>, mut accounts: Vec<Address>) -> Event {
    accounts.sort();
    accounts.dedup();
    Event::ContractEmitted {
        contract_id: id.into(),
        topic: topic.as_bytes().to_vec(),
        data,
        accounts,
    }
}

pub(crate) fn transferred(asset: &str, from: Address, to: Address, amount: u64) -> Event {
    Event::Transferred {
        asset: asset.into(),
        from,
        to,
        amount,
    }
}

// --- voucher-sale ---------------------------------------------------------

pub(crate) const SALE: &str = "premium-2026";
pub(crate) const PREMIUM: &str = "premium-voucher";
pub(crate) const PRICE: u64 = 10_000;
pub(crate) const FACE: u64 = 13_000;
pub(crate) const MAX_SETS: u32 = 5;
pub(crate) const PREMIUM_END: u64 = T0 + 180 * DAY;

/// Premium vouchers: residents only, at most five sets (65,000) a person,
/// spent at small local shops until a fixed date. (The fixture's `voucher`
/// caps holdings at 50,000, under five sets.)
pub(crate) fn premium_class() -> AssetClass {
    AssetClass {
        id: PREMIUM.into(),
        kind: AssetKind::Voucher,
        issuers: vec![city().address()],
        transferable: false,
        spendable_at: SpendScope::MerchantClasses(vec![yui_ledger::MerchantClass::SmallLocal]),
        redeemable: true,
        redeem_fee_bps: 0,
        fee_account: city().address(),
        holding_cap: u64::from(MAX_SETS) * FACE,
        expiry: ExpiryPolicy::FixedDate(PREMIUM_END),
        breakage_account: breakage(),
        pay_priority: 1,
        required_credential: Some(RESIDENT.into()),
    }
}

pub(crate) fn sale_init(opens_ms: u64, closes_ms: u64) -> Vec<u8> {
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

pub(crate) fn buy(sets: u32, coins: u64) -> Operation {
    call(SALE, "buy", bytes(&sets), &[(COIN, coins)])
}

#[test]
pub(crate) fn premium_vouchers_sell_to_residents_within_the_limit_the_window_and_the_budget() {
    let mut c = Chain::new();
    let (a, b, cl) = (hana().address(), taro().address(), emma().address());
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
    c.issue("resident-alice", &hana(), RESIDENT);
    c.issue("resident-bob", &taro(), RESIDENT);
    c.charge(&hana(), 60_000, "d-alice", None);
    c.charge(&taro(), 40_000, "d-bob", None);
    c.charge(&emma(), 20_000, "d-carol", None);

    // Before the window.
    assert_eq!(aborted(&c.refuse(&hana(), buy(1, PRICE)), SALE), NOT_OPEN);
    c.advance_to(opens);

    // A resident pays 10,000 coins for 13,000 vouchers; the coins pass
    // through the contract to the city.
    let events = c.ok(&hana(), buy(1, PRICE));
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
    let e = c.refuse(&emma(), buy(1, PRICE));
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
        assert_eq!(aborted(&c.refuse(&hana(), op), SALE), WRONG_PAYMENT);
    }
    // An asset the contract may not hold never reaches it.
    assert_eq!(
        c.refuse(&hana(), call(SALE, "buy", bytes(&1u32), &[(POINT, 1)])),
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::ContractDoesNotHold
        }
    );
    assert_eq!(c.balance(&a, COIN), 50_000);

    // Four more sets make five; a sixth is over the limit.
    let events = c.ok(&hana(), buy(4, 4 * PRICE));
    called_fuel(&events, SALE, "buy");
    assert_eq!(c.balance(&a, PREMIUM), 5 * FACE);
    assert_eq!(aborted(&c.refuse(&hana(), buy(1, PRICE)), SALE), OVER_LIMIT);
    assert_eq!(c.balance(&a, COIN), 10_000);

    // Three sets are left in the budget: four are sold out, three sell.
    assert_eq!(
        aborted(&c.refuse(&taro(), buy(4, 4 * PRICE)), SALE),
        SOLD_OUT
    );
    assert_eq!(c.balance(&b, COIN), 40_000);
    c.ok(&taro(), buy(3, 3 * PRICE));
    assert_eq!(c.balance(&b, PREMIUM), 3 * FACE);
    // Emma, now a resident, finds the sale sold out and keeps her coins...
    c.issue("resident-carol", &emma(), RESIDENT);
    assert_eq!(aborted(&c.refuse(&emma(), buy(1, PRICE)), SALE), SOLD_OUT);
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
    c.ok(&emma(), buy(1, PRICE));

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
    assert_eq!(aborted(&c.refuse(&taro(), buy(1, PRICE)), SALE), CLOSED);
    assert_eq!(c.balance(&b, COIN), 10_000);
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
        ops.push((kita(), vote_op(id, true)));
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
pub(crate) fn town_contract_blocks_replay_to_the_same_receipts_and_state() {
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
            issue_op("ra", hana().address(), RESIDENT, from, from + 90 * DAY),
        ),
        (
            city(),
            issue_op("rb", taro().address(), RESIDENT, from, from + 90 * DAY),
        ),
        (city(), charge_op(hana().address(), 100_000, "da", None)),
        (city(), charge_op(emma().address(), 50_000, "dc", None)),
        (city(), grant_op(city_a, EAST, 1_000, "pool", None)),
        (city(), grant_op(city_a, WEST, 1_000, "pool", None)),
        (city(), grant_op(taro().address(), EAST, 5_000, "t", None)),
        (
            city(),
            call(EX, "fund", vec![], &[(EAST, 1_000), (WEST, 1_000)]),
        ),
    ]);
    assert!(setup.iter().all(|x| x.error.is_none()), "{setup:?}");

    // Busy blocks mixing successes and contract failures.
    let mixed = [
        r.block(vec![
            (hana(), buy(2, 2 * PRICE)),
            (emma(), buy(1, PRICE)),     // not a resident
            (hana(), buy(4, 4 * PRICE)), // over five sets
            (taro(), swap(EAST, 400)),
            (taro(), swap(EAST, 700)), // over the cap
            (hana(), answer(1)),
            (hana(), answer(0)),                              // answered
            (taro(), answer(7)),                              // no such option
            (emma(), answer(0)),                              // not a resident
            (taro(), call(EX, "set_cap", bytes(&9u64), &[])), // not governance
        ]),
        r.block(vec![
            (taro(), answer(0)),
            (hana(), buy(2, 2 * PRICE)), // sold out: one set left
            (hana(), buy(1, PRICE)),
            (taro(), swap(EAST, 600)), // 900 west from 400: empty
            (taro(), swap(EAST, 200)),
        ]),
        r.block_at(
            (r.chain.time_ms / DAY + 1) * DAY,
            vec![
                (taro(), swap(EAST, 200)), // a new day; 300 west from 100: empty
                (taro(), swap(EAST, 60)),
                (hana(), buy(1, PRICE)), // closed
                (emma(), answer(1)),     // closed
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

pub(crate) fn pool_of(c: &Chain) -> (u64, u64) {
    let acct = contract_account(EX);
    (c.balance(&acct, EAST), c.balance(&acct, WEST))
}
