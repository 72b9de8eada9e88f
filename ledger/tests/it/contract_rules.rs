//! Contract rules beyond the calls themselves: what a public query may
//! read, the block fuel that governance runs reserve, budgets of removed
//! contracts, and which assets reach a contract's account.

use yui_ledger::contract::{ContractStatus, contract_account};
use yui_ledger::error::{Rule, TxError};
use yui_ledger::governance::{GovAction, ProposalState};
use yui_ledger::{limits, query_contract, state};
use yui_wasm_contracts::{CallFailure, HostError};

use crate::contracts::*;
use crate::fixture::*;

#[test]
fn a_query_reads_no_account_but_the_contracts_own() {
    let mut c = hostile_chain();
    // In a transaction the method may read any balance (the caller signed
    // it, and validators see every block); in a public query it may not.
    c.ok(&hana(), call("hostile", "peek", vec![]));
    let ctx = c.next_ctx();
    let e = query_contract(&c.state, &ctx, ("hostile", "peek", &[], FUEL)).unwrap_err();
    assert!(
        matches!(
            e,
            TxError::ContractFailed {
                failure: CallFailure::Host(HostError::Refused { .. }),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn proposals_that_run_contract_code_reserve_block_fuel() {
    let mut c = Chain::new();
    let hash = upload(&mut c, cleanup_day());
    let cap = state::params(&c.state).unwrap().unwrap().contract_fuel_max;
    let per_block = (limits::BLOCK_FUEL_MAX / (2 * cap)) as usize;
    let init = borsh::to_vec(&(kita().address().0, POINT.to_string(), 100u64)).unwrap();
    let n0 = c.nonce(&city().address());
    let txs: Vec<_> = (0..=per_block)
        .map(|i| {
            let op = propose_op(
                &format!("deploy-{i}"),
                deploy(&format!("cleanup-{i}"), hash, init.clone(), 100),
                c.time_ms + DAY,
            );
            c.tx(&city(), n0 + i as u64, op).sign(&city())
        })
        .collect();
    let (i, e) = c.try_block_at(c.time_ms + BLOCK_MS, &txs).unwrap_err();
    assert_eq!((i, e), (per_block, TxError::BlockFuelSpent));
    assert!(
        c.try_block_at(c.time_ms + BLOCK_MS, &txs[..per_block])
            .is_ok()
    );
}

#[test]
fn a_removed_contract_gets_no_new_budget() {
    let mut c = clean_up_day(1);
    let removed = GovAction::SetContractStatus {
        contract_id: "cleanup-1".into(),
        status: ContractStatus::Removed,
    };
    assert_eq!(c.pass("remove", removed).state, ProposalState::Executed);
    let budget = GovAction::SetContractBudget {
        contract_id: "cleanup-1".into(),
        asset: POINT.into(),
        allotted: 10_000,
    };
    let e = c.refuse(&city(), propose_op("more", budget, c.time_ms + DAY));
    assert!(
        matches!(
            e,
            TxError::ContractState {
                rule: Rule::ContractRemoved,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn value_reaches_a_contract_only_in_the_assets_it_may_hold() {
    let mut c = hostile_chain();
    let account = contract_account("hostile");
    // It may hold coins: a transfer of coins reaches it.
    c.ok(&hana(), transfer_op(account, COIN, 10));
    assert_eq!(c.balance(&account, COIN), 10);
    // Not rolling points, by transfer or by an issuer's grant.
    c.grant(&hana(), ROLLING, 50);
    let refused = TxError::Policy {
        asset: ROLLING.into(),
        rule: Rule::ContractDoesNotHold,
    };
    assert_eq!(c.refuse(&hana(), transfer_op(account, ROLLING, 5)), refused);
    assert_eq!(
        c.refuse(&city(), grant_op(account, ROLLING, 5, "gift", None)),
        refused
    );
}
