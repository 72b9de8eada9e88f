//! The civic poll and the exchange through the ledger, end to end (the
//! helpers and the voucher sale are in `town_contracts.rs`).

use yui_ledger::contract::{GOVERNANCE_CALLER, contract_account};
use yui_ledger::error::Rule;
use yui_ledger::governance::{GovAction, ProposalState};
use yui_ledger::receipt::MintSource;
use yui_ledger::state;
use yui_ledger::{Address, Event, Operation, Role, TxError};

use crate::fixture::*;
use crate::town_contracts::*;

// --- civic-poll -------------------------------------------------------------

pub(crate) const POLL: &str = "park-poll";
pub(crate) const REWARD: u64 = 50;

pub(crate) fn answer(option: u8) -> Operation {
    call(POLL, "answer", bytes(&option), &[])
}

#[test]
pub(crate) fn residents_answer_the_poll_once_and_earn_points_while_the_tally_is_public() {
    let mut c = Chain::new();
    let a = hana().address();
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
        ("r-alice", hana()),
        ("r-bob", taro()),
        ("r-carol", emma()),
        ("r-coord", kita()),
    ] {
        c.issue(id, &k, RESIDENT);
    }
    assert_eq!(query::<Vec<u64>>(&c, POLL, "tally", vec![]), vec![0, 0, 0]);

    let events = c.ok(&hana(), answer(2));
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
        aborted(&c.refuse(&hana(), answer(0)), POLL),
        ALREADY_ANSWERED
    );
    assert_eq!(aborted(&c.refuse(&taro(), answer(3)), POLL), NO_SUCH_OPTION);
    assert_eq!(
        aborted(&c.refuse(&bakery(), answer(1)), POLL),
        POLL_NO_CREDENTIAL
    );
    // Value attached to `answer`: the contract may hold nothing.
    c.charge(&taro(), 100, "d-bob", None);
    assert_eq!(
        c.refuse(&taro(), call(POLL, "answer", bytes(&1u8), &[(COIN, 1)])),
        TxError::Policy {
            asset: COIN.into(),
            rule: Rule::ContractDoesNotHold
        }
    );
    c.ok(&taro(), answer(0));
    c.ok(&emma(), answer(2));
    assert_eq!(c.balance(&emma().address(), POINT), REWARD);
    // The earned points cannot be passed on.
    assert_eq!(
        c.refuse(&hana(), transfer_op(emma().address(), POINT, 10)),
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::NotTransferable
        }
    );

    // The budget paid three answers: the fourth is refused, nothing counted.
    assert_eq!(aborted(&c.refuse(&kita(), answer(1)), POLL), REWARDS_SPENT);
    assert_eq!(c.balance(&kita().address(), POINT), 0);
    assert_eq!(query::<Vec<u64>>(&c, POLL, "tally", vec![]), vec![1, 0, 2]);
    assert!(query::<bool>(&c, POLL, "answered", bytes(&a.0)));
    assert!(!query::<bool>(
        &c,
        POLL,
        "answered",
        bytes(&kita().address().0)
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
    assert_eq!(aborted(&c.refuse(&kita(), answer(1)), POLL), POLL_CLOSED);
    assert_eq!(query::<Vec<u64>>(&c, POLL, "tally", vec![]), vec![1, 0, 2]);
}

// --- exchange ---------------------------------------------------------------

pub(crate) const EX: &str = "east-west";
pub(crate) const EAST: &str = "east-pt";
pub(crate) const WEST: &str = "west-pt";
pub(crate) const CAP: u64 = 1_000;

/// Two communities' transferable points, both issued by the city, and the
/// exchange between them at 3 west for 2 east, at most 1,000 units a day.
pub(crate) fn exchange_chain() -> Chain {
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

pub(crate) fn swap(asset: &str, given: u64) -> Operation {
    call(EX, "swap", vec![], &[(asset, given)])
}

/// The pool as the contract reports it, which must be its account's balances.
pub(crate) fn pool(c: &Chain) -> (u64, u64) {
    let p: (u64, u64) = query(c, EX, "pool", vec![]);
    let acct = contract_account(EX);
    assert_eq!(p, (c.balance(&acct, EAST), c.balance(&acct, WEST)));
    p
}

pub(crate) fn swapped(who: Address, given_asset: &str, given: u64, received: u64) -> Event {
    emitted(
        EX,
        "swapped",
        bytes(&(who.0, given_asset.to_string(), given, received)),
        vec![who],
    )
}

#[test]
pub(crate) fn points_swap_at_the_governed_rate_within_a_daily_cap_and_the_pool() {
    let mut c = exchange_chain();
    let (a, b, city_a) = (hana().address(), taro().address(), city().address());
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
    c.grant(&hana(), EAST, 3_000);
    c.grant(&taro(), EAST, 2_000);

    // 400 east give 600 west at 3/2.
    let events = c.ok(&hana(), swap(EAST, 400));
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
    c.ok(&hana(), swap(EAST, 600));
    assert_eq!(pool(&c), (3_000, 500));
    assert_eq!(query::<u64>(&c, EX, "used_today", bytes(&a.0)), CAP);
    // The cap counts units given in either direction.
    assert_eq!(
        aborted(&c.refuse(&hana(), swap(EAST, 1)), EX),
        OVER_DAILY_CAP
    );
    assert_eq!(
        aborted(&c.refuse(&hana(), swap(WEST, 1)), EX),
        OVER_DAILY_CAP
    );
    // 1,000 east would take 1,500 west from a pool of 500: refused, and Taro
    // keeps his points.
    assert_eq!(
        aborted(&c.refuse(&taro(), swap(EAST, 1_000)), EX),
        POOL_EMPTY
    );
    assert_eq!(c.balance(&b, EAST), 2_000);
    assert_eq!(pool(&c), (3_000, 500));
    c.ok(&taro(), swap(EAST, 300));
    assert_eq!(pool(&c), (3_300, 50));
    // Two assets attached, or none: not a swap.
    assert_eq!(
        aborted(
            &c.refuse(&taro(), call(EX, "swap", vec![], &[(EAST, 1), (WEST, 1)])),
            EX
        ),
        BAD_ATTACHMENT
    );
    assert_eq!(
        aborted(&c.refuse(&taro(), call(EX, "swap", vec![], &[])), EX),
        BAD_ATTACHMENT
    );

    // Only governance sets the rate and the cap.
    let rate_args = bytes(&(1u64, 2u64));
    let e = c.refuse(&hana(), call(EX, "set_rate", rate_args.clone(), &[]));
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
    assert_eq!(aborted(&c.refuse(&hana(), swap(EAST, 1)), EX), ZERO_OUTPUT);
    // The other way: 600 west give 600 × 2 / 1 east.
    let events = c.ok(&hana(), swap(WEST, 600));
    assert!(events.contains(&transferred(EAST, ex, a, 1_200)));
    assert!(events.contains(&swapped(a, WEST, 600, 1_200)));
    assert_eq!(pool(&c), (2_100, 650));
    c.ok(&hana(), swap(EAST, 400));
    assert_eq!(pool(&c), (2_500, 450));
    assert_eq!((c.balance(&a, EAST), c.balance(&a, WEST)), (2_800, 1_100));
    assert_eq!(
        aborted(&c.refuse(&hana(), swap(WEST, 1)), EX),
        OVER_DAILY_CAP
    );
    // Taro empties the west side exactly; then it has nothing to pay.
    c.ok(&taro(), swap(EAST, 900));
    assert_eq!(pool(&c), (3_400, 0));
    assert_eq!(aborted(&c.refuse(&taro(), swap(EAST, 2)), EX), POOL_EMPTY);
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
pub(crate) fn pass_collecting(c: &mut Chain, id: &str, action: GovAction) -> Vec<Event> {
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
