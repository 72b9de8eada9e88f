//! Parameters and thresholds, members joining and leaving, and actions that fail when carried out.

use super::*;

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
        .keys()
        .chain(c.state.keys())
        .filter(|k| before.record(k) != c.state.record(k))
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
