//! The town (`yui_ledger::town`) on a test chain, with its people's test
//! keys; and a [`Chain`] that executes blocks on a `MemState`.

use yui_ledger::asset::DAY_MS;
use yui_ledger::governance::{GovAction, Proposal, ProposalState};
use yui_ledger::state::{self, Account, AssetState, Holding, Invoice, keys};
pub use yui_ledger::town::{CAMPAIGN_BUDGET, COIN, POINT, POINT_DAYS, Town, VOUCHER, VOUCHER_CAP};
use yui_ledger::{
    Address, BlockOutcome, Campaign, Ctx, Event, Expiry, Genesis, Keypair, MemState, Operation,
    Receipt, SignedTransaction, Transaction, TxError, check_tx, execute_block,
};

pub const CHAIN_ID: &str = "yui-test-town";
/// 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600_000;
/// Time between two ordinary blocks.
pub const BLOCK_MS: u64 = 5_000;
pub const DAY: u64 = DAY_MS;

/// The town's transferable points whose whole holding expires a while
/// after its last change: 結 (yui) points.
pub const ROLLING: &str = yui_ledger::town::YUI;
pub const ROLLING_DAYS: u32 = yui_ledger::town::YUI_ROLLING_DAYS;
/// The town's charge campaign.
pub const CAMPAIGN: &str = yui_ledger::town::WELCOME_BONUS;
/// The vouchers' hard expiry, after genesis at `T0`.
pub const VOUCHER_END: u64 = T0 + yui_ledger::town::VOUCHER_DAYS * DAY;

/// A key for `seed` that is nobody in the town.
pub fn key(seed: u8) -> Keypair {
    Keypair::from_seed([seed; 32])
}
/// The test key of someone in the town (or, for another name, a stranger).
pub fn person(name: &str) -> Keypair {
    Town::test_key(name)
}
/// The city hall: issuer of every asset and of credentials, the operator
/// taking redemption fees, a consortium member and the first validator.
pub fn city() -> Keypair {
    person("city")
}
/// The chamber of commerce: a consortium member and the second validator.
pub fn chamber() -> Keypair {
    person("chamber")
}
/// coord-kita: holds `Role::Coordinator` (rules on jobs' disputes); a
/// consortium member.
pub fn kita() -> Keypair {
    person("coord-kita")
}
/// coord-minami: a coordinator, not a consortium member.
pub fn minami() -> Keypair {
    person("coord-minami")
}
/// A small local merchant.
pub fn bakery() -> Keypair {
    person("sakura-bakery")
}
/// A large merchant.
pub fn mall() -> Keypair {
    person("aeon-mall")
}
/// A public merchant.
pub fn library() -> Keypair {
    person("library")
}
pub fn hana() -> Keypair {
    person("hana")
}
pub fn taro() -> Keypair {
    person("taro")
}
pub fn emma() -> Keypair {
    person("emma")
}
/// A key that is in no genesis account.
pub fn stranger() -> Keypair {
    person("stranger")
}
/// Where the town's expired value goes.
pub fn breakage() -> Address {
    person(yui_ledger::town::BREAKAGE).address()
}

pub fn addr(k: &Keypair) -> Address {
    k.address()
}

/// The consortium at genesis: the city, the chamber and coord-kita.
pub fn members() -> Vec<Keypair> {
    Town::new().members().map(person).collect()
}

/// The town on a test chain: keys from [`Town::test_key`], the city hall
/// and the chamber as validators, genesis at `T0`.
pub fn genesis() -> Genesis {
    let a = |n: &str| person(n).address();
    Town::new().genesis(
        a,
        &[("city hall", a("city")), ("chamber", a("chamber"))],
        CHAIN_ID,
        T0,
    )
}

/// A chain at some height, executing blocks with `yui_ledger::execute_block`.
pub struct Chain {
    pub state: MemState,
    pub height: u64,
    pub time_ms: u64,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    pub fn new() -> Self {
        Self::with_genesis(&genesis())
    }

    /// A chain at height 0 of `g`.
    pub fn with_genesis(g: &Genesis) -> Self {
        g.validate().unwrap();
        let mut state = MemState::default();
        let writes = g.state_writes(&state);
        state.apply(&writes);
        Self {
            state,
            height: 0,
            time_ms: g.genesis_time_ms,
        }
    }

    pub fn ctx_at(&self, time_ms: u64) -> Ctx {
        Ctx {
            chain_id: CHAIN_ID.into(),
            height: self.height + 1,
            time_ms,
        }
    }

    /// The context of the next ordinary block.
    pub fn next_ctx(&self) -> Ctx {
        self.ctx_at(self.time_ms + BLOCK_MS)
    }

    pub fn nonce(&self, a: &Address) -> u64 {
        self.account(a).map_or(0, |a| a.nonce)
    }

    pub fn tx(&self, k: &Keypair, nonce: u64, op: Operation) -> Transaction {
        Transaction {
            chain_id: CHAIN_ID.into(),
            signer: k.address(),
            nonce,
            expiry: Expiry::Height(u64::MAX),
            op,
        }
    }

    /// Signs `op` with the signer's next nonce.
    pub fn sign(&self, k: &Keypair, op: Operation) -> SignedTransaction {
        self.tx(k, self.nonce(&k.address()), op).sign(k)
    }

    /// Executes a block at `time_ms` without committing it.
    pub fn try_block_at(
        &self,
        time_ms: u64,
        txs: &[SignedTransaction],
    ) -> Result<BlockOutcome, (usize, TxError)> {
        execute_block(&self.state, self.ctx_at(time_ms), txs)
    }

    /// Executes and commits a block at `time_ms`.
    pub fn block_at(&mut self, time_ms: u64, txs: &[SignedTransaction]) -> BlockOutcome {
        let out = self.try_block_at(time_ms, txs).unwrap();
        self.state.apply(&out.writes);
        self.height += 1;
        self.time_ms = time_ms;
        assert_eq!(out.receipts.len(), txs.len());
        out
    }

    /// Executes and commits the next ordinary block.
    pub fn block(&mut self, txs: &[SignedTransaction]) -> BlockOutcome {
        self.block_at(self.time_ms + BLOCK_MS, txs)
    }

    /// An empty block at `time_ms`; returns its start events (expiries).
    pub fn advance_to(&mut self, time_ms: u64) -> Vec<Event> {
        self.block_at(time_ms, &[]).begin_events
    }

    /// One transaction in its own block; its receipt.
    pub fn exec(&mut self, k: &Keypair, op: Operation) -> Receipt {
        let stx = self.sign(k, op);
        let mut out = self.block(&[stx]);
        out.receipts.remove(0)
    }

    /// One transaction that must succeed; its events.
    pub fn ok(&mut self, k: &Keypair, op: Operation) -> Vec<Event> {
        let r = self.exec(k, op);
        assert_eq!(r.error, None, "operation failed");
        r.events
    }

    /// One operation that must be refused: checks `check_tx` refuses it and
    /// changes nothing, and that inside a block it gets a failed receipt with
    /// the same error, uses its nonce and changes nothing else. Commits that
    /// block and returns the error. (Admission does not run contracts: a
    /// call the contract itself fails passes `check_tx` and fails only in
    /// the block, with `TxError::ContractFailed`.)
    pub fn refuse(&mut self, k: &Keypair, op: Operation) -> TxError {
        let stx = self.sign(k, op);
        let ctx = self.next_ctx();
        let before = self.state.clone();
        let admitted = check_tx(&self.state, &ctx, &stx);
        assert_eq!(self.state, before, "check_tx changed the state");

        // What an empty block at the same height and time would leave.
        let mut baseline = self.state.clone();
        baseline.apply(&execute_block(&self.state, ctx.clone(), &[]).unwrap().writes);

        let out = execute_block(&self.state, ctx.clone(), std::slice::from_ref(&stx)).unwrap();
        assert_eq!(out.receipts.len(), 1);
        let r = &out.receipts[0];
        let err = r.error.clone().expect("the block accepted the operation");
        match admitted {
            Err(e) => assert_eq!(e, err, "check_tx and the block disagree"),
            Ok(()) => assert!(
                matches!(stx.tx.op, Operation::CallContract { .. })
                    && matches!(err, TxError::ContractFailed { .. }),
                "check_tx accepted a transaction that should be refused: {err:?}"
            ),
        }
        assert!(r.events.is_empty(), "a failed operation has no events");
        assert_eq!(r.tx_hash, stx.hash());
        let mut after = self.state.clone();
        after.apply(&out.writes);

        let ak = keys::account(&k.address());
        let a0: Account = state::read(&baseline, &ak).unwrap().unwrap();
        let a1: Account = state::read(&after, &ak).unwrap().unwrap();
        assert_eq!(a1.nonce, a0.nonce + 1, "a failed operation uses its nonce");
        assert_eq!(a1.roles, a0.roles);
        assert_eq!(a1.name, a0.name);
        let (mut b, mut c) = (baseline.clone(), after.clone());
        b.remove(&ak);
        c.remove(&ak);
        assert_eq!(
            b, c,
            "a failed operation changed state other than its nonce"
        );

        self.state = after;
        self.height += 1;
        self.time_ms = ctx.time_ms;
        err
    }

    /// An operation refused by its shape, before any state is read: the
    /// mempool refuses it and a block holding it is invalid. Changes nothing.
    pub fn refuse_stateless(&self, k: &Keypair, op: Operation) -> TxError {
        let stx = self.sign(k, op);
        let err = check_tx(&self.state, &self.next_ctx(), &stx).unwrap_err();
        assert_eq!(stx.tx.op.check_shape(), Err(err.clone()));
        let (i, e) = self
            .try_block_at(self.time_ms + BLOCK_MS, std::slice::from_ref(&stx))
            .unwrap_err();
        assert_eq!((i, e), (0, err.clone()));
        err
    }

    pub fn account(&self, a: &Address) -> Option<Account> {
        state::read(&self.state, &keys::account(a)).unwrap()
    }

    pub fn holding(&self, a: &Address, asset: &str) -> Holding {
        state::read(&self.state, &keys::holding(a, asset))
            .unwrap()
            .unwrap_or_default()
    }

    pub fn balance(&self, a: &Address, asset: &str) -> u64 {
        self.holding(a, asset).total()
    }

    pub fn asset(&self, id: &str) -> AssetState {
        state::read(&self.state, &keys::asset(id)).unwrap().unwrap()
    }

    pub fn invoice(&self, merchant: &Address, id: &str) -> Option<Invoice> {
        state::read(&self.state, &keys::invoice(merchant, id)).unwrap()
    }

    pub fn campaign(&self, id: &str) -> Campaign {
        state::campaign(&self.state, id).unwrap().unwrap()
    }

    /// Every holding in the state, as (account, asset, holding).
    pub fn all_holdings(&self) -> Vec<(Address, String, Holding)> {
        self.state
            .iter()
            .filter(|(k, _)| k.first() == Some(&b'b'))
            .map(|(k, v)| {
                let (a, asset): (Address, String) = borsh::from_slice(&k[1..]).unwrap();
                (a, asset, borsh::from_slice(v).unwrap())
            })
            .collect()
    }

    // Shorthands for building operations.

    pub fn charge(
        &mut self,
        to: &Keypair,
        amount: u64,
        deposit_ref: &str,
        campaign: Option<&str>,
    ) -> Vec<Event> {
        self.ok(
            &city(),
            charge_op(to.address(), amount, deposit_ref, campaign),
        )
    }

    pub fn grant(&mut self, to: &Keypair, asset: &str, amount: u64) -> Vec<Event> {
        self.ok(&city(), grant_op(to.address(), asset, amount, "test", None))
    }

    /// The city issues credential `id` of `kind` to `to`, valid from now for a year.
    pub fn issue(&mut self, id: &str, to: &Keypair, kind: &str) -> Vec<Event> {
        let from = self.time_ms;
        self.ok(
            &city(),
            issue_op(id, to.address(), kind, from, from + 365 * DAY),
        )
    }

    /// The consortium's current members, as keys of this fixture.
    pub fn member_keys(&self) -> Vec<Keypair> {
        state::members(&self.state)
            .unwrap()
            .iter()
            .map(|a| all_keys().into_iter().find(|k| k.address() == *a).unwrap())
            .collect()
    }

    /// The first member proposes `action` (open for a week) and the others
    /// approve it one by one until it closes; the proposal as it closed.
    pub fn pass(&mut self, id: &str, action: GovAction) -> Proposal {
        let ms = self.member_keys();
        let expires = self.time_ms + 7 * DAY;
        self.ok(&ms[0], propose_op(id, action, expires));
        for m in &ms[1..] {
            if self.proposal(id).state != ProposalState::Open {
                break;
            }
            self.ok(m, vote_op(id, true));
        }
        self.proposal(id)
    }

    pub fn proposal(&self, id: &str) -> Proposal {
        state::proposal(&self.state, id).unwrap().unwrap()
    }
}

/// Every key the fixture names: the town's people and the stranger.
pub fn all_keys() -> Vec<Keypair> {
    Town::new()
        .names()
        .chain(["stranger"])
        .map(person)
        .collect()
}

pub fn issue_op(
    id: &str,
    subject: Address,
    kind: &str,
    valid_from_ms: u64,
    valid_until_ms: u64,
) -> Operation {
    Operation::IssueCredential {
        credential_id: id.into(),
        subject,
        kind: kind.into(),
        valid_from_ms,
        valid_until_ms,
        claims_digest: [5; 32],
    }
}

pub fn propose_op(id: &str, action: GovAction, expires_at_ms: u64) -> Operation {
    Operation::Propose {
        proposal_id: id.into(),
        action,
        expires_at_ms,
    }
}

pub fn vote_op(id: &str, approve: bool) -> Operation {
    Operation::Vote {
        proposal_id: id.into(),
        approve,
    }
}

pub fn charge_op(to: Address, amount: u64, deposit_ref: &str, campaign: Option<&str>) -> Operation {
    Operation::Charge {
        to,
        asset: COIN.into(),
        amount,
        deposit_ref: deposit_ref.into(),
        campaign: campaign.map(str::to_string),
    }
}

pub fn grant_op(
    to: Address,
    asset: &str,
    amount: u64,
    reason: &str,
    event_id: Option<&str>,
) -> Operation {
    Operation::Grant {
        to,
        asset: asset.into(),
        amount,
        reason: reason.into(),
        event_id: event_id.map(str::to_string),
    }
}

pub fn transfer_op(to: Address, asset: &str, amount: u64) -> Operation {
    Operation::Transfer {
        to,
        asset: asset.into(),
        amount,
    }
}

pub fn pay_op(merchant: Address, invoice_id: &str, amount: u64, assets: &[&str]) -> Operation {
    Operation::Pay {
        merchant,
        invoice_id: invoice_id.into(),
        amount,
        assets: assets.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn refund_op(invoice_id: &str, amount: u64) -> Operation {
    Operation::Refund {
        invoice_id: invoice_id.into(),
        amount,
    }
}

pub fn redeem_op(asset: &str, amount: u64, payout_ref: &str) -> Operation {
    Operation::Redeem {
        asset: asset.into(),
        amount,
        payout_ref: payout_ref.into(),
    }
}

pub fn burn_op(asset: &str, amount: u64) -> Operation {
    Operation::Burn {
        asset: asset.into(),
        amount,
    }
}
