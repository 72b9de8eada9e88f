//! Contracts on the ledger: code uploaded in chunks, deployed, upgraded,
//! paused and removed by governance, called with fuel and attached value,
//! and hostile code contained to the one transaction that runs it.
//!
//! The real `cleanup-day` contract is built by `wasm-contracts/build.sh`
//! when its `.wasm` is missing; hostile modules are written as text.

use std::process::Command;
use std::sync::{Mutex, OnceLock};

use yui_ledger::contract::{
    CODE_CHUNK_BYTES_MAX, ContractStatus, GOVERNANCE_CALLER, contract_account,
};
use yui_ledger::crypto::sha256;
use yui_ledger::error::{Field, Rule, TxError};
use yui_ledger::governance::{GovAction, ProposalState};
use yui_ledger::receipt::MintSource;
use yui_ledger::state::{self, keys};
use yui_ledger::{Event, Hash, Keypair, Operation, StateRead, limits, query_contract};
use yui_wasm_contracts::{CallFailure, CodeError, HostError, LimitKind};

use crate::fixture::*;

/// The cleanup-day contract's abort codes (its crate documents them).
const NOT_COORDINATOR: u32 = 4;
const ALREADY_PAID: u32 = 5;
const CAMPAIGN_ENDED: u32 = 6;
const BAD_INPUT: u32 = 3;

pub(crate) const FUEL: u64 = 1_000_000;

/// The built `.wasm` of the real town contract `name` (`cleanup_day`,
/// `voucher_sale`, `civic_poll`, `exchange`), running
/// `wasm-contracts/build.sh` first if it is missing (once at a time: the
/// tests run in parallel).
pub fn town_contract(name: &str) -> Vec<u8> {
    static BUILD: Mutex<()> = Mutex::new(());
    let root = crate::manifest_dir().join("../wasm-contracts");
    let wasm = root.join(format!(
        "contracts/target/wasm32v1-none/release/{name}.wasm"
    ));
    let _one_build = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !wasm.exists() {
        let status = Command::new(root.join("build.sh")).status().unwrap();
        assert!(status.success(), "wasm-contracts/build.sh failed");
    }
    std::fs::read(&wasm).unwrap()
}

pub(crate) fn cleanup_day() -> &'static [u8] {
    static CODE: OnceLock<Vec<u8>> = OnceLock::new();
    CODE.get_or_init(|| town_contract("cleanup_day"))
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

/// A module with one method per way a contract can misbehave.
pub(crate) fn hostile() -> Vec<u8> {
    wat(r#"(module
        (import "yui" "storage_write" (func $write (param i32 i32 i32 i32)))
        (import "yui" "emit" (func $emit (param i32 i32 i32 i32)))
        (import "yui" "balance" (func $balance (param i32 i32 i32) (result i64)))
        (memory (export "memory") 1)
        (data (i32.const 0) "key")
        (func (export "write") (call $write (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
        (func (export "write_then_trap")
            (call $write (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3))
            unreachable)
        (func (export "spin") (loop $l (br $l)))
        (func (export "bomb") (loop $l (drop (memory.grow (i32.const 1))) (br $l)))
        (func $deep (export "deep") (call $deep))
        (func (export "flood_writes") (local $i i32)
            (loop $l
                (i32.store (i32.const 16) (local.get $i))
                (call $write (i32.const 16) (i32.const 4) (i32.const 0) (i32.const 3))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l)))
        (func (export "peek")
            (drop (call $balance (i32.const 100) (i32.const 0) (i32.const 3))))
        (func (export "flood_events")
            (loop $l (call $emit (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)) (br $l)))
    )"#)
}

/// City (a member) uploads `code` in chunks; returns its hash.
pub fn upload(c: &mut Chain, code: &[u8]) -> Hash {
    let hash = sha256(code);
    let total_len = code.len() as u32;
    let chunks: Vec<&[u8]> = code.chunks(CODE_CHUNK_BYTES_MAX).collect();
    let n = chunks.len();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let events = c.ok(
            &city(),
            Operation::UploadCode {
                code_hash: hash,
                total_len,
                index: i as u32,
                chunk: chunk.to_vec(),
            },
        );
        if i + 1 < n {
            assert!(events.is_empty());
        } else {
            assert_eq!(
                events,
                vec![Event::CodeUploaded {
                    code_hash: hash,
                    size: total_len,
                    uploader: city().address(),
                }]
            );
        }
    }
    hash
}

pub(crate) fn deploy(id: &str, code_hash: Hash, init_args: Vec<u8>, budget: u64) -> GovAction {
    GovAction::DeployContract {
        contract_id: id.into(),
        code_hash,
        init_args,
        assets: vec![COIN.into()],
        budget: vec![(POINT.into(), budget)],
    }
}

pub(crate) fn call(id: &str, method: &str, args: Vec<u8>) -> Operation {
    Operation::CallContract {
        contract_id: id.into(),
        method: method.into(),
        args,
        fuel_limit: FUEL,
        attach: vec![],
    }
}

/// A chain with cleanup-day deployed as "cleanup-1": kita() records,
/// 100 points a person, a budget of `people` rewards.
pub(crate) fn clean_up_day(people: u64) -> Chain {
    let mut c = Chain::new();
    let hash = upload(&mut c, cleanup_day());
    let init = borsh::to_vec(&(kita().address().0, POINT.to_string(), 100u64)).unwrap();
    let p = c.pass(
        "deploy-cleanup",
        deploy("cleanup-1", hash, init, 100 * people),
    );
    assert_eq!(p.state, ProposalState::Executed, "{:?}", p.failure);
    c
}

pub(crate) fn record(who: &Keypair) -> Operation {
    call(
        "cleanup-1",
        "record",
        borsh::to_vec(&who.address().0).unwrap(),
    )
}

#[test]
fn a_contract_is_uploaded_in_chunks_and_deployed_by_a_vote() {
    let mut c = Chain::new();
    let code = cleanup_day();
    assert!(
        code.len() > CODE_CHUNK_BYTES_MAX,
        "the test wants several chunks"
    );
    let hash = upload(&mut c, code);
    assert_eq!(state::code(&c.state, &hash).unwrap().as_deref(), Some(code));
    // Uploading the same code again is refused: it is on chain already.
    assert_eq!(
        c.refuse(
            &chamber(),
            Operation::UploadCode {
                code_hash: hash,
                total_len: code.len() as u32,
                index: 0,
                chunk: code[..10].to_vec(),
            }
        ),
        TxError::CodeUpload {
            code_hash: hash,
            rule: Rule::CodeAlreadyUploaded
        }
    );
    let init = borsh::to_vec(&(kita().address().0, POINT.to_string(), 100u64)).unwrap();
    // Proposed, with one approval of the three it needs: nothing is deployed.
    c.ok(
        &chamber(),
        propose_op(
            "early",
            deploy("cleanup-0", hash, init.clone(), 100),
            c.time_ms + DAY,
        ),
    );
    assert_eq!(state::contract(&c.state, "cleanup-0").unwrap(), None);
    assert_eq!(c.proposal("early").state, ProposalState::Open);
    let p = c.pass("deploy-cleanup", deploy("cleanup-1", hash, init, 50_000));
    assert_eq!(p.state, ProposalState::Executed);
    let k = state::contract(&c.state, "cleanup-1").unwrap().unwrap();
    assert_eq!(k.code_hash, hash);
    assert_eq!(k.account, contract_account("cleanup-1"));
    assert_eq!(k.status, ContractStatus::Active);
    assert_eq!(k.budget[0].allotted, 50_000);
    assert_eq!(k.calls, 1, "init ran");
    assert_eq!(k.proposal_id, "deploy-cleanup");
    assert!(k.methods.contains(&"record".to_string()));
    // The code and the contract's storage are state, under the state root.
    let stored = c
        .state
        .scan(&keys::contract_store("cleanup-1", &[]), &[], 10)
        .unwrap();
    assert!(!stored.is_empty(), "init wrote the campaign's settings");
}

#[test]
fn uploads_are_for_members_in_order_and_must_hash_to_their_code() {
    let mut c = Chain::new();
    let code = cleanup_day();
    let hash = sha256(code);
    let total_len = code.len() as u32;
    let chunk = |i: usize| {
        code[i * CODE_CHUNK_BYTES_MAX..((i + 1) * CODE_CHUNK_BYTES_MAX).min(code.len())].to_vec()
    };
    let up = |index: u32, chunk: Vec<u8>| Operation::UploadCode {
        code_hash: hash,
        total_len,
        index,
        chunk,
    };
    c.charge(&hana(), 100, "d-alice", None);
    assert_eq!(
        c.refuse(&hana(), up(0, chunk(0))),
        TxError::NotMember(hana().address())
    );
    let refused = |rule| TxError::CodeUpload {
        code_hash: hash,
        rule,
    };
    assert_eq!(
        c.refuse(&city(), up(1, chunk(1))),
        refused(Rule::ChunkOutOfOrder)
    );
    c.ok(&city(), up(0, chunk(0)));
    assert_eq!(
        c.refuse(&city(), up(2, chunk(1))),
        refused(Rule::ChunkOutOfOrder)
    );
    // The last chunk with one byte changed does not hash to the code.
    let mut forged = code[CODE_CHUNK_BYTES_MAX..].to_vec();
    forged[0] ^= 1;
    let mut rest = code[..CODE_CHUNK_BYTES_MAX].to_vec();
    rest.extend(forged);
    let mut bad = Chain::new();
    let n = rest.len().div_ceil(CODE_CHUNK_BYTES_MAX);
    for i in 0..n {
        let part = rest[i * CODE_CHUNK_BYTES_MAX..((i + 1) * CODE_CHUNK_BYTES_MAX).min(rest.len())]
            .to_vec();
        let op = up(i as u32, part);
        if i + 1 < n {
            bad.ok(&city(), op);
        } else {
            assert_eq!(bad.refuse(&city(), op), refused(Rule::CodeHashMismatch));
        }
    }
    assert_eq!(state::code(&bad.state, &hash).unwrap(), None);
    // Restarting from index 0 clears the earlier attempt.
    upload(&mut bad, code);
    assert!(state::code(&bad.state, &hash).unwrap().is_some());
    // Shapes: an empty chunk, a chunk too large, code beyond the limit.
    assert_eq!(
        c.refuse_stateless(&city(), up(1, vec![])),
        TxError::length(Field::Code, 1, CODE_CHUNK_BYTES_MAX)
    );
    assert_eq!(
        c.refuse_stateless(&city(), up(1, vec![0; CODE_CHUNK_BYTES_MAX + 1])),
        TxError::length(Field::Code, 1, CODE_CHUNK_BYTES_MAX)
    );
    let max = yui_wasm_contracts::limits::CODE_BYTES_MAX as u64;
    assert_eq!(
        c.refuse_stateless(
            &city(),
            Operation::UploadCode {
                code_hash: hash,
                total_len: max as u32 + 1,
                index: 0,
                chunk: vec![0; 10],
            }
        ),
        TxError::CodeTooLarge { size: max + 1, max }
    );
}

#[test]
fn the_clean_up_day_pays_each_attendee_once_until_its_budget_ends() {
    let mut c = clean_up_day(2);
    let events = c.ok(&kita(), record(&hana()));
    assert!(events.contains(&Event::Minted {
        asset: POINT.into(),
        to: hana().address(),
        amount: 100,
        source: MintSource::Contract {
            contract_id: "cleanup-1".into()
        },
        expires_at: Some(c.time_ms + POINT_DAYS as u64 * DAY),
    }));
    let called = events
        .iter()
        .find_map(|e| match e {
            Event::ContractCalled {
                method, fuel_used, ..
            } if method == "record" => Some(*fuel_used),
            _ => None,
        })
        .unwrap();
    assert!(called > 0 && called < FUEL);
    assert!(events.iter().any(|e| matches!(e,
        Event::ContractEmitted { topic, accounts, .. }
            if topic == b"paid" && accounts.contains(&hana().address()))));
    assert_eq!(c.balance(&hana().address(), POINT), 100);
    // A second claim, a claim by someone not the coordinator: refused by the
    // contract, and nothing changes (the fixture checks the whole state).
    let e = c.refuse(&kita(), record(&hana()));
    assert!(
        matches!(e, TxError::ContractFailed { failure: CallFailure::Aborted { code }, fuel_used, .. }
        if code == ALREADY_PAID && fuel_used > 0)
    );
    c.charge(&taro(), 100, "d-bob", None);
    let e = c.refuse(&taro(), record(&taro()));
    assert!(
        matches!(e, TxError::ContractFailed { failure: CallFailure::Aborted { code }, .. }
        if code == NOT_COORDINATOR)
    );
    c.ok(&kita(), record(&taro()));
    // The budget paid two people: the third ends the campaign.
    let e = c.refuse(&kita(), record(&emma()));
    assert!(
        matches!(e, TxError::ContractFailed { failure: CallFailure::Aborted { code }, .. }
        if code == CAMPAIGN_ENDED)
    );
    let k = state::contract(&c.state, "cleanup-1").unwrap().unwrap();
    assert_eq!(k.budget[0].granted, 200);
    assert_eq!(c.asset(POINT).issued, 200);
    // Malformed arguments: the contract refuses them.
    let e = c.refuse(&kita(), call("cleanup-1", "record", vec![1, 2, 3]));
    assert!(
        matches!(e, TxError::ContractFailed { failure: CallFailure::Aborted { code }, .. }
        if code == BAD_INPUT)
    );
    // A read-only query answers without changing anything.
    let ctx = c.next_ctx();
    let args = borsh::to_vec(&hana().address().0).unwrap();
    let (out, fuel) =
        query_contract(&c.state, &ctx, ("cleanup-1", "attended", &args, FUEL)).unwrap();
    assert!(borsh::from_slice::<bool>(&out).unwrap());
    assert!(fuel > 0);
    // `record` in a query cannot write.
    let args = borsh::to_vec(&emma().address().0).unwrap();
    let e = query_contract(&c.state, &ctx, ("cleanup-1", "record", &args, FUEL)).unwrap_err();
    assert!(
        matches!(
            e,
            TxError::ContractFailed {
                failure: CallFailure::Host(HostError::ReadOnly),
                ..
            } | TxError::ContractFailed {
                failure: CallFailure::Aborted { .. },
                ..
            }
        ),
        "{e:?}"
    );
}

/// A chain with the hostile module deployed as "hostile".
pub(crate) fn hostile_chain() -> Chain {
    let mut c = Chain::new();
    let hash = upload(&mut c, &hostile());
    let p = c.pass("deploy-hostile", deploy("hostile", hash, vec![], 0));
    assert_eq!(p.state, ProposalState::Executed, "{:?}", p.failure);
    c.charge(&hana(), 1_000, "d-alice", None);
    c
}

#[test]
fn hostile_code_fails_its_own_transaction_and_nothing_else() {
    let mut c = hostile_chain();
    let h = "hostile";
    type Expect = fn(&CallFailure) -> bool;
    let cases: Vec<(&str, Expect)> = vec![
        ("spin", |f| *f == CallFailure::OutOfFuel),
        ("bomb", |f| *f == CallFailure::MemoryLimit),
        ("deep", |f| *f == CallFailure::StackOverflow),
        ("flood_writes", |f| {
            matches!(
                f,
                CallFailure::LimitExceeded {
                    what: LimitKind::StorageWrites
                }
            )
        }),
        ("flood_events", |f| {
            matches!(
                f,
                CallFailure::LimitExceeded {
                    what: LimitKind::Events
                }
            )
        }),
        ("write_then_trap", |f| matches!(f, CallFailure::Trap(_))),
    ];
    for (method, expected) in cases {
        let e = c.refuse(&hana(), call(h, method, vec![]));
        let TxError::ContractFailed {
            failure, fuel_used, ..
        } = &e
        else {
            panic!("{method}: {e:?}");
        };
        assert!(expected(failure), "{method}: {failure:?}");
        assert!(
            *fuel_used > 0 && *fuel_used <= FUEL,
            "{method}: {fuel_used}"
        );
        if method == "spin" {
            assert_eq!(*fuel_used, FUEL, "an endless loop burns its whole limit");
        }
    }
    // The write before the trap was discarded with the transaction.
    assert_eq!(c.state.get(&keys::contract_store(h, b"key")).unwrap(), None);
    // In one block: a runaway call between two good transactions; the block
    // commits, the others take effect.
    let txs = vec![
        c.sign(&hana(), transfer_op(taro().address(), COIN, 10)),
        c.sign(&chamber(), call(h, "spin", vec![])),
        c.sign(&kita(), call(h, "write", vec![])),
    ];
    let out = c.block(&txs);
    assert_eq!(out.receipts[0].error, None);
    assert!(matches!(
        out.receipts[1].error,
        Some(TxError::ContractFailed {
            failure: CallFailure::OutOfFuel,
            ..
        })
    ));
    assert_eq!(out.receipts[2].error, None);
    assert_eq!(c.balance(&taro().address(), COIN), 10);
    assert_eq!(
        c.state.get(&keys::contract_store(h, b"key")).unwrap(),
        Some(b"key".to_vec())
    );
}

#[test]
fn the_same_calls_give_the_same_fuel_and_state_on_every_replay() {
    let run = || {
        let mut c = hostile_chain();
        let txs = vec![
            c.sign(&hana(), call("hostile", "spin", vec![])),
            c.sign(&chamber(), call("hostile", "write", vec![])),
        ];
        let out = c.block(&txs);
        (out.receipts, out.writes)
    };
    assert_eq!(run(), run());
}

#[test]
fn invalid_code_is_refused_when_proposed_and_nothing_is_deployed() {
    let mut c = Chain::new();
    type Expect = fn(&CodeError) -> bool;
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("not wasm", b"\0asm-not-really".to_vec(), |e| {
            matches!(e, CodeError::Invalid)
        }),
        (
            "floats",
            wat(r#"(module (memory (export "memory") 1)
                (func (export "f") (drop (f32.add (f32.const 1) (f32.const 2)))))"#),
            |e| matches!(e, CodeError::FloatsUsed),
        ),
        (
            "start",
            wat(r#"(module (memory (export "memory") 1) (func $s) (start $s))"#),
            |e| matches!(e, CodeError::StartFunction),
        ),
        (
            "unknown import",
            wat(r#"(module (import "yui" "mint_anything" (func))
                (memory (export "memory") 1))"#),
            |e| matches!(e, CodeError::UnknownImport { .. }),
        ),
    ];
    for (i, (what, code, expected)) in cases.into_iter().enumerate() {
        let hash = upload(&mut c, &code);
        let e = c.refuse(
            &city(),
            propose_op(
                &format!("p-{i}"),
                deploy(&format!("bad-{i}"), hash, vec![], 0),
                c.time_ms + DAY,
            ),
        );
        let TxError::InvalidCode(ce) = &e else {
            panic!("{what}: {e:?}");
        };
        assert!(expected(ce), "{what}: {ce:?}");
        assert_eq!(
            state::contract(&c.state, &format!("bad-{i}")).unwrap(),
            None
        );
    }
    // Code that was never uploaded.
    assert_eq!(
        c.refuse(
            &city(),
            propose_op("p-x", deploy("x", [9; 32], vec![], 0), c.time_ms + DAY)
        ),
        TxError::UnknownCode([9; 32])
    );
}

#[test]
fn calls_are_refused_for_unknown_paused_removed_contracts_and_reserved_methods() {
    let mut c = hostile_chain();
    let h = "hostile";
    assert_eq!(
        c.refuse(&hana(), call("nowhere", "write", vec![])),
        TxError::UnknownContract("nowhere".into())
    );
    assert_eq!(
        c.refuse(&hana(), call(h, "launch", vec![])),
        TxError::ContractMethod {
            contract_id: h.into(),
            method: "launch".into(),
            rule: Rule::UnknownMethod
        }
    );
    assert_eq!(
        c.refuse(&hana(), call(h, "init", vec![])),
        TxError::ContractMethod {
            contract_id: h.into(),
            method: "init".into(),
            rule: Rule::ReservedMethod
        }
    );
    // Above the chain's fuel cap.
    let cap = state::params(&c.state).unwrap().unwrap().contract_fuel_max;
    let mut op = call(h, "write", vec![]);
    if let Operation::CallContract { fuel_limit, .. } = &mut op {
        *fuel_limit = cap + 1;
    }
    assert_eq!(
        c.refuse(&hana(), op),
        TxError::FuelAboveCap {
            limit: cap + 1,
            cap
        }
    );
    // Attaching an asset the contract may not hold.
    let mut op = call(h, "write", vec![]);
    if let Operation::CallContract { attach, .. } = &mut op {
        *attach = vec![(ROLLING.into(), 1)];
    }
    assert_eq!(
        c.refuse(&hana(), op),
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::ContractDoesNotHold
        }
    );
    let pause = |status| GovAction::SetContractStatus {
        contract_id: h.into(),
        status,
    };
    assert_eq!(
        c.pass("pause", pause(ContractStatus::Paused)).state,
        ProposalState::Executed
    );
    assert_eq!(
        c.refuse(&hana(), call(h, "write", vec![])),
        TxError::ContractState {
            id: h.into(),
            status: ContractStatus::Paused,
            rule: Rule::ContractPaused
        }
    );
    assert_eq!(
        c.pass("resume", pause(ContractStatus::Active)).state,
        ProposalState::Executed
    );
    c.ok(&hana(), call(h, "write", vec![]));
    assert_eq!(
        c.pass("remove", pause(ContractStatus::Removed)).state,
        ProposalState::Executed
    );
    assert!(matches!(
        c.refuse(&hana(), call(h, "write", vec![])),
        TxError::ContractState {
            rule: Rule::ContractRemoved,
            ..
        }
    ));
    // A removed contract stays removed: the proposal is refused.
    let e = c.refuse(
        &city(),
        propose_op("revive", pause(ContractStatus::Active), c.time_ms + DAY),
    );
    assert!(matches!(
        e,
        TxError::ContractState {
            rule: Rule::ContractRemoved,
            ..
        }
    ));
}

#[test]
fn attached_value_reaches_the_contract_account_and_upgrades_keep_state() {
    let mut c = hostile_chain();
    let h = "hostile";
    let mut op = call(h, "write", vec![]);
    if let Operation::CallContract { attach, .. } = &mut op {
        *attach = vec![(COIN.into(), 250)];
    }
    c.ok(&hana(), op);
    assert_eq!(c.balance(&contract_account(h), COIN), 250);
    assert_eq!(c.balance(&hana().address(), COIN), 750);
    // An upgrade to the cleanup-day code keeps the storage and the value.
    let hash = upload(&mut c, cleanup_day());
    let p = c.pass(
        "upgrade",
        GovAction::UpgradeContract {
            contract_id: h.into(),
            code_hash: hash,
            migrate_args: vec![],
        },
    );
    assert_eq!(p.state, ProposalState::Executed, "{:?}", p.failure);
    let k = state::contract(&c.state, h).unwrap().unwrap();
    assert_eq!(k.code_hash, hash);
    assert!(k.methods.contains(&"record".to_string()));
    assert_eq!(
        c.state.get(&keys::contract_store(h, b"key")).unwrap(),
        Some(b"key".to_vec())
    );
    assert_eq!(c.balance(&contract_account(h), COIN), 250);
}

#[test]
fn governance_calls_run_as_the_all_zero_caller_and_budgets_change_by_vote() {
    let mut c = clean_up_day(1);
    // cleanup-day's `record` is for its coordinator only: governance is not it.
    let args = borsh::to_vec(&hana().address().0).unwrap();
    let gov_record = GovAction::CallContract {
        contract_id: "cleanup-1".into(),
        method: "record".into(),
        args,
    };
    let e = c.refuse(
        &city(),
        propose_op("gov-record", gov_record, c.time_ms + DAY),
    );
    assert!(
        matches!(e, TxError::ContractFailed { failure: CallFailure::Aborted { code }, .. }
        if code == NOT_COORDINATOR)
    );
    assert_eq!(GOVERNANCE_CALLER.0, [0; 32]);
    let budget = |allotted| GovAction::SetContractBudget {
        contract_id: "cleanup-1".into(),
        asset: POINT.into(),
        allotted,
    };
    c.ok(&kita(), record(&hana()));
    // Below what was granted: refused; more: the campaign continues.
    assert_eq!(
        c.refuse(&city(), propose_op("b-0", budget(50), c.time_ms + DAY)),
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::BudgetBelowGranted
        }
    );
    assert_eq!(c.pass("b-1", budget(300)).state, ProposalState::Executed);
    c.ok(&kita(), record(&taro()));
    // Coins cannot be a contract's budget.
    let coins = GovAction::SetContractBudget {
        contract_id: "cleanup-1".into(),
        asset: COIN.into(),
        allotted: 1,
    };
    assert_eq!(
        c.refuse(&city(), propose_op("b-coin", coins, c.time_ms + DAY)),
        TxError::Policy {
            asset: COIN.into(),
            rule: Rule::ContractMintsCoins
        }
    );
}

#[test]
fn a_block_reserves_at_most_its_fuel_budget() {
    let c = hostile_chain();
    let cap = state::params(&c.state).unwrap().unwrap().contract_fuel_max;
    let per_block = (limits::BLOCK_FUEL_MAX / cap) as usize;
    let signers = [hana(), taro(), emma(), city(), chamber(), kita()];
    let mut txs = Vec::new();
    let mut nonces = std::collections::BTreeMap::new();
    for i in 0..=per_block {
        let k = &signers[i % signers.len()];
        let n = nonces.entry(k.address()).or_insert(c.nonce(&k.address()));
        let mut op = call("hostile", "write", vec![]);
        if let Operation::CallContract { fuel_limit, .. } = &mut op {
            *fuel_limit = cap;
        }
        txs.push(c.tx(k, *n, op).sign(k));
        *n += 1;
    }
    let (i, e) = c.try_block_at(c.time_ms + BLOCK_MS, &txs).unwrap_err();
    assert_eq!((i, e), (per_block, TxError::BlockFuelSpent));
    assert!(
        c.try_block_at(c.time_ms + BLOCK_MS, &txs[..per_block])
            .is_ok()
    );
}
