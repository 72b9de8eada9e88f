//! The Jobs service: public reads of microwork jobs and reputations, and a
//! stream of job events as blocks commit.

use tonic::{Request, Response, Status};
use yui_ledger::state::{self, Job, JobState};
use yui_proto::v1 as pb;

use super::{Api, Stream_, address, convert, id_arg};
use crate::chain::Committed;

/// Which jobs a `ListJobs` state filter keeps.
enum Filter {
    Open,
    All,
    One(JobState),
}

impl Filter {
    fn parse(s: &str) -> Result<Self, Status> {
        let one = |st| Ok(Filter::One(st));
        match s {
            "" | "open" => Ok(Filter::Open),
            "all" => Ok(Filter::All),
            "posted" => one(JobState::Posted),
            "accepted" => one(JobState::Accepted),
            "submitted" => one(JobState::Submitted),
            "approved" => one(JobState::Approved),
            "cancelled" => one(JobState::Cancelled),
            "disputed" => one(JobState::Disputed),
            "resolved" => one(JobState::Resolved),
            "expired" => one(JobState::Expired),
            "auto_released" => one(JobState::AutoReleased),
            other => Err(Status::invalid_argument(format!(
                "unknown state '{other}': use posted, accepted, submitted, approved, cancelled, \
                 disputed, resolved, expired, auto_released, all, or empty for the open ones"
            ))),
        }
    }

    fn keeps(&self, j: &Job) -> bool {
        match self {
            Filter::Open => j.state.is_open(),
            Filter::All => true,
            Filter::One(s) => j.state == *s,
        }
    }
}

/// The job events of a committed block, for one job or all.
fn job_events(c: &Committed, only: Option<&str>) -> Vec<pb::JobEvent> {
    let h = &c.block.header;
    c.events()
        .filter_map(|(tx_hash, e)| {
            let ev = convert::event(e);
            if !ev.kind.starts_with("job_") || only.is_some_and(|id| id != ev.reference) {
                return None;
            }
            Some(pb::JobEvent {
                height: h.height,
                time_ms: h.time_ms,
                tx_hash,
                job_id: ev.reference.clone(),
                event: Some(ev),
            })
        })
        .collect()
}

#[tonic::async_trait]
impl pb::jobs_server::Jobs for Api {
    async fn list_jobs(
        &self,
        req: Request<pb::ListJobsRequest>,
    ) -> Result<Response<pb::ListJobsResponse>, Status> {
        let req = req.into_inner();
        let filter = Filter::parse(&req.state)?;
        let coordinator = if req.coordinator.is_empty() {
            None
        } else {
            Some(address(&req.coordinator, "coordinator")?)
        };
        let head = self.shared.head();
        let s = &self.shared.store;
        let (jobs, next_page_token) = super::page(
            &state::keys::jobs_prefix(),
            &req.page_token,
            req.limit,
            |from| state::jobs(s, from, 256),
            |j| filter.keeps(j) && coordinator.is_none_or(|c| c == j.coordinator),
            convert::job,
        )?;
        Ok(Response::new(pb::ListJobsResponse {
            jobs,
            next_page_token,
            height: head.height,
        }))
    }

    async fn get_job(
        &self,
        req: Request<pb::GetJobRequest>,
    ) -> Result<Response<pb::GetJobResponse>, Status> {
        let id = req.into_inner().job_id;
        id_arg("job_id", &id, false)?;
        let head = self.shared.head();
        let j = state::job(&self.shared.store, &id)
            .map_err(super::internal)?
            .ok_or_else(|| Status::not_found(format!("no job '{id}'")))?;
        Ok(Response::new(pb::GetJobResponse {
            job: Some(convert::job(&j)),
            height: head.height,
        }))
    }

    async fn get_reputation(
        &self,
        req: Request<pb::GetReputationRequest>,
    ) -> Result<Response<pb::GetReputationResponse>, Status> {
        let a = address(&req.into_inner().address, "address")?;
        let head = self.shared.head();
        let r = state::reputation(&self.shared.store, &a).map_err(super::internal)?;
        Ok(Response::new(convert::reputation(&a, &r, head.height)))
    }

    type StreamJobEventsStream = Stream_<pb::JobEvent>;

    async fn stream_job_events(
        &self,
        req: Request<pb::StreamJobEventsRequest>,
    ) -> Result<Response<Self::StreamJobEventsStream>, Status> {
        let id = req.into_inner().job_id;
        id_arg("job_id", &id, true)?;
        let only = (!id.is_empty()).then_some(id);
        Ok(Response::new(super::follow_commits(
            &self.shared,
            "the jobs",
            move |c| job_events(c, only.as_deref()),
        )))
    }
}
