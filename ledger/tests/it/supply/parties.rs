//! The supply test's job parties: who a job operation must be signed by,
//! from the events of the history so far.

use super::*;

/// A job's parties as the history so far made them (from events).
#[derive(Debug, Clone)]
pub(super) struct Parties {
    pub(super) poster: Address,
    pub(super) coordinator: Address,
    pub(super) worker: Option<Address>,
    pub(super) consent: bool,
}

pub(super) fn note_parties(parties: &mut BTreeMap<String, Parties>, events: &[Event]) {
    for e in events {
        match e {
            Event::JobPosted {
                job_id,
                poster,
                coordinator,
                ..
            } => {
                parties.insert(
                    job_id.clone(),
                    Parties {
                        poster: *poster,
                        coordinator: *coordinator,
                        worker: None,
                        consent: false,
                    },
                );
            }
            Event::JobAccepted { job_id, worker, .. } => {
                if let Some(p) = parties.get_mut(job_id) {
                    p.worker = Some(*worker);
                }
            }
            Event::JobCancelConsented { job_id, .. } => {
                if let Some(p) = parties.get_mut(job_id) {
                    p.consent = true;
                }
            }
            _ => {}
        }
    }
}

/// The signer a job operation calls for, when it asks for its party.
pub(super) fn party_signer(
    parties: &BTreeMap<String, Parties>,
    p: &OpPlan,
    who: &[Address],
) -> Option<usize> {
    let OpPlan::Job {
        job,
        action,
        party: true,
    } = p
    else {
        return None;
    };
    let j = parties.get(&format!("job-{job}"))?;
    let a = match action {
        // Any resident who is neither its poster nor its coordinator.
        JobAction::Accept => *who[5..8]
            .iter()
            .find(|a| **a != j.poster && **a != j.coordinator)?,
        JobAction::Submit | JobAction::Consent => j.worker?,
        JobAction::Approve(_) | JobAction::Dispute => j.poster,
        JobAction::Cancel if j.consent || j.worker.is_none() => j.poster,
        JobAction::Cancel | JobAction::Resolve(_) => j.coordinator,
    };
    who.iter().position(|w| *w == a)
}
