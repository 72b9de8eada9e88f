//! Supply conservation under random histories: random operations, valid and
//! not, from random signers, over block times that jump past expiries and
//! job timeouts. Value in jobs' escrow stays in supply.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use yui_ledger::state::{self, Job, JobState, keys};
use yui_ledger::{
    Address, BlockExecutor, Event, ExpiryPolicy, Keypair, Operation, SignedTransaction,
    execute_block,
};

use crate::fixture::*;

/// Signers: the city, the operator, three merchants, three residents, a key
/// unknown at genesis (it exists once it receives value) and a coordinator.
fn people() -> Vec<Keypair> {
    vec![
        city(),
        operator(),
        shop_small(),
        shop_large(),
        shop_public(),
        alice(),
        bob(),
        carol(),
        stranger(),
        coordinator(),
    ]
}

/// The coordinator's index in `people()`.
const COORD: usize = 9;

const ASSETS: [&str; 5] = [COIN, POINT, VOUCHER, ROLLING, "gold"];

#[derive(Debug, Clone)]
enum OpPlan {
    Charge {
        to: usize,
        amount: u64,
        deposit: u8,
        campaign: bool,
    },
    Grant {
        to: usize,
        asset: usize,
        amount: u64,
        event: Option<u8>,
    },
    Transfer {
        to: usize,
        asset: usize,
        amount: u64,
    },
    Pay {
        merchant: usize,
        invoice: u8,
        amount: u64,
        assets: Vec<usize>,
    },
    Refund {
        invoice: u8,
        amount: u64,
    },
    Redeem {
        asset: usize,
        amount: u64,
        payout: u8,
    },
    Burn {
        asset: usize,
        amount: u64,
    },
    PostJob {
        job: u8,
        asset: usize,
        reward: u64,
        coordinator: usize,
        deadline_ms: u64,
    },
    /// A job operation; `party` has the job's poster, worker or coordinator
    /// (whichever the operation calls for) sign it instead of the planned signer.
    Job {
        job: u8,
        action: JobAction,
        party: bool,
    },
}

#[derive(Debug, Clone)]
enum JobAction {
    Accept,
    Submit,
    Approve(Option<u8>),
    Cancel,
    Consent,
    Dispute,
    Resolve(u64),
}

#[derive(Debug, Clone)]
struct TxPlan {
    signer: usize,
    /// Added to the right nonce: mostly 0; else a replay or a gap.
    nonce_skew: i8,
    op: OpPlan,
}

#[derive(Debug, Clone)]
struct BlockPlan {
    advance_ms: u64,
    txs: Vec<TxPlan>,
}

/// Amounts minted: mostly ordinary, sometimes zero (malformed) or the
/// largest (overflow).
fn mint_amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        20 => 1..20_000u64,
        1 => Just(0u64),
        1 => Just(u64::MAX),
    ]
}

/// Amounts spent: mostly within what people hold, sometimes not.
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        20 => 1..800u64,
        4 => 1..20_000u64,
        1 => Just(0u64),
        1 => Just(u64::MAX),
    ]
}

fn person() -> impl Strategy<Value = usize> {
    0..10usize
}

fn asset() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 0..4usize, 1 => Just(4usize)]
}

/// Mostly a merchant.
fn merchant() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 2..5usize, 1 => person()]
}

fn op() -> impl Strategy<Value = OpPlan> {
    prop_oneof![
        3 => (person(), mint_amount(), 0..6u8, any::<bool>())
            .prop_map(|(to, amount, deposit, campaign)| OpPlan::Charge { to, amount, deposit, campaign }),
        3 => (person(), asset(), mint_amount(), proptest::option::of(0..3u8))
            .prop_map(|(to, asset, amount, event)| OpPlan::Grant { to, asset, amount, event }),
        2 => (person(), asset(), amount()).prop_map(|(to, asset, amount)| OpPlan::Transfer { to, asset, amount }),
        4 => (merchant(), 0..5u8, amount(), proptest::collection::vec(asset(), 0..3))
            .prop_map(|(merchant, invoice, amount, assets)| OpPlan::Pay { merchant, invoice, amount, assets }),
        2 => (0..5u8, amount()).prop_map(|(invoice, amount)| OpPlan::Refund { invoice, amount }),
        1 => (asset(), amount(), 0..4u8).prop_map(|(asset, amount, payout)| OpPlan::Redeem { asset, amount, payout }),
        1 => (asset(), amount()).prop_map(|(asset, amount)| OpPlan::Burn { asset, amount }),
        8 => (
            0..3u8,
            prop_oneof![4 => Just(0usize), 1 => Just(3usize), 1 => asset()],
            prop_oneof![10 => 1..300u64, 1 => amount()],
            prop_oneof![6 => Just(COORD), 1 => person()],
            prop_oneof![Just(BLOCK_MS), Just(10 * DAY), Just(40 * DAY), Just(300 * DAY)],
        )
            .prop_map(|(job, asset, reward, coordinator, deadline_ms)| OpPlan::PostJob {
                job,
                asset,
                reward,
                coordinator,
                deadline_ms,
            }),
        16 => (0..3u8, job_action(), proptest::bool::weighted(0.8))
            .prop_map(|(job, action, party)| OpPlan::Job { job, action, party }),
    ]
}

fn job_action() -> impl Strategy<Value = JobAction> {
    prop_oneof![
        3 => Just(JobAction::Accept),
        3 => Just(JobAction::Submit),
        3 => prop_oneof![8 => proptest::option::of(1..=5u8), 1 => Just(Some(0u8)), 1 => Just(Some(6u8))]
            .prop_map(JobAction::Approve),
        1 => Just(JobAction::Cancel),
        1 => Just(JobAction::Consent),
        1 => Just(JobAction::Dispute),
        1 => amount().prop_map(JobAction::Resolve),
    ]
}

/// A job's parties as the history so far made them (from events).
#[derive(Debug, Clone)]
struct Parties {
    poster: Address,
    coordinator: Address,
    worker: Option<Address>,
    consent: bool,
}

fn note_parties(parties: &mut BTreeMap<String, Parties>, events: &[Event]) {
    for e in events {
        match e {
            Event::JobPosted {
                job_id,
                poster,
                coordinator,
                ..
            } => {
                parties.insert(
                    job_id.clone(),
                    Parties {
                        poster: *poster,
                        coordinator: *coordinator,
                        worker: None,
                        consent: false,
                    },
                );
            }
            Event::JobAccepted { job_id, worker, .. } => {
                if let Some(p) = parties.get_mut(job_id) {
                    p.worker = Some(*worker);
                }
            }
            Event::JobCancelConsented { job_id, .. } => {
                if let Some(p) = parties.get_mut(job_id) {
                    p.consent = true;
                }
            }
            _ => {}
        }
    }
}

/// The signer a job operation calls for, when it asks for its party.
fn party_signer(parties: &BTreeMap<String, Parties>, p: &OpPlan, who: &[Address]) -> Option<usize> {
    let OpPlan::Job {
        job,
        action,
        party: true,
    } = p
    else {
        return None;
    };
    let j = parties.get(&format!("job-{job}"))?;
    let a = match action {
        // Any resident who is neither its poster nor its coordinator.
        JobAction::Accept => *who[5..8]
            .iter()
            .find(|a| **a != j.poster && **a != j.coordinator)?,
        JobAction::Submit | JobAction::Consent => j.worker?,
        JobAction::Approve(_) | JobAction::Dispute => j.poster,
        JobAction::Cancel if j.consent || j.worker.is_none() => j.poster,
        JobAction::Cancel | JobAction::Resolve(_) => j.coordinator,
    };
    who.iter().position(|w| *w == a)
}

fn tx_plan() -> impl Strategy<Value = TxPlan> {
    let usual = proptest::bool::weighted(0.85);
    (
        op(),
        prop_oneof![10 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)],
        person(),
        usual,
    )
        .prop_map(|(op, nonce_skew, signer, issuer_signs)| {
            // Minting is mostly, not only, done by the issuer; refunds and
            // redemptions by merchants.
            let signer = match op {
                OpPlan::Charge { .. } | OpPlan::Grant { .. } if issuer_signs => 0,
                OpPlan::Refund { .. } | OpPlan::Redeem { .. } if issuer_signs => 2 + signer % 3,
                _ => signer,
            };
            TxPlan {
                signer,
                nonce_skew,
                op,
            }
        })
}

fn block_plan() -> impl Strategy<Value = BlockPlan> {
    let advance = prop_oneof![
        Just(1_000u64),
        Just(BLOCK_MS),
        Just(DAY),
        Just(31 * DAY),
        Just(100 * DAY),
        Just(200 * DAY),
    ];
    let group = prop_oneof![5 => tx_plan().prop_map(|t| vec![t]), 1 => job_flow()];
    (advance, proptest::collection::vec(group, 0..7)).prop_map(|(advance_ms, groups)| BlockPlan {
        advance_ms,
        txs: groups.into_iter().flatten().take(12).collect(),
    })
}

/// A job posted by a resident and taken some way through its life, each
/// step signed by the party it calls for.
fn job_flow() -> impl Strategy<Value = Vec<TxPlan>> {
    use JobAction::*;
    let script = prop_oneof![
        Just(vec![Accept, Submit, Approve(Some(4))]),
        Just(vec![Accept, Submit]),
        Just(vec![Accept]),
        Just(vec![Cancel]),
        Just(vec![]),
        Just(vec![Accept, Consent, Cancel]),
        Just(vec![Accept, Cancel]),
        (any::<bool>(), 0..400u64).prop_map(|(submit, split)| if submit {
            vec![Accept, Submit, Dispute, Resolve(split)]
        } else {
            vec![Accept, Dispute, Resolve(split)]
        }),
        proptest::collection::vec(job_action(), 0..4),
    ];
    (
        0..6u8,
        prop_oneof![10 => 1..300u64, 1 => amount()],
        prop_oneof![3 => Just(0usize), 1 => Just(3usize)],
        prop_oneof![Just(DAY), Just(40 * DAY), Just(300 * DAY)],
        5..8usize,
        script,
    )
        .prop_map(|(job, reward, asset, deadline_ms, poster, script)| {
            let mut v = vec![TxPlan {
                signer: poster,
                nonce_skew: 0,
                op: OpPlan::PostJob {
                    job,
                    asset,
                    reward,
                    coordinator: COORD,
                    deadline_ms,
                },
            }];
            v.extend(script.into_iter().map(|action| TxPlan {
                signer: poster,
                nonce_skew: 0,
                op: OpPlan::Job {
                    job,
                    action,
                    party: true,
                },
            }));
            v
        })
}

fn build_op(p: &OpPlan, who: &[Address], now_ms: u64) -> Operation {
    let s = |x: &str| x.to_string();
    match p {
        OpPlan::Charge {
            to,
            amount,
            deposit,
            campaign,
        } => Operation::Charge {
            to: who[*to],
            asset: s(COIN),
            amount: *amount,
            deposit_ref: format!("dep-{deposit}"),
            campaign: campaign.then(|| s(CAMPAIGN)),
        },
        OpPlan::Grant {
            to,
            asset,
            amount,
            event,
        } => Operation::Grant {
            to: who[*to],
            asset: s(ASSETS[*asset]),
            amount: *amount,
            reason: s("prop"),
            event_id: event.map(|e| format!("ev-{e}")),
        },
        OpPlan::Transfer { to, asset, amount } => Operation::Transfer {
            to: who[*to],
            asset: s(ASSETS[*asset]),
            amount: *amount,
        },
        OpPlan::Pay {
            merchant,
            invoice,
            amount,
            assets,
        } => Operation::Pay {
            merchant: who[*merchant],
            invoice_id: format!("inv-{invoice}"),
            amount: *amount,
            assets: assets.iter().map(|a| s(ASSETS[*a])).collect(),
        },
        OpPlan::Refund { invoice, amount } => Operation::Refund {
            invoice_id: format!("inv-{invoice}"),
            amount: *amount,
        },
        OpPlan::Redeem {
            asset,
            amount,
            payout,
        } => Operation::Redeem {
            asset: s(ASSETS[*asset]),
            amount: *amount,
            payout_ref: format!("pay-{payout}"),
        },
        OpPlan::Burn { asset, amount } => Operation::Burn {
            asset: s(ASSETS[*asset]),
            amount: *amount,
        },
        OpPlan::PostJob {
            job,
            asset,
            reward,
            coordinator,
            deadline_ms,
        } => Operation::PostJob {
            job_id: format!("job-{job}"),
            asset: s(ASSETS[*asset]),
            reward: *reward,
            coordinator: who[*coordinator],
            accept_deadline_ms: now_ms.saturating_add(*deadline_ms),
            required_credential: None,
            description_hash: [*job; 32],
        },
        OpPlan::Job { job, action, .. } => {
            let job_id = format!("job-{job}");
            match action {
                JobAction::Accept => Operation::AcceptJob { job_id },
                JobAction::Submit => Operation::SubmitJob {
                    job_id,
                    proof_hash: [1; 32],
                },
                JobAction::Approve(rating) => Operation::ApproveJob {
                    job_id,
                    rating: *rating,
                },
                JobAction::Cancel => Operation::CancelJob { job_id },
                JobAction::Consent => Operation::ConsentCancel { job_id },
                JobAction::Dispute => Operation::DisputeJob {
                    job_id,
                    reason_hash: [2; 32],
                },
                JobAction::Resolve(to_worker) => Operation::ResolveJob {
                    job_id,
                    to_worker: *to_worker,
                },
            }
        }
    }
}

/// Every job in the state.
fn all_jobs(c: &Chain) -> Vec<Job> {
    c.state
        .map
        .iter()
        .filter(|(k, _)| k.first() == Some(&b'j'))
        .map(|(_, v)| borsh::from_slice(v).unwrap())
        .collect()
}

/// Supply figures add up, holdings are well formed and the expiry queue
/// matches the holdings exactly.
fn check_invariants(c: &Chain) -> Result<(), TestCaseError> {
    let holdings = c.all_holdings();
    let jobs = all_jobs(c);
    let mut timers_from_jobs = BTreeSet::new();
    for j in &jobs {
        if j.state.is_open() {
            prop_assert_eq!(j.escrow_total(), j.reward, "open job {} escrow", &j.id);
        } else {
            prop_assert!(j.escrow.is_empty(), "closed job {} holds escrow", j.id);
        }
        let timed = matches!(j.state, JobState::Posted | JobState::Submitted);
        prop_assert_eq!(j.timer_at.is_some(), timed, "job {} timer", &j.id);
        if let Some(t) = j.timer_at {
            prop_assert!(t > c.time_ms, "job {} timeout {} left due", j.id, t);
            timers_from_jobs.insert(keys::job_timer(t, &j.id));
        }
    }
    let timers: BTreeSet<Vec<u8>> = c
        .state
        .map
        .keys()
        .filter(|k| k.first() == Some(&b'q'))
        .cloned()
        .collect();
    prop_assert_eq!(timers, timers_from_jobs, "job timers out of step with jobs");
    for s in state::assets(&c.state) {
        let id = &s.class.id;
        // Escrow is the sum of open jobs' rewards (checked per job above).
        let escrow: u128 = jobs
            .iter()
            .filter(|j| &j.asset == id && j.state.is_open())
            .map(|j| u128::from(j.reward))
            .sum();
        let all: u128 = holdings
            .iter()
            .filter(|(_, a, _)| a == id)
            .map(|(_, _, h)| u128::from(h.total()))
            .sum();
        let held: u128 = holdings
            .iter()
            .filter(|(who, a, _)| a == id && *who != s.class.breakage_account)
            .map(|(_, _, h)| u128::from(h.total()))
            .sum();
        let (issued, burned, expired) = (
            u128::from(s.issued),
            u128::from(s.burned),
            u128::from(s.expired),
        );
        prop_assert!(
            burned + expired <= issued,
            "{id}: burned {burned} + expired {expired} > issued {issued}"
        );
        prop_assert_eq!(
            issued - burned,
            all + escrow,
            "{}: issued - burned != all holdings + escrow",
            id
        );
        prop_assert_eq!(
            issued - burned - expired,
            held + escrow,
            "{}: issued - burned - expired != holders' total + escrow",
            id
        );
    }
    let mut queue_from_holdings = BTreeSet::new();
    for (who, asset, h) in &holdings {
        prop_assert!(!h.lots.is_empty(), "an empty holding is stored");
        prop_assert!(h.lots.iter().all(|l| l.amount > 0), "a zero lot is stored");
        let rank = |e: Option<u64>| e.map_or(u128::MAX, u128::from);
        prop_assert!(
            h.lots
                .windows(2)
                .all(|w| rank(w[0].expires_at) < rank(w[1].expires_at)),
            "lots unsorted"
        );
        let total = h.lots.iter().try_fold(0u64, |a, l| a.checked_add(l.amount));
        prop_assert!(total.is_some(), "a holding sums past u64");
        if let Some(t) = h.next_expiry() {
            // Everything due was expired at the block's start; only value
            // minted in the block past a fixed date can be due (it expires at
            // the next block's start).
            let late_fixed = c.asset(asset).class.expiry == ExpiryPolicy::FixedDate(t);
            prop_assert!(
                t > c.time_ms || late_fixed,
                "a {} lot due at {} is held after {}",
                asset,
                t,
                c.time_ms
            );
            queue_from_holdings.insert(keys::expiry(t, asset, who));
        }
    }
    let queue: BTreeSet<Vec<u8>> = c
        .state
        .map
        .keys()
        .filter(|k| k.first() == Some(&b'x'))
        .cloned()
        .collect();
    prop_assert_eq!(
        queue,
        queue_from_holdings,
        "expiry queue out of step with the holdings"
    );
    Ok(())
}

fn run(plan: &[BlockPlan]) -> Result<(), TestCaseError> {
    let ppl = people();
    let who: Vec<Address> = ppl.iter().map(Keypair::address).collect();
    let mut c = Chain::new();
    // Everyone starts with some of everything.
    let mut seed = Vec::new();
    for (i, a) in who.iter().enumerate().skip(1).take(7) {
        let ops = [
            charge_op(*a, 5_000, &format!("seed-{i}"), None),
            grant_op(*a, POINT, 500, "seed", None),
            grant_op(*a, VOUCHER, 2_000, "seed", None),
            grant_op(*a, ROLLING, 300, "seed", None),
        ];
        for op in ops {
            let n = seed.len() as u64;
            seed.push(c.tx(&ppl[0], n, op).sign(&ppl[0]));
        }
    }
    let out = c.block(&seed);
    prop_assert!(out.receipts.iter().all(|r| r.error.is_none()));
    check_invariants(&c)?;
    let mut parties = BTreeMap::new();
    for b in plan {
        let time = c.time_ms + b.advance_ms;
        let ctx = c.ctx_at(time);
        let nonces_before: Vec<u64> = who.iter().map(|a| c.nonce(a)).collect();
        let mut next = nonces_before.clone();
        let mut included: Vec<SignedTransaction> = Vec::new();
        let mut counts = vec![0u64; who.len()];
        let outcome = {
            let mut ex = BlockExecutor::begin(&c.state, ctx.clone())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            for t in &b.txs {
                let signer = party_signer(&parties, &t.op, &who).unwrap_or(t.signer);
                let nonce = next[signer].saturating_add_signed(i64::from(t.nonce_skew));
                let stx = c
                    .tx(&ppl[signer], nonce, build_op(&t.op, &who, time))
                    .sign(&ppl[signer]);
                if let Ok(r) = ex.push(&stx, false) {
                    note_parties(&mut parties, &r.events);
                    next[signer] += 1;
                    counts[signer] += 1;
                    included.push(stx);
                }
            }
            ex.finish()
        };
        // Replaying the included transactions gives the same block.
        let replay = execute_block(&c.state, ctx, &included)
            .map_err(|(i, e)| TestCaseError::fail(format!("{i}: {e}")))?;
        prop_assert_eq!(&replay, &outcome);
        c.state.apply(&outcome.writes);
        c.height += 1;
        c.time_ms = time;
        for (i, a) in who.iter().enumerate() {
            prop_assert_eq!(
                c.nonce(a),
                nonces_before[i] + counts[i],
                "nonce of signer {}",
                i
            );
        }
        check_invariants(&c)?;
    }
    // One more block processes everything due: nothing due is left behind.
    let t = c.time_ms + 1;
    c.advance_to(t);
    for (_, asset, h) in c.all_holdings() {
        prop_assert!(
            h.next_expiry().is_none_or(|e| e > t),
            "{} lot left due",
            asset
        );
    }
    check_invariants(&c)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn supply_is_conserved(plan in proptest::collection::vec(block_plan(), 1..10)) {
        run(&plan)?;
    }
}

/// A fixed history through every operation and past every expiry, so the
/// property's checks are known to see real activity.
#[test]
fn supply_checks_see_a_busy_history() {
    let ppl = people();
    let who: Vec<Address> = ppl.iter().map(Keypair::address).collect();
    let txs = |blocks: &mut Vec<BlockPlan>, advance_ms: u64, ops: Vec<(usize, OpPlan)>| {
        blocks.push(BlockPlan {
            advance_ms,
            txs: ops
                .into_iter()
                .map(|(signer, op)| TxPlan {
                    signer,
                    nonce_skew: 0,
                    op,
                })
                .collect(),
        })
    };
    let mut plan = Vec::new();
    txs(
        &mut plan,
        BLOCK_MS,
        vec![
            (
                0,
                OpPlan::Charge {
                    to: 5,
                    amount: 10_000,
                    deposit: 1,
                    campaign: true,
                },
            ),
            (
                0,
                OpPlan::Grant {
                    to: 5,
                    asset: 1,
                    amount: 500,
                    event: Some(1),
                },
            ),
            (
                0,
                OpPlan::Grant {
                    to: 6,
                    asset: 2,
                    amount: 5_000,
                    event: None,
                },
            ),
            (
                0,
                OpPlan::Grant {
                    to: 7,
                    asset: 3,
                    amount: 700,
                    event: None,
                },
            ),
        ],
    );
    txs(
        &mut plan,
        DAY,
        vec![
            (
                5,
                OpPlan::Pay {
                    merchant: 2,
                    invoice: 1,
                    amount: 3_000,
                    assets: vec![],
                },
            ),
            (
                6,
                OpPlan::Pay {
                    merchant: 2,
                    invoice: 2,
                    amount: 1_000,
                    assets: vec![],
                },
            ),
            (
                7,
                OpPlan::Transfer {
                    to: 8,
                    asset: 3,
                    amount: 200,
                },
            ),
            (
                2,
                OpPlan::Refund {
                    invoice: 1,
                    amount: 700,
                },
            ),
            (
                2,
                OpPlan::Redeem {
                    asset: 0,
                    amount: 1_000,
                    payout: 1,
                },
            ),
            (
                5,
                OpPlan::Burn {
                    asset: 0,
                    amount: 100,
                },
            ),
        ],
    );
    // Four jobs posted by alice, each to end differently.
    let post = |job: u8, reward: u64, deadline_ms: u64| {
        (
            5,
            OpPlan::PostJob {
                job,
                asset: 0,
                reward,
                coordinator: COORD,
                deadline_ms,
            },
        )
    };
    let act = |signer: usize, job: u8, action: JobAction| {
        (
            signer,
            OpPlan::Job {
                job,
                action,
                party: false,
            },
        )
    };
    txs(
        &mut plan,
        BLOCK_MS,
        vec![
            post(0, 1_000, 10 * DAY),
            post(1, 500, DAY),
            post(2, 300, 10 * DAY),
            post(3, 200, 10 * DAY),
        ],
    );
    txs(
        &mut plan,
        BLOCK_MS,
        vec![
            act(6, 0, JobAction::Accept),
            act(6, 0, JobAction::Submit),
            act(5, 0, JobAction::Approve(Some(4))),
            act(7, 2, JobAction::Accept),
            act(7, 2, JobAction::Submit),
            act(6, 3, JobAction::Accept),
            act(6, 3, JobAction::Dispute),
            act(COORD, 3, JobAction::Resolve(50)),
        ],
    );
    txs(
        &mut plan,
        200 * DAY,
        vec![(
            0,
            OpPlan::Grant {
                to: 5,
                asset: 1,
                amount: 1,
                event: None,
            },
        )],
    );
    if let Err(e) = run(&plan) {
        panic!("{e}");
    }
    // The same history, checked by hand at its end.
    let mut c = Chain::new();
    for b in &plan {
        let t = c.time_ms + b.advance_ms;
        let signed: Vec<SignedTransaction> = {
            let mut n: BTreeMap<usize, u64> = BTreeMap::new();
            b.txs
                .iter()
                .map(|tx| {
                    let e = n
                        .entry(tx.signer)
                        .or_insert_with(|| c.nonce(&who[tx.signer]));
                    let stx = c
                        .tx(&ppl[tx.signer], *e, build_op(&tx.op, &who, t))
                        .sign(&ppl[tx.signer]);
                    *e += 1;
                    stx
                })
                .collect()
        };
        let out = c.block_at(t, &signed);
        assert!(
            out.receipts.iter().all(|r| r.error.is_none()),
            "{:?}",
            out.receipts
        );
    }
    for a in [POINT, VOUCHER, ROLLING] {
        assert!(c.asset(a).expired > 0, "{a} never expired");
    }
    let coin = c.asset(COIN);
    assert_eq!(coin.burned, 100 + 1_000 - 15);
    let ends: Vec<JobState> = (0..4)
        .map(|i| state::job(&c.state, &format!("job-{i}")).unwrap().state)
        .collect();
    assert_eq!(
        ends,
        [
            JobState::Approved,
            JobState::Expired,
            JobState::AutoReleased,
            JobState::Resolved
        ]
    );
    assert_eq!(c.balance(&who[6], COIN), 1_000 + 50);
    assert_eq!(c.balance(&who[7], COIN), 300);
    if let Err(e) = check_invariants(&c) {
        panic!("{e}");
    }
}
