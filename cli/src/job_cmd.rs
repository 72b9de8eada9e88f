//! `yui job …`: microwork jobs paid from escrow — post, accept, submit,
//! approve, cancel, dispute, resolve — and the public job queries.

use std::path::Path;

use clap::Subcommand;
use serde_json::json;
use yui_cli::{Client, keyfile};
use yui_ledger::Operation;
use yui_proto::v1 as pb;

use yui_cli::cmd::{Signer, submit};
use yui_cli::render::{Output, date, print, short};

#[derive(Subcommand)]
pub(crate) enum JobCmd {
    /// Post a job: the reward moves from your balance into escrow.
    Post {
        #[command(flatten)]
        s: Signer,
        /// Job id (unique on the chain).
        id: String,
        #[arg(long)]
        reward: u64,
        #[arg(long, default_value = "coin")]
        asset: String,
        /// The coordinator who rules on disputes (address or key file).
        #[arg(long)]
        coordinator: String,
        /// The description; only its SHA-256 goes on chain.
        #[arg(long)]
        description: String,
        /// Minutes from now by which a worker must accept.
        #[arg(long, default_value_t = 60)]
        deadline_minutes: u64,
        /// A credential the worker must hold.
        #[arg(long)]
        credential: Option<String>,
    },
    /// Take a posted job as its worker.
    Accept {
        #[command(flatten)]
        s: Signer,
        id: String,
    },
    /// Say the job is done, with a proof (a file, or else the text itself; only its SHA-256 goes on chain).
    Submit {
        #[command(flatten)]
        s: Signer,
        id: String,
        #[arg(long)]
        proof: String,
    },
    /// Approve the submitted work (poster): the reward goes to the worker.
    Approve {
        #[command(flatten)]
        s: Signer,
        id: String,
        /// 1..=5.
        #[arg(long)]
        rating: Option<u8>,
    },
    /// Return the escrow to the poster (poster, or the coordinator).
    Cancel {
        #[command(flatten)]
        s: Signer,
        id: String,
    },
    /// Agree, as the worker, that the poster may cancel.
    ConsentCancel {
        #[command(flatten)]
        s: Signer,
        id: String,
    },
    /// Dispute an accepted or submitted job (poster or worker).
    Dispute {
        #[command(flatten)]
        s: Signer,
        id: String,
        /// The reason (a file, or else the text itself; only its SHA-256 goes on chain).
        #[arg(long)]
        reason: String,
    },
    /// Split a disputed job's escrow (its coordinator): the rest goes back to the poster.
    Resolve {
        #[command(flatten)]
        s: Signer,
        id: String,
        #[arg(long)]
        to_worker: u64,
    },
    /// Jobs, open ones by default.
    List {
        /// posted, accepted, submitted, approved, cancelled, disputed,
        /// resolved, expired, auto_released or all (default: open ones).
        #[arg(long, default_value = "")]
        state: String,
        /// Only jobs with this coordinator (address or key file).
        #[arg(long)]
        coordinator: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// A job with its history.
    Show { id: String },
    /// An account's reputation from jobs.
    Reputation { account: String },
}

fn hash_arg(arg: &str) -> anyhow::Result<[u8; 32]> {
    let p = Path::new(arg);
    if p.is_file() {
        let b =
            std::fs::read(p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
        Ok(yui_ledger::crypto::sha256(&b))
    } else {
        Ok(yui_ledger::crypto::sha256(arg.as_bytes()))
    }
}

pub(crate) async fn job(c: &Client, out: Output, cmd: JobCmd) -> anyhow::Result<()> {
    let (s, op) = match cmd {
        JobCmd::Post {
            s,
            id,
            reward,
            asset,
            coordinator,
            description,
            deadline_minutes,
            credential,
        } => {
            let deadline = deadline_minutes
                .checked_mul(60_000)
                .and_then(|d| d.checked_add(yui_cli::now_ms()))
                .ok_or_else(|| anyhow::anyhow!("--deadline-minutes is too large"))?;
            let op = Operation::PostJob {
                job_id: id,
                asset,
                reward,
                coordinator: keyfile::address(&coordinator)?,
                accept_deadline_ms: deadline,
                required_credential: credential,
                description_hash: yui_ledger::crypto::sha256(description.as_bytes()),
            };
            (s, op)
        }
        JobCmd::Accept { s, id } => (s, Operation::AcceptJob { job_id: id }),
        JobCmd::Submit { s, id, proof } => {
            let proof_hash = hash_arg(&proof)?;
            (
                s,
                Operation::SubmitJob {
                    job_id: id,
                    proof_hash,
                },
            )
        }
        JobCmd::Approve { s, id, rating } => (s, Operation::ApproveJob { job_id: id, rating }),
        JobCmd::Cancel { s, id } => (s, Operation::CancelJob { job_id: id }),
        JobCmd::ConsentCancel { s, id } => (s, Operation::ConsentCancel { job_id: id }),
        JobCmd::Dispute { s, id, reason } => {
            let reason_hash = hash_arg(&reason)?;
            (
                s,
                Operation::DisputeJob {
                    job_id: id,
                    reason_hash,
                },
            )
        }
        JobCmd::Resolve { s, id, to_worker } => (
            s,
            Operation::ResolveJob {
                job_id: id,
                to_worker,
            },
        ),
        JobCmd::List {
            state,
            coordinator,
            limit,
        } => {
            let coordinator = match coordinator {
                Some(x) => keyfile::address(&x)?.0.to_vec(),
                None => vec![],
            };
            let r = c
                .jobs
                .clone()
                .list_jobs(pb::ListJobsRequest {
                    state,
                    coordinator,
                    limit,
                    page_token: vec![],
                })
                .await?
                .into_inner();
            let text = if r.jobs.is_empty() {
                "no jobs".to_string()
            } else {
                r.jobs.iter().map(job_line).collect::<Vec<_>>().join("\n")
            };
            print(
                out,
                json!({"height": r.height, "jobs": r.jobs.iter().map(job_json).collect::<Vec<_>>(),
                       "more": !r.next_page_token.is_empty()}),
                text,
            );
            return Ok(());
        }
        JobCmd::Show { id } => {
            let r = c
                .jobs
                .clone()
                .get_job(pb::GetJobRequest { job_id: id })
                .await?
                .into_inner();
            let j = r.job.unwrap_or_default();
            let mut text = job_line(&j);
            text.push_str(&format!(
                "\n  poster {} worker {} coordinator {}\n  accept by {}; description sha256 {}",
                hex::encode(&j.poster),
                if j.worker.is_empty() {
                    "-".into()
                } else {
                    hex::encode(&j.worker)
                },
                hex::encode(&j.coordinator),
                date(j.accept_deadline_ms),
                hex::encode(&j.description_hash)
            ));
            for h in &j.history {
                text.push_str(&format!(
                    "\n  #{:<6} {:<15} → {:<13} by {}",
                    h.height,
                    h.action,
                    h.state,
                    if h.by.is_empty() {
                        "(timeout)".into()
                    } else {
                        short(&h.by)
                    }
                ));
            }
            print(out, job_json(&j), text);
            return Ok(());
        }
        JobCmd::Reputation { account } => {
            let a = keyfile::address(&account)?;
            let r = c
                .jobs
                .clone()
                .get_reputation(pb::GetReputationRequest {
                    address: a.0.to_vec(),
                })
                .await?
                .into_inner();
            let avg = if r.rating_count == 0 {
                "no ratings".to_string()
            } else {
                format!(
                    "average rating {:.2} of {}",
                    r.rating_sum as f64 / r.rating_count as f64,
                    r.rating_count
                )
            };
            print(
                out,
                json!({"address": hex::encode(&r.address), "jobs_completed": r.jobs_completed,
                       "rating_sum": r.rating_sum, "rating_count": r.rating_count,
                       "disputes_lost": r.disputes_lost, "height": r.height}),
                format!(
                    "{}: {} jobs completed, {avg}, {} disputes lost",
                    hex::encode(&r.address),
                    r.jobs_completed,
                    r.disputes_lost
                ),
            );
            return Ok(());
        }
    };
    submit(c, out, s, op).await
}

fn job_line(j: &pb::Job) -> String {
    format!(
        "{:<20} {:<13} {:>8} {:<6} poster {} worker {}{}",
        j.id,
        j.state,
        j.reward,
        j.asset,
        short(&j.poster),
        if j.worker.is_empty() {
            "-".into()
        } else {
            short(&j.worker)
        },
        if j.rating > 0 {
            format!(" rating {}", j.rating)
        } else {
            String::new()
        }
    )
}

fn job_json(j: &pb::Job) -> serde_json::Value {
    json!({"id": j.id, "state": j.state, "open": j.open, "poster": hex::encode(&j.poster), "worker": hex::encode(&j.worker),
           "coordinator": hex::encode(&j.coordinator), "asset": j.asset, "reward": j.reward, "escrow": j.escrow,
           "accept_deadline_ms": j.accept_deadline_ms, "posted_at_ms": j.posted_at_ms, "accepted_at_ms": j.accepted_at_ms,
           "submitted_at_ms": j.submitted_at_ms, "closed_at_ms": j.closed_at_ms, "timeout_at_ms": j.timeout_at_ms,
           "required_credential": j.required_credential, "description_hash": hex::encode(&j.description_hash),
           "proof_hash": hex::encode(&j.proof_hash), "rating": j.rating, "cancel_consent": j.cancel_consent,
           "disputed_by": hex::encode(&j.disputed_by), "reason_hash": hex::encode(&j.reason_hash),
           "resolved_to_worker": j.resolved_to_worker,
           "history": j.history.iter().map(|h| json!({"action": h.action, "state": h.state, "height": h.height,
               "time_ms": h.time_ms, "by": hex::encode(&h.by)})).collect::<Vec<_>>()})
}
