//! The export's tables: their columns (docs/export.md describes each) and
//! the rows a replayed block gives. Pure: a block, its receipts and events
//! in, rows out.

use yui_ledger::receipt::MintSource;
use yui_ledger::{Event, Hash, Role};

use super::names::Names;
use crate::audit::ObservedBlock;

/// A column's type in the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// Signed 64-bit integer.
    Int64,
    /// Unsigned 64-bit integer (amounts).
    UInt64,
    /// An instant in milliseconds since the Unix epoch, UTC.
    TimestampMs,
    /// UTF-8 text.
    Utf8,
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: Type,
    pub nullable: bool,
}

const fn req(name: &'static str, ty: Type) -> Column {
    Column {
        name,
        ty,
        nullable: false,
    }
}

const fn opt(name: &'static str, ty: Type) -> Column {
    Column {
        name,
        ty,
        nullable: true,
    }
}

/// A table: its file name and columns.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
}

use Type::{Int64, TimestampMs, UInt64, Utf8};

pub const BLOCKS: Table = Table {
    name: "blocks",
    columns: &[
        req("height", Int64),
        req("time", TimestampMs),
        req("hash", Utf8),
        req("prev_hash", Utf8),
        req("proposer", Utf8),
        req("transactions", Int64),
        req("failed", Int64),
        req("events", Int64),
        req("round", Int64),
        req("signatures", Int64),
        req("tx_root", Utf8),
        req("receipts_root", Utf8),
        req("state_root", Utf8),
        req("validators_hash", Utf8),
    ],
};

pub const TRANSACTIONS: Table = Table {
    name: "transactions",
    columns: &[
        req("height", Int64),
        req("time", TimestampMs),
        req("tx_index", Int64),
        req("hash", Utf8),
        req("operation", Utf8),
        req("signer", Utf8),
        req("nonce", UInt64),
        req("result", Utf8),
        req("events", Int64),
    ],
};

pub const EVENTS: Table = Table {
    name: "events",
    columns: &[
        req("height", Int64),
        req("time", TimestampMs),
        opt("tx_index", Int64),
        req("event_index", Int64),
        req("part", Int64),
        req("kind", Utf8),
        opt("asset", Utf8),
        opt("from", Utf8),
        opt("to", Utf8),
        opt("party", Utf8),
        opt("amount", UInt64),
        opt("fee", UInt64),
        opt("source", Utf8),
        opt("reference", Utf8),
        opt("detail", Utf8),
        opt("expires_at", TimestampMs),
    ],
};

pub const BALANCES: Table = Table {
    name: "balances",
    columns: &[
        req("period", Utf8),
        req("height", Int64),
        req("time", TimestampMs),
        req("asset", Utf8),
        req("account", Utf8),
        req("balance", UInt64),
    ],
};

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    UInt(u64),
    /// Milliseconds since the Unix epoch.
    Time(i64),
    Text(String),
}

fn int(n: impl TryInto<i64>) -> Value {
    Value::Int(n.try_into().unwrap_or(i64::MAX))
}

fn time(ms: u64) -> Value {
    Value::Time(i64::try_from(ms).unwrap_or(i64::MAX))
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt_text(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Text)
}

fn opt_uint(n: Option<u64>) -> Value {
    n.map_or(Value::Null, Value::UInt)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    pub height: u64,
    pub time_ms: u64,
    pub hash: String,
    pub prev_hash: String,
    pub proposer: String,
    pub transactions: u64,
    pub failed: u64,
    pub events: u64,
    pub round: u64,
    pub signatures: u64,
    pub tx_root: String,
    pub receipts_root: String,
    pub state_root: String,
    pub validators_hash: String,
}

impl BlockRow {
    pub fn values(self) -> Vec<Value> {
        vec![
            int(self.height),
            time(self.time_ms),
            text(self.hash),
            text(self.prev_hash),
            text(self.proposer),
            int(self.transactions),
            int(self.failed),
            int(self.events),
            int(self.round),
            int(self.signatures),
            text(self.tx_root),
            text(self.receipts_root),
            text(self.state_root),
            text(self.validators_hash),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRow {
    pub height: u64,
    pub time_ms: u64,
    pub tx_index: u32,
    pub hash: String,
    pub operation: &'static str,
    pub signer: String,
    pub nonce: u64,
    /// "ok", or the refusal's code (`insufficient`, `malformed.zero_amount`).
    pub result: String,
    pub events: u64,
}

impl TxRow {
    pub fn values(self) -> Vec<Value> {
        vec![
            int(self.height),
            time(self.time_ms),
            int(self.tx_index),
            text(self.hash),
            text(self.operation),
            text(self.signer),
            Value::UInt(self.nonce),
            text(self.result),
            int(self.events),
        ]
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRow {
    pub height: u64,
    pub time_ms: u64,
    /// None for the block-start events (expiry, timeouts, validator changes).
    pub tx_index: Option<u32>,
    pub event_index: u32,
    /// An event that moves several assets or names several accounts gives
    /// one row per part (a payment's parts, a dispute's two sides).
    pub part: u32,
    pub kind: &'static str,
    pub asset: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub party: Option<String>,
    pub amount: Option<u64>,
    pub fee: Option<u64>,
    pub source: Option<&'static str>,
    pub reference: Option<String>,
    pub detail: Option<String>,
    pub expires_at_ms: Option<u64>,
}

impl EventRow {
    pub fn values(self) -> Vec<Value> {
        vec![
            int(self.height),
            time(self.time_ms),
            self.tx_index.map_or(Value::Null, int),
            int(self.event_index),
            int(self.part),
            text(self.kind),
            opt_text(self.asset),
            opt_text(self.from),
            opt_text(self.to),
            opt_text(self.party),
            opt_uint(self.amount),
            opt_uint(self.fee),
            self.source.map_or(Value::Null, text),
            opt_text(self.reference),
            opt_text(self.detail),
            self.expires_at_ms.map_or(Value::Null, time),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRow {
    pub period: String,
    /// The period's last block (the balance is the one after it).
    pub height: u64,
    pub time_ms: u64,
    pub asset: String,
    pub account: String,
    pub balance: u64,
}

impl BalanceRow {
    pub fn values(self) -> Vec<Value> {
        vec![
            text(self.period),
            int(self.height),
            time(self.time_ms),
            text(self.asset),
            text(self.account),
            Value::UInt(self.balance),
        ]
    }
}

fn hx(h: &Hash) -> String {
    hex::encode(h)
}

/// The block's row.
pub fn block_row(b: &ObservedBlock<'_>, names: &mut Names) -> BlockRow {
    let h = &b.block.header;
    let receipts = &b.outcome.receipts;
    let events =
        b.outcome.begin_events.len() + receipts.iter().map(|r| r.events.len()).sum::<usize>();
    BlockRow {
        height: h.height,
        time_ms: h.time_ms,
        hash: hx(b.block_hash),
        prev_hash: hx(&h.prev_hash),
        proposer: names.account(&h.proposer),
        transactions: b.block.txs.len() as u64,
        failed: receipts.iter().filter(|r| r.error.is_some()).count() as u64,
        events: events as u64,
        round: u64::from(b.certificate.round),
        signatures: b.certificate.signatures.len() as u64,
        tx_root: hx(&h.tx_root),
        receipts_root: hx(&h.receipts_root),
        state_root: hx(&h.state_root),
        validators_hash: hx(&h.validators_hash),
    }
}

/// The block's transactions' rows.
pub fn tx_rows(b: &ObservedBlock<'_>, names: &mut Names) -> Vec<TxRow> {
    let h = &b.block.header;
    b.block
        .txs
        .iter()
        .zip(b.tx_hashes)
        .zip(&b.outcome.receipts)
        .enumerate()
        .map(|(i, ((t, hash), r))| TxRow {
            height: h.height,
            time_ms: h.time_ms,
            tx_index: i as u32,
            hash: names.transaction(hash),
            operation: t.tx.op.name(),
            signer: names.account(&t.tx.signer),
            nonce: t.tx.nonce,
            result: r.error.as_ref().map_or_else(|| "ok".into(), |e| e.code()),
            events: r.events.len() as u64,
        })
        .collect()
}

/// The block's events' rows: the block-start events, then each receipt's.
pub fn event_rows(b: &ObservedBlock<'_>, names: &mut Names) -> Vec<EventRow> {
    let h = &b.block.header;
    let mut rows = Vec::new();
    let mut push = |tx_index: Option<u32>, events: &[Event], names: &mut Names| {
        for (i, e) in events.iter().enumerate() {
            let at = At {
                height: h.height,
                time_ms: h.time_ms,
                tx_index,
                event_index: i as u32,
            };
            rows.extend(rows_of(at, e, names));
        }
    };
    push(None, &b.outcome.begin_events, names);
    for r in &b.outcome.receipts {
        push(Some(r.index), &r.events, names);
    }
    rows
}

/// Where an event happened.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub height: u64,
    pub time_ms: u64,
    pub tx_index: Option<u32>,
    pub event_index: u32,
}

pub(super) fn role(r: &Role) -> String {
    match r {
        Role::Issuer(a) => format!("issuer:{a}"),
        Role::Merchant(c) => format!("merchant:{}", c.as_str()),
        Role::Coordinator => "coordinator".into(),
        Role::CredentialIssuer => "credential_issuer".into(),
    }
}

/// One event's rows (docs/export.md: what each column holds per kind).
pub fn rows_of(at: At, e: &Event, n: &mut Names) -> Vec<EventRow> {
    let base = EventRow {
        height: at.height,
        time_ms: at.time_ms,
        tx_index: at.tx_index,
        event_index: at.event_index,
        kind: e.name(),
        ..EventRow::default()
    };
    let one = |r: EventRow| vec![r];
    let s = |x: &str| Some(x.to_string());
    match e {
        Event::Minted {
            asset,
            to,
            amount,
            source,
            expires_at,
        } => {
            let (src, reference, detail) = match source {
                MintSource::Charge => ("charge", None, None),
                MintSource::Bonus { campaign } => ("bonus", s(campaign), None),
                MintSource::Grant { reason } => ("grant", None, n.free_text(reason)),
                MintSource::Contract { contract_id } => ("contract", s(contract_id), None),
            };
            one(EventRow {
                asset: s(asset),
                to: Some(n.account(to)),
                amount: Some(*amount),
                source: Some(src),
                reference,
                detail,
                expires_at_ms: *expires_at,
                ..base
            })
        }
        Event::Transferred {
            asset,
            from,
            to,
            amount,
        } => one(EventRow {
            asset: s(asset),
            from: Some(n.account(from)),
            to: Some(n.account(to)),
            amount: Some(*amount),
            ..base
        }),
        Event::Paid {
            merchant,
            payer,
            invoice_id,
            parts,
        }
        | Event::Refunded {
            merchant,
            payer,
            invoice_id,
            parts,
        } => {
            let (m, p) = (n.account(merchant), n.account(payer));
            let (from, to) = if matches!(e, Event::Paid { .. }) {
                (p, m)
            } else {
                (m, p)
            };
            let reference = n.reference(invoice_id);
            parts
                .iter()
                .enumerate()
                .map(|(i, (asset, amount))| EventRow {
                    part: i as u32,
                    asset: s(asset),
                    from: Some(from.clone()),
                    to: Some(to.clone()),
                    amount: Some(*amount),
                    reference: Some(reference.clone()),
                    ..base.clone()
                })
                .collect()
        }
        Event::Redeemed {
            merchant,
            asset,
            amount,
            fee,
            fee_account,
            payout_ref,
        } => one(EventRow {
            asset: s(asset),
            from: Some(n.account(merchant)),
            to: Some(n.account(fee_account)),
            amount: Some(*amount),
            fee: Some(*fee),
            reference: Some(n.reference(payout_ref)),
            ..base
        }),
        Event::Burned {
            asset,
            from,
            amount,
        } => one(EventRow {
            asset: s(asset),
            from: Some(n.account(from)),
            amount: Some(*amount),
            ..base
        }),
        Event::Expired {
            asset,
            account,
            amount,
            breakage_account,
        } => one(EventRow {
            asset: s(asset),
            from: Some(n.account(account)),
            to: Some(n.account(breakage_account)),
            amount: Some(*amount),
            ..base
        }),
        Event::CampaignExhausted { campaign } => one(EventRow {
            reference: s(campaign),
            ..base
        }),
        _ => match super::job_rows::rows_of(&base, e, n) {
            Some(rows) => rows,
            None => other_rows(base, e, n),
        },
    }
}

/// Governance, credentials, consent and contracts: who and what, no value
/// moved (except a contract's budget, an amount of an asset).
fn other_rows(base: EventRow, e: &Event, n: &mut Names) -> Vec<EventRow> {
    let one = |r: EventRow| vec![r];
    let s = |x: &str| Some(x.to_string());
    match e {
        Event::CredentialIssued {
            credential_id,
            subject,
            issuer,
            kind,
        } => one(EventRow {
            from: Some(n.account(issuer)),
            to: Some(n.account(subject)),
            reference: Some(n.reference(credential_id)),
            detail: s(kind),
            ..base
        }),
        Event::CredentialStatusChanged {
            credential_id,
            subject,
            issuer,
            status,
            ..
        } => one(EventRow {
            from: Some(n.account(issuer)),
            to: Some(n.account(subject)),
            reference: Some(n.reference(credential_id)),
            detail: s(status.as_str()),
            ..base
        }),
        Event::ConsentGranted {
            subject,
            party,
            scope,
            expires_at_ms,
        } => one(EventRow {
            from: Some(n.account(subject)),
            to: Some(n.account(party)),
            detail: s(scope),
            expires_at_ms: *expires_at_ms,
            ..base
        }),
        Event::ConsentRevoked {
            subject,
            party,
            scope,
        } => one(EventRow {
            from: Some(n.account(subject)),
            to: Some(n.account(party)),
            detail: s(scope),
            ..base
        }),
        Event::DataAccessed {
            subject,
            party,
            scope,
            purpose,
        } => one(EventRow {
            from: Some(n.account(subject)),
            to: Some(n.account(party)),
            detail: Some(match n.free_text(purpose) {
                Some(p) => format!("{scope}: {p}"),
                None => scope.clone(),
            }),
            ..base
        }),
        Event::ProposalCreated {
            proposal_id,
            proposer,
            action,
        } => one(EventRow {
            from: Some(n.account(proposer)),
            reference: s(proposal_id),
            detail: s(action.name()),
            ..base
        }),
        Event::ProposalVoted {
            proposal_id,
            voter,
            approve,
            ..
        } => one(EventRow {
            from: Some(n.account(voter)),
            reference: s(proposal_id),
            detail: s(if *approve { "approve" } else { "reject" }),
            ..base
        }),
        Event::ProposalClosed {
            proposal_id,
            state,
            failure,
        } => one(EventRow {
            reference: s(proposal_id),
            detail: Some(match failure {
                Some(f) => format!("{}: {}", state.as_str(), f.code()),
                None => state.as_str().to_string(),
            }),
            ..base
        }),
        Event::ValidatorChangeScheduled {
            public_key,
            added,
            effective_height,
        } => one(EventRow {
            to: Some(n.account(public_key)),
            detail: Some(format!(
                "{} at {effective_height}",
                if *added { "add" } else { "remove" }
            )),
            ..base
        }),
        Event::ValidatorSetChanged { added, removed, .. } => added
            .iter()
            .map(|a| (a, "added"))
            .chain(removed.iter().map(|a| (a, "removed")))
            .enumerate()
            .map(|(i, (a, what))| EventRow {
                part: i as u32,
                to: Some(n.account(a)),
                detail: s(what),
                ..base.clone()
            })
            .collect(),
        Event::RoleGranted { account, role: r } | Event::RoleRevoked { account, role: r } => {
            one(EventRow {
                to: Some(n.account(account)),
                detail: Some(role(r)),
                ..base
            })
        }
        Event::MembershipChanged { account, member } => one(EventRow {
            to: Some(n.account(account)),
            detail: s(if *member { "member" } else { "not_member" }),
            ..base
        }),
        Event::AssetDefined { asset } | Event::AssetPolicyChanged { asset } => one(EventRow {
            asset: s(asset),
            ..base
        }),
        Event::ParamChanged { name, value } => one(EventRow {
            reference: s(name),
            detail: Some(value.to_string()),
            ..base
        }),
        Event::CodeUploaded {
            code_hash,
            size,
            uploader,
        } => one(EventRow {
            from: Some(n.account(uploader)),
            reference: Some(hx(code_hash)),
            detail: Some(size.to_string()),
            ..base
        }),
        Event::ContractDeployed {
            contract_id,
            code_hash,
            account,
        } => one(EventRow {
            to: Some(n.account(account)),
            reference: s(contract_id),
            detail: Some(hx(code_hash)),
            ..base
        }),
        Event::ContractUpgraded {
            contract_id,
            code_hash,
        } => one(EventRow {
            reference: s(contract_id),
            detail: Some(hx(code_hash)),
            ..base
        }),
        Event::ContractStatusChanged {
            contract_id,
            status,
        } => one(EventRow {
            reference: s(contract_id),
            detail: s(status.as_str()),
            ..base
        }),
        Event::ContractBudgetChanged {
            contract_id,
            asset,
            allotted,
        } => one(EventRow {
            asset: s(asset),
            amount: Some(*allotted),
            reference: s(contract_id),
            ..base
        }),
        Event::ContractCalled {
            contract_id,
            caller,
            method,
            ..
        } => one(EventRow {
            from: Some(n.account(caller)),
            reference: s(contract_id),
            detail: s(method),
            ..base
        }),
        Event::ContractEmitted {
            contract_id, topic, ..
        } => one(EventRow {
            reference: s(contract_id),
            detail: Some(hex::encode(topic)),
            ..base
        }),
        // Value events and jobs have rows of their own above.
        _ => one(base),
    }
}
