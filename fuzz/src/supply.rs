//! The differential target: random histories of value operations on the
//! town, built block by block as a proposer builds them and replayed as
//! every other validator replays them, with the supply invariants checked
//! after each block (the idea of `ledger/tests/it/supply.rs`, driven by the
//! fuzzer's bytes instead of proptest's).

use std::collections::BTreeSet;

use yui_ledger::state::{self, Account, Holding, Job, keys};
use yui_ledger::town::{BREAKAGE, COIN, FESTIVAL, POINT, VOUCHER, WELCOME_BONUS, YUI};
use yui_ledger::{
    Address, BlockExecutor, Ctx, Expiry, Keypair, MemState, Operation, Receipt, SignedTransaction,
    Transaction, execute_block,
};

use crate::choices::Choices;
use crate::world::{CHAIN_ID, T0, genesis_state, named, person};

const ASSETS: [&str; 6] = [COIN, POINT, VOUCHER, YUI, FESTIVAL, "none"];
/// How far a block's time moves: a second to past every expiry.
const STEPS_MS: [u64; 8] = [
    1_000,
    5_000,
    60_000,
    3_600_000,
    86_400_000,
    31 * 86_400_000,
    91 * 86_400_000,
    200 * 86_400_000,
];
const BLOCKS_MAX: usize = 24;
const TXS_PER_BLOCK_MAX: u8 = 8;

/// The supply target's own choices; an exhausted input ends the history.
impl Choices<'_> {
    /// An amount: mostly small, sometimes the extremes.
    fn amount(&mut self) -> Option<u64> {
        let v = u16::from_le_bytes([self.byte()?, self.byte()?]);
        Some(match v {
            0xffff => u64::MAX,
            0xfffe => u64::MAX / 2 + 1,
            v => u64::from(v),
        })
    }
    /// A person of the town other than the breakage account (which only
    /// expiries feed: value sent to it would count as held, not expired).
    fn person(&mut self) -> Option<&'static Keypair> {
        let p = person(self.byte()?);
        Some(if p.address() == named(BREAKAGE).address() {
            named("hana")
        } else {
            p
        })
    }
    fn id(&mut self, prefix: &str) -> Option<String> {
        Some(format!("{prefix}-{}", self.byte()? % 8))
    }
}

/// The chain under test.
struct Chain {
    state: MemState,
    height: u64,
    time_ms: u64,
}

/// Runs the history `data` describes.
///
/// Properties, after every block: for every asset, burned plus expired
/// never exceeds issued; issued minus burned is everything held plus the
/// escrow of open jobs; issued minus burned minus expired is the same
/// without the breakage account; holdings are well formed (no empty
/// holding, no zero lot, lots sorted by expiry, no lot already due) and the
/// expiry queue is exactly the holdings' next expiries; open jobs escrow
/// exactly their reward, closed ones nothing; each included transaction
/// advanced its signer's nonce by one. Across nodes: the block a proposer
/// built (signatures pre-verified) is the block a validator replays, with
/// the same writes, receipts and start events.
pub fn supply(data: &[u8]) {
    run(data);
}

/// What a history did: blocks, transactions included, and those whose
/// operation succeeded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub blocks: usize,
    pub included: usize,
    pub succeeded: usize,
}

/// Runs the history `data` describes, checking as [`supply`] does.
pub fn run(data: &[u8]) -> Stats {
    let mut stats = Stats::default();
    let mut c = Chain {
        state: genesis_state().clone(),
        height: 0,
        time_ms: T0,
    };
    let mut ch = Choices(data);
    for _ in 0..BLOCKS_MAX {
        let Some(step) = ch.pick(&STEPS_MS) else {
            break;
        };
        let Some(n) = ch.byte() else {
            break;
        };
        let ctx = Ctx {
            chain_id: CHAIN_ID.into(),
            height: c.height + 1,
            time_ms: c.time_ms + step,
        };
        let mut txs = Vec::new();
        for _ in 0..n % TXS_PER_BLOCK_MAX {
            let Some((signer, op)) = operation(&mut ch, ctx.time_ms) else {
                break;
            };
            txs.push((signer, op));
        }
        let receipts = block(&mut c, ctx, txs);
        stats.blocks += 1;
        stats.included += receipts.len();
        stats.succeeded += receipts.iter().filter(|r| r.error.is_none()).count();
        check_invariants(&c);
    }
    stats
}

/// Builds a block of the planned transactions as a proposer does (refused
/// ones left out), replays it, commits it.
fn block(c: &mut Chain, ctx: Ctx, planned: Vec<(&'static Keypair, Operation)>) -> Vec<Receipt> {
    let mut ex = BlockExecutor::begin(&c.state, ctx.clone()).expect("a block begins");
    let mut included: Vec<SignedTransaction> = Vec::new();
    let mut next_nonce = std::collections::BTreeMap::<Address, u64>::new();
    for (k, op) in planned {
        let a = k.address();
        let nonce = *next_nonce
            .entry(a)
            .or_insert_with(|| account(&c.state, &a).map_or(0, |acct| acct.nonce));
        let stx = Transaction {
            chain_id: CHAIN_ID.into(),
            signer: a,
            nonce,
            expiry: Expiry::Height(u64::MAX - 1),
            op,
        }
        .sign(k);
        if ex.push(&stx, true).is_ok() {
            next_nonce.insert(a, nonce + 1);
            included.push(stx);
        }
    }
    let built = ex.finish();
    let replayed = execute_block(&c.state, ctx.clone(), &included).expect("a built block replays");
    assert_eq!(
        built, replayed,
        "the replayed block differs from the built one"
    );
    let before: Vec<(Address, u64)> = included.iter().map(|t| (t.tx.signer, t.tx.nonce)).collect();
    c.state.apply(&built.writes);
    c.height = ctx.height;
    c.time_ms = ctx.time_ms;
    for (a, nonce) in before {
        let now = account(&c.state, &a).map_or(0, |acct| acct.nonce);
        assert!(now > nonce, "a nonce did not advance");
    }
    built.receipts
}

fn account(s: &MemState, a: &Address) -> Option<Account> {
    state::read(s, &keys::account(a)).ok().flatten()
}

/// The next planned operation and its signer.
fn operation(ch: &mut Choices<'_>, time_ms: u64) -> Option<(&'static Keypair, Operation)> {
    let kind = ch.byte()?;
    let signer = if kind & 0x80 == 0 {
        ch.person()?
    } else {
        named("city")
    };
    let op = match kind % 16 {
        0 => Operation::Charge {
            to: ch.person()?.address(),
            asset: ch.pick(&ASSETS)?.into(),
            amount: ch.amount()?,
            deposit_ref: ch.id("deposit")?,
            campaign: (ch.byte()? % 2 == 0).then(|| WELCOME_BONUS.into()),
        },
        1 => Operation::Grant {
            to: ch.person()?.address(),
            asset: ch.pick(&ASSETS)?.into(),
            amount: ch.amount()?,
            reason: "cleanup".into(),
            event_id: (ch.byte()? % 2 == 0).then(|| "festival".into()),
        },
        2 | 3 => Operation::Transfer {
            to: ch.person()?.address(),
            asset: ch.pick(&ASSETS)?.into(),
            amount: ch.amount()?,
        },
        4 | 5 => Operation::Pay {
            merchant: ch.person()?.address(),
            invoice_id: ch.id("invoice")?,
            amount: ch.amount()?,
            assets: match ch.byte()? % 3 {
                0 => Vec::new(),
                1 => vec![ch.pick(&ASSETS)?.into()],
                _ => vec![ch.pick(&ASSETS)?.into(), ch.pick(&ASSETS)?.into()],
            },
        },
        6 => Operation::Refund {
            invoice_id: ch.id("invoice")?,
            amount: ch.amount()?,
        },
        7 => Operation::Redeem {
            asset: ch.pick(&ASSETS)?.into(),
            amount: ch.amount()?,
            payout_ref: ch.id("payout")?,
        },
        8 => Operation::Burn {
            asset: ch.pick(&ASSETS)?.into(),
            amount: ch.amount()?,
        },
        9 => Operation::PostJob {
            job_id: ch.id("job")?,
            asset: ch.pick(&ASSETS)?.into(),
            reward: ch.amount()?,
            coordinator: named("coord-kita").address(),
            accept_deadline_ms: time_ms + ch.pick(&STEPS_MS)?,
            required_credential: None,
            description_hash: [1; 32],
        },
        10 => Operation::AcceptJob {
            job_id: ch.id("job")?,
        },
        11 => Operation::SubmitJob {
            job_id: ch.id("job")?,
            proof_hash: [2; 32],
        },
        12 => Operation::ApproveJob {
            job_id: ch.id("job")?,
            rating: Some(ch.byte()? % 6),
        },
        13 => Operation::CancelJob {
            job_id: ch.id("job")?,
        },
        14 => Operation::DisputeJob {
            job_id: ch.id("job")?,
            reason_hash: [3; 32],
        },
        _ => Operation::ResolveJob {
            job_id: ch.id("job")?,
            to_worker: ch.amount()?,
        },
    };
    Some((signer, op))
}

/// The supply invariants (see [`supply`]).
fn check_invariants(c: &Chain) {
    let map = &c.state;
    let holdings: Vec<(Address, String, Holding)> = map
        .iter()
        .filter(|(k, _)| k.first() == Some(&b'b'))
        .map(|(k, v)| {
            let (a, asset): (Address, String) = borsh::from_slice(&k[1..]).expect("holding key");
            (a, asset, borsh::from_slice(v).expect("holding"))
        })
        .collect();
    let jobs: Vec<Job> = map
        .iter()
        .filter(|(k, _)| k.first() == Some(&b'j'))
        .map(|(_, v)| borsh::from_slice(v).expect("job"))
        .collect();
    for j in &jobs {
        if j.state.is_open() {
            assert_eq!(j.escrow_total(), j.reward, "open job {} escrow", j.id);
        } else {
            assert!(j.escrow.is_empty(), "closed job {} holds escrow", j.id);
        }
    }
    for s in state::assets(&c.state).expect("assets") {
        let id = &s.class.id;
        let escrow: u128 = jobs
            .iter()
            .filter(|j| &j.asset == id && j.state.is_open())
            .map(|j| u128::from(j.reward))
            .sum();
        let sum = |breakage: bool| -> u128 {
            holdings
                .iter()
                .filter(|(who, a, _)| a == id && (breakage || *who != s.class.breakage_account))
                .map(|(_, _, h)| u128::from(h.total()))
                .sum()
        };
        let (issued, burned, expired) = (
            u128::from(s.issued),
            u128::from(s.burned),
            u128::from(s.expired),
        );
        assert!(
            burned + expired <= issued,
            "{id}: burned + expired > issued"
        );
        assert_eq!(issued - burned, sum(true) + escrow, "{id}: all holdings");
        assert_eq!(
            issued - burned - expired,
            sum(false) + escrow,
            "{id}: holders' total"
        );
    }
    let mut queue = BTreeSet::new();
    for (who, asset, h) in &holdings {
        assert!(!h.lots.is_empty(), "an empty holding is stored");
        assert!(h.lots.iter().all(|l| l.amount > 0), "a zero lot is stored");
        let rank = |e: Option<u64>| e.map_or(u128::MAX, u128::from);
        assert!(
            h.lots
                .windows(2)
                .all(|w| rank(w[0].expires_at) < rank(w[1].expires_at)),
            "lots unsorted"
        );
        assert!(
            h.lots
                .iter()
                .try_fold(0u64, |a, l| a.checked_add(l.amount))
                .is_some(),
            "a holding sums past u64"
        );
        if let Some(t) = h.next_expiry() {
            assert!(
                t > c.time_ms,
                "a lot due at {t} is held after {}",
                c.time_ms
            );
            queue.insert(keys::expiry(t, asset, who));
        }
    }
    let stored: BTreeSet<Vec<u8>> = map
        .keys()
        .filter(|k| k.first() == Some(&b'x'))
        .cloned()
        .collect();
    assert_eq!(stored, queue, "expiry queue out of step with the holdings");
}
