//! Governance: consortium members propose and vote; a proposal that reaches
//! the threshold carries out its action in the same transaction. Proposals
//! that pass their expiry close at a block's start. Validator changes wait
//! in a height-ordered queue and are applied at the start of the block
//! before their height, so the state after block h names the set of h + 1.

use crate::asset::{AssetKind, DAY_MS};
use crate::crypto::Address;
use crate::error::TxError;
use crate::governance::{
    ChainParams, GovAction, Proposal, ProposalState, ValidatorChange, ValidatorInfo,
};
use crate::limits;
use crate::receipt::Event;
use crate::state::{Account, AssetState, Overlay, Role, StateRead, keys};

use super::Ctx;
use super::holding::ensure_account;

type Out = Result<Vec<Event>, TxError>;

pub(crate) fn load_params<S: StateRead + ?Sized>(ov: &Overlay<'_, S>, ctx: &Ctx) -> ChainParams {
    crate::state::params(ov).unwrap_or_else(|| ChainParams::new(ctx.chain_id.clone()))
}

fn members<S: StateRead + ?Sized>(ov: &Overlay<'_, S>) -> Vec<Address> {
    crate::state::members(ov)
}

fn require_member<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    signer: &Address,
) -> Result<Vec<Address>, TxError> {
    let m = members(ov);
    if m.binary_search(signer).is_err() {
        return Err(TxError::NotMember(signer.to_hex()));
    }
    Ok(m)
}

fn wrong_state(p: &Proposal, why: &str) -> TxError {
    TxError::ProposalState {
        id: p.id.clone(),
        state: p.state.as_str().into(),
        why: why.into(),
    }
}

fn close(p: &mut Proposal, ctx: &Ctx, state: ProposalState, outcome: String) -> Event {
    p.state = state;
    p.closed_height = Some(ctx.height);
    p.closed_ms = Some(ctx.time_ms);
    p.outcome = outcome.clone();
    Event::ProposalClosed {
        proposal_id: p.id.clone(),
        state: state.as_str().into(),
        outcome,
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
    if ov.get(&keys::proposal(id)).is_some() {
        return Err(TxError::ProposalExists(id.into()));
    }
    let params = load_params(ov, ctx);
    let ttl_max = params.proposal_ttl_max_days.saturating_mul(DAY_MS);
    if expires_at_ms <= ctx.time_ms || expires_at_ms > ctx.time_ms.saturating_add(ttl_max) {
        return Err(TxError::Malformed(format!(
            "a proposal expires after the block time {} ms and within {} days of it",
            ctx.time_ms, params.proposal_ttl_max_days
        )));
    }
    // Refuse now what could never be carried out, rather than at the vote.
    check(ov, ctx, &params, action)?;
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
        outcome: String::new(),
    };
    let mut events = vec![Event::ProposalCreated {
        proposal_id: id.into(),
        proposer: *signer,
        action: action.name().into(),
        description: action.describe(),
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
        .get_rec(&keys::proposal(id))
        .ok_or_else(|| TxError::UnknownProposal(id.into()))?;
    if p.state != ProposalState::Open {
        return Err(wrong_state(&p, "only an open proposal takes votes"));
    }
    if ctx.time_ms >= p.expires_at_ms {
        return Err(wrong_state(
            &p,
            &format!("it expired at {} ms", p.expires_at_ms),
        ));
    }
    if p.approvals.contains(signer) || p.rejections.contains(signer) {
        return Err(TxError::AlreadyVoted(signer.to_hex(), id.into()));
    }
    if approve {
        p.approvals.push(*signer);
    } else {
        p.rejections.push(*signer);
    }
    let params = load_params(ov, ctx);
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
            carry_out(&mut child, ctx, params, &p.action).map(|ev| (ev, child.writes))
        };
        ov.delete(keys::proposal_timer(p.expires_at_ms, &p.id));
        match result {
            Ok((evs, writes)) => {
                ov.writes.extend(writes);
                events.extend(evs);
                let done = p.action.describe();
                events.push(close(p, ctx, ProposalState::Executed, done));
            }
            Err(e) => events.push(close(p, ctx, ProposalState::Failed, e.to_string())),
        }
    } else if !params.passes(n.saturating_sub(rejections), n) {
        ov.delete(keys::proposal_timer(p.expires_at_ms, &p.id));
        events.push(close(
            p,
            ctx,
            ProposalState::Rejected,
            format!("{rejections} of {n} members voted against"),
        ));
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
    let mut changes = crate::state::pending_validator_changes(ov);
    if changes
        .iter()
        .any(|(h, c)| *h == height && change_key(c) == key)
    {
        return Err(precondition(format!(
            "a change of validator {} at height {height} is already pending",
            key.to_hex()
        )));
    }
    changes.push((height, change.clone()));
    changes.sort_by(|(h1, c1), (h2, c2)| (h1, change_key(c1)).cmp(&(h2, change_key(c2))));
    let mut set = crate::state::validators(ov);
    for (h, c) in &changes {
        let k = change_key(c);
        let present = set.iter().any(|v| v.public_key == *k);
        match c {
            ValidatorChange::Add(_) if present => {
                return Err(precondition(format!(
                    "{} is already a validator at height {h}",
                    k.to_hex()
                )));
            }
            ValidatorChange::Remove(_) if !present => {
                return Err(precondition(format!(
                    "{} is not a validator at height {h}",
                    k.to_hex()
                )));
            }
            _ => {}
        }
        apply_change(&mut set, c);
        if set.is_empty() {
            return Err(precondition("the last validator cannot leave".into()));
        }
        if set.len() > limits::VALIDATORS_MAX {
            return Err(precondition(format!(
                "the set holds at most {} validators",
                limits::VALIDATORS_MAX
            )));
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
) -> Result<(), TxError> {
    let mut scratch = Overlay::new(ov);
    carry_out(&mut scratch, ctx, params, action).map(|_| ())
}

fn precondition(why: String) -> TxError {
    TxError::Policy {
        asset: "governance".into(),
        why,
    }
}

fn carry_out<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    params: &ChainParams,
    action: &GovAction,
) -> Out {
    match action {
        GovAction::AddValidator {
            name,
            public_key,
            power,
            effective_height,
        } => {
            schedule(ov, ctx, params, *effective_height)?;
            if !crate::crypto::is_signing_key(public_key) {
                return Err(TxError::Malformed(
                    "validator key is not the canonical encoding of an ed25519 public key \
                     of large order"
                        .into(),
                ));
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
            if let Role::Issuer(a) = role
                && ov.get(&keys::asset(a)).is_none()
            {
                return Err(TxError::UnknownAsset(a.clone()));
            }
            ensure_account(ov, account);
            let k = keys::account(account);
            let mut acct: Account = ov.get_rec(&k).unwrap_or_default();
            if acct.has(role) {
                return Err(precondition(format!(
                    "{} already holds the role {}",
                    account.to_hex(),
                    role.describe()
                )));
            }
            if let (Role::Merchant(_), Some(c)) = (role, acct.merchant_class()) {
                return Err(precondition(format!(
                    "{} is already a {} merchant; revoke that class first",
                    account.to_hex(),
                    c.as_str()
                )));
            }
            acct.roles.push(role.clone());
            acct.roles.sort();
            ov.put_rec(k, &acct);
            Ok(vec![Event::RoleGranted {
                account: *account,
                role: role.describe(),
            }])
        }
        GovAction::RevokeRole { account, role } => {
            let k = keys::account(account);
            let mut acct: Account = ov
                .get_rec(&k)
                .ok_or_else(|| TxError::UnknownAccount(account.to_hex()))?;
            if !acct.has(role) {
                return Err(precondition(format!(
                    "{} does not hold the role {}",
                    account.to_hex(),
                    role.describe()
                )));
            }
            acct.roles.retain(|r| r != role);
            ov.put_rec(k, &acct);
            Ok(vec![Event::RoleRevoked {
                account: *account,
                role: role.describe(),
            }])
        }
        GovAction::DefineAsset { class } => {
            let k = keys::asset(&class.id);
            if ov.get(&k).is_some() {
                return Err(precondition(format!(
                    "asset '{}' is already defined",
                    class.id
                )));
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
                .get_rec(&k)
                .ok_or_else(|| TxError::UnknownAsset(class.id.clone()))?;
            if a.class.kind != class.kind {
                return Err(precondition(format!(
                    "asset '{}' is a {}; its kind cannot change",
                    class.id,
                    kind_name(a.class.kind)
                )));
            }
            // Expired value sits in the breakage account and is counted as
            // expired, not as held: moving the account would count it twice.
            if a.class.breakage_account != class.breakage_account {
                return Err(precondition(format!(
                    "asset '{}' keeps its breakage account {}",
                    class.id,
                    a.class.breakage_account.to_hex()
                )));
            }
            a.class = class.clone();
            ov.put_rec(k, &a);
            Ok(vec![Event::AssetPolicyChanged {
                asset: class.id.clone(),
            }])
        }
        GovAction::SetParam { name, value } => {
            let mut p = params.clone();
            p.set(name, *value).map_err(precondition)?;
            ov.put_rec(keys::params(), &p);
            Ok(vec![Event::ParamChanged {
                name: name.clone(),
                value: *value,
            }])
        }
        GovAction::SetMember { account, member } => {
            let mut m = members(ov);
            match (m.binary_search(account), member) {
                (Ok(_), true) => {
                    return Err(precondition(format!(
                        "{} is already a member",
                        account.to_hex()
                    )));
                }
                (Err(_), false) => {
                    return Err(precondition(format!(
                        "{} is not a member",
                        account.to_hex()
                    )));
                }
                (Err(i), true) => m.insert(i, *account),
                (Ok(i), false) => {
                    m.remove(i);
                }
            }
            if m.is_empty() {
                return Err(precondition("the last member cannot leave".into()));
            }
            ensure_account(ov, account);
            ov.put_rec(keys::members(), &m);
            Ok(vec![Event::MembershipChanged {
                account: *account,
                member: *member,
            }])
        }
    }
}

fn kind_name(k: AssetKind) -> &'static str {
    match k {
        AssetKind::Coin => "coin",
        AssetKind::Point => "point",
        AssetKind::Voucher => "voucher",
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
        return Err(precondition(format!(
            "effective height {effective_height} is too soon; the earliest is {earliest}"
        )));
    }
    Ok(())
}

/// At a block's start: closes proposals whose expiry has come.
pub(crate) fn process_proposal_timers<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
) -> Result<Vec<Event>, TxError> {
    let due: Vec<(u64, String)> = ov
        .scan(
            &keys::proposal_timer_prefix(),
            &[],
            limits::PROPOSAL_EXPIRIES_PER_BLOCK_MAX,
        )
        .into_iter()
        .filter_map(|(k, _)| keys::parse_proposal_timer(&k))
        .take_while(|(t, _)| *t <= ctx.time_ms)
        .collect();
    let mut events = Vec::new();
    for (t, id) in due {
        ov.delete(keys::proposal_timer(t, &id));
        let Some(mut p) = ov.get_rec::<Proposal>(&keys::proposal(&id)) else {
            continue;
        };
        if p.state != ProposalState::Open {
            continue;
        }
        // Like every tally, only the votes of current members count.
        let m = members(ov);
        let ((a, _), n) = (tally(&p, &m), m.len());
        events.push(close(
            &mut p,
            ctx,
            ProposalState::Expired,
            format!("expired with {a} approvals of {n} members"),
        ));
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
        )
        .into_iter()
        .filter_map(|(k, v)| {
            let h = keys::parse_validator_change(&k)?;
            Some((k, h, borsh::from_slice(&v).ok()?))
        })
        .take_while(|(_, h, _)| *h <= next)
        .collect();
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let mut set = crate::state::validators(ov);
    let (mut added, mut removed, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for (k, _, c) in due {
        ov.delete(k);
        match &c {
            ValidatorChange::Add(v) if set.iter().any(|w| w.public_key == v.public_key) => {
                skipped.push(format!("{} is already a validator", v.public_key.to_hex()));
            }
            ValidatorChange::Add(v) => added.push(v.public_key),
            ValidatorChange::Remove(k) if set.len() == 1 && set[0].public_key == *k => {
                skipped.push("the last validator cannot leave".into());
                continue;
            }
            ValidatorChange::Remove(k) if !set.iter().any(|w| w.public_key == *k) => {
                skipped.push(format!("{} is not a validator", k.to_hex()));
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
