//! Conversions between ledger and consensus types and the wire types of
//! `yui-proto`. The only place in the node that knows both.

use yui_consensus::CommitCertificate;
use yui_ledger::credential::{Consent, Credential};
use yui_ledger::governance::{Proposal, ValidatorInfo};
use yui_ledger::state::{Holding, Role};
use yui_ledger::{
    AssetKind, Block, Event, ExpiryPolicy, Operation, Receipt, SignedTransaction, SpendScope,
};
use yui_proto::v1 as pb;

pub fn event(e: &Event) -> pb::Event {
    let v = e.view();
    let bytes = |a: Option<yui_ledger::Address>| a.map(|a| a.0.to_vec()).unwrap_or_default();
    pb::Event {
        kind: v.kind.into(),
        asset: v.asset,
        from: bytes(v.from),
        to: bytes(v.to),
        amount: v.amount,
        fee: v.fee,
        reference: v.reference,
        parts: v
            .parts
            .into_iter()
            .map(|(asset, amount)| pb::AssetAmount { asset, amount })
            .collect(),
        expires_at_ms: v.expires_at_ms.unwrap_or(0),
        detail: v.detail,
        note: v.note,
        accounts: v.accounts.iter().map(|a| a.0.to_vec()).collect(),
    }
}

pub fn credential(c: &Credential) -> pb::Credential {
    pb::Credential {
        id: c.id.clone(),
        subject: c.subject.0.to_vec(),
        kind: c.kind.clone(),
        issuer: c.issuer.0.to_vec(),
        valid_from_ms: c.valid_from_ms,
        valid_until_ms: c.valid_until_ms,
        claims_digest: c.claims_digest.to_vec(),
        status: c.status.as_str().into(),
        history: c
            .history
            .iter()
            .map(|s| pb::CredentialStep {
                action: s.action.as_str().into(),
                by: s.by.0.to_vec(),
                status: s.status.as_str().into(),
                reason: s.reason.clone(),
                height: s.height,
                time_ms: s.at_ms,
            })
            .collect(),
    }
}

pub fn consent(c: &Consent, now_ms: u64) -> pb::Consent {
    pb::Consent {
        subject: c.subject.0.to_vec(),
        party: c.party.0.to_vec(),
        scope: c.scope.clone(),
        granted_at_ms: c.granted_at_ms,
        expires_at_ms: c.expires_at_ms.unwrap_or(0),
        revoked_at_ms: c.revoked_at_ms.unwrap_or(0),
        active: c.is_active(now_ms),
        access_count: c.access_count,
        accesses: c
            .accesses
            .iter()
            .map(|a| pb::Access {
                purpose: a.purpose.clone(),
                height: a.height,
                time_ms: a.at_ms,
            })
            .collect(),
    }
}

pub fn proposal(p: &Proposal) -> pb::Proposal {
    pb::Proposal {
        id: p.id.clone(),
        proposer: p.proposer.0.to_vec(),
        action: p.action.name().into(),
        action_json: serde_json::to_string(&p.action).unwrap_or_default(),
        description: p.action.describe(),
        state: p.state.as_str().into(),
        approvals: p.approvals.iter().map(|a| a.0.to_vec()).collect(),
        rejections: p.rejections.iter().map(|a| a.0.to_vec()).collect(),
        expires_at_ms: p.expires_at_ms,
        created_height: p.created_height,
        created_ms: p.created_ms,
        closed_height: p.closed_height.unwrap_or(0),
        outcome: match (&p.failure, p.state) {
            (Some(f), _) => f.to_string(),
            (None, yui_ledger::governance::ProposalState::Executed) => p.action.describe(),
            (None, _) => String::new(),
        },
    }
}

pub fn validator_info(v: &ValidatorInfo) -> pb::ValidatorInfo {
    pb::ValidatorInfo {
        name: v.name.clone(),
        public_key: v.public_key.0.to_vec(),
        power: v.power,
    }
}

pub fn receipt(r: &Receipt) -> pb::Receipt {
    pb::Receipt {
        tx_hash: r.tx_hash.to_vec(),
        signer: r.signer.0.to_vec(),
        height: r.height,
        index: r.index,
        success: r.error.is_none(),
        error: r.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        error_code: r.error.as_ref().map(|e| e.code()).unwrap_or_default(),
        events: r.events.iter().map(event).collect(),
    }
}

/// The operation's fields as JSON (tagged by `op`), for display and audit.
pub fn operation_json(op: &Operation) -> serde_json::Value {
    serde_json::to_value(op).unwrap_or_default()
}

pub fn tx_summary(t: &SignedTransaction) -> pb::TxSummary {
    pb::TxSummary {
        hash: t.hash().to_vec(),
        signer: t.tx.signer.0.to_vec(),
        nonce: t.tx.nonce,
        operation: t.tx.op.name().into(),
        operation_json: operation_json(&t.tx.op).to_string(),
        raw: t.to_bytes(),
    }
}

pub fn role(r: &Role) -> pb::Role {
    match r {
        Role::Issuer(a) => pb::Role {
            kind: "issuer".into(),
            of: a.clone(),
        },
        Role::Merchant(c) => pb::Role {
            kind: "merchant".into(),
            of: c.as_str().into(),
        },
        Role::Coordinator => pb::Role {
            kind: "coordinator".into(),
            of: String::new(),
        },
        Role::CredentialIssuer => pb::Role {
            kind: "credential_issuer".into(),
            of: String::new(),
        },
    }
}

pub fn balance(asset: &str, h: &Holding) -> pb::Balance {
    pb::Balance {
        asset: asset.into(),
        total: h.total(),
        lots: h
            .lots
            .iter()
            .map(|l| pb::Lot {
                amount: l.amount,
                expires_at_ms: l.expires_at.unwrap_or(0),
            })
            .collect(),
        last_change_ms: h.last_change_ms,
    }
}

pub fn asset(a: &yui_ledger::state::AssetState) -> pb::AssetInfo {
    let c = &a.class;
    pb::AssetInfo {
        id: c.id.clone(),
        kind: match c.kind {
            AssetKind::Coin => "coin",
            AssetKind::Point => "point",
            AssetKind::Voucher => "voucher",
        }
        .into(),
        issuers: c.issuers.iter().map(|i| i.0.to_vec()).collect(),
        transferable: c.transferable,
        spendable_at: match &c.spendable_at {
            SpendScope::Anyone => "anyone".into(),
            SpendScope::Merchants => "merchants".into(),
            SpendScope::MerchantClasses(cs) => {
                format!(
                    "merchant_classes:{}",
                    cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
                )
            }
        },
        redeemable: c.redeemable,
        redeem_fee_bps: c.redeem_fee_bps,
        fee_account: c.fee_account.0.to_vec(),
        holding_cap: c.holding_cap,
        expiry: match c.expiry {
            ExpiryPolicy::None => "none".into(),
            ExpiryPolicy::FixedDate(t) => format!("fixed_date:{t}"),
            ExpiryPolicy::DaysPerLot(d) => format!("days_per_lot:{d}"),
            ExpiryPolicy::RollingDays(d) => format!("rolling_days:{d}"),
        },
        breakage_account: c.breakage_account.0.to_vec(),
        pay_priority: c.pay_priority,
        issued: a.issued,
        burned: a.burned,
        expired: a.expired,
    }
}

pub fn certificate(c: &CommitCertificate) -> pb::CommitCertificate {
    pb::CommitCertificate {
        height: c.height,
        round: c.round,
        block_hash: c.block_hash.to_vec(),
        signatures: c
            .signatures
            .iter()
            .map(|s| pb::CommitSignature {
                validator: s.validator,
                signature: s.signature.to_vec(),
            })
            .collect(),
    }
}

/// A block for the wire; transactions only when `full` (auditors).
pub fn block(b: &Block, c: &CommitCertificate, full: bool) -> pb::Block {
    let h = &b.header;
    pb::Block {
        header: Some(pb::BlockHeader {
            chain_id: h.chain_id.clone(),
            height: h.height,
            time_ms: h.time_ms,
            prev_hash: h.prev_hash.to_vec(),
            tx_root: h.tx_root.to_vec(),
            receipts_root: h.receipts_root.to_vec(),
            state_root: h.state_root.to_vec(),
            proposer: h.proposer.0.to_vec(),
            validators_hash: h.validators_hash.to_vec(),
            hash: b.hash().to_vec(),
        }),
        certificate: Some(certificate(c)),
        tx_count: b.txs.len() as u32,
        txs: if full {
            b.txs.iter().map(tx_summary).collect()
        } else {
            Vec::new()
        },
        raw: if full { b.to_bytes() } else { Vec::new() },
        raw_certificate: borsh::to_vec(c).unwrap_or_default(),
    }
}

pub fn job(j: &yui_ledger::state::Job) -> pb::Job {
    let addr = |a: &Option<yui_ledger::Address>| a.map(|a| a.0.to_vec()).unwrap_or_default();
    let hash = |h: &Option<[u8; 32]>| h.map(|h| h.to_vec()).unwrap_or_default();
    pb::Job {
        id: j.id.clone(),
        poster: j.poster.0.to_vec(),
        worker: addr(&j.worker),
        coordinator: j.coordinator.0.to_vec(),
        asset: j.asset.clone(),
        reward: j.reward,
        escrow: j.escrow_total(),
        state: j.state.as_str().into(),
        open: j.state.is_open(),
        accept_deadline_ms: j.accept_deadline_ms,
        posted_at_ms: j.posted_at_ms,
        accepted_at_ms: j.accepted_at_ms.unwrap_or(0),
        submitted_at_ms: j.submitted_at_ms.unwrap_or(0),
        closed_at_ms: j.closed_at_ms.unwrap_or(0),
        timeout_at_ms: j.timer_at.unwrap_or(0),
        required_credential: j.required_credential.clone().unwrap_or_default(),
        description_hash: j.description_hash.to_vec(),
        proof_hash: hash(&j.proof_hash),
        rating: j.rating.map_or(0, u32::from),
        cancel_consent: j.cancel_consent,
        disputed_by: addr(&j.disputed_by),
        reason_hash: hash(&j.reason_hash),
        resolved_to_worker: j.resolved_to_worker.unwrap_or(0),
        history: j
            .history
            .iter()
            .map(|s| pb::JobStep {
                action: s.action.as_str().into(),
                state: s.state.as_str().into(),
                height: s.height,
                time_ms: s.at_ms,
                by: addr(&s.by),
            })
            .collect(),
    }
}

pub fn reputation(
    a: &yui_ledger::Address,
    r: &yui_ledger::state::Reputation,
    height: u64,
) -> pb::GetReputationResponse {
    pb::GetReputationResponse {
        address: a.0.to_vec(),
        jobs_completed: r.jobs_completed,
        rating_sum: r.rating_sum,
        rating_count: r.rating_count,
        disputes_lost: r.disputes_lost,
        height,
    }
}

pub fn contract(
    c: &yui_ledger::contract::Contract,
    balances: &[(String, Holding)],
) -> pb::Contract {
    pb::Contract {
        id: c.id.clone(),
        code_hash: c.code_hash.to_vec(),
        code_size: u64::from(c.code_size),
        methods: c.methods.clone(),
        engine_version: c.engine_version,
        fuel_table_version: c.fuel_table_version,
        account: c.account.0.to_vec(),
        assets: c.assets.clone(),
        budget: c
            .budget
            .iter()
            .map(|b| pb::BudgetLine {
                asset: b.asset.clone(),
                allotted: b.allotted,
                granted: b.granted,
            })
            .collect(),
        status: c.status.as_str().into(),
        proposal_id: c.proposal_id.clone(),
        deployed_height: c.deployed_height,
        deployed_ms: c.deployed_ms,
        upgraded_height: c.upgraded_height.unwrap_or(0),
        calls: c.calls,
        fuel_used: c.fuel_used,
        balances: balances.iter().map(|(a, h)| balance(a, h)).collect(),
    }
}
