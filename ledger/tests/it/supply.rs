//! Supply conservation under random histories: random operations, valid and
//! not, from random signers, over block times that jump past expiries.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use yui_ledger::state::{self, keys};
use yui_ledger::{
    Address, BlockExecutor, ExpiryPolicy, Keypair, Operation, SignedTransaction, execute_block,
};

use crate::fixture::*;

/// Signers: the city, the operator, three merchants, three residents and a
/// key unknown at genesis (it exists once it receives value).
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
    ]
}

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
    0..9usize
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
    ]
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
    (advance, proptest::collection::vec(tx_plan(), 0..8))
        .prop_map(|(advance_ms, txs)| BlockPlan { advance_ms, txs })
}

fn build_op(p: &OpPlan, who: &[Address]) -> Operation {
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
    }
}

/// Supply figures add up, holdings are well formed and the expiry queue
/// matches the holdings exactly.
fn check_invariants(c: &Chain) -> Result<(), TestCaseError> {
    let holdings = c.all_holdings();
    for s in state::assets(&c.state) {
        let id = &s.class.id;
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
            all,
            "{}: issued - burned != all holdings",
            id
        );
        prop_assert_eq!(
            issued - burned - expired,
            held,
            "{}: issued - burned - expired != holders' total",
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
                let nonce = next[t.signer].saturating_add_signed(i64::from(t.nonce_skew));
                let stx = c
                    .tx(&ppl[t.signer], nonce, build_op(&t.op, &who))
                    .sign(&ppl[t.signer]);
                if ex.push(&stx, false).is_ok() {
                    next[t.signer] += 1;
                    counts[t.signer] += 1;
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
                        .tx(&ppl[tx.signer], *e, build_op(&tx.op, &who))
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
    if let Err(e) = check_invariants(&c) {
        panic!("{e}");
    }
}
