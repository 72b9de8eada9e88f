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
    0..11usize
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
            prop_oneof![3 => Just(None), 1 => (0..2usize).prop_map(Some)],
        )
            .prop_map(|(job, asset, reward, coordinator, deadline_ms, credential)| OpPlan::PostJob {
                job,
                asset,
                reward,
                coordinator,
                deadline_ms,
                credential,
            }),
        16 => (0..3u8, job_action(), proptest::bool::weighted(0.8))
            .prop_map(|(job, action, party)| OpPlan::Job { job, action, party }),
        2 => (proposal_id(), gov_plan(), ttl())
            .prop_map(|(id, action, ttl_ms)| OpPlan::Propose { id, action, ttl_ms }),
        4 => (proposal_id(), proptest::bool::weighted(0.8))
            .prop_map(|(id, approve)| OpPlan::Vote { id, approve }),
        4 => (
            0..4u8,
            person(),
            0..2usize,
            prop_oneof![3 => Just(-(DAY as i64)), 1 => Just(0i64), 1 => Just(5 * DAY as i64)],
            prop_oneof![Just(1u64), Just(DAY), Just(40 * DAY), Just(400 * DAY)],
        )
            .prop_map(|(id, subject, kind, from_ms, validity_ms)| OpPlan::Issue {
                id,
                subject,
                kind,
                from_ms,
                validity_ms,
            }),
        2 => (
            0..4u8,
            prop_oneof![Just(CredAction::Suspend), Just(CredAction::Reinstate), Just(CredAction::Revoke)],
        )
            .prop_map(|(id, action)| OpPlan::SetStatus { id, action }),
        1 => (person(), 0..2usize, proptest::option::of(prop_oneof![Just(BLOCK_MS), Just(DAY), Just(100 * DAY)]))
            .prop_map(|(party, scope, expires_in_ms)| OpPlan::Consent { party, scope, expires_in_ms }),
        1 => (person(), 0..2usize).prop_map(|(party, scope)| OpPlan::Withdraw { party, scope }),
        2 => (person(), 0..2usize).prop_map(|(subject, scope)| OpPlan::Access { subject, scope }),
    ]
}

fn proposal_id() -> impl Strategy<Value = u8> {
    0..24u8
}

fn ttl() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => Just(7 * DAY),
        2 => Just(BLOCK_MS + 1),
        1 => Just(2 * DAY),
        1 => Just(0u64),
        1 => Just(31 * DAY),
    ]
}

fn role_plan() -> impl Strategy<Value = RolePlan> {
    prop_oneof![
        2 => Just(RolePlan::CredentialIssuer),
        1 => Just(RolePlan::Coordinator),
        2 => asset().prop_map(RolePlan::Issuer),
    ]
}

/// Heights from the proposal to its validator change: mostly far enough for
/// votes in the same block, sometimes too soon.
fn delay() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 2..12u64, 1 => 0..2u64]
}

fn gov_plan() -> impl Strategy<Value = GovPlan> {
    prop_oneof![
        // Validator changes mostly of a few keys, so that changes of one key
        // meet in the queue.
        2 => (
            prop_oneof![4 => (5..7usize).prop_map(Some), 2 => person().prop_map(Some), 1 => Just(None)],
            delay(),
        )
            .prop_map(|(who, delay)| GovPlan::AddValidator { who, delay }),
        2 => (prop_oneof![Just(0usize), Just(10usize), 5..7usize, person()], delay())
            .prop_map(|(who, delay)| GovPlan::RemoveValidator { who, delay }),
        3 => (person(), role_plan()).prop_map(|(to, role)| GovPlan::GrantRole { to, role }),
        2 => (person(), role_plan()).prop_map(|(to, role)| GovPlan::RevokeRole { to, role }),
        2 => Just(GovPlan::DefineGold),
        2 => (asset(), any::<bool>(), proptest::bool::weighted(0.3))
            .prop_map(|(asset, transferable, resident_only)| GovPlan::UpdateAsset {
                asset,
                transferable,
                resident_only,
            }),
        2 => (0..PARAMS.len() + 1, prop_oneof![3 => 1..6u64, 1 => 0..400u64])
            .prop_map(|(param, value)| GovPlan::SetParam { param, value }),
        2 => (person(), proptest::bool::weighted(0.6))
            .prop_map(|(who, member)| GovPlan::SetMember { who, member }),
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
                OpPlan::Propose { .. } | OpPlan::Vote { .. } if issuer_signs => MEMBERS[signer % 3],
                OpPlan::Issue { .. } | OpPlan::SetStatus { .. } if issuer_signs => 0,
                // Consents are given by, and accesses recorded by, residents mostly.
                OpPlan::Consent { .. } | OpPlan::Withdraw { .. } | OpPlan::Access { .. }
                    if issuer_signs =>
                {
                    5 + signer % 3
                }
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
    let group = prop_oneof![
        6 => tx_plan().prop_map(|t| vec![t]),
        2 => job_flow(),
        2 => gov_flow(),
        1 => cred_flow(),
    ];
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
        prop_oneof![3 => Just(None), 1 => Just(Some(0usize))],
    )
        .prop_map(
            |(job, reward, asset, deadline_ms, poster, script, credential)| {
                let mut v = vec![TxPlan {
                    signer: poster,
                    nonce_skew: 0,
                    op: OpPlan::PostJob {
                        job,
                        asset,
                        reward,
                        coordinator: COORD,
                        deadline_ms,
                        credential,
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
            },
        )
}

/// A proposal by one member and the others' votes, mostly approving;
/// sometimes two proposals of the same action, both open before either
/// passes, so that the second may fail when carried out.
fn gov_flow() -> impl Strategy<Value = Vec<TxPlan>> {
    (
        0..12u8,
        gov_plan(),
        0..3usize,
        proptest::collection::vec(proptest::bool::weighted(0.9), 2),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(id, action, proposer, votes, twice)| {
            let ids = if twice { vec![id, id + 12] } else { vec![id] };
            let mut v: Vec<TxPlan> = ids
                .iter()
                .map(|id| TxPlan {
                    signer: MEMBERS[proposer],
                    nonce_skew: 0,
                    op: OpPlan::Propose {
                        id: *id,
                        action: action.clone(),
                        ttl_ms: 7 * DAY,
                    },
                })
                .collect();
            for id in ids {
                let others = MEMBERS.iter().filter(|m| **m != MEMBERS[proposer]);
                v.extend(others.zip(&votes).map(|(m, approve)| TxPlan {
                    signer: *m,
                    nonce_skew: 0,
                    op: OpPlan::Vote {
                        id,
                        approve: *approve,
                    },
                }));
            }
            v
        })
}

/// The city issues a credential to a resident, who lets someone read it;
/// that party records accesses; then maybe a status change or a withdrawal
/// and one more access.
fn cred_flow() -> impl Strategy<Value = Vec<TxPlan>> {
    (
        0..4u8,
        5..8usize,
        0..2usize,
        person(),
        0..2usize,
        0..3usize,
        proptest::option::of(prop_oneof![
            Just(CredAction::Suspend),
            Just(CredAction::Revoke),
            Just(CredAction::Reinstate)
        ]),
        any::<bool>(),
    )
        .prop_map(
            |(id, subject, kind, party, scope, reads, status, withdraw)| {
                let tx = |signer: usize, op: OpPlan| TxPlan {
                    signer,
                    nonce_skew: 0,
                    op,
                };
                let access = OpPlan::Access { subject, scope };
                let mut v = vec![
                    tx(
                        0,
                        OpPlan::Issue {
                            id,
                            subject,
                            kind,
                            from_ms: -(DAY as i64),
                            validity_ms: 400 * DAY,
                        },
                    ),
                    tx(
                        subject,
                        OpPlan::Consent {
                            party,
                            scope,
                            expires_in_ms: None,
                        },
                    ),
                ];
                v.extend((0..reads).map(|_| tx(party, access.clone())));
                if let Some(action) = status {
                    v.push(tx(0, OpPlan::SetStatus { id, action }));
                }
                if withdraw {
                    v.push(tx(subject, OpPlan::Withdraw { party, scope }));
                }
                v.push(tx(party, access));
                v
            },
        )
}

/// An asset class that is not defined at genesis; governance may define it.
fn gold_class() -> AssetClass {
    AssetClass {
        id: ASSETS[4].into(),
        kind: AssetKind::Point,
        issuers: vec![],
        transferable: true,
        spendable_at: SpendScope::Anyone,
        redeemable: false,
        redeem_fee_bps: 0,
        fee_account: city().address(),
        holding_cap: 0,
        expiry: ExpiryPolicy::DaysPerLot(20),
        breakage_account: breakage(),
        pay_priority: 3,
        required_credential: None,
    }
}

fn role_of(r: &RolePlan) -> Role {
    match r {
        RolePlan::CredentialIssuer => Role::CredentialIssuer,
        RolePlan::Coordinator => Role::Coordinator,
        RolePlan::Issuer(a) => Role::Issuer(ASSETS[*a].into()),
    }
}

fn build_gov(g: &GovPlan, who: &[Address], height: u64) -> GovAction {
    match g {
        GovPlan::AddValidator { who: w, delay } => GovAction::AddValidator {
            name: "v".into(),
            public_key: w.map_or(Address::ZERO, |i| who[i]),
            power: 1,
            effective_height: height + delay,
        },
        GovPlan::RemoveValidator { who: w, delay } => GovAction::RemoveValidator {
            public_key: who[*w],
            effective_height: height + delay,
        },
        GovPlan::GrantRole { to, role } => GovAction::GrantRole {
            account: who[*to],
            role: role_of(role),
        },
        GovPlan::RevokeRole { to, role } => GovAction::RevokeRole {
            account: who[*to],
            role: role_of(role),
        },
        GovPlan::DefineGold => GovAction::DefineAsset {
            class: gold_class(),
        },
        GovPlan::UpdateAsset {
            asset,
            transferable,
            resident_only,
        } => {
            let mut class = genesis()
                .assets
                .into_iter()
                .find(|a| a.id == ASSETS[*asset])
                .unwrap_or_else(gold_class);
            class.transferable = *transferable;
            class.required_credential = resident_only.then(|| KINDS[0].to_string());
            GovAction::UpdateAsset { class }
        }
        GovPlan::SetParam { param, value } => GovAction::SetParam {
            name: PARAMS.get(*param).map_or("bogus", |p| p.0).into(),
            value: *value,
        },
        GovPlan::SetMember { who: w, member } => GovAction::SetMember {
            account: who[*w],
            member: *member,
        },
    }
}

fn build_op(p: &OpPlan, who: &[Address], height: u64, now_ms: u64) -> Operation {
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
            credential,
        } => Operation::PostJob {
            job_id: format!("job-{job}"),
            asset: s(ASSETS[*asset]),
            reward: *reward,
            coordinator: who[*coordinator],
            accept_deadline_ms: now_ms.saturating_add(*deadline_ms),
            required_credential: credential.map(|k| s(KINDS[k])),
            description_hash: [*job; 32],
        },
        OpPlan::Propose { id, action, ttl_ms } => Operation::Propose {
            proposal_id: format!("prop-{id}"),
            action: build_gov(action, who, height),
            expires_at_ms: now_ms + ttl_ms,
        },
        OpPlan::Vote { id, approve } => Operation::Vote {
            proposal_id: format!("prop-{id}"),
            approve: *approve,
        },
        OpPlan::Issue {
            id,
            subject,
            kind,
            from_ms,
            validity_ms,
        } => {
            let from = now_ms.saturating_add_signed(*from_ms);
            Operation::IssueCredential {
                credential_id: format!("cred-{id}"),
                subject: who[*subject],
                kind: s(KINDS[*kind]),
                valid_from_ms: from,
                valid_until_ms: from + validity_ms,
                claims_digest: [*id; 32],
            }
        }
        OpPlan::SetStatus { id, action } => {
            let credential_id = format!("cred-{id}");
            match action {
                CredAction::Suspend => Operation::SuspendCredential {
                    credential_id,
                    reason: s("prop"),
                },
                CredAction::Reinstate => Operation::ReinstateCredential { credential_id },
                CredAction::Revoke => Operation::RevokeCredential {
                    credential_id,
                    reason: s("prop"),
                },
            }
        }
        OpPlan::Consent {
            party,
            scope,
            expires_in_ms,
        } => Operation::GrantConsent {
            party: who[*party],
            scope: s(SCOPES[*scope]),
            expires_at_ms: expires_in_ms.map(|d| now_ms + d),
        },
        OpPlan::Withdraw { party, scope } => Operation::RevokeConsent {
            party: who[*party],
            scope: s(SCOPES[*scope]),
        },
        OpPlan::Access { subject, scope } => Operation::RecordAccess {
            subject: who[*subject],
            scope: s(SCOPES[*scope]),
            purpose: s("prop"),
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
    for s in state::assets(&c.state).unwrap() {
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
            // Everything due was expired at the block's start, and nothing
            // is minted past a fixed date.
            prop_assert!(
                t > c.time_ms,
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
    check_governance(c)?;
    check_credentials(c)
}

/// Proposals, their timers, members, parameters and the validator set.
fn check_governance(c: &Chain) -> Result<(), TestCaseError> {
    let proposals: Vec<_> = state::proposals(&c.state, &[], usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let mut open_timers = BTreeSet::new();
    for p in &proposals {
        let open = p.state == ProposalState::Open;
        prop_assert_eq!(
            p.closed_height.is_none(),
            open,
            "proposal {} closed_height",
            &p.id
        );
        prop_assert_eq!(p.closed_ms.is_none(), open, "proposal {} closed_ms", &p.id);
        prop_assert!(!p.approvals.is_empty() && p.approvals[0] == p.proposer);
        prop_assert!(p.approvals.iter().all(|a| !p.rejections.contains(a)));
        if open {
            prop_assert!(
                p.expires_at_ms > c.time_ms,
                "open proposal {} is past its expiry",
                p.id
            );
            open_timers.insert(keys::proposal_timer(p.expires_at_ms, &p.id));
        }
        if p.state == ProposalState::Expired {
            prop_assert!(p.closed_ms.is_some_and(|t| t >= p.expires_at_ms));
        }
    }
    let timers: BTreeSet<Vec<u8>> = c
        .state
        .map
        .keys()
        .filter(|k| keys::parse_proposal_timer(k).is_some())
        .cloned()
        .collect();
    prop_assert_eq!(
        timers,
        open_timers,
        "proposal timers are not those of open proposals"
    );

    let members = state::members(&c.state).unwrap();
    prop_assert!(!members.is_empty(), "no members left");
    prop_assert!(members.windows(2).all(|w| w[0] < w[1]), "members unsorted");
    let params = state::params(&c.state).unwrap().unwrap();
    prop_assert!(params.approval_threshold_num < params.approval_threshold_den);
    for (name, lo, hi) in PARAMS {
        let v = params.get(name).unwrap();
        prop_assert!((*lo..=*hi).contains(&v), "{} = {}", name, v);
    }

    let set = state::validators(&c.state).unwrap();
    prop_assert!(!set.is_empty() && set.len() <= VALIDATORS_MAX);
    let keys_: BTreeSet<Address> = set.iter().map(|v| v.public_key).collect();
    prop_assert_eq!(keys_.len(), set.len(), "a validator is listed twice");
    prop_assert!(
        set.iter()
            .all(|v| yui_ledger::crypto::is_signing_key(&v.public_key)),
        "a validator key can never sign"
    );
    for (h, _) in state::pending_validator_changes(&c.state).unwrap() {
        prop_assert!(h > c.height + 1, "a change due at {} is still pending", h);
    }
    Ok(())
}

/// Credentials, their index, and consents.
fn check_credentials(c: &Chain) -> Result<(), TestCaseError> {
    let creds: Vec<yui_ledger::credential::Credential> = c
        .state
        .map
        .iter()
        .filter(|(k, _)| k.first() == Some(&b'C'))
        .map(|(_, v)| borsh::from_slice(v).unwrap())
        .collect();
    let index: BTreeSet<Vec<u8>> = c
        .state
        .map
        .keys()
        .filter(|k| k.first() == Some(&b'K'))
        .cloned()
        .collect();
    let from_creds: BTreeSet<Vec<u8>> = creds
        .iter()
        .map(|r| keys::credential_of(&r.subject, &r.kind, &r.id))
        .collect();
    prop_assert_eq!(index, from_creds, "credential index out of step");
    for r in &creds {
        prop_assert!(r.valid_until_ms > r.valid_from_ms);
        prop_assert_eq!(
            r.history.first().map(|h| h.action),
            Some(yui_ledger::credential::CredentialAction::Issue)
        );
        prop_assert_eq!(r.history.last().map(|h| h.status), Some(r.status));
        prop_assert!(r.history.iter().all(|h| h.by == r.issuer));
        let revoked = r
            .history
            .iter()
            .position(|h| h.status == CredentialStatus::Revoked);
        prop_assert!(
            revoked.is_none_or(|i| i + 1 == r.history.len()),
            "changed after revocation"
        );
        prop_assert!(c.account(&r.subject).is_some());
    }
    for a in people().iter().map(Keypair::address) {
        for k in state::consents_of(&c.state, &a).unwrap() {
            prop_assert_eq!(k.subject, a);
            prop_assert!(k.party != a);
            prop_assert_eq!(
                k.accesses.len() as u64,
                k.access_count.min(ACCESSES_KEPT_MAX as u64)
            );
            prop_assert!(c.account(&k.party).is_some());
        }
    }
    Ok(())
}

/// Checks each proposal closed by a transaction of the block against the
/// members and parameters just before that transaction: executed or failed
/// only past the threshold, rejected only once it could no longer pass.
/// Returns the ids of the proposals executed.
fn check_closes(
    before: &MemState,
    ctx: &yui_ledger::Ctx,
    included: &[SignedTransaction],
    receipts: &[yui_ledger::Receipt],
    after: &Chain,
) -> Result<Vec<String>, TestCaseError> {
    let mut executed = Vec::new();
    for (i, r) in receipts.iter().enumerate() {
        for e in &r.events {
            let Event::ProposalClosed {
                proposal_id, state, ..
            } = e
            else {
                continue;
            };
            // The state just before transaction i.
            let mut pre = before.clone();
            let out = execute_block(before, ctx.clone(), &included[..i])
                .map_err(|(i, e)| TestCaseError::fail(format!("{i}: {e}")))?;
            pre.apply(&out.writes);
            let members = state::members(&pre).unwrap();
            let params = state::params(&pre).unwrap().unwrap();
            if let Some(p) = state::proposal(&pre, proposal_id).unwrap() {
                prop_assert_eq!(p.state, ProposalState::Open, "{} closed twice", proposal_id);
            }
            let p = after.proposal(proposal_id);
            prop_assert_eq!(p.state, *state);
            prop_assert_eq!(p.closed_height, Some(ctx.height));
            let n = members.len() as u64;
            let count = |v: &[Address]| v.iter().filter(|a| members.contains(a)).count() as u64;
            let (yes, no) = (count(&p.approvals), count(&p.rejections));
            match p.state {
                ProposalState::Executed | ProposalState::Failed => {
                    prop_assert!(
                        params.passes(yes, n),
                        "{} {:?} with {} of {} approvals",
                        proposal_id,
                        state,
                        yes,
                        n
                    );
                    if p.state == ProposalState::Executed {
                        executed.push(proposal_id.clone());
                    }
                }
                ProposalState::Rejected => {
                    prop_assert!(!params.passes(yes, n));
                    prop_assert!(
                        !params.passes(n - no, n),
                        "{} rejected but could pass",
                        proposal_id
                    );
                }
                s => prop_assert!(false, "{} closed by a transaction as {:?}", proposal_id, s),
            }
        }
    }
    Ok(executed)
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
