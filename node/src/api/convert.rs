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
    let mut p = pb::Event {
        kind: e.name().into(),
        ..Default::default()
    };
    match e {
        Event::Minted {
            asset,
            to,
            amount,
            reason,
            expires_at,
        } => {
            p.asset = asset.clone();
            p.to = to.0.to_vec();
            p.amount = *amount;
            p.reference = reason.clone();
            p.expires_at_ms = expires_at.unwrap_or(0);
        }
        Event::Transferred {
            asset,
            from,
            to,
            amount,
        } => {
            p.asset = asset.clone();
            p.from = from.0.to_vec();
            p.to = to.0.to_vec();
            p.amount = *amount;
        }
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
            let (from, to) = if matches!(e, Event::Paid { .. }) {
                (payer, merchant)
            } else {
                (merchant, payer)
            };
            p.from = from.0.to_vec();
            p.to = to.0.to_vec();
            p.reference = invoice_id.clone();
            p.amount = parts.iter().map(|(_, a)| *a).sum();
            p.parts = parts
                .iter()
                .map(|(a, n)| pb::AssetAmount {
                    asset: a.clone(),
                    amount: *n,
                })
                .collect();
        }
        Event::Redeemed {
            merchant,
            asset,
            amount,
            fee,
            fee_account,
            payout_ref,
        } => {
            p.asset = asset.clone();
            p.from = merchant.0.to_vec();
            p.to = fee_account.0.to_vec();
            p.amount = *amount;
            p.fee = *fee;
            p.reference = payout_ref.clone();
        }
        Event::Burned {
            asset,
            from,
            amount,
        } => {
            p.asset = asset.clone();
            p.from = from.0.to_vec();
            p.amount = *amount;
        }
        Event::Expired {
            asset,
            account,
            amount,
            breakage_account,
        } => {
            p.asset = asset.clone();
            p.from = account.0.to_vec();
            p.to = breakage_account.0.to_vec();
            p.amount = *amount;
        }
        Event::CampaignExhausted { campaign } => p.reference = campaign.clone(),
        // Jobs: `reference` is the job id. Value moving into escrow has no
        // `to`; value leaving it has no `from` but the poster whose job it was.
        // Steps that move no value name their signer as `from` and the other
        // party as `to`, with amount 0.
        Event::JobPosted {
            job_id,
            poster,
            asset,
            reward,
            ..
        } => {
            p.reference = job_id.clone();
            p.asset = asset.clone();
            p.from = poster.0.to_vec();
            p.amount = *reward;
        }
        Event::JobAccepted {
            job_id,
            poster,
            worker,
        }
        | Event::JobSubmitted {
            job_id,
            poster,
            worker,
            ..
        }
        | Event::JobCancelConsented {
            job_id,
            poster,
            worker,
        } => {
            p.reference = job_id.clone();
            p.from = worker.0.to_vec();
            p.to = poster.0.to_vec();
        }
        Event::JobDisputed {
            job_id,
            poster,
            worker,
            by,
            ..
        } => {
            p.reference = job_id.clone();
            p.from = by.0.to_vec();
            p.to = if by == poster { worker } else { poster }.0.to_vec();
        }
        Event::JobPaid {
            job_id,
            poster,
            worker,
            asset,
            amount,
            ..
        }
        | Event::JobAutoReleased {
            job_id,
            poster,
            worker,
            asset,
            amount,
        } => {
            p.reference = job_id.clone();
            p.asset = asset.clone();
            p.from = poster.0.to_vec();
            p.to = worker.0.to_vec();
            p.amount = *amount;
        }
        Event::JobCancelled {
            job_id,
            poster,
            asset,
            refunded,
            ..
        }
        | Event::JobExpired {
            job_id,
            poster,
            asset,
            refunded,
        } => {
            p.reference = job_id.clone();
            p.asset = asset.clone();
            p.to = poster.0.to_vec();
            p.amount = *refunded;
        }
        Event::JobResolved {
            job_id,
            poster,
            worker,
            asset,
            to_worker,
            ..
        } => {
            // The worker's share; the rest of the escrow went back to the poster.
            p.reference = job_id.clone();
            p.asset = asset.clone();
            p.from = poster.0.to_vec();
            p.to = worker.0.to_vec();
            p.amount = *to_worker;
        }
        Event::CredentialIssued {
            credential_id,
            subject,
            issuer,
            kind,
        } => {
            p.reference = credential_id.clone();
            p.from = issuer.0.to_vec();
            p.to = subject.0.to_vec();
            p.detail = kind.clone();
        }
        Event::CredentialStatusChanged {
            credential_id,
            subject,
            issuer,
            status,
            reason,
        } => {
            p.reference = credential_id.clone();
            p.from = issuer.0.to_vec();
            p.to = subject.0.to_vec();
            p.detail = status.clone();
            p.note = reason.clone();
        }
        Event::ConsentGranted {
            subject,
            party,
            scope,
            expires_at_ms,
        } => {
            p.reference = scope.clone();
            p.from = subject.0.to_vec();
            p.to = party.0.to_vec();
            p.expires_at_ms = expires_at_ms.unwrap_or(0);
        }
        Event::ConsentRevoked {
            subject,
            party,
            scope,
        } => {
            p.reference = scope.clone();
            p.from = subject.0.to_vec();
            p.to = party.0.to_vec();
        }
        Event::DataAccessed {
            subject,
            party,
            scope,
            purpose,
        } => {
            p.reference = scope.clone();
            p.from = subject.0.to_vec();
            p.to = party.0.to_vec();
            p.note = purpose.clone();
        }
        Event::ProposalCreated {
            proposal_id,
            proposer,
            action,
            description,
        } => {
            p.reference = proposal_id.clone();
            p.from = proposer.0.to_vec();
            p.detail = action.clone();
            p.note = description.clone();
        }
        Event::ProposalVoted {
            proposal_id,
            voter,
            approve,
            approvals,
            rejections,
            needed,
        } => {
            p.reference = proposal_id.clone();
            p.from = voter.0.to_vec();
            p.detail = if *approve { "approve" } else { "reject" }.into();
            p.amount = *approvals;
            p.note = format!("{approvals} for, {rejections} against, {needed} needed");
        }
        Event::ProposalClosed {
            proposal_id,
            state,
            outcome,
        } => {
            p.reference = proposal_id.clone();
            p.detail = state.clone();
            p.note = outcome.clone();
        }
        Event::ValidatorChangeScheduled {
            public_key,
            added,
            effective_height,
        } => {
            p.to = public_key.0.to_vec();
            p.detail = if *added { "add" } else { "remove" }.into();
            p.amount = *effective_height;
        }
        Event::ValidatorSetChanged {
            effective_height,
            added,
            removed,
            skipped,
        } => {
            p.amount = *effective_height;
            p.accounts = added.iter().chain(removed).map(|a| a.0.to_vec()).collect();
            p.note = format!(
                "{} added, {} removed{}",
                added.len(),
                removed.len(),
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!("; skipped: {}", skipped.join("; "))
                }
            );
        }
        Event::RoleGranted { account, role } | Event::RoleRevoked { account, role } => {
            p.to = account.0.to_vec();
            p.detail = role.clone();
        }
        Event::AssetDefined { asset } | Event::AssetPolicyChanged { asset } => {
            p.asset = asset.clone();
        }
        Event::ParamChanged { name, value } => {
            p.reference = name.clone();
            p.amount = *value;
        }
        Event::MembershipChanged { account, member } => {
            p.to = account.0.to_vec();
            p.detail = if *member { "joined" } else { "left" }.into();
        }
    }
    p
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
                action: s.action.clone(),
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
        outcome: p.outcome.clone(),
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
        error: r.error.clone().unwrap_or_default(),
        events: r.events.iter().map(event).collect(),
    }
}

/// The operation's fields as JSON, for display and audit.
pub fn operation_json(op: &Operation) -> serde_json::Value {
    use serde_json::json;
    match op {
        Operation::Charge {
            to,
            asset,
            amount,
            deposit_ref,
            campaign,
        } => {
            json!({"to": to.to_hex(), "asset": asset, "amount": amount, "deposit_ref": deposit_ref, "campaign": campaign})
        }
        Operation::Grant {
            to,
            asset,
            amount,
            reason,
            event_id,
        } => {
            json!({"to": to.to_hex(), "asset": asset, "amount": amount, "reason": reason, "event_id": event_id})
        }
        Operation::Transfer { to, asset, amount } => {
            json!({"to": to.to_hex(), "asset": asset, "amount": amount})
        }
        Operation::Pay {
            merchant,
            invoice_id,
            amount,
            assets,
        } => {
            json!({"merchant": merchant.to_hex(), "invoice_id": invoice_id, "amount": amount, "assets": assets})
        }
        Operation::Refund { invoice_id, amount } => {
            json!({"invoice_id": invoice_id, "amount": amount})
        }
        Operation::Redeem {
            asset,
            amount,
            payout_ref,
        } => {
            json!({"asset": asset, "amount": amount, "payout_ref": payout_ref})
        }
        Operation::Burn { asset, amount } => json!({"asset": asset, "amount": amount}),
        Operation::PostJob {
            job_id,
            asset,
            reward,
            coordinator,
            accept_deadline_ms,
            required_credential,
            description_hash,
        } => {
            json!({"job_id": job_id, "asset": asset, "reward": reward, "coordinator": coordinator.to_hex(), "accept_deadline_ms": accept_deadline_ms, "required_credential": required_credential, "description_hash": hex::encode(description_hash)})
        }
        Operation::AcceptJob { job_id }
        | Operation::CancelJob { job_id }
        | Operation::ConsentCancel { job_id } => json!({"job_id": job_id}),
        Operation::SubmitJob { job_id, proof_hash } => {
            json!({"job_id": job_id, "proof_hash": hex::encode(proof_hash)})
        }
        Operation::ApproveJob { job_id, rating } => json!({"job_id": job_id, "rating": rating}),
        Operation::DisputeJob {
            job_id,
            reason_hash,
        } => json!({"job_id": job_id, "reason_hash": hex::encode(reason_hash)}),
        Operation::ResolveJob { job_id, to_worker } => {
            json!({"job_id": job_id, "to_worker": to_worker})
        }
        Operation::IssueCredential {
            credential_id,
            subject,
            kind,
            valid_from_ms,
            valid_until_ms,
            claims_digest,
        } => {
            json!({"credential_id": credential_id, "subject": subject.to_hex(), "kind": kind, "valid_from_ms": valid_from_ms, "valid_until_ms": valid_until_ms, "claims_digest": hex::encode(claims_digest)})
        }
        Operation::SuspendCredential {
            credential_id,
            reason,
        }
        | Operation::RevokeCredential {
            credential_id,
            reason,
        } => json!({"credential_id": credential_id, "reason": reason}),
        Operation::ReinstateCredential { credential_id } => {
            json!({"credential_id": credential_id})
        }
        Operation::GrantConsent {
            party,
            scope,
            expires_at_ms,
        } => json!({"party": party.to_hex(), "scope": scope, "expires_at_ms": expires_at_ms}),
        Operation::RevokeConsent { party, scope } => {
            json!({"party": party.to_hex(), "scope": scope})
        }
        Operation::RecordAccess {
            subject,
            scope,
            purpose,
        } => json!({"subject": subject.to_hex(), "scope": scope, "purpose": purpose}),
        Operation::Propose {
            proposal_id,
            action,
            expires_at_ms,
        } => {
            json!({"proposal_id": proposal_id, "action": action, "expires_at_ms": expires_at_ms})
        }
        Operation::Vote {
            proposal_id,
            approve,
        } => json!({"proposal_id": proposal_id, "approve": approve}),
    }
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
                action: s.action.clone(),
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
