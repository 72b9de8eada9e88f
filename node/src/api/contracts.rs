//! The Contracts service: public reads of deployed contracts, read-only
//! queries that run a method against the latest committed state, and a
//! stream of contract events as blocks commit.

use tonic::{Request, Response, Status};
use yui_ledger::contract::Contract;
use yui_ledger::error::Rule;
use yui_ledger::state::{self, keys};
use yui_ledger::{Ctx, StateRead, TxError};
use yui_proto::v1 as pb;

use super::{Api, Stream_, convert, id_arg, internal, tx_status};
use crate::chain::{Committed, Shared};

/// Most contract queries a node runs at once; more are refused with
/// RESOURCE_EXHAUSTED (retry later) rather than queued without bound.
pub(crate) const QUERIES_AT_ONCE_MAX: usize = 2;

fn contract_id(id: &str) -> Result<(), Status> {
    id_arg("contract_id", id, false)
}

/// A contract with what its account holds.
fn show(s: &impl StateRead, c: &Contract) -> Result<pb::Contract, Status> {
    let balances = state::holdings_of(s, &c.account).map_err(internal)?;
    Ok(convert::contract(c, &balances))
}

/// The contract events of a committed block, for one contract or all.
fn contract_events(c: &Committed, only: Option<&str>) -> Vec<pb::ContractEvent> {
    let h = &c.block.header;
    c.events()
        .filter_map(|(tx_hash, e)| {
            let id = e.contract_id()?;
            if only.is_some_and(|o| o != id) {
                return None;
            }
            Some(pb::ContractEvent {
                height: h.height,
                time_ms: h.time_ms,
                tx_hash,
                event: Some(convert::event(e)),
            })
        })
        .collect()
}

/// Runs a read-only query on a blocking thread (a method may burn up to the
/// chain's fuel cap).
async fn query(
    shared: std::sync::Arc<Shared>,
    req: pb::QueryContractRequest,
) -> Result<pb::QueryContractResponse, Status> {
    tokio::task::spawn_blocking(move || {
        let head = shared.head();
        let s = &shared.store;
        let cap = state::params(s)
            .map_err(internal)?
            .map_or(0, |p| p.contract_fuel_max);
        if req.fuel_limit > cap {
            return Err(Status::out_of_range(format!(
                "fuel_limit {} is above the chain's contract_fuel_max of {cap}",
                req.fuel_limit
            )));
        }
        let fuel = if req.fuel_limit == 0 {
            cap
        } else {
            req.fuel_limit
        };
        let ctx = Ctx {
            chain_id: shared.genesis.chain_id.clone(),
            height: head.height,
            time_ms: head.time_ms,
        };
        let call = (
            req.contract_id.as_str(),
            req.method.as_str(),
            req.args.as_slice(),
            fuel,
        );
        match yui_ledger::query_contract(s, &ctx, call) {
            Ok((output, fuel_used)) => Ok(pb::QueryContractResponse {
                output,
                fuel_used,
                height: head.height,
            }),
            Err(
                e @ TxError::ContractMethod {
                    rule: Rule::UnknownMethod,
                    ..
                },
            ) => Err(Status::not_found(e.to_string())),
            Err(e) => Err(tx_status(&e)),
        }
    })
    .await
    .map_err(internal)?
}

#[tonic::async_trait]
impl pb::contracts_server::Contracts for Api {
    async fn list_contracts(
        &self,
        req: Request<pb::ListContractsRequest>,
    ) -> Result<Response<pb::ListContractsResponse>, Status> {
        let req = req.into_inner();
        let head = self.shared.head();
        let s = &self.shared.store;
        let (found, next_page_token) = super::page(
            &keys::contracts_prefix(),
            &req.page_token,
            req.limit,
            |from| state::contracts(s, from, 256),
            |_| true,
            |c: &Contract| c.clone(),
        )?;
        let contracts = found.iter().map(|c| show(s, c)).collect::<Result<_, _>>()?;
        Ok(Response::new(pb::ListContractsResponse {
            contracts,
            next_page_token,
            height: head.height,
        }))
    }

    async fn get_contract(
        &self,
        req: Request<pb::GetContractRequest>,
    ) -> Result<Response<pb::GetContractResponse>, Status> {
        let id = req.into_inner().contract_id;
        contract_id(&id)?;
        let head = self.shared.head();
        let s = &self.shared.store;
        let c = state::contract(s, &id)
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("no contract '{id}'")))?;
        Ok(Response::new(pb::GetContractResponse {
            contract: Some(show(s, &c)?),
            height: head.height,
        }))
    }

    async fn query(
        &self,
        req: Request<pb::QueryContractRequest>,
    ) -> Result<Response<pb::QueryContractResponse>, Status> {
        let req = req.into_inner();
        contract_id(&req.contract_id)?;
        id_arg("method", &req.method, false)?;
        let max = yui_ledger::wasm::limits::INPUT_BYTES_MAX;
        if req.args.len() > max {
            return Err(Status::invalid_argument(format!(
                "args must be at most {max} bytes"
            )));
        }
        let _permit = self.queries.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "this node is already running {QUERIES_AT_ONCE_MAX} contract queries; retry shortly"
            ))
        })?;
        Ok(Response::new(query(self.shared.clone(), req).await?))
    }

    type StreamContractEventsStream = Stream_<pb::ContractEvent>;

    async fn stream_contract_events(
        &self,
        req: Request<pb::StreamContractEventsRequest>,
    ) -> Result<Response<Self::StreamContractEventsStream>, Status> {
        let id = req.into_inner().contract_id;
        id_arg("contract_id", &id, true)?;
        if !id.is_empty()
            && state::contract(&self.shared.store, &id)
                .map_err(internal)?
                .is_none()
        {
            return Err(Status::not_found(format!("no contract '{id}'")));
        }
        let only = (!id.is_empty()).then_some(id);
        Ok(Response::new(super::follow_commits(
            &self.shared,
            "the contracts",
            move |c| contract_events(c, only.as_deref()),
        )))
    }
}
