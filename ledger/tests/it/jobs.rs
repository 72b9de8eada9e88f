//! Microwork: every transition of a job paid from escrow, every refusal, both
//! timeouts, and the reputation they build.

use yui_ledger::limits::JOB_TIMEOUT_RETRY_MS;

const JOB_REVIEW_DAYS: u64 = 7;
use yui_ledger::error::{Field, Requirement, RoleNeeded, Rule};
use yui_ledger::state::{self, Job, JobAction, JobState, Reputation};
use yui_ledger::{Address, ErrorKind, Event, Keypair, Operation, TxError};

use crate::fixture::*;

mod timeouts;

const REWARD: u64 = 1_000;
const DESC: [u8; 32] = [7; 32];
const PROOF: [u8; 32] = [8; 32];
const REASON: [u8; 32] = [9; 32];

fn post_op(id: &str, asset: &str, reward: u64, coord: Address, deadline: u64) -> Operation {
    Operation::PostJob {
        job_id: id.into(),
        asset: asset.into(),
        reward,
        coordinator: coord,
        accept_deadline_ms: deadline,
        required_credential: None,
        description_hash: DESC,
    }
}

fn accept_op(id: &str) -> Operation {
    Operation::AcceptJob { job_id: id.into() }
}
fn submit_op(id: &str) -> Operation {
    Operation::SubmitJob {
        job_id: id.into(),
        proof_hash: PROOF,
    }
}
fn approve_op(id: &str, rating: Option<u8>) -> Operation {
    Operation::ApproveJob {
        job_id: id.into(),
        rating,
    }
}
fn cancel_op(id: &str) -> Operation {
    Operation::CancelJob { job_id: id.into() }
}
fn consent_op(id: &str) -> Operation {
    Operation::ConsentCancel { job_id: id.into() }
}
fn dispute_op(id: &str) -> Operation {
    Operation::DisputeJob {
        job_id: id.into(),
        reason_hash: REASON,
    }
}
fn resolve_op(id: &str, to_worker: u64) -> Operation {
    Operation::ResolveJob {
        job_id: id.into(),
        to_worker,
    }
}

fn job(c: &Chain, id: &str) -> Job {
    state::job(&c.state, id).unwrap().unwrap()
}

fn rep(c: &Chain, k: &Keypair) -> Reputation {
    state::reputation(&c.state, &k.address()).unwrap()
}

/// A chain where hana holds 10,000 coins.
fn funded() -> Chain {
    let mut c = Chain::new();
    c.charge(&hana(), 10_000, "dep-1", None);
    c
}

/// Hana posts `id` for `REWARD` coins, accepting for ten days.
fn post(c: &mut Chain, id: &str) -> Vec<Event> {
    let deadline = c.time_ms + 10 * DAY;
    c.ok(&hana(), post_op(id, COIN, REWARD, addr(&kita()), deadline))
}

/// Hana posts `id` and taro accepts it.
fn accepted(c: &mut Chain, id: &str) {
    post(c, id);
    c.ok(&taro(), accept_op(id));
}

/// Hana posts `id`, taro accepts and submits it.
fn submitted(c: &mut Chain, id: &str) {
    accepted(c, id);
    c.ok(&taro(), submit_op(id));
}

/// Value in the escrow of open jobs of `asset`, checked against their rewards.
fn escrow(c: &Chain, asset: &str) -> u64 {
    let mut total = 0;
    for (k, v) in c.state.iter() {
        if k.first() != Some(&b'j') {
            continue;
        }
        let j: Job = borsh::from_slice(v).unwrap();
        if j.state.is_open() {
            assert_eq!(j.escrow_total(), j.reward, "open job {} escrow", j.id);
        } else {
            assert!(j.escrow.is_empty(), "closed job {} holds escrow", j.id);
        }
        if j.asset == asset {
            total += j.escrow_total();
        }
    }
    total
}

/// Holdings plus escrow are what was issued less what was burned.
fn assert_supply(c: &Chain, asset: &str) {
    let s = c.asset(asset);
    let held: u64 = c
        .all_holdings()
        .iter()
        .filter(|(_, a, _)| a == asset)
        .map(|(_, _, h)| h.total())
        .sum();
    assert_eq!(
        held + escrow(c, asset),
        s.issued - s.burned,
        "{asset} supply"
    );
}

fn timers(c: &Chain) -> usize {
    c.state.keys().filter(|k| k.first() == Some(&b'q')).count()
}

#[test]
fn post_accept_submit_approve() {
    let mut c = funded();
    let (a, b) = (addr(&hana()), addr(&taro()));
    let ev = post(&mut c, "paint-fence");
    assert_eq!(
        ev,
        vec![Event::JobPosted {
            job_id: "paint-fence".into(),
            poster: a,
            coordinator: addr(&kita()),
            asset: COIN.into(),
            reward: REWARD,
        }]
    );
    assert_eq!(c.balance(&a, COIN), 10_000 - REWARD);
    assert_eq!(escrow(&c, COIN), REWARD);
    assert_supply(&c, COIN);
    let j = job(&c, "paint-fence");
    assert_eq!(j.state, JobState::Posted);
    assert_eq!(j.description_hash, DESC);
    assert_eq!(j.posted_at_ms, c.time_ms);
    assert_eq!(timers(&c), 1);

    let ev = c.ok(&taro(), accept_op("paint-fence"));
    assert_eq!(
        ev,
        vec![Event::JobAccepted {
            job_id: "paint-fence".into(),
            poster: a,
            worker: b,
        }]
    );
    let j = job(&c, "paint-fence");
    assert_eq!((j.state, j.worker), (JobState::Accepted, Some(b)));
    assert_eq!(timers(&c), 0, "an accepted job has no timeout");

    let ev = c.ok(&taro(), submit_op("paint-fence"));
    assert_eq!(
        ev,
        vec![Event::JobSubmitted {
            job_id: "paint-fence".into(),
            poster: a,
            worker: b,
            proof_hash: PROOF,
        }]
    );
    let j = job(&c, "paint-fence");
    assert_eq!(j.state, JobState::Submitted);
    assert_eq!(j.proof_hash, Some(PROOF));
    assert_eq!(j.timer_at, Some(c.time_ms + JOB_REVIEW_DAYS * DAY));

    let ev = c.ok(&hana(), approve_op("paint-fence", Some(5)));
    assert_eq!(
        ev,
        vec![Event::JobPaid {
            job_id: "paint-fence".into(),
            poster: a,
            worker: b,
            asset: COIN.into(),
            amount: REWARD,
            rating: Some(5),
        }]
    );
    assert_eq!(c.balance(&b, COIN), REWARD);
    assert_eq!(c.balance(&a, COIN), 10_000 - REWARD);
    assert_eq!(escrow(&c, COIN), 0);
    assert_supply(&c, COIN);
    assert_eq!(timers(&c), 0);
    let j = job(&c, "paint-fence");
    assert_eq!(j.state, JobState::Approved);
    assert_eq!(j.rating, Some(5));
    assert_eq!(j.closed_at_ms, Some(c.time_ms));
    let actions: Vec<JobAction> = j.history.iter().map(|s| s.action).collect();
    assert_eq!(
        actions,
        [
            JobAction::Post,
            JobAction::Accept,
            JobAction::Submit,
            JobAction::Approve
        ]
    );
    assert!(j.history.iter().all(|s| s.by.is_some()));
    assert_eq!(
        rep(&c, &taro()),
        Reputation {
            jobs_completed: 1,
            rating_sum: 5,
            rating_count: 1,
            disputes_lost: 0,
        }
    );
    assert_eq!(rep(&c, &hana()), Reputation::default());
    // Events reach both parties' streams.
    assert_eq!(ev[0].accounts(), vec![a, b]);
    assert_eq!(ev[0].name(), "job_paid");
}

#[test]
fn ratings_add_up_and_approval_without_rating_counts_a_completion() {
    let mut c = funded();
    for (i, r) in [Some(4), None, Some(2)].into_iter().enumerate() {
        let id = format!("job-{i}");
        submitted(&mut c, &id);
        c.ok(&hana(), approve_op(&id, r));
    }
    assert_eq!(
        rep(&c, &taro()),
        Reputation {
            jobs_completed: 3,
            rating_sum: 6,
            rating_count: 2,
            disputes_lost: 0,
        }
    );
    assert_eq!(c.balance(&addr(&taro()), COIN), 3 * REWARD);
}

#[test]
fn cancel_before_acceptance_refunds_the_poster() {
    let mut c = funded();
    let a = addr(&hana());
    post(&mut c, "j");
    let e = c.refuse(&taro(), cancel_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is posted; only its poster can cancel it before acceptance"
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    // Not even the coordinator, before acceptance.
    let e = c.refuse(&kita(), cancel_op("j"));
    assert!(matches!(e, TxError::JobParty { .. }));
    let ev = c.ok(&hana(), cancel_op("j"));
    assert_eq!(
        ev,
        vec![Event::JobCancelled {
            job_id: "j".into(),
            poster: a,
            worker: None,
            by: a,
            asset: COIN.into(),
            refunded: REWARD,
        }]
    );
    assert_eq!(c.balance(&a, COIN), 10_000);
    assert_eq!(job(&c, "j").state, JobState::Cancelled);
    assert_eq!(timers(&c), 0, "a cancelled job leaves no timeout");
    assert_supply(&c, COIN);
    let e = c.refuse(&hana(), cancel_op("j"));
    assert_eq!(e.to_string(), "job 'j' is cancelled; it is closed");
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
}

#[test]
fn cancel_after_acceptance_needs_the_workers_consent() {
    let mut c = funded();
    let (a, b) = (addr(&hana()), addr(&taro()));
    accepted(&mut c, "j");
    let e = c.refuse(&hana(), cancel_op("j"));
    assert_eq!(
        e,
        TxError::JobState {
            job: "j".into(),
            state: JobState::Accepted,
            rule: Rule::NoCancelConsent
        }
    );
    let e = c.refuse(&emma(), cancel_op("j"));
    assert!(matches!(e, TxError::JobParty { .. }));
    let e = c.refuse(&hana(), consent_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is accepted; only its worker can consent to cancel it"
    );
    let ev = c.ok(&taro(), consent_op("j"));
    assert_eq!(
        ev,
        vec![Event::JobCancelConsented {
            job_id: "j".into(),
            poster: a,
            worker: b,
        }]
    );
    assert!(job(&c, "j").cancel_consent);
    let e = c.refuse(&taro(), consent_op("j"));
    assert_eq!(
        e,
        TxError::JobState {
            job: "j".into(),
            state: JobState::Accepted,
            rule: Rule::CancelConsentGiven
        }
    );
    let ev = c.ok(&hana(), cancel_op("j"));
    assert!(matches!(
        &ev[..],
        [Event::JobCancelled { worker: Some(w), refunded: REWARD, .. }] if *w == b
    ));
    assert_eq!(c.balance(&a, COIN), 10_000);
    assert_eq!(c.balance(&b, COIN), 0);
    let e = c.refuse(&taro(), consent_op("j"));
    assert!(matches!(e, TxError::JobState { .. }));
    assert_supply(&c, COIN);
}

#[test]
fn the_coordinator_may_cancel_after_acceptance() {
    let mut c = funded();
    submitted(&mut c, "j");
    let ev = c.ok(&kita(), cancel_op("j"));
    assert!(matches!(
        &ev[..],
        [Event::JobCancelled { by, refunded: REWARD, .. }] if *by == addr(&kita())
    ));
    assert_eq!(c.balance(&addr(&hana()), COIN), 10_000);
    assert_eq!(timers(&c), 0, "the review timeout went with the job");
    let j = job(&c, "j");
    assert_eq!(j.state, JobState::Cancelled);
    assert_eq!(j.history.last().unwrap().by, Some(addr(&kita())));
    assert_supply(&c, COIN);
}

#[test]
fn dispute_then_resolution_splits_the_escrow() {
    let mut c = funded();
    let (a, b, k) = (addr(&hana()), addr(&taro()), addr(&kita()));
    submitted(&mut c, "j");
    let e = c.refuse(&emma(), dispute_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is submitted; only its poster or its worker can dispute it"
    );
    let e = c.refuse(&kita(), resolve_op("j", 0));
    assert_eq!(
        e.to_string(),
        "job 'j' is submitted; only a disputed job can be resolved"
    );
    let ev = c.ok(&hana(), dispute_op("j"));
    assert_eq!(
        ev,
        vec![Event::JobDisputed {
            job_id: "j".into(),
            poster: a,
            worker: b,
            by: a,
            reason_hash: REASON,
        }]
    );
    assert_eq!(timers(&c), 0, "a disputed job waits for its coordinator");
    let e = c.refuse(&taro(), dispute_op("j"));
    assert!(matches!(e, TxError::JobState { .. }));
    let e = c.refuse(&hana(), approve_op("j", None));
    assert_eq!(
        e.to_string(),
        "job 'j' is disputed; only a submitted job can be approved"
    );
    let e = c.refuse(&hana(), resolve_op("j", 300));
    assert_eq!(
        e.to_string(),
        "job 'j' is disputed; only its coordinator can resolve it"
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let e = c.refuse(&kita(), resolve_op("j", REWARD + 1));
    assert_eq!(
        e,
        TxError::SplitTooLarge {
            asked: REWARD + 1,
            escrow: REWARD
        }
    );
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    let ev = c.ok(&kita(), resolve_op("j", 300));
    assert_eq!(
        ev,
        vec![Event::JobResolved {
            job_id: "j".into(),
            poster: a,
            worker: b,
            coordinator: k,
            asset: COIN.into(),
            to_worker: 300,
            to_poster: 700,
        }]
    );
    assert_eq!(ev[0].accounts(), vec![a, b, k]);
    assert_eq!(c.balance(&b, COIN), 300);
    assert_eq!(c.balance(&a, COIN), 10_000 - 300);
    let j = job(&c, "j");
    assert_eq!(j.state, JobState::Resolved);
    assert_eq!(j.resolved_to_worker, Some(300));
    assert_eq!(j.disputed_by, Some(a));
    // Less than half to the worker: the worker lost; the poster did not.
    assert_eq!(rep(&c, &taro()).disputes_lost, 1);
    assert_eq!(rep(&c, &taro()).jobs_completed, 0);
    assert_eq!(rep(&c, &hana()).disputes_lost, 0);
    assert_supply(&c, COIN);
    let e = c.refuse(&kita(), resolve_op("j", 0));
    assert!(matches!(e, TxError::JobState { .. }));
}

#[test]
fn dispute_losers_and_an_even_split() {
    let mut c = funded();
    // All to the worker: the poster lost.
    accepted(&mut c, "a");
    c.ok(&taro(), dispute_op("a"));
    c.ok(&kita(), resolve_op("a", REWARD));
    // An even split: nobody lost.
    accepted(&mut c, "b");
    c.ok(&taro(), dispute_op("b"));
    c.ok(&kita(), resolve_op("b", REWARD / 2));
    // Nothing to the worker.
    accepted(&mut c, "c");
    c.ok(&hana(), dispute_op("c"));
    c.ok(&kita(), resolve_op("c", 0));
    assert_eq!(rep(&c, &hana()).disputes_lost, 1);
    assert_eq!(rep(&c, &taro()).disputes_lost, 1);
    assert_eq!(c.balance(&addr(&taro()), COIN), REWARD + REWARD / 2);
    assert_supply(&c, COIN);
}

#[test]
fn a_disputed_job_can_be_cancelled_by_its_coordinator_or_with_consent() {
    let mut c = funded();
    accepted(&mut c, "j");
    c.ok(&taro(), dispute_op("j"));
    c.ok(&taro(), consent_op("j"));
    c.ok(&hana(), cancel_op("j"));
    assert_eq!(job(&c, "j").state, JobState::Cancelled);
    assert_eq!(c.balance(&addr(&hana()), COIN), 10_000);
    assert_eq!(rep(&c, &taro()), Reputation::default());
}

#[test]
fn refusals_by_wrong_signer_or_wrong_state() {
    let mut c = funded();
    post(&mut c, "j");
    let e = c.refuse(&hana(), accept_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is posted; its poster cannot accept it"
    );
    let e = c.refuse(&kita(), accept_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is posted; its coordinator cannot accept it"
    );
    let e = c.refuse(&taro(), submit_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is posted; only an accepted job can be submitted"
    );
    let e = c.refuse(&hana(), approve_op("j", Some(3)));
    assert_eq!(
        e.to_string(),
        "job 'j' is posted; only a submitted job can be approved"
    );
    let e = c.refuse(&taro(), consent_op("j"));
    assert!(matches!(e, TxError::JobState { .. }));
    let e = c.refuse(&hana(), dispute_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is posted; only an accepted or submitted job can be disputed"
    );
    c.ok(&taro(), accept_op("j"));
    let e = c.refuse(&emma(), accept_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is accepted; only a posted job can be accepted"
    );
    let e = c.refuse(&emma(), submit_op("j"));
    assert_eq!(
        e.to_string(),
        "job 'j' is accepted; only its worker can submit it"
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    c.ok(&taro(), submit_op("j"));
    let e = c.refuse(&taro(), submit_op("j"));
    assert!(matches!(e, TxError::JobState { .. }));
    let e = c.refuse(&taro(), approve_op("j", Some(5)));
    assert_eq!(
        e.to_string(),
        "job 'j' is submitted; only its poster can approve it"
    );
    let e = c.refuse(&kita(), approve_op("j", Some(5)));
    assert!(matches!(e, TxError::JobParty { .. }));
    c.ok(&hana(), approve_op("j", None));
    for (k, op) in [
        (hana(), approve_op("j", None)),
        (taro(), submit_op("j")),
        (hana(), dispute_op("j")),
        (kita(), cancel_op("j")),
        (taro(), consent_op("j")),
        (kita(), resolve_op("j", 0)),
        (emma(), accept_op("j")),
    ] {
        let e = c.refuse(&k, op);
        assert!(
            matches!(
                &e,
                TxError::JobState {
                    state: JobState::Approved,
                    ..
                }
            ),
            "{e}"
        );
    }
    // The reward moved once.
    assert_eq!(c.balance(&addr(&taro()), COIN), REWARD);
    assert_supply(&c, COIN);
}

#[test]
fn unknown_job_and_duplicate_id() {
    let mut c = funded();
    for (k, op) in [
        (taro(), accept_op("nope")),
        (taro(), submit_op("nope")),
        (hana(), approve_op("nope", None)),
        (hana(), cancel_op("nope")),
        (taro(), consent_op("nope")),
        (hana(), dispute_op("nope")),
        (kita(), resolve_op("nope", 0)),
    ] {
        let e = c.refuse(&k, op);
        assert_eq!(e, TxError::UnknownJob("nope".into()));
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }
    post(&mut c, "j");
    // Taken, by anyone, in any state.
    c.charge(&emma(), 5_000, "dep-2", None);
    let deadline = c.time_ms + DAY;
    let e = c.refuse(&emma(), post_op("j", COIN, 1, addr(&kita()), deadline));
    assert_eq!(e, TxError::JobExists("j".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    c.ok(&hana(), cancel_op("j"));
    let e = c.refuse(&hana(), post_op("j", COIN, 1, addr(&kita()), deadline));
    assert_eq!(e, TxError::JobExists("j".into()));
}

#[test]
fn posting_refusals() {
    let mut c = funded();
    let k = addr(&kita());
    let later = c.time_ms + DAY;
    let e = c.refuse(&hana(), post_op("j", COIN, 10_001, k, later));
    assert_eq!(
        e,
        TxError::Insufficient {
            asset: COIN.into(),
            have: 10_000,
            need: 10_001
        }
    );
    let e = c.refuse(&hana(), post_op("j", COIN, 10, addr(&taro()), later));
    assert_eq!(
        e,
        TxError::MissingRole {
            account: addr(&taro()),
            role: RoleNeeded::Coordinator
        }
    );
    let e = c.refuse(&hana(), post_op("j", COIN, 10, addr(&stranger()), later));
    assert_eq!(e, TxError::UnknownAccount(addr(&stranger())));
    let e = c.refuse(&hana(), post_op("j", "gold", 10, k, later));
    assert_eq!(e, TxError::UnknownAsset("gold".into()));
    c.grant(&hana(), POINT, 100);
    let e = c.refuse(&hana(), post_op("j", POINT, 10, k, later));
    assert_eq!(
        e,
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::JobRewardNotTransferable
        }
    );
    let now = c.time_ms + BLOCK_MS;
    let e = c.refuse(&hana(), post_op("j", COIN, 10, k, now));
    assert_eq!(
        e,
        TxError::NotAfterBlockTime {
            field: Field::AcceptDeadline,
            value_ms: now,
            block_ms: now
        }
    );
    assert_eq!(e.kind(), ErrorKind::Malformed);
    // The coordinator cannot post a job it would rule on.
    c.charge(&kita(), 100, "dep-k", None);
    let later = c.time_ms + DAY;
    let e = c.refuse(&kita(), post_op("j", COIN, 10, k, later));
    assert_eq!(e, TxError::Malformed(Rule::CoordinatorIsPoster));
    assert!(state::job(&c.state, "j").unwrap().is_none());
    assert_eq!(c.balance(&addr(&hana()), COIN), 10_000);
}

#[test]
fn malformed_job_fields() {
    let c = funded();
    let k = addr(&kita());
    let long = "x".repeat(yui_ledger::limits::ID_LEN_MAX + 1);
    let mut with_cred = post_op("j", COIN, 1, k, T0 + DAY);
    if let Operation::PostJob {
        required_credential,
        ..
    } = &mut with_cred
    {
        *required_credential = Some(String::new());
    }
    for op in [
        post_op("j", COIN, 0, k, T0 + DAY),
        post_op("", COIN, 1, k, T0 + DAY),
        post_op(&long, COIN, 1, k, T0 + DAY),
        post_op("j", "", 1, k, T0 + DAY),
        with_cred,
        accept_op(""),
        submit_op(&long),
        approve_op("j", Some(0)),
        approve_op("j", Some(6)),
        cancel_op(""),
        consent_op(""),
        dispute_op(""),
        resolve_op("", 1),
    ] {
        let stx = c.tx(&hana(), 1, op.clone()).sign(&hana());
        let e = stx.check_stateless(CHAIN_ID).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{op:?} gave {e:?}");
    }
    let e = c
        .tx(&hana(), 1, approve_op("j", Some(6)))
        .sign(&hana())
        .check_stateless(CHAIN_ID)
        .unwrap_err();
    assert_eq!(e, TxError::Malformed(Rule::RatingOutOfRange));
    for r in 1..=5 {
        let stx = c.tx(&hana(), 1, approve_op("j", Some(r))).sign(&hana());
        assert_eq!(stx.check_stateless(CHAIN_ID), Ok(()));
    }
}

#[test]
fn a_job_requiring_a_credential_refuses_a_worker_without_one() {
    let mut c = funded();
    let deadline = c.time_ms + DAY;
    c.ok(
        &hana(),
        Operation::PostJob {
            job_id: "care".into(),
            asset: COIN.into(),
            reward: REWARD,
            coordinator: addr(&kita()),
            accept_deadline_ms: deadline,
            required_credential: Some("caregiver".into()),
            description_hash: DESC,
        },
    );
    assert_eq!(
        job(&c, "care").required_credential.as_deref(),
        Some("caregiver")
    );
    let e = c.refuse(&taro(), accept_op("care"));
    assert_eq!(
        e,
        TxError::CredentialRequired {
            account: addr(&taro()),
            kind: "caregiver".into(),
            required_for: Requirement::Job("care".into())
        }
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    // It expires like any job nobody accepted.
    let ev = c.advance_to(deadline);
    assert!(matches!(
        &ev[..],
        [Event::JobExpired {
            refunded: REWARD,
            ..
        }]
    ));
}

/// Hana posts a rolling-points job for the coordinator, accepting for 20 days.
fn accept_free_post(id: &str, reward: u64) -> Operation {
    post_op(id, ROLLING, reward, addr(&kita()), T0 + 20 * DAY)
}

#[test]
fn operation_and_event_names() {
    let ops = [
        (post_op("j", COIN, 1, Address::ZERO, 1), "post_job"),
        (accept_op("j"), "accept_job"),
        (submit_op("j"), "submit_job"),
        (approve_op("j", None), "approve_job"),
        (cancel_op("j"), "cancel_job"),
        (consent_op("j"), "consent_cancel"),
        (dispute_op("j"), "dispute_job"),
        (resolve_op("j", 0), "resolve_job"),
    ];
    for (op, name) in ops {
        assert_eq!(op.name(), name);
    }
    assert_eq!(
        post_op("j", COIN, 1, addr(&kita()), 1).counterparties(),
        vec![addr(&kita())]
    );
}

#[test]
fn jobs_scan_pages_through_every_job_in_key_order() {
    let mut c = funded();
    for id in ["a", "bb", "c", "dd"] {
        post(&mut c, id);
    }
    let all = state::jobs(&c.state, &[], usize::MAX).unwrap();
    let ids: Vec<&str> = all.iter().map(|(_, j)| j.id.as_str()).collect();
    // Keys carry the id's length first: shorter ids come first.
    assert_eq!(ids, vec!["a", "c", "bb", "dd"]);
    let first = state::jobs(&c.state, &[], 2).unwrap();
    assert_eq!(first.len(), 2);
    let mut from = first[1].0.clone();
    from.push(0);
    let rest: Vec<String> = state::jobs(&c.state, &from, 10)
        .unwrap()
        .into_iter()
        .map(|(_, j)| j.id)
        .collect();
    assert_eq!(rest, vec!["bb".to_string(), "dd".to_string()]);
    assert!(
        state::jobs(&c.state, &from, 10)
            .unwrap()
            .iter()
            .all(|(_, j)| j.state == JobState::Posted)
    );
}
