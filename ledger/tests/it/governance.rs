//! Governance of the consortium: who may propose and vote, the threshold,
//! how proposals close (executed, failed, rejected, expired), and every
//! action: validators, roles, assets, parameters and members.

use yui_ledger::error::{RoleNeeded, Rule};
use yui_ledger::governance::{
    ChainParams, GovAction, PARAMS, Proposal, ProposalState, ValidatorChange, ValidatorInfo,
};
use yui_ledger::state::{self, JobState, keys};
use yui_ledger::{
    Address, AssetClass, AssetKind, ErrorKind, Event, ExpiryPolicy, Keypair, MerchantClass,
    Operation, Role, SpendScope, TxError,
};

use crate::fixture::*;

const GOLD: &str = "gold";

fn set_param(name: &str, value: u64) -> GovAction {
    GovAction::SetParam {
        name: name.into(),
        value,
    }
}

fn add_validator(k: Address, effective_height: u64) -> GovAction {
    GovAction::AddValidator {
        name: "newcomer".into(),
        public_key: k,
        power: 2,
        effective_height,
    }
}

fn remove_validator(k: Address, effective_height: u64) -> GovAction {
    GovAction::RemoveValidator {
        public_key: k,
        effective_height,
    }
}

fn week(c: &Chain) -> u64 {
    c.time_ms + 7 * DAY
}

/// The proposal timers in the state, as (expiry, proposal id).
fn timers(c: &Chain) -> Vec<(u64, String)> {
    c.state
        .map
        .keys()
        .filter_map(|k| keys::parse_proposal_timer(k))
        .collect()
}

fn validator_keys(c: &Chain) -> Vec<Address> {
    state::validators(&c.state)
        .unwrap()
        .iter()
        .map(|v| v.public_key)
        .collect()
}

/// The town with a fourth member, coord-minami.
fn four_members() -> Chain {
    let mut g = genesis();
    g.accounts
        .iter_mut()
        .find(|a| a.address == addr(&minami()))
        .unwrap()
        .member = true;
    Chain::with_genesis(&g)
}

/// A point class nobody holds yet.
fn gold() -> AssetClass {
    AssetClass {
        id: GOLD.into(),
        kind: AssetKind::Point,
        issuers: vec![addr(&city())],
        transferable: true,
        spendable_at: SpendScope::Anyone,
        redeemable: false,
        redeem_fee_bps: 0,
        fee_account: addr(&city()),
        holding_cap: 0,
        expiry: ExpiryPolicy::None,
        breakage_account: breakage(),
        pay_priority: 3,
        required_credential: None,
    }
}

fn closed(id: &str, state: ProposalState, failure: Option<TxError>) -> Event {
    Event::ProposalClosed {
        proposal_id: id.into(),
        state,
        failure,
    }
}

#[test]
fn the_default_threshold_is_more_than_two_thirds() {
    let p = ChainParams::new(CHAIN_ID.into());
    for m in 1..=10u64 {
        for a in 0..=m {
            assert_eq!(p.passes(a, m), 3 * a > 2 * m, "{a} of {m}");
        }
        let needed = (0..=m).find(|a| 3 * a > 2 * m).unwrap();
        assert_eq!(p.approvals_needed(m), needed, "{m} members");
        assert!(p.passes(needed, m) && !p.passes(needed - 1, m));
    }
    let needed: Vec<u64> = (1..=10).map(|m| p.approvals_needed(m)).collect();
    assert_eq!(needed, vec![1, 2, 3, 3, 4, 5, 5, 6, 7, 7]);
    // Nobody can pass anything without members; huge counts do not overflow.
    assert!(!p.passes(0, 0));
    assert_eq!(p.approvals_needed(0), 1);
    assert!(p.passes(u64::MAX, u64::MAX));
    assert!(!p.passes(u64::MAX / 3 * 2, u64::MAX));
}

#[test]
fn other_thresholds_follow_the_same_rule() {
    let mut p = ChainParams::new(CHAIN_ID.into());
    // 3/4: a × 4 > m × 3.
    p.set("approval_threshold_den", 4).unwrap();
    p.set("approval_threshold_num", 3).unwrap();
    // 1/2: a simple majority.
    let mut half = ChainParams::new(CHAIN_ID.into());
    half.set("approval_threshold_num", 1).unwrap();
    half.set("approval_threshold_den", 2).unwrap();
    for m in 1..=10u64 {
        for a in 0..=m {
            assert_eq!(p.passes(a, m), 4 * a > 3 * m);
            assert_eq!(half.passes(a, m), 2 * a > m);
        }
        assert_eq!(half.approvals_needed(m), m / 2 + 1);
    }
}

#[test]
fn chain_params_set_checks_names_ranges_and_the_threshold() {
    let mut p = ChainParams::new(CHAIN_ID.into());
    let fresh = p.clone();
    let e = p.set("chain_id", 1).unwrap_err();
    assert_eq!(e, TxError::UnknownParam("chain_id".into()));
    assert!(
        e.to_string().starts_with("unknown parameter 'chain_id'"),
        "{e}"
    );
    for &(name, lo, hi) in PARAMS {
        let range = TxError::ParamRange {
            name: name.into(),
            lo,
            hi,
        };
        assert_eq!(p.set(name, lo - 1), Err(range.clone()));
        assert_eq!(p.set(name, hi + 1), Err(range.clone()));
        assert_eq!(range.to_string(), format!("{name} must be in {lo}..={hi}"));
    }
    assert_eq!(p, fresh, "a refused value changes nothing");
    // The threshold stays a fraction below one.
    assert_eq!(
        p.set("approval_threshold_num", 3),
        Err(TxError::Governance(Rule::ThresholdNotBelowOne))
    );
    assert_eq!(
        p.set("approval_threshold_den", 2),
        Err(TxError::Governance(Rule::ThresholdNotBelowOne))
    );
    assert_eq!(p, fresh);
    for (name, v) in [
        ("job_review_days", 14),
        ("proposal_ttl_max_days", 60),
        ("validator_change_delay_min", 5),
        ("approval_threshold_den", 5),
        ("approval_threshold_num", 4),
    ] {
        p.set(name, v).unwrap();
    }
    assert_eq!(
        (
            p.job_review_days,
            p.proposal_ttl_max_days,
            p.validator_change_delay_min,
            p.approval_threshold_num,
            p.approval_threshold_den
        ),
        (14, 60, 5, 4, 5)
    );
    assert_eq!(p.chain_id, CHAIN_ID);
}

#[test]
fn genesis_writes_members_validators_and_params() {
    let c = Chain::new();
    let mut want: Vec<Address> = members().iter().map(Keypair::address).collect();
    want.sort();
    assert_eq!(state::members(&c.state).unwrap(), want);
    assert_eq!(
        state::validators(&c.state).unwrap(),
        vec![
            ValidatorInfo {
                name: "city hall".into(),
                public_key: addr(&city()),
                power: 1,
            },
            ValidatorInfo {
                name: "chamber".into(),
                public_key: addr(&chamber()),
                power: 1,
            },
        ]
    );
    assert_eq!(
        state::params(&c.state).unwrap(),
        Some(ChainParams::new(CHAIN_ID.into()))
    );
    assert!(
        state::pending_validator_changes(&c.state)
            .unwrap()
            .is_empty()
    );
    assert!(state::proposals(&c.state, &[], 10).unwrap().is_empty());
    assert!(
        c.account(&addr(&city()))
            .unwrap()
            .has(&Role::CredentialIssuer)
    );
}

#[test]
fn non_members_cannot_propose_or_vote() {
    let mut c = Chain::new();
    for k in [hana(), minami(), bakery()] {
        let e = c.refuse(
            &k,
            propose_op("p-1", set_param("job_review_days", 3), week(&c)),
        );
        assert_eq!(e, TxError::NotMember(addr(&k)));
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    }
    assert!(state::proposal(&c.state, "p-1").unwrap().is_none());
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    let before = c.proposal("p-1");
    for approve in [true, false] {
        let e = c.refuse(&hana(), vote_op("p-1", approve));
        assert_eq!(e, TxError::NotMember(addr(&hana())));
    }
    assert_eq!(c.proposal("p-1"), before);
    // A member voting on a proposal that does not exist.
    let e = c.refuse(&chamber(), vote_op("nope", true));
    assert_eq!(e, TxError::UnknownProposal("nope".into()));
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[test]
fn a_proposal_id_is_used_once() {
    let mut c = Chain::new();
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    let e = c.refuse(
        &chamber(),
        propose_op("p-1", set_param("job_review_days", 4), week(&c)),
    );
    assert_eq!(e, TxError::ProposalExists("p-1".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert_eq!(c.proposal("p-1").action, set_param("job_review_days", 3));
    // Still taken once the proposal has closed.
    c.ok(&chamber(), vote_op("p-1", true));
    c.ok(&kita(), vote_op("p-1", true));
    assert_eq!(c.proposal("p-1").state, ProposalState::Executed);
    let e = c.refuse(
        &city(),
        propose_op("p-1", set_param("job_review_days", 4), week(&c)),
    );
    assert_eq!(e, TxError::ProposalExists("p-1".into()));
}

#[test]
fn a_proposal_expires_after_now_and_within_the_longest_ttl() {
    let mut c = Chain::new();
    let action = set_param("job_review_days", 3);
    let ttl = ChainParams::new(CHAIN_ID.into()).proposal_ttl_max_days;
    for dt in [0i64, -1, (ttl * DAY) as i64 + 1] {
        let t = c.next_ctx().time_ms;
        let e = c.refuse(
            &city(),
            propose_op("p-1", action.clone(), t.saturating_add_signed(dt)),
        );
        assert_eq!(e, TxError::Malformed(Rule::ProposalExpiryRange));
    }
    assert!(timers(&c).is_empty());
    let t = c.next_ctx().time_ms;
    c.ok(&city(), propose_op("p-1", action.clone(), t + ttl * DAY));
    c.ok(&city(), propose_op("p-2", action, t + BLOCK_MS + 1));
    assert_eq!(
        timers(&c),
        vec![
            (t + BLOCK_MS + 1, "p-2".to_string()),
            (t + ttl * DAY, "p-1".to_string())
        ]
    );
}

#[test]
fn three_members_need_all_three() {
    let mut c = Chain::new();
    let (ci, ch, co) = (addr(&city()), addr(&chamber()), addr(&kita()));
    let action = set_param("job_review_days", 3);
    let expires = week(&c);
    let ev = c.ok(&city(), propose_op("p-1", action.clone(), expires));
    assert_eq!(
        ev,
        vec![
            Event::ProposalCreated {
                proposal_id: "p-1".into(),
                proposer: ci,
                action: action.clone(),
            },
            Event::ProposalVoted {
                proposal_id: "p-1".into(),
                voter: ci,
                approve: true,
                approvals: 1,
                rejections: 0,
                needed: 3,
            },
        ]
    );
    let created = (c.height, c.time_ms);
    assert_eq!(timers(&c), vec![(expires, "p-1".to_string())]);
    let ev = c.ok(&chamber(), vote_op("p-1", true));
    assert_eq!(
        ev,
        vec![Event::ProposalVoted {
            proposal_id: "p-1".into(),
            voter: ch,
            approve: true,
            approvals: 2,
            rejections: 0,
            needed: 3,
        }]
    );
    // Two of three is not more than two thirds.
    assert_eq!(c.proposal("p-1").state, ProposalState::Open);
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 7);

    let ev = c.ok(&kita(), vote_op("p-1", true));
    assert_eq!(
        ev,
        vec![
            Event::ProposalVoted {
                proposal_id: "p-1".into(),
                voter: co,
                approve: true,
                approvals: 3,
                rejections: 0,
                needed: 3,
            },
            Event::ParamChanged {
                name: "job_review_days".into(),
                value: 3,
            },
            closed("p-1", ProposalState::Executed, None),
        ]
    );
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 3);
    let p = c.proposal("p-1");
    assert_eq!(
        p,
        Proposal {
            id: "p-1".into(),
            proposer: ci,
            action,
            expires_at_ms: expires,
            created_height: created.0,
            created_ms: created.1,
            approvals: vec![ci, ch, co],
            rejections: vec![],
            state: ProposalState::Executed,
            closed_height: Some(c.height),
            closed_ms: Some(c.time_ms),
            failure: None,
        }
    );
    assert!(timers(&c).is_empty(), "a closed proposal has no timer");
    assert!(ev.iter().all(Event::is_governance));
}

#[test]
fn four_members_need_three() {
    let mut c = four_members();
    assert_eq!(state::members(&c.state).unwrap().len(), 4);
    let ev = c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    assert!(matches!(
        ev.last(),
        Some(Event::ProposalVoted { needed: 3, .. })
    ));
    c.ok(&minami(), vote_op("p-1", true));
    assert_eq!(c.proposal("p-1").state, ProposalState::Open);
    let ev = c.ok(&chamber(), vote_op("p-1", true));
    assert!(matches!(
        &ev[..],
        [
            Event::ProposalVoted {
                approvals: 3,
                needed: 3,
                ..
            },
            Event::ParamChanged { value: 3, .. },
            Event::ProposalClosed { .. }
        ]
    ));
    assert_eq!(c.proposal("p-1").state, ProposalState::Executed);
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 3);
    // The fourth member can no longer vote on it.
    let e = c.refuse(&kita(), vote_op("p-1", true));
    assert_eq!(
        e,
        TxError::ProposalState {
            id: "p-1".into(),
            state: ProposalState::Executed,
            rule: Rule::ProposalNotOpen,
        }
    );
}

#[test]
fn a_member_votes_once() {
    let mut c = four_members();
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    // The proposer's approval is its vote.
    for approve in [true, false] {
        let e = c.refuse(&city(), vote_op("p-1", approve));
        assert_eq!(
            e,
            TxError::AlreadyVoted {
                voter: addr(&city()),
                proposal: "p-1".into()
            }
        );
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    }
    c.ok(&chamber(), vote_op("p-1", false));
    for approve in [true, false] {
        let e = c.refuse(&chamber(), vote_op("p-1", approve));
        assert_eq!(
            e,
            TxError::AlreadyVoted {
                voter: addr(&chamber()),
                proposal: "p-1".into()
            }
        );
    }
    let p = c.proposal("p-1");
    assert_eq!(p.approvals, vec![addr(&city())]);
    assert_eq!(p.rejections, vec![addr(&chamber())]);
    assert_eq!(p.state, ProposalState::Open);
}

#[test]
fn rejection_closes_a_proposal_once_it_can_no_longer_pass() {
    let mut c = four_members();
    let expires = week(&c);
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), expires),
    );
    // One of four against: three may still approve.
    let ev = c.ok(&chamber(), vote_op("p-1", false));
    assert_eq!(
        ev,
        vec![Event::ProposalVoted {
            proposal_id: "p-1".into(),
            voter: addr(&chamber()),
            approve: false,
            approvals: 1,
            rejections: 1,
            needed: 3,
        }]
    );
    assert_eq!(c.proposal("p-1").state, ProposalState::Open);
    assert_eq!(timers(&c).len(), 1);
    // Two against: at most two could approve.
    let ev = c.ok(&kita(), vote_op("p-1", false));
    assert_eq!(
        ev.last(),
        Some(&closed("p-1", ProposalState::Rejected, None))
    );
    let p = c.proposal("p-1");
    assert_eq!(p.state, ProposalState::Rejected);
    assert_eq!(p.closed_height, Some(c.height));
    assert!(timers(&c).is_empty());
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 7);
    let e = c.refuse(&minami(), vote_op("p-1", true));
    assert_eq!(
        e,
        TxError::ProposalState {
            id: "p-1".into(),
            state: ProposalState::Rejected,
            rule: Rule::ProposalNotOpen,
        }
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    // With three members one rejection is enough.
    let mut c = Chain::new();
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    let ev = c.ok(&kita(), vote_op("p-1", false));
    assert_eq!(
        ev.last(),
        Some(&closed("p-1", ProposalState::Rejected, None))
    );
    assert!(timers(&c).is_empty());
}

#[test]
fn an_expired_proposal_closes_at_a_blocks_start() {
    let mut c = Chain::new();
    let expires = c.time_ms + DAY;
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), expires),
    );
    c.ok(&chamber(), vote_op("p-1", true));
    assert!(c.advance_to(expires - 1).is_empty());
    assert_eq!(c.proposal("p-1").state, ProposalState::Open);
    let ev = c.advance_to(expires);
    assert_eq!(ev, vec![closed("p-1", ProposalState::Expired, None)]);
    let p = c.proposal("p-1");
    assert_eq!(p.state, ProposalState::Expired);
    assert_eq!(
        (p.closed_height, p.closed_ms),
        (Some(c.height), Some(expires))
    );
    assert!(timers(&c).is_empty());
    let e = c.refuse(&kita(), vote_op("p-1", true));
    assert_eq!(
        e,
        TxError::ProposalState {
            id: "p-1".into(),
            state: ProposalState::Expired,
            rule: Rule::ProposalNotOpen,
        }
    );
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 7);
    // Later blocks do not close it again.
    assert!(c.advance_to(expires + 10 * DAY).is_empty());
}

#[test]
fn votes_of_members_who_left_no_longer_count() {
    let mut c = four_members();
    let op = addr(&minami());
    let expires = c.time_ms + 20 * DAY;
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), expires),
    );
    c.ok(&minami(), vote_op("p-1", true));
    c.ok(
        &city(),
        propose_op("p-2", set_param("job_review_days", 4), expires),
    );
    c.ok(&minami(), vote_op("p-2", true));
    // coord-minami leaves.
    let p = c.pass(
        "out",
        GovAction::SetMember {
            account: op,
            member: false,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(state::members(&c.state).unwrap().len(), 3);
    // p-1 holds two approvals on record but one counts: a second member's
    // vote makes two of three, not three.
    let ev = c.ok(&chamber(), vote_op("p-1", true));
    assert!(matches!(
        &ev[..],
        [Event::ProposalVoted {
            approvals: 2,
            needed: 3,
            ..
        }]
    ));
    assert_eq!(c.proposal("p-1").state, ProposalState::Open);
    c.ok(&kita(), vote_op("p-1", true));
    assert_eq!(c.proposal("p-1").state, ProposalState::Executed);
    // p-2 expires with one counted approval.
    let ev = c.advance_to(expires);
    assert_eq!(ev, vec![closed("p-2", ProposalState::Expired, None)]);
    assert_eq!(c.proposal("p-2").approvals.len(), 2);
}

#[test]
fn a_single_member_passes_what_it_proposes() {
    let mut g = genesis();
    for a in g.accounts.iter_mut() {
        a.member = a.address == addr(&city());
    }
    let mut c = Chain::with_genesis(&g);
    let ev = c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 2), week(&c)),
    );
    assert_eq!(
        ev.last(),
        Some(&closed("p-1", ProposalState::Executed, None))
    );
    assert!(timers(&c).is_empty());
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 2);
    // The last member cannot leave.
    let e = c.refuse(
        &city(),
        propose_op(
            "p-2",
            GovAction::SetMember {
                account: addr(&city()),
                member: false,
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::Membership {
            account: addr(&city()),
            rule: Rule::LastMember
        }
    );
    assert_eq!(state::members(&c.state).unwrap(), vec![addr(&city())]);
}

#[test]
fn an_added_validator_signs_from_its_effective_height() {
    let mut c = Chain::new();
    let newcomer = addr(&hana());
    let effective = c.height + 10;
    let p = c.pass("v-1", add_validator(newcomer, effective));
    assert_eq!(p.state, ProposalState::Executed, "{:?}", p.failure);
    assert_eq!(p.failure, None);
    assert_eq!(
        state::pending_validator_changes(&c.state).unwrap(),
        vec![(
            effective,
            ValidatorChange::Add(ValidatorInfo {
                name: "newcomer".into(),
                public_key: newcomer,
                power: 2,
            })
        )]
    );
    assert_eq!(validator_keys(&c), vec![addr(&city()), addr(&chamber())]);
    // Nothing changes until the start of the block before its height.
    while c.height + 1 < effective - 1 {
        let ev = c.advance_to(c.time_ms + BLOCK_MS);
        assert!(ev.is_empty());
        assert_eq!(validator_keys(&c).len(), 2);
    }
    let ev = c.advance_to(c.time_ms + BLOCK_MS);
    assert_eq!(c.height, effective - 1);
    assert_eq!(
        ev,
        vec![Event::ValidatorSetChanged {
            effective_height: effective,
            added: vec![newcomer],
            removed: vec![],
            skipped: vec![],
        }]
    );
    // The state after block effective - 1 names the set of effective.
    assert_eq!(
        validator_keys(&c),
        vec![addr(&city()), addr(&chamber()), newcomer]
    );
    assert_eq!(state::validators(&c.state).unwrap()[2].power, 2);
    assert!(
        state::pending_validator_changes(&c.state)
            .unwrap()
            .is_empty()
    );
    assert!(c.advance_to(c.time_ms + BLOCK_MS).is_empty());
}

#[test]
fn the_scheduled_event_names_the_height() {
    let mut c = Chain::new();
    let effective = c.height + 10;
    c.ok(
        &city(),
        propose_op("v-1", add_validator(addr(&hana()), effective), week(&c)),
    );
    c.ok(&chamber(), vote_op("v-1", true));
    let ev = c.ok(&kita(), vote_op("v-1", true));
    assert_eq!(
        ev[1],
        Event::ValidatorChangeScheduled {
            public_key: addr(&hana()),
            added: true,
            effective_height: effective,
        }
    );
}

#[test]
fn validator_changes_too_soon_are_refused_or_fail() {
    let mut c = Chain::new();
    let h = c.height + 1;
    // The earliest is two heights after the block that approves it.
    let e = c.refuse(
        &city(),
        propose_op("v-1", add_validator(addr(&hana()), h + 1), week(&c)),
    );
    assert_eq!(
        e,
        TxError::TooSoon {
            effective_height: h + 1,
            earliest: h + 2
        }
    );
    let e = c.refuse(
        &city(),
        propose_op("v-1", remove_validator(addr(&chamber()), 0), week(&c)),
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    // Proposed in time, but approved too late: it fails and changes nothing.
    let h = c.height + 1;
    c.ok(
        &city(),
        propose_op("v-1", add_validator(addr(&hana()), h + 3), week(&c)),
    );
    c.ok(&chamber(), vote_op("v-1", true));
    let ev = c.ok(&kita(), vote_op("v-1", true));
    let why = TxError::TooSoon {
        effective_height: h + 3,
        earliest: h + 4,
    };
    assert_eq!(
        ev.last(),
        Some(&closed("v-1", ProposalState::Failed, Some(why)))
    );
    assert_eq!(c.proposal("v-1").state, ProposalState::Failed);
    assert!(
        state::pending_validator_changes(&c.state)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn validator_additions_are_refused_for_members_of_the_set_and_bad_keys() {
    let mut c = Chain::new();
    let eff = c.height + 10;
    let e = c.refuse(
        &city(),
        propose_op("v-1", add_validator(addr(&chamber()), eff), week(&c)),
    );
    assert_eq!(
        e,
        TxError::ValidatorChange {
            key: addr(&chamber()),
            height: eff,
            rule: Rule::AlreadyValidator
        }
    );
    // Keys that could never sign: not a point, points of small order (the
    // all-zero key among them), a non-canonical encoding.
    let not_a_point = (2u8..=255)
        .map(|b| [b; 32])
        .find(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_err())
        .unwrap();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    // y = p + y0 for a small y0 whose point has large order.
    let non_canonical = (2u8..19)
        .map(|y0| {
            let mut k = [0xff; 32];
            k[0] = 0xed + y0;
            k[31] = 0x7f;
            k
        })
        .find(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_ok_and(|v| !v.is_weak()))
        .unwrap();
    let bad = [not_a_point, identity, [0; 32], non_canonical];
    for k in bad {
        assert!(!yui_ledger::crypto::is_signing_key(&Address(k)));
        let e = c.refuse(
            &city(),
            propose_op("v-1", add_validator(Address(k), eff), week(&c)),
        );
        assert_eq!(
            e,
            TxError::Malformed(Rule::ValidatorKeyCannotSign),
            "{}",
            hex::encode(k)
        );
    }
    for k in all_keys() {
        assert!(yui_ledger::crypto::is_signing_key(&k.address()));
    }
    // Shapes: a name and a power in range.
    for (name, power) in [
        ("", 1),
        (&"n".repeat(65)[..], 1),
        ("v", 0),
        ("v", 1_000_001),
    ] {
        let e = c.refuse_stateless(
            &city(),
            propose_op(
                "v-1",
                GovAction::AddValidator {
                    name: name.into(),
                    public_key: addr(&hana()),
                    power,
                    effective_height: eff,
                },
                week(&c),
            ),
        );
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
    assert!(state::proposal(&c.state, "v-1").unwrap().is_none());
}

#[test]
fn a_removed_validator_leaves_but_never_the_last() {
    let mut c = Chain::new();
    let ch = addr(&chamber());
    let e = c.refuse(
        &city(),
        propose_op(
            "v-0",
            remove_validator(addr(&hana()), c.height + 10),
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::ValidatorChange {
            key: addr(&hana()),
            height: c.height + 9,
            rule: Rule::NotValidator
        }
    );
    let eff = c.height + 6;
    let p = c.pass("v-1", remove_validator(ch, eff));
    assert_eq!(p.state, ProposalState::Executed);
    // The last one cannot be scheduled to leave either, while the chamber's
    // departure is pending.
    let e = c.refuse(
        &city(),
        propose_op("v-2", remove_validator(addr(&city()), eff + 5), week(&c)),
    );
    assert_eq!(e, TxError::Governance(Rule::LastValidator));
    while c.height + 1 < eff {
        c.advance_to(c.time_ms + BLOCK_MS);
    }
    assert_eq!(validator_keys(&c), vec![addr(&city())]);
    let e = c.refuse(
        &city(),
        propose_op(
            "v-2",
            remove_validator(addr(&city()), c.height + 10),
            week(&c),
        ),
    );
    assert_eq!(e, TxError::Governance(Rule::LastValidator));
    // The chamber may come back.
    let p = c.pass("v-3", add_validator(ch, c.height + 10));
    assert_eq!(p.state, ProposalState::Executed);
}

#[test]
fn validator_changes_take_effect_in_the_order_approved() {
    // A change is checked where it falls among the pending ones, so what
    // governance approved is what happens: nothing is skipped later.
    let mut c = Chain::new();
    let (a, ch) = (addr(&hana()), addr(&chamber()));
    let h = c.height;
    assert_eq!(
        c.pass("add-a", add_validator(a, h + 20)).state,
        ProposalState::Executed
    );
    assert_eq!(
        c.pass("rm-ch", remove_validator(ch, h + 20)).state,
        ProposalState::Executed
    );
    // Removing hana before she is added; adding the chamber while it is
    // still in the set; a second change of hana at her height.
    for (id, action, why) in [
        (
            "rm-a-early",
            remove_validator(a, h + 15),
            (a, h + 15, Rule::NotValidator),
        ),
        (
            "add-ch-early",
            add_validator(ch, h + 15),
            (ch, h + 15, Rule::AlreadyValidator),
        ),
        (
            "rm-a-same",
            remove_validator(a, h + 20),
            (a, h + 20, Rule::ValidatorChangePending),
        ),
    ] {
        let e = c.refuse(&city(), propose_op(id, action, week(&c)));
        let (key, height, rule) = why;
        assert_eq!(e, TxError::ValidatorChange { key, height, rule }, "{id}");
    }
    // After them, both are fine.
    assert_eq!(
        c.pass("rm-a-late", remove_validator(a, h + 30)).state,
        ProposalState::Executed
    );
    assert_eq!(
        c.pass("add-ch-late", add_validator(ch, h + 30)).state,
        ProposalState::Executed
    );
    assert_eq!(state::pending_validator_changes(&c.state).unwrap().len(), 4);
    let mut changes = Vec::new();
    while c.height < h + 31 {
        for e in c.advance_to(c.time_ms + BLOCK_MS) {
            if let Event::ValidatorSetChanged {
                effective_height,
                added,
                removed,
                skipped,
            } = e
            {
                assert!(skipped.is_empty(), "{skipped:?}");
                changes.push((effective_height, added, removed));
            }
        }
        if c.height == h + 19 {
            assert_eq!(validator_keys(&c), vec![addr(&city()), a]);
        }
    }
    assert_eq!(
        changes,
        vec![(h + 20, vec![a], vec![ch]), (h + 30, vec![ch], vec![a]),]
    );
    assert_eq!(validator_keys(&c), vec![addr(&city()), ch]);
}

#[test]
fn granted_and_revoked_roles_take_effect() {
    let mut c = Chain::new();
    let (ch, ci) = (addr(&chamber()), addr(&city()));
    let now = c.time_ms;
    // Before: the chamber is no credential issuer.
    let e = c.refuse(
        &chamber(),
        issue_op("c-1", addr(&taro()), "skill", now, now + DAY),
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let grant = GovAction::GrantRole {
        account: ch,
        role: Role::CredentialIssuer,
    };
    let ms = members();
    c.ok(&ms[0], propose_op("g-1", grant.clone(), week(&c)));
    c.ok(&ms[1], vote_op("g-1", true));
    let ev = c.ok(&ms[2], vote_op("g-1", true));
    assert_eq!(
        ev[1],
        Event::RoleGranted {
            account: ch,
            role: Role::CredentialIssuer,
        }
    );
    assert!(c.account(&ch).unwrap().has(&Role::CredentialIssuer));
    let now = c.time_ms;
    c.ok(
        &chamber(),
        issue_op("c-1", addr(&taro()), "skill", now, now + DAY),
    );
    // Granting it again is refused when proposed.
    let e = c.refuse(&city(), propose_op("g-2", grant, week(&c)));
    assert_eq!(
        e,
        TxError::RoleChange {
            account: ch,
            role: Role::CredentialIssuer,
            rule: Rule::RoleAlreadyHeld
        }
    );

    // The city issues, then loses the role: no more issuing, and no more
    // suspending what it issued.
    c.issue("r-1", &hana(), "resident");
    let p = c.pass(
        "r-1",
        GovAction::RevokeRole {
            account: ci,
            role: Role::CredentialIssuer,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert!(!c.account(&ci).unwrap().has(&Role::CredentialIssuer));
    // Its other roles stay.
    assert!(c.account(&ci).unwrap().has(&Role::Issuer(COIN.into())));
    let now = c.time_ms;
    let missing = TxError::MissingRole {
        account: ci,
        role: RoleNeeded::CredentialIssuer,
    };
    assert_eq!(
        c.refuse(
            &city(),
            issue_op("r-2", addr(&taro()), "resident", now, now + DAY)
        ),
        missing
    );
    assert_eq!(
        c.refuse(
            &city(),
            Operation::SuspendCredential {
                credential_id: "r-1".into(),
                reason: String::new(),
            }
        ),
        missing
    );
    // Revoking a role not held is refused when proposed.
    let e = c.refuse(
        &city(),
        propose_op(
            "r-2",
            GovAction::RevokeRole {
                account: ci,
                role: Role::CredentialIssuer,
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::RoleChange {
            account: ci,
            role: Role::CredentialIssuer,
            rule: Rule::RoleNotHeld
        }
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
}

#[test]
fn role_grants_are_checked() {
    let mut c = Chain::new();
    // An issuer role of an asset that does not exist.
    let e = c.refuse(
        &city(),
        propose_op(
            "g-1",
            GovAction::GrantRole {
                account: addr(&hana()),
                role: Role::Issuer(GOLD.into()),
            },
            week(&c),
        ),
    );
    assert_eq!(e, TxError::UnknownAsset(GOLD.into()));
    // A second merchant class.
    let e = c.refuse(
        &city(),
        propose_op(
            "g-1",
            GovAction::GrantRole {
                account: addr(&bakery()),
                role: Role::Merchant(MerchantClass::Large),
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::RoleChange {
            account: addr(&bakery()),
            role: Role::Merchant(MerchantClass::Large),
            rule: Rule::MerchantClassHeld
        }
    );
    // An empty asset name is malformed.
    let e = c.refuse_stateless(
        &city(),
        propose_op(
            "g-1",
            GovAction::GrantRole {
                account: addr(&hana()),
                role: Role::Issuer(String::new()),
            },
            week(&c),
        ),
    );
    assert_eq!(e.kind(), ErrorKind::Malformed);
    // A role for a key the chain has never seen creates its account.
    let s = addr(&stranger());
    let p = c.pass(
        "g-2",
        GovAction::GrantRole {
            account: s,
            role: Role::Coordinator,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(c.account(&s).unwrap().roles, vec![Role::Coordinator]);
}

#[test]
fn a_defined_asset_can_be_issued_by_an_issuer_with_the_role() {
    let mut c = Chain::new();
    let a = addr(&hana());
    assert_eq!(
        c.refuse(&city(), grant_op(a, GOLD, 10, "", None)),
        TxError::MissingRole {
            account: addr(&city()),
            role: RoleNeeded::Issuer(GOLD.into()),
        }
    );
    let p = c.pass("d-1", GovAction::DefineAsset { class: gold() });
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(p.failure, None);
    let s = c.asset(GOLD);
    assert_eq!((s.class, s.issued, s.burned, s.expired), (gold(), 0, 0, 0));
    // Defined, but nobody holds its issuer role yet.
    assert_eq!(
        c.refuse(&city(), grant_op(a, GOLD, 10, "", None)).kind(),
        ErrorKind::PermissionDenied
    );
    let p = c.pass(
        "d-2",
        GovAction::GrantRole {
            account: addr(&city()),
            role: Role::Issuer(GOLD.into()),
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    c.ok(&city(), grant_op(a, GOLD, 10, "welcome", None));
    assert_eq!(c.balance(&a, GOLD), 10);
    assert_eq!(c.asset(GOLD).issued, 10);
    // Defining it again is refused when proposed; a malformed class too.
    let e = c.refuse(
        &city(),
        propose_op("d-3", GovAction::DefineAsset { class: gold() }, week(&c)),
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: GOLD.into(),
            rule: Rule::AssetAlreadyDefined
        }
    );
    let mut bad = gold();
    bad.id = "bad".into();
    bad.expiry = ExpiryPolicy::DaysPerLot(0);
    let e = c.refuse_stateless(
        &city(),
        propose_op("d-3", GovAction::DefineAsset { class: bad }, week(&c)),
    );
    assert_eq!(e, TxError::Malformed(Rule::ExpiryPeriodZero));
}

#[test]
fn an_asset_policy_changes_but_never_its_kind() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    c.grant(&hana(), ROLLING, 500);
    c.ok(&hana(), transfer_op(b, ROLLING, 100));
    let mut class = c.asset(ROLLING).class;
    class.kind = AssetKind::Coin;
    let e = c.refuse(
        &city(),
        propose_op("u-1", GovAction::UpdateAsset { class }, week(&c)),
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::AssetKindFixed
        }
    );
    // Nor its breakage account: what expired there is counted as expired.
    let mut class = c.asset(ROLLING).class;
    assert_ne!(class.breakage_account, b);
    class.breakage_account = b;
    let e = c.refuse(
        &city(),
        propose_op("u-1", GovAction::UpdateAsset { class }, week(&c)),
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::BreakageAccountFixed
        }
    );
    let mut ghost = gold();
    ghost.id = "ghost".into();
    let e = c.refuse(
        &city(),
        propose_op("u-1", GovAction::UpdateAsset { class: ghost }, week(&c)),
    );
    assert_eq!(e, TxError::UnknownAsset("ghost".into()));

    let before = c.asset(ROLLING);
    let mut class = before.class.clone();
    class.transferable = false;
    let p = c.pass(
        "u-2",
        GovAction::UpdateAsset {
            class: class.clone(),
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(p.failure, None);
    let after = c.asset(ROLLING);
    assert_eq!(after.class, class);
    // The supply figures stay.
    assert_eq!(
        (after.issued, after.burned, after.expired),
        (before.issued, before.burned, before.expired)
    );
    let e = c.refuse(&hana(), transfer_op(b, ROLLING, 100));
    assert_eq!(
        e,
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::NotTransferable,
        }
    );
    assert_eq!(c.balance(&a, ROLLING), 400);
    // Paying a merchant still works.
    c.ok(&hana(), pay_op(addr(&bakery()), "inv-1", 100, &[ROLLING]));
    // The policy can require a credential from now on.
    let mut class = c.asset(COIN).class;
    class.required_credential = Some("resident".into());
    c.pass("u-3", GovAction::UpdateAsset { class });
    c.issue("r-a", &hana(), "resident");
    c.charge(&hana(), 100, "d-1", None);
    let e = c.refuse(&city(), charge_op(b, 100, "d-2", None));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
}

#[test]
fn set_param_changes_the_job_review_period() {
    let mut c = Chain::new();
    c.charge(&hana(), 1_000, "d-1", None);
    let p = c.pass("s-1", set_param("job_review_days", 2));
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 2);
    c.ok(
        &hana(),
        Operation::PostJob {
            job_id: "j-1".into(),
            asset: COIN.into(),
            reward: 100,
            coordinator: addr(&kita()),
            accept_deadline_ms: c.time_ms + DAY,
            required_credential: None,
            description_hash: [1; 32],
        },
    );
    c.ok(
        &taro(),
        Operation::AcceptJob {
            job_id: "j-1".into(),
        },
    );
    c.ok(
        &taro(),
        Operation::SubmitJob {
            job_id: "j-1".into(),
            proof_hash: [2; 32],
        },
    );
    let submitted = c.time_ms;
    let j = state::job(&c.state, "j-1").unwrap().unwrap();
    assert_eq!(j.timer_at, Some(submitted + 2 * DAY));
    assert!(c.advance_to(submitted + 2 * DAY - 1).is_empty());
    let ev = c.advance_to(submitted + 2 * DAY);
    assert!(matches!(
        &ev[..],
        [Event::JobAutoReleased { amount: 100, .. }]
    ));
    assert_eq!(
        state::job(&c.state, "j-1").unwrap().unwrap().state,
        JobState::AutoReleased
    );
    assert_eq!(c.balance(&addr(&taro()), COIN), 100);
}

#[test]
fn set_param_refuses_unknown_names_bad_values_and_a_threshold_of_one() {
    let mut c = Chain::new();
    let before = state::params(&c.state).unwrap().unwrap();
    let range = |name: &str, lo, hi| TxError::ParamRange {
        name: name.into(),
        lo,
        hi,
    };
    let threshold = TxError::Governance(Rule::ThresholdNotBelowOne);
    for (name, value, why) in [
        ("block_time", 5, TxError::UnknownParam("block_time".into())),
        ("job_review_days", 0, range("job_review_days", 1, 365)),
        ("job_review_days", 366, range("job_review_days", 1, 365)),
        (
            "validator_change_delay_min",
            1,
            range("validator_change_delay_min", 2, 100_000),
        ),
        ("approval_threshold_num", 3, threshold.clone()),
        ("approval_threshold_den", 2, threshold),
    ] {
        let e = c.refuse(&city(), propose_op("s-1", set_param(name, value), week(&c)));
        assert_eq!(e, why, "{name}");
    }
    let e = c.refuse_stateless(&city(), propose_op("s-1", set_param("", 1), week(&c)));
    assert_eq!(e.kind(), ErrorKind::Malformed);
    assert_eq!(state::params(&c.state).unwrap().unwrap(), before);
}

#[test]
fn a_lower_threshold_passes_with_fewer_approvals() {
    let mut c = Chain::new();
    // 1/3: more than a third of three members is two.
    assert_eq!(
        c.pass("s-1", set_param("approval_threshold_num", 1)).state,
        ProposalState::Executed
    );
    c.ok(
        &city(),
        propose_op("s-2", set_param("job_review_days", 9), week(&c)),
    );
    let ev = c.ok(&chamber(), vote_op("s-2", true));
    assert!(matches!(
        &ev[..],
        [
            Event::ProposalVoted {
                approvals: 2,
                needed: 2,
                ..
            },
            Event::ParamChanged { .. },
            Event::ProposalClosed { .. }
        ]
    ));
    assert_eq!(state::params(&c.state).unwrap().unwrap().job_review_days, 9);
}

#[test]
fn members_join_and_leave() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let p = c.pass(
        "m-1",
        GovAction::SetMember {
            account: a,
            member: true,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    let mut want: Vec<Address> = members().iter().map(Keypair::address).collect();
    want.push(a);
    want.sort();
    assert_eq!(state::members(&c.state).unwrap(), want);
    // Hana proposes and votes now; four members need three.
    let ev = c.ok(
        &hana(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    assert!(matches!(
        ev.last(),
        Some(Event::ProposalVoted { needed: 3, .. })
    ));
    c.ok(&city(), vote_op("p-1", true));
    c.ok(&chamber(), vote_op("p-1", true));
    assert_eq!(c.proposal("p-1").state, ProposalState::Executed);
    // Adding her again, or removing someone who is no member, is refused.
    let e = c.refuse(
        &city(),
        propose_op(
            "m-2",
            GovAction::SetMember {
                account: a,
                member: true,
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::Membership {
            account: a,
            rule: Rule::AlreadyMember
        }
    );
    let e = c.refuse(
        &city(),
        propose_op(
            "m-2",
            GovAction::SetMember {
                account: addr(&taro()),
                member: false,
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::Membership {
            account: addr(&taro()),
            rule: Rule::NotAMember
        }
    );
    // She leaves.
    let p = c.pass(
        "m-3",
        GovAction::SetMember {
            account: a,
            member: false,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert!(!state::members(&c.state).unwrap().contains(&a));
    let e = c.refuse(
        &hana(),
        propose_op("p-2", set_param("job_review_days", 4), week(&c)),
    );
    assert_eq!(e, TxError::NotMember(a));
    // A new member's key may be new to the chain.
    let s = addr(&stranger());
    c.pass(
        "m-4",
        GovAction::SetMember {
            account: s,
            member: true,
        },
    );
    assert!(c.account(&s).is_some());
    c.ok(
        &stranger(),
        propose_op("p-3", set_param("job_review_days", 5), week(&c)),
    );
}

#[test]
fn an_action_that_fails_when_carried_out_changes_nothing_else() {
    let mut c = Chain::new();
    let mut other = gold();
    other.transferable = false;
    other.pay_priority = 99;
    c.ok(
        &city(),
        propose_op("d-1", GovAction::DefineAsset { class: gold() }, week(&c)),
    );
    c.ok(
        &city(),
        propose_op("d-2", GovAction::DefineAsset { class: other }, week(&c)),
    );
    c.ok(&chamber(), vote_op("d-1", true));
    c.ok(&chamber(), vote_op("d-2", true));
    c.ok(&kita(), vote_op("d-1", true));
    assert_eq!(c.proposal("d-1").state, ProposalState::Executed);
    assert_eq!(timers(&c).len(), 1);
    // d-2 reaches the threshold, but gold exists now.
    let before = c.state.clone();
    let ev = c.ok(&kita(), vote_op("d-2", true));
    let why = TxError::Policy {
        asset: GOLD.into(),
        rule: Rule::AssetAlreadyDefined,
    };
    assert_eq!(
        ev,
        vec![
            Event::ProposalVoted {
                proposal_id: "d-2".into(),
                voter: addr(&kita()),
                approve: true,
                approvals: 3,
                rejections: 0,
                needed: 3,
            },
            closed("d-2", ProposalState::Failed, Some(why.clone())),
        ]
    );
    let p = c.proposal("d-2");
    assert_eq!(p.state, ProposalState::Failed);
    assert_eq!(p.failure, Some(why));
    assert_eq!(p.closed_height, Some(c.height));
    assert_eq!(c.asset(GOLD).class, gold());
    assert!(timers(&c).is_empty());
    // Only the proposal, its timer, the voter's nonce and the block record changed.
    let changed: Vec<Vec<u8>> = before
        .map
        .keys()
        .chain(c.state.map.keys())
        .filter(|k| before.map.get(*k) != c.state.map.get(*k))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let want: std::collections::BTreeSet<Vec<u8>> = [
        keys::proposal("d-2"),
        keys::proposal_timer(p.expires_at_ms, "d-2"),
        keys::account(&addr(&kita())),
        yui_ledger::exec::block_info_key(),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        changed
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        want
    );
}

#[test]
fn check_tx_dry_runs_a_deciding_vote() {
    let mut c = Chain::new();
    c.ok(
        &city(),
        propose_op("p-1", set_param("job_review_days", 3), week(&c)),
    );
    c.ok(&chamber(), vote_op("p-1", true));
    let before = c.state.clone();
    let stx = c.sign(&kita(), vote_op("p-1", true));
    assert_eq!(yui_ledger::check_tx(&c.state, &c.next_ctx(), &stx), Ok(()));
    assert_eq!(c.state, before);
    assert_eq!(c.proposal("p-1").state, ProposalState::Open);
}

#[test]
fn governance_names_and_descriptions() {
    let k = addr(&hana());
    let short = &k.to_hex()[..12];
    let cases = [
        (
            add_validator(k, 9),
            "add_validator",
            format!("add validator 'newcomer' ({short}, power 2) from height 9"),
        ),
        (
            remove_validator(k, 9),
            "remove_validator",
            format!("remove validator {short} from height 9"),
        ),
        (
            GovAction::GrantRole {
                account: k,
                role: Role::Coordinator,
            },
            "grant_role",
            format!("grant coordinator to {short}"),
        ),
        (
            GovAction::RevokeRole {
                account: k,
                role: Role::Issuer(COIN.into()),
            },
            "revoke_role",
            format!("revoke issuer of 'coin' from {short}"),
        ),
        (
            GovAction::DefineAsset { class: gold() },
            "define_asset",
            "define asset 'gold'".into(),
        ),
        (
            GovAction::UpdateAsset { class: gold() },
            "update_asset",
            "change the policy of asset 'gold'".into(),
        ),
        (
            set_param("job_review_days", 3),
            "set_param",
            "set job_review_days to 3".into(),
        ),
        (
            GovAction::SetMember {
                account: k,
                member: true,
            },
            "set_member",
            format!("add {short} to the consortium"),
        ),
        (
            GovAction::SetMember {
                account: k,
                member: false,
            },
            "set_member",
            format!("remove {short} from the consortium"),
        ),
    ];
    for (action, name, description) in cases {
        assert_eq!(action.name(), name);
        assert_eq!(action.describe(), description);
        assert_eq!(action.check_shape(), Ok(()));
    }
    assert_eq!(propose_op("p", set_param("x", 1), 1).name(), "propose");
    assert_eq!(vote_op("p", true).name(), "vote");
    assert!(vote_op("p", true).counterparties().is_empty());
    for (s, n) in [
        (ProposalState::Open, "open"),
        (ProposalState::Executed, "executed"),
        (ProposalState::Failed, "failed"),
        (ProposalState::Rejected, "rejected"),
        (ProposalState::Expired, "expired"),
    ] {
        assert_eq!(s.as_str(), n);
    }
}

#[test]
fn genesis_refuses_a_validator_key_that_cannot_sign() {
    let mut g = genesis();
    assert_eq!(g.validate(), Ok(()));
    // The all-zero key decodes as a point of small order: it never verifies.
    g.validators[0].public_key = yui_ledger::Address([0; 32]);
    let e = g.validate().unwrap_err();
    assert!(e.contains("cannot sign"), "{e}");
}
