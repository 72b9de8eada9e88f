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

mod roles_and_assets;

mod validators;

mod params_and_members;

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
