//! The Accounts service: an account's state, its history page by page and
//! the stream of its events, each for the account itself or an auditor.

use tonic::{Request, Response, Status};
use yui_ledger::Address;
use yui_ledger::state::{self, Account, keys};
use yui_proto::v1 as pb;

use super::{Api, Stream_, address, convert, follow_commits, internal};
use crate::chain::Committed;
use crate::storage::BEGIN_EVENTS_INDEX;

#[tonic::async_trait]
impl pb::accounts_server::Accounts for Api {
    async fn get_account(
        &self,
        req: Request<pb::GetAccountRequest>,
    ) -> Result<Response<pb::GetAccountResponse>, Status> {
        let req = req.into_inner();
        let a = address(&req.address, "address")?;
        self.authorise(req.auth.as_ref(), &a)?;
        let head = self.shared.head();
        let s = &self.shared.store;
        let acct: Account = state::read(s, &keys::account(&a))
            .map_err(internal)?
            .ok_or_else(|| {
                Status::not_found(format!("unknown account {a}: it has never held value"))
            })?;
        Ok(Response::new(pb::GetAccountResponse {
            address: a.0.to_vec(),
            name: acct.name.clone(),
            nonce: acct.nonce,
            roles: acct.roles.iter().map(convert::role).collect(),
            balances: state::holdings_of(s, &a)
                .map_err(internal)?
                .iter()
                .map(|(id, h)| convert::balance(id, h))
                .collect(),
            height: head.height,
            state_root: head.state_root.to_vec(),
        }))
    }

    async fn get_history(
        &self,
        req: Request<pb::GetHistoryRequest>,
    ) -> Result<Response<pb::GetHistoryResponse>, Status> {
        let req = req.into_inner();
        let a = address(&req.address, "address")?;
        self.authorise(req.auth.as_ref(), &a)?;
        let limit = match req.limit {
            0 => 20,
            n if n > 100 => return Err(Status::invalid_argument("limit must be at most 100")),
            n => n as usize,
        };
        let before: Option<(u64, u32)> =
            if req.page_token.is_empty() {
                None
            } else {
                Some(borsh::from_slice(&req.page_token).map_err(|_| {
                    Status::invalid_argument("page_token is not one this node issued")
                })?)
            };
        let s = &self.shared.store;
        let rows = s.history(&a, before, limit + 1).map_err(internal)?;
        let more = rows.len() > limit;
        let mut entries = Vec::new();
        let mut cached: Option<yui_ledger::Block> = None;
        for (h, i) in rows.iter().take(limit) {
            if cached.as_ref().is_none_or(|b| b.header.height != *h) {
                cached = s.block(*h).map_err(internal)?;
            }
            let time_ms = cached.as_ref().map_or(0, |b| b.header.time_ms);
            if *i == BEGIN_EVENTS_INDEX {
                let events = s.begin_events(*h).map_err(internal)?;
                let mine = events
                    .iter()
                    .filter(|e| e.accounts().contains(&a))
                    .map(convert::event)
                    .collect();
                entries.push(pb::HistoryEntry {
                    height: *h,
                    time_ms,
                    tx: None,
                    receipt: Some(pb::Receipt {
                        height: *h,
                        success: true,
                        events: mine,
                        ..Default::default()
                    }),
                });
            } else {
                let r = s.receipt(*h, *i).map_err(internal)?;
                entries.push(pb::HistoryEntry {
                    height: *h,
                    time_ms,
                    tx: cached
                        .as_ref()
                        .and_then(|b| b.txs.get(*i as usize))
                        .map(convert::tx_summary),
                    receipt: r.as_ref().map(convert::receipt),
                });
            }
        }
        let next_page_token = match (more, rows.get(limit.saturating_sub(1))) {
            (true, Some(last)) => borsh::to_vec(last).map_err(internal)?,
            _ => Vec::new(),
        };
        Ok(Response::new(pb::GetHistoryResponse {
            entries,
            next_page_token,
        }))
    }

    type StreamEventsStream = Stream_<pb::AccountEvent>;

    async fn stream_events(
        &self,
        req: Request<pb::StreamEventsRequest>,
    ) -> Result<Response<Self::StreamEventsStream>, Status> {
        let req = req.into_inner();
        let a = address(&req.address, "address")?;
        self.authorise(req.auth.as_ref(), &a)?;
        Ok(Response::new(follow_commits(
            &self.shared,
            "the history",
            move |c| account_events(c, &a),
        )))
    }
}

/// What account `a`'s stream shows of a committed block: the block-start
/// events naming it, then every event of each transaction that concerns it
/// (the selection of its history), or that transaction's failure.
fn account_events(c: &Committed, a: &Address) -> Vec<pb::AccountEvent> {
    let h = &c.block.header;
    let item = |tx_hash: Vec<u8>, event, failure| pb::AccountEvent {
        height: h.height,
        time_ms: h.time_ms,
        tx_hash,
        event,
        failure,
    };
    let mut out: Vec<pb::AccountEvent> = c
        .begin_events
        .iter()
        .filter(|e| e.accounts().contains(a))
        .map(|e| item(Vec::new(), Some(convert::event(e)), None))
        .collect();
    for (tx, r) in c.block.txs.iter().zip(&c.receipts) {
        if !r.accounts_concerned(&tx.tx).contains(a) {
            continue;
        }
        match &r.error {
            Some(e) => out.push(item(
                r.tx_hash.to_vec(),
                None,
                Some(pb::TxFailure {
                    operation: tx.tx.op.name().into(),
                    signer: r.signer.0.to_vec(),
                    error: e.to_string(),
                    error_code: e.code(),
                }),
            )),
            None => out.extend(
                r.events
                    .iter()
                    .map(|e| item(r.tx_hash.to_vec(), Some(convert::event(e)), None)),
            ),
        }
    }
    out
}
