//! Governance: consortium members propose and vote; a proposal that reaches
//! the threshold carries out its action in the same transaction. Proposals
//! that pass their expiry close at a block's start. Validator changes wait
//! in a height-ordered queue and are applied at the start of the block
//! before their height, so the state after block h names the set of h + 1.

use crate::asset::DAY_MS;
use crate::crypto::Address;
use crate::error::{Rule, StateError, TxError};
use crate::governance::{
    ChainParams, GovAction, Proposal, ProposalState, ValidatorChange, ValidatorInfo,
};
use crate::limits;
use crate::receipt::{Event, SkippedChange};
use crate::state::{Account, AssetState, Overlay, Role, StateRead, keys, scan_due};

use super::Ctx;
use super::holding::ensure_account;

type Out = Result<Vec<Event>, TxError>;

pub(crate) fn load_params<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    ctx: &Ctx,
) -> Result<ChainParams, TxError> {
    Ok(crate::state::params(ov)?.unwrap_or_else(|| ChainParams::new(ctx.chain_id.clone())))
}

fn members<S: StateRead + ?Sized>(ov: &Overlay<'_, S>) -> Result<Vec<Address>, TxError> {
    Ok(crate::state::members(ov)?)
}

pub(crate) fn require_member<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    signer: &Address,
) -> Result<Vec<Address>, TxError> {
    let m = members(ov)?;
    if m.binary_search(signer).is_err() {
        return Err(TxError::NotMember(*signer));
    }
    Ok(m)
}

fn wrong_state(p: &Proposal, rule: Rule) -> TxError {
    TxError::ProposalState {
        id: p.id.clone(),
        state: p.state,
        rule,
    }
}

fn close(p: &mut Proposal, ctx: &Ctx, state: ProposalState, failure: Option<TxError>) -> Event {
    p.state = state;
    p.closed_height = Some(ctx.height);
    p.closed_ms = Some(ctx.time_ms);
    p.failure = failure.clone();
    Event::ProposalClosed {
        proposal_id: p.id.clone(),
        state,
        failure,
    }
}

/// Counts the votes of current members only.
fn tally(p: &Proposal, members: &[Address]) -> (u64, u64) {
    let count = |v: &[Address]| {
        v.iter()
            .filter(|a| members.binary_search(a).is_ok())
            .count()
    };
    (count(&p.approvals) as u64, count(&p.rejections) as u64)
}

pub(crate) fn propose<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (id, action, expires_at_ms): (&str, &GovAction, u64),
) -> Out {
    let members = require_member(ov, signer)?;
    if ov.has(&keys::proposal(id))? {
        return Err(TxError::ProposalExists(id.into()));
    }
    let params = load_params(ov, ctx)?;
    let ttl_max = params.proposal_ttl_max_days.saturating_mul(DAY_MS);
    if expires_at_ms <= ctx.time_ms || expires_at_ms > ctx.time_ms.saturating_add(ttl_max) {
        return Err(TxError::Malformed(Rule::ProposalExpiryRange));
    }
    // Refuse now what could never be carried out, rather than at the vote.
    check(ov, ctx, &params, action, id)?;
    let mut p = Proposal {
        id: id.into(),
        proposer: *signer,
        action: action.clone(),
        expires_at_ms,
        created_height: ctx.height,
        created_ms: ctx.time_ms,
        approvals: vec![*signer],
        rejections: Vec::new(),
        state: ProposalState::Open,
        closed_height: None,
        closed_ms: None,
        failure: None,
    };
    let mut events = vec![Event::ProposalCreated {
        proposal_id: id.into(),
        proposer: *signer,
        action: action.clone(),
    }];
    let needed = params.approvals_needed(members.len() as u64);
    events.push(Event::ProposalVoted {
        proposal_id: id.into(),
        voter: *signer,
        approve: true,
        approvals: 1,
        rejections: 0,
        needed,
    });
    ov.put(keys::proposal_timer(expires_at_ms, id), Vec::new());
    decide(ov, ctx, &params, &members, &mut p, &mut events)?;
    ov.put_rec(keys::proposal(id), &p);
    Ok(events)
}

pub(crate) fn vote<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (id, approve): (&str, bool),
) -> Out {
    let members = require_member(ov, signer)?;
    let mut p: Proposal = ov
        .get_rec(&keys::proposal(id))?
        .ok_or_else(|| TxError::UnknownProposal(id.into()))?;
    if p.state != ProposalState::Open {
        return Err(wrong_state(&p, Rule::ProposalNotOpen));
    }
    if ctx.time_ms >= p.expires_at_ms {
        return Err(wrong_state(&p, Rule::ProposalExpired));
    }
    if p.approvals.contains(signer) || p.rejections.contains(signer) {
        return Err(TxError::AlreadyVoted {
            voter: *signer,
            proposal: id.into(),
        });
    }
    if approve {
        p.approvals.push(*signer);
    } else {
        p.rejections.push(*signer);
    }
    let params = load_params(ov, ctx)?;
    let (approvals, rejections) = tally(&p, &members);
    let mut events = vec![Event::ProposalVoted {
        proposal_id: id.into(),
        voter: *signer,
        approve,
        approvals,
        rejections,
        needed: params.approvals_needed(members.len() as u64),
    }];
    decide(ov, ctx, &params, &members, &mut p, &mut events)?;
    ov.put_rec(keys::proposal(id), &p);
    Ok(events)
}

/// Closes the proposal if its votes decide it: carries out its action when
/// it passes (or records why it could not), rejects it when it no longer can.
fn decide<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    members: &[Address],
    p: &mut Proposal,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let n = members.len() as u64;
    let (approvals, rejections) = tally(p, members);
    if params.passes(approvals, n) {
        // The action runs on a child overlay: if it fails, nothing of it stays.
        let result = {
            let mut child = Overlay::new(&*ov);
            carry_out(&mut child, ctx, params, &p.action, &p.id)
                .map(|ev| (ev, child.into_pending()))
        };
        ov.delete(keys::proposal_timer(p.expires_at_ms, &p.id));
        match result {
            Ok((evs, writes)) => {
                ov.absorb(writes);
                events.extend(evs);
                events.push(close(p, ctx, ProposalState::Executed, None));
            }
            // A state read that failed is the node's trouble, not the
            // proposal's: it stops the block instead of closing the proposal.
            Err(e @ TxError::State(_)) => return Err(e),
            Err(e) => events.push(close(p, ctx, ProposalState::Failed, Some(e))),
        }
    } else if !params.passes(n.saturating_sub(rejections), n) {
        ov.delete(keys::proposal_timer(p.expires_at_ms, &p.id));
        events.push(close(p, ctx, ProposalState::Rejected, None));
    }
    Ok(())
}

fn change_key(c: &ValidatorChange) -> &Address {
    match c {
        ValidatorChange::Add(v) => &v.public_key,
        ValidatorChange::Remove(k) => k,
    }
}

/// Refuses a validator change that would not take effect as approved. The
/// pending changes and the new one are played in the order they will be
/// applied (height, then key): every addition must find its key outside the
/// set and every removal inside it, the set never empties nor grows past
/// its bound, and no two changes of one key share a height (they would share
/// a queue entry).
fn plan_change<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    height: u64,
    change: &ValidatorChange,
) -> Result<(), TxError> {
    let key = change_key(change);
    let mut changes = crate::state::pending_validator_changes(ov)?;
    if changes
        .iter()
        .any(|(h, c)| *h == height && change_key(c) == key)
    {
        return Err(TxError::ValidatorChange {
            key: *key,
            height,
            rule: Rule::ValidatorChangePending,
        });
    }
    changes.push((height, change.clone()));
    changes.sort_by(|(h1, c1), (h2, c2)| (h1, change_key(c1)).cmp(&(h2, change_key(c2))));
    let mut set = crate::state::validators(ov)?;
    for (h, c) in &changes {
        let k = change_key(c);
        let present = set.iter().any(|v| v.public_key == *k);
        let refuse = |rule| TxError::ValidatorChange {
            key: *k,
            height: *h,
            rule,
        };
        match c {
            ValidatorChange::Add(_) if present => return Err(refuse(Rule::AlreadyValidator)),
            ValidatorChange::Remove(_) if !present => return Err(refuse(Rule::NotValidator)),
            _ => {}
        }
        apply_change(&mut set, c);
        if set.is_empty() {
            return Err(TxError::Governance(Rule::LastValidator));
        }
        if set.len() > limits::VALIDATORS_MAX {
            return Err(TxError::Governance(Rule::TooManyValidators));
        }
    }
    Ok(())
}

fn apply_change(set: &mut Vec<ValidatorInfo>, c: &ValidatorChange) {
    match c {
        ValidatorChange::Add(v) => {
            if !set.iter().any(|w| w.public_key == v.public_key) {
                set.push(v.clone());
            }
        }
        ValidatorChange::Remove(k) => set.retain(|w| w.public_key != *k),
    }
}

/// Whether the action could be carried out now (it is checked again when it is).
fn check<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    action: &GovAction,
    proposal_id: &str,
) -> Result<(), TxError> {
    let mut scratch = Overlay::new(ov);
    carry_out(&mut scratch, ctx, params, action, proposal_id).map(|_| ())
}

fn carry_out<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    action: &GovAction,
    proposal_id: &str,
) -> Out {
    match action {
        GovAction::DeployContract {
            contract_id,
            code_hash,
            init_args,
            assets,
            budget,
        } => super::contracts::deploy(
            ov,
            ctx,
            params,
            super::contracts::Deploy {
                contract_id,
                code_hash,
                init_args,
                assets,
                budget,
                proposal_id,
            },
        ),
        GovAction::UpgradeContract {
            contract_id,
            code_hash,
            migrate_args,
        } => super::contracts::upgrade(ov, ctx, params, (contract_id, code_hash, migrate_args)),
        GovAction::SetContractStatus {
            contract_id,
            status,
        } => super::contracts::set_status(ov, (contract_id, *status)),
        GovAction::CallContract {
            contract_id,
            method,
            args,
        } => super::contracts::governance_call(ov, ctx, params, (contract_id, method, args)),
        GovAction::SetContractBudget {
            contract_id,
            asset,
            allotted,
        } => super::contracts::set_budget(ov, (contract_id, asset, *allotted)),
        GovAction::AddValidator {
            name,
            public_key,
            power,
            effective_height,
        } => {
            schedule(ov, ctx, params, *effective_height)?;
            if !crate::crypto::is_signing_key(public_key) {
                return Err(TxError::Malformed(Rule::ValidatorKeyCannotSign));
            }
            let change = ValidatorChange::Add(ValidatorInfo {
                name: name.clone(),
                public_key: *public_key,
                power: *power,
            });
            plan_change(ov, *effective_height, &change)?;
            ov.put_rec(
                keys::validator_change(*effective_height, public_key),
                &change,
            );
            Ok(vec![Event::ValidatorChangeScheduled {
                public_key: *public_key,
                added: true,
                effective_height: *effective_height,
            }])
        }
        GovAction::RemoveValidator {
            public_key,
            effective_height,
        } => {
            schedule(ov, ctx, params, *effective_height)?;
            let change = ValidatorChange::Remove(*public_key);
            plan_change(ov, *effective_height, &change)?;
            ov.put_rec(
                keys::validator_change(*effective_height, public_key),
                &change,
            );
            Ok(vec![Event::ValidatorChangeScheduled {
                public_key: *public_key,
                added: false,
                effective_height: *effective_height,
            }])
        }
        GovAction::GrantRole { account, role } => {
            let role_refusal = |rule| TxError::RoleChange {
                account: *account,
                role: role.clone(),
                rule,
            };
            if let Role::Issuer(a) = role
                && !ov.has(&keys::asset(a))?
            {
                return Err(TxError::UnknownAsset(a.clone()));
            }
            ensure_account(ov, account)?;
            let k = keys::account(account);
            let mut acct: Account = ov.get_rec(&k)?.unwrap_or_default();
            if acct.has(role) {
                return Err(role_refusal(Rule::RoleAlreadyHeld));
            }
            if let (Role::Merchant(_), Some(_)) = (role, acct.merchant_class()) {
                return Err(role_refusal(Rule::MerchantClassHeld));
            }
            acct.roles.push(role.clone());
            acct.roles.sort();
            ov.put_rec(k, &acct);
            Ok(vec![Event::RoleGranted {
                account: *account,
                role: role.clone(),
            }])
        }
        GovAction::RevokeRole { account, role } => {
            let k = keys::account(account);
            let mut acct: Account = ov.get_rec(&k)?.ok_or(TxError::UnknownAccount(*account))?;
            if !acct.has(role) {
                return Err(TxError::RoleChange {
                    account: *account,
                    role: role.clone(),
                    rule: Rule::RoleNotHeld,
                });
            }
            acct.roles.retain(|r| r != role);
            ov.put_rec(k, &acct);
            Ok(vec![Event::RoleRevoked {
                account: *account,
                role: role.clone(),
            }])
        }
        GovAction::DefineAsset { class } => {
            let k = keys::asset(&class.id);
            if ov.has(&k)? {
                return Err(TxError::Policy {
                    asset: class.id.clone(),
                    rule: Rule::AssetAlreadyDefined,
                });
            }
            ov.put_rec(
                k,
                &AssetState {
                    class: class.clone(),
                    issued: 0,
                    burned: 0,
                    expired: 0,
                },
            );
            Ok(vec![Event::AssetDefined {
                asset: class.id.clone(),
            }])
        }
        GovAction::UpdateAsset { class } => {
            let k = keys::asset(&class.id);
            let mut a: AssetState = ov
                .get_rec(&k)?
                .ok_or_else(|| TxError::UnknownAsset(class.id.clone()))?;
            if a.class.kind != class.kind {
                return Err(TxError::Policy {
                    asset: class.id.clone(),
                    rule: Rule::AssetKindFixed,
                });
            }
            // Expired value sits in the breakage account and is counted as
            // expired, not as held: moving the account would count it twice.
            if a.class.breakage_account != class.breakage_account {
                return Err(TxError::Policy {
                    asset: class.id.clone(),
                    rule: Rule::BreakageAccountFixed,
                });
            }
            a.class = class.clone();
            ov.put_rec(k, &a);
            Ok(vec![Event::AssetPolicyChanged {
                asset: class.id.clone(),
            }])
        }
        GovAction::SetParam { name, value } => {
            let mut p = params.clone();
            p.set(name, *value)?;
            ov.put_rec(keys::params(), &p);
            Ok(vec![Event::ParamChanged {
                name: name.clone(),
                value: *value,
            }])
        }
        GovAction::SetMember { account, member } => {
            let mut m = members(ov)?;
            let refuse = |rule| TxError::Membership {
                account: *account,
                rule,
            };
            match (m.binary_search(account), member) {
                (Ok(_), true) => return Err(refuse(Rule::AlreadyMember)),
                (Err(_), false) => return Err(refuse(Rule::NotAMember)),
                (Err(i), true) => m.insert(i, *account),
                (Ok(i), false) => {
                    m.remove(i);
                }
            }
            if m.is_empty() {
                return Err(refuse(Rule::LastMember));
            }
            ensure_account(ov, account)?;
            ov.put_rec(keys::members(), &m);
            Ok(vec![Event::MembershipChanged {
                account: *account,
                member: *member,
            }])
        }
    }
}

/// A validator change approved in this block must take effect at least
/// `validator_change_delay_min` heights later (and never before the next block).
fn schedule<S: StateRead + ?Sized>(
    _ov: &Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    effective_height: u64,
) -> Result<(), TxError> {
    let earliest = ctx
        .height
        .saturating_add(params.validator_change_delay_min.max(2));
    if effective_height < earliest {
        return Err(TxError::TooSoon {
            effective_height,
            earliest,
        });
    }
    Ok(())
}

/// At a block's start: closes proposals whose expiry has come.
pub(crate) fn process_proposal_timers<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
) -> Result<Vec<Event>, TxError> {
    let due: Vec<(u64, String)> = scan_due(
        ov,
        &keys::proposal_timer_prefix(),
        ctx.time_ms,
        limits::PROPOSAL_EXPIRIES_PER_BLOCK_MAX,
    )?
    .into_iter()
    .filter_map(|(k, _)| keys::parse_proposal_timer(&k))
    .take_while(|(t, _)| *t <= ctx.time_ms)
    .collect();
    let mut events = Vec::new();
    for (t, id) in due {
        ov.delete(keys::proposal_timer(t, &id));
        let Some(mut p) = ov.get_rec::<Proposal>(&keys::proposal(&id))? else {
            continue;
        };
        if p.state != ProposalState::Open {
            continue;
        }
        events.push(close(&mut p, ctx, ProposalState::Expired, None));
        ov.put_rec(keys::proposal(&id), &p);
    }
    Ok(events)
}

/// At the start of block h: applies the validator changes due at h + 1, so
/// the state after block h names the set that decides h + 1.
pub(crate) fn process_validator_changes<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
) -> Result<Vec<Event>, TxError> {
    let next = ctx.height.saturating_add(1);
    let due: Vec<(Vec<u8>, u64, ValidatorChange)> = ov
        .scan(
            &keys::validator_changes_prefix(),
            &[],
            limits::VALIDATORS_MAX,
        )?
        .into_iter()
        .map(|(k, v)| {
            let h = keys::parse_validator_change(&k).ok_or(StateError::Corrupt)?;
            Ok((k, h, crate::state::decode(&v)?))
        })
        .collect::<Result<Vec<_>, StateError>>()?
        .into_iter()
        .take_while(|(_, h, _)| *h <= next)
        .collect();
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let mut set = crate::state::validators(ov)?;
    let (mut added, mut removed, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for (k, _, c) in due {
        ov.delete(k);
        match &c {
            ValidatorChange::Add(v) if set.iter().any(|w| w.public_key == v.public_key) => {
                skipped.push(SkippedChange {
                    public_key: v.public_key,
                    added: true,
                    rule: Rule::AlreadyValidator,
                });
            }
            ValidatorChange::Add(v) => added.push(v.public_key),
            ValidatorChange::Remove(k) if set.len() == 1 && set[0].public_key == *k => {
                skipped.push(SkippedChange {
                    public_key: *k,
                    added: false,
                    rule: Rule::LastValidator,
                });
                continue;
            }
            ValidatorChange::Remove(k) if !set.iter().any(|w| w.public_key == *k) => {
                skipped.push(SkippedChange {
                    public_key: *k,
                    added: false,
                    rule: Rule::NotValidator,
                });
            }
            ValidatorChange::Remove(k) => removed.push(*k),
        }
        apply_change(&mut set, &c);
    }
    ov.put_rec(keys::validators(), &set);
    Ok(vec![Event::ValidatorSetChanged {
        effective_height: next,
        added,
        removed,
        skipped,
    }])
}
