//! The supply test's plans turned into signed operations and governance actions.

use super::*;

/// An asset class that is not defined at genesis; governance may define it.
pub(super) fn gold_class() -> AssetClass {
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

pub(super) fn role_of(r: &RolePlan) -> Role {
    match r {
        RolePlan::CredentialIssuer => Role::CredentialIssuer,
        RolePlan::Coordinator => Role::Coordinator,
        RolePlan::Issuer(a) => Role::Issuer(ASSETS[*a].into()),
    }
}

pub(super) fn build_gov(g: &GovPlan, who: &[Address], height: u64) -> GovAction {
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

pub(super) fn build_op(p: &OpPlan, who: &[Address], height: u64, now_ms: u64) -> Operation {
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
