//! Supply conservation under random histories: random operations, valid and
//! not, from random signers, over block times that jump past expiries and
//! job timeouts. Value in jobs' escrow stays in supply. Governance votes and
//! credential operations are mixed in: they change who may mint, receive and
//! take jobs, and asset policies, but never the supply; every proposal closes
//! by the rule (executed or failed only past the threshold, rejected only
//! once it can no longer pass, expired only at its expiry) and the proposal
//! timers are exactly those of open proposals.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use yui_ledger::credential::CredentialStatus;
use yui_ledger::governance::{GovAction, PARAMS, ProposalState};
use yui_ledger::limits::{ACCESSES_KEPT_MAX, VALIDATORS_MAX};
use yui_ledger::state::{self, Job, JobState, keys};
use yui_ledger::{
    Address, AssetClass, AssetKind, BlockExecutor, Event, ExpiryPolicy, Keypair, MemState,
    Operation, Role, SignedTransaction, SpendScope, execute_block,
};

use crate::fixture::*;

mod strategies;
use strategies::*;
// The strategy, not the fixture's key by name.
use strategies::person;
mod checks;
use checks::*;

mod build;
use build::*;

mod flows;
use flows::*;

mod parties;
use parties::*;

/// Signers: the city, coord-minami, three merchants, three residents, a key
/// unknown at genesis (it exists once it receives value), a coordinator and
/// the chamber. The city, the coordinator and the chamber are the consortium.
fn people() -> Vec<Keypair> {
    vec![
        city(),
        minami(),
        bakery(),
        mall(),
        library(),
        hana(),
        taro(),
        emma(),
        stranger(),
        kita(),
        chamber(),
    ]
}

/// The coordinator's index in `people()`.
const COORD: usize = 9;
/// The consortium members' indices in `people()`.
const MEMBERS: [usize; 3] = [0, COORD, 10];
const KINDS: [&str; 2] = ["resident", "skill"];
const SCOPES: [&str; 2] = ["profile", "cred-0"];

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
        /// Index into `KINDS` of the credential its worker must hold.
        credential: Option<usize>,
    },
    /// A job operation; `party` has the job's poster, worker or coordinator
    /// (whichever the operation calls for) sign it instead of the planned signer.
    Job {
        job: u8,
        action: JobAction,
        party: bool,
    },
    Propose {
        id: u8,
        action: GovPlan,
        ttl_ms: u64,
    },
    Vote {
        id: u8,
        approve: bool,
    },
    Issue {
        id: u8,
        subject: usize,
        kind: usize,
        /// Valid from the block's time plus this (may be negative: already valid).
        from_ms: i64,
        validity_ms: u64,
    },
    SetStatus {
        id: u8,
        action: CredAction,
    },
    Consent {
        party: usize,
        scope: usize,
        expires_in_ms: Option<u64>,
    },
    Withdraw {
        party: usize,
        scope: usize,
    },
    Access {
        subject: usize,
        scope: usize,
    },
}

#[derive(Debug, Clone)]
enum CredAction {
    Suspend,
    Reinstate,
    Revoke,
}

#[derive(Debug, Clone)]
enum RolePlan {
    CredentialIssuer,
    Coordinator,
    Issuer(usize),
}

#[derive(Debug, Clone)]
enum GovPlan {
    /// `None` is a key that can never sign (all zeros).
    AddValidator {
        who: Option<usize>,
        delay: u64,
    },
    RemoveValidator {
        who: usize,
        delay: u64,
    },
    GrantRole {
        to: usize,
        role: RolePlan,
    },
    RevokeRole {
        to: usize,
        role: RolePlan,
    },
    DefineGold,
    UpdateAsset {
        asset: usize,
        transferable: bool,
        resident_only: bool,
    },
    /// An index into `PARAMS`, or past it for an unknown name.
    SetParam {
        param: usize,
        value: u64,
    },
    SetMember {
        who: usize,
        member: bool,
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
    // Hana and taro are residents; emma is not.
    for i in [5usize, 6] {
        let n = seed.len() as u64;
        let t = c.time_ms + BLOCK_MS;
        let op = Operation::IssueCredential {
            credential_id: format!("seed-{i}"),
            subject: who[i],
            kind: KINDS[0].into(),
            valid_from_ms: t,
            valid_until_ms: t + 1_000 * DAY,
            claims_digest: [0; 32],
        };
        seed.push(c.tx(&ppl[0], n, op).sign(&ppl[0]));
    }
    let out = c.block(&seed);
    prop_assert!(out.receipts.iter().all(|r| r.error.is_none()));
    check_invariants(&c)?;
    let mut parties = BTreeMap::new();
    let mut executed: BTreeSet<String> = BTreeSet::new();
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
                    .tx(&ppl[signer], nonce, build_op(&t.op, &who, ctx.height, time))
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
        let replay = execute_block(&c.state, ctx.clone(), &included)
            .map_err(|(i, e)| TestCaseError::fail(format!("{i}: {e}")))?;
        prop_assert_eq!(&replay, &outcome);
        let before = c.state.clone();
        c.state.apply(&outcome.writes);
        c.height += 1;
        c.time_ms = time;
        executed.extend(check_closes(
            &before,
            &ctx,
            &included,
            &outcome.receipts,
            &c,
        )?);
        for e in &outcome.begin_events {
            match e {
                Event::ProposalClosed {
                    proposal_id, state, ..
                } => {
                    let p = c.proposal(proposal_id);
                    prop_assert_eq!(*state, ProposalState::Expired);
                    prop_assert_eq!(p.state, ProposalState::Expired);
                    prop_assert!(p.expires_at_ms <= time);
                    let open_before = state::proposal(&before, proposal_id)
                        .unwrap()
                        .is_some_and(|p| p.state == ProposalState::Open);
                    prop_assert!(open_before);
                }
                Event::ValidatorSetChanged { skipped, .. } => {
                    prop_assert!(
                        skipped.is_empty(),
                        "approved validator changes skipped: {:?}",
                        skipped
                    );
                }
                _ => {}
            }
        }
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
    // Every proposal that executed did so by a checked transaction.
    for (_, p) in state::proposals(&c.state, &[], usize::MAX).unwrap() {
        if p.state == ProposalState::Executed {
            prop_assert!(executed.contains(&p.id), "{} executed unseen", p.id);
        }
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
    // Four jobs posted by hana, each to end differently.
    let post = |job: u8, reward: u64, deadline_ms: u64| {
        (
            5,
            OpPlan::PostJob {
                job,
                asset: 0,
                reward,
                coordinator: COORD,
                deadline_ms,
                credential: None,
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
    // Governance: gold is defined and its issuer role granted (twice
    // proposed: the second fails), a validator added, a proposal left to
    // expire, one rejected; then gold granted.
    let propose = |signer: usize, id: u8, action: GovPlan, ttl_ms: u64| {
        (signer, OpPlan::Propose { id, action, ttl_ms })
    };
    let vote = |signer: usize, id: u8, approve: bool| (signer, OpPlan::Vote { id, approve });
    let gold_issuer = GovPlan::GrantRole {
        to: 0,
        role: RolePlan::Issuer(4),
    };
    txs(
        &mut plan,
        BLOCK_MS,
        vec![
            propose(0, 0, GovPlan::DefineGold, 7 * DAY),
            vote(9, 0, true),
            vote(10, 0, true),
            propose(
                0,
                2,
                GovPlan::AddValidator {
                    who: Some(5),
                    delay: 3,
                },
                7 * DAY,
            ),
            vote(9, 2, true),
            vote(10, 2, true),
            propose(0, 3, GovPlan::SetParam { param: 0, value: 3 }, BLOCK_MS + 1),
            propose(
                9,
                4,
                GovPlan::GrantRole {
                    to: 8,
                    role: RolePlan::CredentialIssuer,
                },
                7 * DAY,
            ),
            vote(0, 4, false),
            propose(0, 6, gold_issuer.clone(), 7 * DAY),
            propose(0, 18, gold_issuer, 7 * DAY),
            vote(9, 6, true),
            vote(10, 6, true),
            vote(9, 18, true),
            vote(10, 18, true),
            (
                0,
                OpPlan::Grant {
                    to: 5,
                    asset: 4,
                    amount: 100,
                    event: None,
                },
            ),
        ],
    );
    // Credentials: emma becomes a resident, lets taro read her credential
    // twice, and takes a job for residents.
    txs(
        &mut plan,
        BLOCK_MS,
        vec![
            (
                0,
                OpPlan::Issue {
                    id: 0,
                    subject: 7,
                    kind: 0,
                    from_ms: -(DAY as i64),
                    validity_ms: 400 * DAY,
                },
            ),
            (
                7,
                OpPlan::Consent {
                    party: 6,
                    scope: 1,
                    expires_in_ms: None,
                },
            ),
            (
                6,
                OpPlan::Access {
                    subject: 7,
                    scope: 1,
                },
            ),
            (
                6,
                OpPlan::Access {
                    subject: 7,
                    scope: 1,
                },
            ),
            (
                5,
                OpPlan::PostJob {
                    job: 5,
                    asset: 0,
                    reward: 100,
                    coordinator: COORD,
                    deadline_ms: 10 * DAY,
                    credential: Some(0),
                },
            ),
            act(7, 5, JobAction::Accept),
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
                        .tx(&ppl[tx.signer], *e, build_op(&tx.op, &who, c.height + 1, t))
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
        .map(|i| {
            state::job(&c.state, &format!("job-{i}"))
                .unwrap()
                .unwrap()
                .state
        })
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
    let closed: Vec<(u8, ProposalState)> = [0u8, 2, 3, 4, 6, 18]
        .iter()
        .map(|i| (*i, c.proposal(&format!("prop-{i}")).state))
        .collect();
    assert_eq!(
        closed,
        [
            (0, ProposalState::Executed),
            (2, ProposalState::Executed),
            (3, ProposalState::Expired),
            (4, ProposalState::Rejected),
            (6, ProposalState::Executed),
            (18, ProposalState::Failed),
        ]
    );
    assert!(
        state::validators(&c.state)
            .unwrap()
            .iter()
            .any(|v| v.public_key == who[5])
    );
    let gold = c.asset(ASSETS[4]);
    assert_eq!((gold.issued, gold.expired), (100, 100));
    let consent = &state::consents_of(&c.state, &who[7]).unwrap()[0];
    assert_eq!((consent.party, consent.access_count), (who[6], 2));
    let job = state::job(&c.state, "job-5").unwrap().unwrap();
    assert_eq!(job.worker, Some(who[7]));
    if let Err(e) = check_invariants(&c) {
        panic!("{e}");
    }
}
