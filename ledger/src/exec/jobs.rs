//! Microwork: jobs paid from escrow. Posting moves the reward from the
//! poster's holding into the job record (the lots keep their expiries); every
//! later step moves it out again, to the worker, back to the poster, or split.
//! Timeouts act at a block's start from a time-ordered queue, like expiry.
//!
//! Escrowed value stays in supply: the sum of holdings plus the escrow of open
//! jobs is what was issued less what was burned. A lot that expires while in
//! escrow goes to the breakage account when the escrow is released, as it
//! would have from the owner's holding.

use crate::asset::DAY_MS;
use crate::crypto::Address;
use crate::error::{Field, Quantity, Requirement, RoleNeeded, Rule, TxError};
use crate::limits;
use crate::receipt::Event;
use crate::state::{
    Account, Job, JobAction, JobState, JobStep, Lot, Overlay, Reputation, Role, StateRead, keys,
    scan_due,
};

use super::Ctx;
use super::holding::{credit_lots, debit, expire_value, load_asset, store_asset};

type Out = Result<Vec<Event>, TxError>;

fn load_job<S: StateRead + ?Sized>(ov: &Overlay<'_, S>, id: &str) -> Result<Job, TxError> {
    ov.get_rec(&keys::job(id))?
        .ok_or_else(|| TxError::UnknownJob(id.to_string()))
}

fn store_job<S: StateRead + ?Sized>(ov: &mut Overlay<'_, S>, job: &Job) {
    ov.put_rec(keys::job(&job.id), job);
}

/// Moves the job's pending timeout to `at` (or removes it).
fn set_timer<S: StateRead + ?Sized>(ov: &mut Overlay<'_, S>, job: &mut Job, at: Option<u64>) {
    if let Some(t) = job.timer_at {
        ov.delete(keys::job_timer(t, &job.id));
    }
    if let Some(t) = at {
        ov.put(keys::job_timer(t, &job.id), Vec::new());
    }
    job.timer_at = at;
}

fn step(job: &mut Job, ctx: &Ctx, action: JobAction, by: Option<Address>, state: JobState) {
    job.state = state;
    job.history.push(JobStep {
        action,
        by,
        state,
        height: ctx.height,
        at_ms: ctx.time_ms,
    });
}

fn wrong_state(job: &Job, rule: Rule) -> TxError {
    TxError::JobState {
        job: job.id.clone(),
        state: job.state,
        rule,
    }
}

fn wrong_party(job: &Job, rule: Rule) -> TxError {
    TxError::JobParty {
        job: job.id.clone(),
        state: job.state,
        rule,
    }
}

fn overflow(what: Quantity) -> TxError {
    TxError::Overflow(what)
}

/// The worker of a job past acceptance.
fn worker_of(job: &Job) -> Result<Address, TxError> {
    job.worker
        .ok_or_else(|| wrong_state(job, Rule::JobWithoutWorker))
}

/// The first `amount` units of the escrow (earliest-expiring first), removed from it.
fn take_escrow(job: &mut Job, amount: u64) -> Vec<Lot> {
    let mut left = amount;
    let mut out = Vec::new();
    for l in job.escrow.iter_mut() {
        if left == 0 {
            break;
        }
        let t = l.amount.min(left);
        l.amount -= t;
        left -= t;
        out.push(Lot {
            amount: t,
            expires_at: l.expires_at,
        });
    }
    job.escrow.retain(|l| l.amount > 0);
    out
}

/// Credits escrowed lots to `to`; lots that expired while in escrow go to
/// the breakage account instead.
fn release<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    to: &Address,
    asset_id: &str,
    lots: Vec<Lot>,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let mut asset = load_asset(ov, asset_id)?;
    let (due, live): (Vec<Lot>, Vec<Lot>) = lots
        .into_iter()
        .partition(|l| l.expires_at.is_some_and(|t| t <= ctx.time_ms));
    let due_total = due
        .iter()
        .try_fold(0u64, |a, l| a.checked_add(l.amount))
        .ok_or_else(|| overflow(Quantity::Escrow))?;
    if !live.is_empty() {
        credit_lots(ov, ctx, to, &mut asset, live, events)?;
    }
    if due_total > 0 {
        expire_value(ov, ctx, to, &mut asset, due_total, events)?;
    }
    store_asset(ov, &asset);
    Ok(())
}

fn update_reputation<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    who: &Address,
    f: impl FnOnce(&mut Reputation) -> Option<()>,
) -> Result<(), TxError> {
    let k = keys::reputation(who);
    let mut r: Reputation = ov.get_rec(&k)?.unwrap_or_default();
    f(&mut r).ok_or_else(|| overflow(Quantity::Reputation))?;
    ov.put_rec(k, &r);
    Ok(())
}

/// The worker completed the job (approved or released on timeout).
fn completed<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    worker: &Address,
    rating: Option<u8>,
) -> Result<(), TxError> {
    update_reputation(ov, worker, |r| {
        r.jobs_completed = r.jobs_completed.checked_add(1)?;
        if let Some(x) = rating {
            r.rating_sum = r.rating_sum.checked_add(u64::from(x))?;
            r.rating_count = r.rating_count.checked_add(1)?;
        }
        Some(())
    })
}

/// Closes the job: the whole escrow to `to`.
fn pay_out<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    job: &mut Job,
    to: &Address,
    events: &mut Vec<Event>,
) -> Result<u64, TxError> {
    let total = job.escrow_total();
    let lots = take_escrow(job, total);
    release(ov, ctx, to, &job.asset.clone(), lots, events)?;
    set_timer(ov, job, None);
    job.closed_at_ms = Some(ctx.time_ms);
    Ok(total)
}

pub(crate) struct PostJob<'a> {
    pub job_id: &'a str,
    pub asset: &'a str,
    pub reward: u64,
    pub coordinator: &'a Address,
    pub accept_deadline_ms: u64,
    pub required_credential: Option<&'a str>,
    pub description_hash: &'a [u8; 32],
}

pub(crate) fn post<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    p: PostJob<'_>,
) -> Out {
    let jk = keys::job(p.job_id);
    if ov.has(&jk)? {
        return Err(TxError::JobExists(p.job_id.into()));
    }
    let coord: Account = ov
        .get_rec(&keys::account(p.coordinator))?
        .ok_or(TxError::UnknownAccount(*p.coordinator))?;
    if !coord.has(&Role::Coordinator) {
        return Err(TxError::MissingRole {
            account: *p.coordinator,
            role: RoleNeeded::Coordinator,
        });
    }
    if p.coordinator == signer {
        return Err(TxError::Malformed(Rule::CoordinatorIsPoster));
    }
    if p.accept_deadline_ms <= ctx.time_ms {
        return Err(TxError::NotAfterBlockTime {
            field: Field::AcceptDeadline,
            value_ms: p.accept_deadline_ms,
            block_ms: ctx.time_ms,
        });
    }
    let mut asset = load_asset(ov, p.asset)?;
    if !asset.class.transferable {
        return Err(TxError::Policy {
            asset: p.asset.into(),
            rule: Rule::JobRewardNotTransferable,
        });
    }
    let mut events = Vec::new();
    let escrow = debit(ov, ctx, signer, &mut asset, p.reward, &mut events)?;
    store_asset(ov, &asset);
    let mut job = Job {
        id: p.job_id.into(),
        poster: *signer,
        asset: p.asset.into(),
        reward: p.reward,
        coordinator: *p.coordinator,
        accept_deadline_ms: p.accept_deadline_ms,
        required_credential: p.required_credential.map(str::to_string),
        description_hash: *p.description_hash,
        state: JobState::Posted,
        worker: None,
        escrow,
        proof_hash: None,
        rating: None,
        cancel_consent: false,
        disputed_by: None,
        reason_hash: None,
        resolved_to_worker: None,
        timer_at: None,
        posted_at_ms: ctx.time_ms,
        accepted_at_ms: None,
        submitted_at_ms: None,
        closed_at_ms: None,
        history: Vec::new(),
    };
    step(
        &mut job,
        ctx,
        JobAction::Post,
        Some(*signer),
        JobState::Posted,
    );
    set_timer(ov, &mut job, Some(p.accept_deadline_ms));
    store_job(ov, &job);
    events.push(Event::JobPosted {
        job_id: job.id.clone(),
        poster: *signer,
        coordinator: *p.coordinator,
        asset: job.asset.clone(),
        reward: p.reward,
    });
    Ok(events)
}

pub(crate) fn accept<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    job_id: &str,
) -> Out {
    let mut job = load_job(ov, job_id)?;
    if job.state != JobState::Posted {
        return Err(wrong_state(&job, Rule::JobNotPosted));
    }
    if ctx.time_ms >= job.accept_deadline_ms {
        return Err(wrong_state(&job, Rule::AcceptDeadlinePassed));
    }
    if *signer == job.poster {
        return Err(wrong_party(&job, Rule::PosterCannotAccept));
    }
    if *signer == job.coordinator {
        return Err(wrong_party(&job, Rule::CoordinatorCannotAccept));
    }
    if let Some(c) = &job.required_credential {
        super::credentials::require(ov, ctx, signer, c, Requirement::Job(job_id.into()))?;
    }
    // The reward's asset may itself be for credential holders only.
    let asset = load_asset(ov, &job.asset)?;
    super::credentials::require_for_asset(ov, ctx, signer, &asset)?;
    job.worker = Some(*signer);
    job.accepted_at_ms = Some(ctx.time_ms);
    set_timer(ov, &mut job, None);
    step(
        &mut job,
        ctx,
        JobAction::Accept,
        Some(*signer),
        JobState::Accepted,
    );
    store_job(ov, &job);
    Ok(vec![Event::JobAccepted {
        job_id: job_id.into(),
        poster: job.poster,
        worker: *signer,
    }])
}

pub(crate) fn submit<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (job_id, proof_hash): (&str, &[u8; 32]),
) -> Out {
    let mut job = load_job(ov, job_id)?;
    if job.state != JobState::Accepted {
        return Err(wrong_state(&job, Rule::JobNotAccepted));
    }
    let worker = worker_of(&job)?;
    if *signer != worker {
        return Err(wrong_party(&job, Rule::OnlyWorkerSubmits));
    }
    let review_end = super::governance::load_params(ov, ctx)?
        .job_review_days
        .checked_mul(DAY_MS)
        .and_then(|d| ctx.time_ms.checked_add(d))
        .ok_or_else(|| overflow(Quantity::ReviewDeadline))?;
    job.proof_hash = Some(*proof_hash);
    job.submitted_at_ms = Some(ctx.time_ms);
    set_timer(ov, &mut job, Some(review_end));
    step(
        &mut job,
        ctx,
        JobAction::Submit,
        Some(*signer),
        JobState::Submitted,
    );
    store_job(ov, &job);
    Ok(vec![Event::JobSubmitted {
        job_id: job_id.into(),
        poster: job.poster,
        worker,
        proof_hash: *proof_hash,
    }])
}

pub(crate) fn approve<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (job_id, rating): (&str, Option<u8>),
) -> Out {
    let mut job = load_job(ov, job_id)?;
    if job.state != JobState::Submitted {
        return Err(wrong_state(&job, Rule::JobNotSubmitted));
    }
    if *signer != job.poster {
        return Err(wrong_party(&job, Rule::OnlyPosterApproves));
    }
    let worker = worker_of(&job)?;
    let mut events = Vec::new();
    let amount = pay_out(ov, ctx, &mut job, &worker, &mut events)?;
    job.rating = rating;
    step(
        &mut job,
        ctx,
        JobAction::Approve,
        Some(*signer),
        JobState::Approved,
    );
    store_job(ov, &job);
    completed(ov, &worker, rating)?;
    events.push(Event::JobPaid {
        job_id: job_id.into(),
        poster: job.poster,
        worker,
        asset: job.asset.clone(),
        amount,
        rating,
    });
    Ok(events)
}

pub(crate) fn consent_cancel<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    job_id: &str,
) -> Out {
    let mut job = load_job(ov, job_id)?;
    if !matches!(
        job.state,
        JobState::Accepted | JobState::Submitted | JobState::Disputed
    ) {
        return Err(wrong_state(&job, Rule::CancelConsentOutsideWork));
    }
    let worker = worker_of(&job)?;
    if *signer != worker {
        return Err(wrong_party(&job, Rule::OnlyWorkerConsentsCancel));
    }
    if job.cancel_consent {
        return Err(wrong_state(&job, Rule::CancelConsentGiven));
    }
    job.cancel_consent = true;
    let state = job.state;
    step(
        &mut job,
        ctx,
        JobAction::ConsentCancel,
        Some(*signer),
        state,
    );
    store_job(ov, &job);
    Ok(vec![Event::JobCancelConsented {
        job_id: job_id.into(),
        poster: job.poster,
        worker,
    }])
}

pub(crate) fn cancel<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    job_id: &str,
) -> Out {
    let mut job = load_job(ov, job_id)?;
    match job.state {
        JobState::Posted => {
            if *signer != job.poster {
                return Err(wrong_party(&job, Rule::OnlyPosterCancelsPosted));
            }
        }
        JobState::Accepted | JobState::Submitted | JobState::Disputed => {
            if *signer == job.coordinator {
                // The coordinator's ruling needs no consent.
            } else if *signer == job.poster {
                if !job.cancel_consent {
                    return Err(wrong_state(&job, Rule::NoCancelConsent));
                }
            } else {
                return Err(wrong_party(&job, Rule::CancelNotAllowed));
            }
        }
        _ => return Err(wrong_state(&job, Rule::JobClosed)),
    }
    let poster = job.poster;
    let mut events = Vec::new();
    let refunded = pay_out(ov, ctx, &mut job, &poster, &mut events)?;
    step(
        &mut job,
        ctx,
        JobAction::Cancel,
        Some(*signer),
        JobState::Cancelled,
    );
    store_job(ov, &job);
    events.push(Event::JobCancelled {
        job_id: job_id.into(),
        poster,
        worker: job.worker,
        by: *signer,
        asset: job.asset.clone(),
        refunded,
    });
    Ok(events)
}

pub(crate) fn dispute<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (job_id, reason_hash): (&str, &[u8; 32]),
) -> Out {
    let mut job = load_job(ov, job_id)?;
    if !matches!(job.state, JobState::Accepted | JobState::Submitted) {
        return Err(wrong_state(&job, Rule::JobNotDisputable));
    }
    let worker = worker_of(&job)?;
    if *signer != job.poster && *signer != worker {
        return Err(wrong_party(&job, Rule::OnlyPartiesDispute));
    }
    if let Some(t) = job.timer_at
        && job.state == JobState::Submitted
        && ctx.time_ms >= t
    {
        return Err(wrong_state(&job, Rule::ReviewPeriodOver));
    }
    job.disputed_by = Some(*signer);
    job.reason_hash = Some(*reason_hash);
    set_timer(ov, &mut job, None);
    step(
        &mut job,
        ctx,
        JobAction::Dispute,
        Some(*signer),
        JobState::Disputed,
    );
    store_job(ov, &job);
    Ok(vec![Event::JobDisputed {
        job_id: job_id.into(),
        poster: job.poster,
        worker,
        by: *signer,
        reason_hash: *reason_hash,
    }])
}

pub(crate) fn resolve<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (job_id, to_worker): (&str, u64),
) -> Out {
    let mut job = load_job(ov, job_id)?;
    if job.state != JobState::Disputed {
        return Err(wrong_state(&job, Rule::JobNotDisputed));
    }
    if *signer != job.coordinator {
        return Err(wrong_party(&job, Rule::OnlyCoordinatorResolves));
    }
    let escrow = job.escrow_total();
    if to_worker > escrow {
        return Err(TxError::SplitTooLarge {
            asked: to_worker,
            escrow,
        });
    }
    let to_poster = escrow - to_worker;
    let worker = worker_of(&job)?;
    let poster = job.poster;
    let asset = job.asset.clone();
    let mut events = Vec::new();
    let w = take_escrow(&mut job, to_worker);
    release(ov, ctx, &worker, &asset, w, &mut events)?;
    let p = take_escrow(&mut job, to_poster);
    release(ov, ctx, &poster, &asset, p, &mut events)?;
    job.resolved_to_worker = Some(to_worker);
    job.closed_at_ms = Some(ctx.time_ms);
    step(
        &mut job,
        ctx,
        JobAction::Resolve,
        Some(*signer),
        JobState::Resolved,
    );
    store_job(ov, &job);
    // Less than half of the escrow to a side: that side lost the dispute.
    let lost = |got: u64| u128::from(got) * 2 < u128::from(escrow);
    for (who, got) in [(worker, to_worker), (poster, to_poster)] {
        if lost(got) {
            update_reputation(ov, &who, |r| {
                r.disputes_lost = r.disputes_lost.checked_add(1)?;
                Some(())
            })?;
        }
    }
    events.push(Event::JobResolved {
        job_id: job_id.into(),
        poster,
        worker,
        coordinator: *signer,
        asset,
        to_worker,
        to_poster,
    });
    Ok(events)
}

/// Carries out one due timeout: refund of a job nobody accepted, or release
/// of an unanswered submission to the worker.
fn time_out<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    job: &mut Job,
) -> Result<Vec<Event>, TxError> {
    let mut events = Vec::new();
    match job.state {
        JobState::Posted => {
            let poster = job.poster;
            let refunded = pay_out(ov, ctx, job, &poster, &mut events)?;
            step(job, ctx, JobAction::Expire, None, JobState::Expired);
            events.push(Event::JobExpired {
                job_id: job.id.clone(),
                poster,
                asset: job.asset.clone(),
                refunded,
            });
        }
        JobState::Submitted => {
            let worker = worker_of(job)?;
            let amount = pay_out(ov, ctx, job, &worker, &mut events)?;
            step(
                job,
                ctx,
                JobAction::AutoRelease,
                None,
                JobState::AutoReleased,
            );
            completed(ov, &worker, None)?;
            events.push(Event::JobAutoReleased {
                job_id: job.id.clone(),
                poster: job.poster,
                worker,
                asset: job.asset.clone(),
                amount,
            });
        }
        _ => set_timer(ov, job, None),
    }
    store_job(ov, job);
    Ok(events)
}

/// Processes the job timer queue at the start of a block: every timeout due
/// at the block's time, in (time, job id) order, at most
/// `JOB_TIMEOUTS_PER_BLOCK_MAX` per block. A timeout that cannot be carried
/// out (the receiver's holding cap would be exceeded) changes nothing but is
/// tried again `JOB_TIMEOUT_RETRY_MS` later, so one stuck job never stops a block.
pub(crate) fn process_job_timers<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
) -> Result<Vec<Event>, TxError> {
    let prefix = keys::job_timer_prefix();
    let due = scan_due(ov, &prefix, ctx.time_ms, limits::JOB_TIMEOUTS_PER_BLOCK_MAX)?;
    let mut events = Vec::new();
    for (k, _) in due {
        let Some((t, id)) = keys::parse_job_timer(&k) else {
            continue;
        };
        if t > ctx.time_ms {
            break;
        }
        let Some(mut job) = ov.get_rec::<Job>(&keys::job(&id))? else {
            ov.delete(k);
            continue;
        };
        if job.timer_at != Some(t) {
            // A stale entry: the job's timer moved on.
            ov.delete(k);
            continue;
        }
        let result = {
            let mut child = Overlay::new(&*ov);
            let mut j = job.clone();
            time_out(&mut child, ctx, &mut j).map(|ev| (ev, child.into_pending()))
        };
        match result {
            Ok((ev, writes)) => {
                ov.absorb(writes);
                events.extend(ev);
            }
            // A failed state read is this node's trouble: the block stops.
            Err(e @ TxError::State(_)) => return Err(e),
            Err(_) => {
                let retry = ctx
                    .time_ms
                    .checked_add(limits::JOB_TIMEOUT_RETRY_MS)
                    .ok_or_else(|| overflow(Quantity::JobTimer))?;
                set_timer(ov, &mut job, Some(retry));
                store_job(ov, &job);
            }
        }
    }
    Ok(events)
}
