//! Events rendered for people and the API: the one place that says, for
//! each event, which account value left and reached, how much, and the short
//! words shown beside it. Nothing here is hashed or signed; the gRPC API and
//! the CLI render from it, so a new event is described next to its
//! definition and every client follows.

use crate::crypto::Address;
use crate::receipt::Event;

/// An event as a flat record: the shape of the API's `Event` message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventView {
    /// The event's name (`Event::name`).
    pub kind: &'static str,
    pub asset: String,
    /// Account value left (payer, sender, expiring holder, signer of a step).
    pub from: Option<Address>,
    /// Account value reached (receiver, merchant, breakage or fee account).
    pub to: Option<Address>,
    pub amount: u64,
    pub fee: u64,
    /// Invoice, payout reference, mint source, campaign, job, credential,
    /// scope or proposal id.
    pub reference: String,
    /// For pay and refund: the parts per asset.
    pub parts: Vec<(String, u64)>,
    pub expires_at_ms: Option<u64>,
    /// A short word: a kind, a status, an action, a role.
    pub detail: String,
    /// Text for people: a reason, a purpose, a tally, an outcome.
    pub note: String,
    /// Accounts the event names beyond from/to.
    pub accounts: Vec<Address>,
}

impl Event {
    /// The event for people and the API.
    pub fn view(&self) -> EventView {
        let e = self;
        let mut p = EventView {
            kind: e.name(),
            ..Default::default()
        };
        match e {
            Event::Minted {
                asset,
                to,
                amount,
                source,
                expires_at,
            } => {
                p.asset = asset.clone();
                p.to = Some(*to);
                p.amount = *amount;
                p.reference = source.label();
                p.expires_at_ms = *expires_at;
            }
            Event::Transferred {
                asset,
                from,
                to,
                amount,
            } => {
                p.asset = asset.clone();
                p.from = Some(*from);
                p.to = Some(*to);
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
                p.from = Some(*from);
                p.to = Some(*to);
                p.reference = invoice_id.clone();
                p.amount = parts.iter().map(|(_, a)| *a).sum();
                p.parts = parts.clone();
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
                p.from = Some(*merchant);
                p.to = Some(*fee_account);
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
                p.from = Some(*from);
                p.amount = *amount;
            }
            Event::Expired {
                asset,
                account,
                amount,
                breakage_account,
            } => {
                p.asset = asset.clone();
                p.from = Some(*account);
                p.to = Some(*breakage_account);
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
                p.from = Some(*poster);
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
                p.from = Some(*worker);
                p.to = Some(*poster);
            }
            Event::JobDisputed {
                job_id,
                poster,
                worker,
                by,
                ..
            } => {
                p.reference = job_id.clone();
                p.from = Some(*by);
                p.to = Some(if by == poster { *worker } else { *poster });
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
                p.from = Some(*poster);
                p.to = Some(*worker);
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
                p.to = Some(*poster);
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
                p.from = Some(*poster);
                p.to = Some(*worker);
                p.amount = *to_worker;
            }
            Event::CredentialIssued {
                credential_id,
                subject,
                issuer,
                kind,
            } => {
                p.reference = credential_id.clone();
                p.from = Some(*issuer);
                p.to = Some(*subject);
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
                p.from = Some(*issuer);
                p.to = Some(*subject);
                p.detail = status.as_str().into();
                p.note = reason.clone();
            }
            Event::ConsentGranted {
                subject,
                party,
                scope,
                expires_at_ms,
            } => {
                p.reference = scope.clone();
                p.from = Some(*subject);
                p.to = Some(*party);
                p.expires_at_ms = *expires_at_ms;
            }
            Event::ConsentRevoked {
                subject,
                party,
                scope,
            } => {
                p.reference = scope.clone();
                p.from = Some(*subject);
                p.to = Some(*party);
            }
            Event::DataAccessed {
                subject,
                party,
                scope,
                purpose,
            } => {
                p.reference = scope.clone();
                p.from = Some(*subject);
                p.to = Some(*party);
                p.note = purpose.clone();
            }
            Event::ProposalCreated {
                proposal_id,
                proposer,
                action,
            } => {
                p.reference = proposal_id.clone();
                p.from = Some(*proposer);
                p.detail = action.name().into();
                p.note = action.describe();
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
                p.from = Some(*voter);
                p.detail = if *approve { "approve" } else { "reject" }.into();
                p.amount = *approvals;
                p.note = format!("{approvals} for, {rejections} against, {needed} needed");
            }
            Event::ProposalClosed {
                proposal_id,
                state,
                failure,
            } => {
                p.reference = proposal_id.clone();
                p.detail = state.as_str().into();
                p.note = failure.as_ref().map(|f| f.to_string()).unwrap_or_default();
            }
            Event::ValidatorChangeScheduled {
                public_key,
                added,
                effective_height,
            } => {
                p.to = Some(*public_key);
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
                p.accounts = added.iter().chain(removed).copied().collect();
                p.note = format!(
                    "{} added, {} removed{}",
                    added.len(),
                    removed.len(),
                    if skipped.is_empty() {
                        String::new()
                    } else {
                        let why: Vec<String> = skipped
                            .iter()
                            .map(|s| format!("{}: {}", s.public_key, s.rule))
                            .collect();
                        format!("; skipped: {}", why.join("; "))
                    }
                );
            }
            Event::RoleGranted { account, role } | Event::RoleRevoked { account, role } => {
                p.to = Some(*account);
                p.detail = role.describe();
            }
            Event::AssetDefined { asset } | Event::AssetPolicyChanged { asset } => {
                p.asset = asset.clone();
            }
            Event::ParamChanged { name, value } => {
                p.reference = name.clone();
                p.amount = *value;
            }
            Event::MembershipChanged { account, member } => {
                p.to = Some(*account);
                p.detail = if *member { "joined" } else { "left" }.into();
            }
            // Contracts: `reference` is the contract id (the code hash for an
            // upload); `detail` the method, status, topic or code hash.
            Event::CodeUploaded {
                code_hash,
                size,
                uploader,
            } => {
                p.reference = hex::encode(code_hash);
                p.from = Some(*uploader);
                p.amount = u64::from(*size);
            }
            Event::ContractDeployed {
                contract_id,
                code_hash,
                account,
            } => {
                p.reference = contract_id.clone();
                p.to = Some(*account);
                p.detail = hex::encode(code_hash);
            }
            Event::ContractUpgraded {
                contract_id,
                code_hash,
            } => {
                p.reference = contract_id.clone();
                p.detail = hex::encode(code_hash);
            }
            Event::ContractStatusChanged {
                contract_id,
                status,
            } => {
                p.reference = contract_id.clone();
                p.detail = status.as_str().into();
            }
            Event::ContractBudgetChanged {
                contract_id,
                asset,
                allotted,
            } => {
                p.reference = contract_id.clone();
                p.asset = asset.clone();
                p.amount = *allotted;
            }
            Event::ContractCalled {
                contract_id,
                caller,
                method,
                fuel_used,
            } => {
                p.reference = contract_id.clone();
                p.from = Some(*caller);
                p.detail = method.clone();
                p.amount = *fuel_used;
                p.note = format!("{fuel_used} fuel");
            }
            Event::ContractEmitted {
                contract_id,
                topic,
                data,
                accounts,
            } => {
                p.reference = contract_id.clone();
                p.detail = String::from_utf8_lossy(topic).into_owned();
                p.note = hex::encode(data);
                p.accounts = accounts.clone();
            }
        }
        p
    }
}
