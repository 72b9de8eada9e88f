//! The Governance service: members, parameters and the validator set;
//! proposals with their votes; governance events as blocks commit.

use tonic::{Request, Response, Status};
use yui_ledger::governance::{PARAMS, ProposalState, ValidatorChange};
use yui_ledger::state;
use yui_proto::v1 as pb;

use super::{Api, Stream_, convert, id_arg};
use crate::chain::Committed;

fn state_filter(s: &str) -> Result<Option<ProposalState>, Status> {
    Ok(Some(match s {
        "" | "all" => return Ok(None),
        "open" => ProposalState::Open,
        "executed" => ProposalState::Executed,
        "failed" => ProposalState::Failed,
        "rejected" => ProposalState::Rejected,
        "expired" => ProposalState::Expired,
        other => {
            return Err(Status::invalid_argument(format!(
                "unknown state '{other}': use open, executed, failed, rejected, expired, or empty for all"
            )));
        }
    }))
}

fn proposal_id(id: &str, optional: bool) -> Result<(), Status> {
    id_arg("proposal_id", id, optional)
}

/// The governance events of a committed block. With `only`, the events of
/// the transactions that touched that proposal (a vote that passes it brings
/// the action's events with it).
fn governance_events(c: &Committed, only: Option<&str>) -> Vec<pb::GovernanceEvent> {
    let h = &c.block.header;
    let wrap = |tx_hash: Vec<u8>, e: &yui_ledger::Event| pb::GovernanceEvent {
        height: h.height,
        time_ms: h.time_ms,
        tx_hash,
        event: Some(convert::event(e)),
    };
    let mut out = Vec::new();
    match only {
        None => {
            for (tx, e) in c.events() {
                if e.is_governance() {
                    out.push(wrap(tx, e));
                }
            }
        }
        Some(id) => {
            let about = |e: &yui_ledger::Event| {
                use yui_ledger::Event::*;
                matches!(e,
                    ProposalCreated { proposal_id, .. }
                    | ProposalVoted { proposal_id, .. }
                    | ProposalClosed { proposal_id, .. } if proposal_id == id)
            };
            for e in c.begin_events.iter().filter(|e| about(e)) {
                out.push(wrap(Vec::new(), e));
            }
            for r in &c.receipts {
                if r.events.iter().any(about) {
                    for e in r.events.iter().filter(|e| e.is_governance()) {
                        out.push(wrap(r.tx_hash.to_vec(), e));
                    }
                }
            }
        }
    }
    out
}

#[tonic::async_trait]
impl pb::governance_server::Governance for Api {
    async fn get_governance(
        &self,
        _req: Request<pb::GetGovernanceRequest>,
    ) -> Result<Response<pb::GetGovernanceResponse>, Status> {
        let head = self.shared.head();
        let s = &self.shared.store;
        let members = state::members(s).map_err(super::internal)?;
        let params = state::params(s)
            .map_err(super::internal)?
            .ok_or_else(|| Status::internal("the chain's parameters are missing from state"))?;
        let infos = state::validators(s).map_err(super::internal)?;
        Ok(Response::new(pb::GetGovernanceResponse {
            approvals_needed: params.approvals_needed(members.len() as u64),
            members: members.iter().map(|a| a.0.to_vec()).collect(),
            params: PARAMS
                .iter()
                .map(|(n, _, _)| pb::Param {
                    name: (*n).into(),
                    value: params.get(n).unwrap_or_default(),
                })
                .collect(),
            validators: infos.iter().map(convert::validator_info).collect(),
            pending: state::pending_validator_changes(s)
                .map_err(super::internal)?
                .into_iter()
                .map(|(h, c)| match c {
                    ValidatorChange::Add(v) => pb::PendingValidatorChange {
                        effective_height: h,
                        change: "add".into(),
                        validator: Some(convert::validator_info(&v)),
                    },
                    ValidatorChange::Remove(k) => pb::PendingValidatorChange {
                        effective_height: h,
                        change: "remove".into(),
                        validator: infos
                            .iter()
                            .find(|v| v.public_key == k)
                            .map(convert::validator_info)
                            .or(Some(pb::ValidatorInfo {
                                name: String::new(),
                                public_key: k.0.to_vec(),
                                power: 0,
                            })),
                    },
                })
                .collect(),
            height: head.height,
        }))
    }

    async fn list_proposals(
        &self,
        req: Request<pb::ListProposalsRequest>,
    ) -> Result<Response<pb::ListProposalsResponse>, Status> {
        let req = req.into_inner();
        let filter = state_filter(&req.state)?;
        let head = self.shared.head();
        let s = &self.shared.store;
        let (proposals, next_page_token) = super::page(
            &state::keys::proposals_prefix(),
            &req.page_token,
            req.limit,
            |from| state::proposals(s, from, 256),
            |p| filter.is_none_or(|f| f == p.state),
            convert::proposal,
        )?;
        Ok(Response::new(pb::ListProposalsResponse {
            proposals,
            next_page_token,
            height: head.height,
        }))
    }

    async fn get_proposal(
        &self,
        req: Request<pb::GetProposalRequest>,
    ) -> Result<Response<pb::GetProposalResponse>, Status> {
        let id = req.into_inner().proposal_id;
        proposal_id(&id, false)?;
        let head = self.shared.head();
        let s = &self.shared.store;
        let p = state::proposal(s, &id)
            .map_err(super::internal)?
            .ok_or_else(|| Status::not_found(format!("no proposal '{id}'")))?;
        let members = state::members(s).map_err(super::internal)?.len() as u64;
        let needed = state::params(s)
            .map_err(super::internal)?
            .map_or(0, |p| p.approvals_needed(members));
        Ok(Response::new(pb::GetProposalResponse {
            proposal: Some(convert::proposal(&p)),
            approvals_needed: needed,
            height: head.height,
        }))
    }

    type StreamGovernanceEventsStream = Stream_<pb::GovernanceEvent>;

    async fn stream_governance_events(
        &self,
        req: Request<pb::StreamGovernanceEventsRequest>,
    ) -> Result<Response<Self::StreamGovernanceEventsStream>, Status> {
        let id = req.into_inner().proposal_id;
        proposal_id(&id, true)?;
        let only = (!id.is_empty()).then_some(id);
        Ok(Response::new(super::follow_commits(
            &self.shared,
            "governance",
            move |c| governance_events(c, only.as_deref()),
        )))
    }
}
