//! Rows of the job events. Value enters a job's escrow when it is posted
//! (`from` the poster, no `to`) and leaves it when the job closes (no
//! `from`, `to` whoever receives it): paid, auto-released, cancelled,
//! expired, or resolved in two parts. The job id is a reference (a
//! pseudonym in a pseudonymous export: open jobs are public, with their
//! posters).

use yui_ledger::Event;

use super::names::Names;
use super::rows::EventRow;

/// The rows of a job event; None for any other event.
pub fn rows_of(base: &EventRow, e: &Event, n: &mut Names) -> Option<Vec<EventRow>> {
    let s = |x: &str| Some(x.to_string());
    let row = match e {
        Event::JobPosted {
            job_id,
            poster,
            coordinator,
            asset,
            reward,
        } => EventRow {
            asset: s(asset),
            from: Some(n.account(poster)),
            party: Some(n.account(coordinator)),
            amount: Some(*reward),
            reference: Some(n.reference(job_id)),
            ..base.clone()
        },
        Event::JobAccepted {
            job_id,
            poster,
            worker,
        }
        | Event::JobCancelConsented {
            job_id,
            poster,
            worker,
        } => EventRow {
            from: Some(n.account(poster)),
            to: Some(n.account(worker)),
            reference: Some(n.reference(job_id)),
            ..base.clone()
        },
        Event::JobSubmitted {
            job_id,
            poster,
            worker,
            proof_hash,
        } => EventRow {
            from: Some(n.account(poster)),
            to: Some(n.account(worker)),
            reference: Some(n.reference(job_id)),
            detail: Some(hex::encode(proof_hash)),
            ..base.clone()
        },
        Event::JobDisputed {
            job_id,
            poster,
            worker,
            by,
            reason_hash,
        } => EventRow {
            from: Some(n.account(poster)),
            to: Some(n.account(worker)),
            party: Some(n.account(by)),
            reference: Some(n.reference(job_id)),
            detail: Some(hex::encode(reason_hash)),
            ..base.clone()
        },
        Event::JobPaid {
            job_id,
            poster,
            worker,
            asset,
            amount,
            rating,
        } => EventRow {
            asset: s(asset),
            to: Some(n.account(worker)),
            party: Some(n.account(poster)),
            amount: Some(*amount),
            reference: Some(n.reference(job_id)),
            detail: rating.map(|r| r.to_string()),
            ..base.clone()
        },
        Event::JobAutoReleased {
            job_id,
            poster,
            worker,
            asset,
            amount,
        } => EventRow {
            asset: s(asset),
            to: Some(n.account(worker)),
            party: Some(n.account(poster)),
            amount: Some(*amount),
            reference: Some(n.reference(job_id)),
            ..base.clone()
        },
        Event::JobCancelled {
            job_id,
            poster,
            by,
            asset,
            refunded,
            ..
        } => EventRow {
            asset: s(asset),
            to: Some(n.account(poster)),
            party: Some(n.account(by)),
            amount: Some(*refunded),
            reference: Some(n.reference(job_id)),
            ..base.clone()
        },
        Event::JobExpired {
            job_id,
            poster,
            asset,
            refunded,
        } => EventRow {
            asset: s(asset),
            to: Some(n.account(poster)),
            amount: Some(*refunded),
            reference: Some(n.reference(job_id)),
            ..base.clone()
        },
        Event::JobResolved {
            job_id,
            poster,
            worker,
            coordinator,
            asset,
            to_worker,
            to_poster,
        } => {
            let (c, r) = (n.account(coordinator), n.reference(job_id));
            let parts = [(worker, *to_worker), (poster, *to_poster)];
            return Some(
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, (who, amount))| EventRow {
                        part: i as u32,
                        asset: s(asset),
                        to: Some(n.account(who)),
                        party: Some(c.clone()),
                        amount: Some(*amount),
                        reference: Some(r.clone()),
                        ..base.clone()
                    })
                    .collect(),
            );
        }
        _ => return None,
    };
    Some(vec![row])
}
