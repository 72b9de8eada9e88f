//! The gRPC API (tonic): transactions, accounts, assets and the chain, plus the
//! standard health and reflection services. Every request is checked before it
//! touches anything; a refusal is a precise status with a message that says
//! what was wrong.

mod accounts;
mod admission;
mod analytics;
mod contracts;
pub mod convert;
mod credentials;
mod governance;
mod jobs;
mod prepare;
mod server;
mod status;
mod submit;
mod web;

pub use server::serve;

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use yui_ledger::state::{self, AssetState, keys};
use yui_ledger::{Address, ErrorKind, Hash, TxError, auth, commitment};
use yui_proto::v1 as pb;

use crate::chain::{Committed, Shared, now_ms};

type Stream_<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The API's handle on the node.
#[derive(Clone)]
pub struct Api {
    shared: Arc<Shared>,
    /// Where admitted transactions are gossiped to the other validators.
    net: Option<mpsc::Sender<crate::network::NetCommand>>,
    /// Contract queries running now (each may burn the chain's fuel cap).
    queries: Arc<tokio::sync::Semaphore>,
    /// Submissions are admitted in batches.
    admission: admission::Admission,
    /// The town's aggregates, kept live (None: disabled in the config).
    analytics: Option<Arc<crate::analytics::Live>>,
}

impl Api {
    pub fn new(shared: Arc<Shared>, net: Option<mpsc::Sender<crate::network::NetCommand>>) -> Self {
        Self {
            shared: shared.clone(),
            net,
            queries: Arc::new(tokio::sync::Semaphore::new(contracts::QUERIES_AT_ONCE_MAX)),
            analytics: crate::analytics::Live::start(&shared),
            admission: admission::Admission::start(shared),
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(e.to_string())
}

/// Maps a ledger refusal onto a gRPC status.
pub fn tx_status(e: &TxError) -> Status {
    let msg = e.to_string();
    match e.kind() {
        ErrorKind::Malformed => Status::invalid_argument(msg),
        ErrorKind::Unauthenticated => Status::unauthenticated(msg),
        ErrorKind::PermissionDenied => Status::permission_denied(msg),
        ErrorKind::NotFound => Status::not_found(msg),
        ErrorKind::AlreadyExists => Status::already_exists(msg),
        ErrorKind::FailedPrecondition => Status::failed_precondition(msg),
        ErrorKind::OutOfRange => Status::out_of_range(msg),
        ErrorKind::TooLarge => Status::resource_exhausted(msg),
        ErrorKind::Internal => Status::internal(msg),
    }
}

fn address(b: &[u8], what: &str) -> Result<Address, Status> {
    let arr: [u8; 32] = b.try_into().map_err(|_| {
        Status::invalid_argument(format!("{what} must be 32 bytes, got {}", b.len()))
    })?;
    Ok(Address(arr))
}

/// Checks an id field (job, credential, proposal): 1..=ID_LEN_MAX bytes, or
/// empty too when `optional` (meaning "all").
fn id_arg(what: &str, id: &str, optional: bool) -> Result<(), Status> {
    let max = yui_ledger::limits::ID_LEN_MAX;
    if id.len() > max {
        return Err(Status::invalid_argument(format!(
            "{what} is {} bytes; at most {max}",
            id.len()
        )));
    }
    if id.is_empty() && !optional {
        return Err(Status::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    Ok(())
}

fn hash32(b: &[u8], what: &str) -> Result<Hash, Status> {
    b.try_into()
        .map_err(|_| Status::invalid_argument(format!("{what} must be 32 bytes, got {}", b.len())))
}

impl Api {
    /// Checks that the reader may read `subject`'s data: the holder itself, or
    /// an auditor named in the node's config. `subject` ZERO means audit-only.
    fn authorise(&self, auth: Option<&pb::ReadAuth>, subject: &Address) -> Result<Address, Status> {
        let reader = self.reader(auth, subject)?;
        if (reader == *subject && *subject != Address::ZERO)
            || self.shared.auditors.contains(&reader)
        {
            Ok(reader)
        } else {
            Err(Status::permission_denied(
                "only the account holder or an auditor may read this",
            ))
        }
    }

    /// Who signed a read of `subject`'s data (signature and freshness checked;
    /// whether that reader may read is the caller's decision).
    fn reader(&self, auth: Option<&pb::ReadAuth>, subject: &Address) -> Result<Address, Status> {
        let a = auth.ok_or_else(|| {
            Status::unauthenticated(
                "this read needs a ReadAuth signed by the account's key or an auditor's",
            )
        })?;
        let reader = address(&a.reader, "auth.reader")?;
        let sig: [u8; 64] = a
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| Status::invalid_argument("auth.signature must be 64 bytes"))?;
        auth::verify_read(
            &self.shared.genesis.chain_id,
            &reader,
            subject,
            a.time_ms,
            &sig,
            now_ms(),
        )
        .map_err(Status::unauthenticated)?;
        Ok(reader)
    }

    /// Whether an optional auth proves an auditor (for full blocks).
    fn is_auditor(&self, auth: Option<&pb::ReadAuth>) -> Result<bool, Status> {
        match auth {
            None => Ok(false),
            Some(_) => self.authorise(auth, &Address::ZERO).map(|_| true),
        }
    }

    fn block_at(&self, height: u64, full: bool) -> Result<pb::Block, Status> {
        let s = &self.shared.store;
        let b = s.block(height).map_err(internal)?;
        let c = s.certificate(height).map_err(internal)?;
        match (b, c) {
            (Some(b), Some(c)) => Ok(convert::block(&b, &c, full)),
            _ => Err(Status::not_found(crate::snapshot::absent_block(
                s,
                height,
                self.shared.head().height,
            ))),
        }
    }
}

#[tonic::async_trait]
impl pb::transactions_server::Transactions for Api {
    async fn submit(
        &self,
        req: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        self.submit_one(req.into_inner()).await.map(Response::new)
    }

    type SubmitStreamStream = Stream_<pb::SubmitStreamResponse>;

    async fn submit_stream(
        &self,
        req: Request<tonic::Streaming<pb::SubmitRequest>>,
    ) -> Result<Response<Self::SubmitStreamStream>, Status> {
        Ok(Response::new(self.submit_many(req.into_inner())))
    }

    async fn prepare(
        &self,
        req: Request<pb::PrepareRequest>,
    ) -> Result<Response<pb::PrepareResponse>, Status> {
        prepare::prepare(&self.shared, req.into_inner()).map(Response::new)
    }

    async fn get_transaction(
        &self,
        req: Request<pb::GetTransactionRequest>,
    ) -> Result<Response<pb::GetTransactionResponse>, Status> {
        let hash = hash32(&req.into_inner().tx_hash, "tx_hash")?;
        let s = &self.shared.store;
        if let Some((h, i)) = s.tx_location(&hash).map_err(internal)? {
            let r = s.receipt(h, i).map_err(internal)?;
            let tx = s
                .block(h)
                .map_err(internal)?
                .and_then(|b| b.txs.get(i as usize).map(convert::tx_summary));
            return Ok(Response::new(pb::GetTransactionResponse {
                status: "committed".into(),
                receipt: r.as_ref().map(convert::receipt),
                tx,
            }));
        }
        let pending = self.shared.mempool().get(&hash).map(convert::tx_summary);
        Ok(Response::new(pb::GetTransactionResponse {
            status: if pending.is_some() {
                "pending"
            } else {
                "unknown"
            }
            .into(),
            receipt: None,
            tx: pending,
        }))
    }
}

/// One page of records under a state-key prefix: `scan(from)` returns up to
/// 256 (key, record) pairs at or after `from` in key order; `keep` filters;
/// at most `limit` are converted by `show`. Returns them with the token of
/// the next page (the last key returned; empty when there is no more).
pub(crate) fn page<R, T>(
    prefix: &[u8],
    page_token: &[u8],
    limit: u32,
    scan: impl Fn(&[u8]) -> Result<Vec<(Vec<u8>, R)>, yui_ledger::state::StateError>,
    keep: impl Fn(&R) -> bool,
    show: impl Fn(&R) -> T,
) -> Result<(Vec<T>, Vec<u8>), Status> {
    let limit = match limit {
        0 => 20,
        n if n > 100 => return Err(Status::invalid_argument("limit must be at most 100")),
        n => n as usize,
    };
    let mut from = if page_token.is_empty() {
        prefix.to_vec()
    } else if page_token.starts_with(prefix) {
        let mut k = page_token.to_vec();
        k.push(0);
        k
    } else {
        return Err(Status::invalid_argument(
            "page_token is not one this node issued",
        ));
    };
    let (mut out, mut last_key, mut more) = (Vec::new(), Vec::new(), false);
    'scan: loop {
        let batch = scan(&from).map_err(internal)?;
        let Some((k, _)) = batch.last() else { break };
        let mut next = k.clone();
        next.push(0);
        let full = batch.len() == 256;
        for (k, r) in batch {
            if !keep(&r) {
                continue;
            }
            if out.len() == limit {
                more = true;
                break 'scan;
            }
            out.push(show(&r));
            last_key = k;
        }
        if !full {
            break;
        }
        from = next;
    }
    Ok((out, if more { last_key } else { Vec::new() }))
}

/// A server stream fed from each committed block by `pick`. A subscriber that
/// falls behind the bounded broadcast gets DATA_LOSS (re-read `reread`, then
/// subscribe again) rather than a silent gap.
pub(crate) fn follow_commits<T: Send + 'static>(
    shared: &Shared,
    reread: &'static str,
    pick: impl Fn(&Committed) -> Vec<T> + Send + 'static,
) -> Stream_<T> {
    let mut sub = shared.committed.subscribe();
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(async move {
        loop {
            let c = match sub.recv().await {
                Ok(c) => c,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    let msg =
                        format!("stream fell {n} blocks behind; read {reread} and subscribe again");
                    let _ = tx.send(Err(Status::data_loss(msg))).await;
                    return;
                }
                Err(_) => return,
            };
            for ev in pick(&c) {
                if tx.send(Ok(ev)).await.is_err() {
                    return;
                }
            }
        }
    });
    Box::pin(ReceiverStream::new(rx))
}

#[tonic::async_trait]
impl pb::assets_server::Assets for Api {
    async fn list_assets(
        &self,
        _req: Request<pb::ListAssetsRequest>,
    ) -> Result<Response<pb::ListAssetsResponse>, Status> {
        let assets: Vec<AssetState> = state::assets(&self.shared.store).map_err(internal)?;
        Ok(Response::new(pb::ListAssetsResponse {
            assets: assets.iter().map(convert::asset).collect(),
        }))
    }
}

#[tonic::async_trait]
impl pb::chain_server::Chain for Api {
    async fn get_block(
        &self,
        req: Request<pb::GetBlockRequest>,
    ) -> Result<Response<pb::Block>, Status> {
        let req = req.into_inner();
        let full = self.is_auditor(req.auth.as_ref())?;
        let height = if req.hash.is_empty() {
            req.height
        } else {
            let h = hash32(&req.hash, "hash")?;
            self.shared
                .store
                .height_of(&h)
                .map_err(internal)?
                .ok_or_else(|| {
                    Status::not_found(format!("no block with hash {}", hex::encode(h)))
                })?
        };
        if height == 0 {
            return Err(Status::invalid_argument(
                "height 0 is genesis, which is not a block; see GetGenesis",
            ));
        }
        self.block_at(height, full).map(Response::new)
    }

    async fn get_latest_block(
        &self,
        req: Request<pb::GetLatestBlockRequest>,
    ) -> Result<Response<pb::Block>, Status> {
        let full = self.is_auditor(req.into_inner().auth.as_ref())?;
        let h = self.shared.head().height;
        if h == 0 {
            return Err(Status::not_found("no block committed yet"));
        }
        self.block_at(h, full).map(Response::new)
    }

    type StreamBlocksStream = Stream_<pb::Block>;

    async fn stream_blocks(
        &self,
        req: Request<pb::StreamBlocksRequest>,
    ) -> Result<Response<Self::StreamBlocksStream>, Status> {
        let req = req.into_inner();
        let full = self.is_auditor(req.auth.as_ref())?;
        let mut sub = self.shared.committed.subscribe();
        let api = self.clone();
        let mut next = if req.from_height == 0 {
            self.shared.head().height + 1
        } else {
            req.from_height
        };
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                // Stored blocks first (also after falling behind), then live ones.
                while next <= api.shared.head().height {
                    let b = api.block_at(next, full);
                    if tx.send(b).await.is_err() {
                        return;
                    }
                    next += 1;
                }
                match sub.recv().await {
                    Ok(c) if c.block.header.height == next => {
                        if tx
                            .send(Ok(convert::block(&c.block, &c.certificate, full)))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        next += 1;
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn get_status(
        &self,
        _req: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        let sh = &self.shared;
        let head = sh.head();
        Ok(Response::new(pb::GetStatusResponse {
            chain_id: sh.genesis.chain_id.clone(),
            height: head.height,
            last_block_hash: head.hash.to_vec(),
            state_root: head.state_root.to_vec(),
            last_block_time_ms: head.time_ms,
            validators: sh
                .validator_infos()
                .iter()
                .map(|v| pb::ValidatorInfo {
                    name: v.name.clone(),
                    public_key: v.public_key.0.to_vec(),
                    power: v.power,
                })
                .collect(),
            // Empty where this node does not vote: an observer, a validator
            // voted out, or one approved to join at a later height.
            node_key: sh
                .node_key
                .filter(|k| sh.validator_infos().iter().any(|v| v.public_key == *k))
                .map(|k| k.0.to_vec())
                .unwrap_or_default(),
            mempool_size: sh.mempool().len() as u32,
            peers: sh.peers.read().map(|p| p.clone()).unwrap_or_default(),
            round: sh.round.load(std::sync::atomic::Ordering::Relaxed),
            genesis_hash: sh.genesis_hash.to_vec(),
            time_zone: sh.cfg.node.time_zone.clone(),
            tx_gossip_peers: sh
                .tx_gossip_peers
                .load(std::sync::atomic::Ordering::Relaxed),
        }))
    }

    async fn get_genesis(
        &self,
        _req: Request<pb::GetGenesisRequest>,
    ) -> Result<Response<pb::GetGenesisResponse>, Status> {
        Ok(Response::new(pb::GetGenesisResponse {
            json: self.shared.genesis_json.clone(),
            hash: self.shared.genesis_hash.to_vec(),
        }))
    }

    async fn get_proof(
        &self,
        req: Request<pb::GetProofRequest>,
    ) -> Result<Response<pb::GetProofResponse>, Status> {
        let req = req.into_inner();
        let key = match req.kind.as_str() {
            "account" | "holding" => {
                let a = address(&req.address, "address")?;
                self.authorise(req.auth.as_ref(), &a)?;
                if req.kind == "account" {
                    keys::account(&a)
                } else {
                    keys::holding(&a, &req.id)
                }
            }
            "asset" => keys::asset(&req.id),
            "invoice" => keys::invoice(&address(&req.address, "address")?, &req.id),
            "contract" => {
                id_arg("id", &req.id, false)?;
                keys::contract(&req.id)
            }
            "contract_storage" => {
                id_arg("id", &req.id, false)?;
                let max = yui_ledger::wasm::limits::STORAGE_KEY_BYTES_MAX;
                if req.storage_key.len() > max {
                    return Err(Status::invalid_argument(format!(
                        "storage_key must be at most {max} bytes"
                    )));
                }
                keys::contract_store(&req.id, &req.storage_key)
            }
            "code" => keys::code(&hash32(&req.address, "address (the code hash)")?),
            "validators" => keys::validators(),
            "members" => keys::members(),
            "params" => keys::params(),
            k => {
                return Err(Status::invalid_argument(format!(
                    "unknown kind '{k}': use account, holding, asset, invoice, contract, \
                     contract_storage, code, validators, members or params"
                )));
            }
        };
        let head = self.shared.head();
        let (height, root) = match req.height {
            0 => (head.height, head.state_root),
            h if h > head.height => {
                return Err(Status::out_of_range(format!(
                    "height {h} is above this node's head {}",
                    head.height
                )));
            }
            h if h == head.height => (h, head.state_root),
            h => match self.shared.store.block(h).map_err(internal)? {
                Some(b) => (h, b.header.state_root),
                None => {
                    return Err(Status::not_found(format!("this node holds no block {h}")));
                }
            },
        };
        // Kept history only: an older height's tree is deleted, and one
        // pruned while this proof was read fails it the same way.
        let store = &self.shared.store;
        let pruned = |head: u64| {
            let oldest = store.oldest_provable(head);
            (height < oldest).then(|| {
                Status::not_found(format!(
                    "this node keeps the state of its last {} heights (from {oldest}); \
                     height {height}'s is no longer held (an archive node keeps all: \
                     [storage] state_history = 0)",
                    store.state_history()
                ))
            })
        };
        if let Some(s) = pruned(head.height) {
            return Err(s);
        }
        let unwritten = || {
            Status::not_found(format!(
                "this node writes its state tree every {n} heights ([storage] tree_interval): \
                 height {height}'s tree was not written; its last {n} heights and every written \
                 one are provable (an archive node proves every height: [storage] state_history = 0)",
                n = store.tree_interval()
            ))
        };
        if !store.tree_kept(height).map_err(internal)? {
            return Err(unwritten());
        }
        let (value, proof) = match commitment::prove(store, &key, height) {
            Ok(p) => p,
            Err(e) => return Err(pruned(self.shared.head().height).unwrap_or_else(|| internal(e))),
        };
        // A write of the tree or a pruning while the proof was read can
        // drop what it read (the window moves on, history is deleted): the
        // height must still be held once the proof is read, and the proof
        // must verify, or nothing is served.
        if let Some(s) = pruned(self.shared.head().height) {
            return Err(s);
        }
        if !store.tree_kept(height).map_err(internal)? {
            return Err(unwritten());
        }
        commitment::verify(&root, &key, value.as_deref(), &proof)
            .map_err(|e| internal(format!("the proof read does not verify: {e}")))?;
        Ok(Response::new(pb::GetProofResponse {
            height,
            state_root: root.to_vec(),
            key,
            present: value.is_some(),
            value: value.unwrap_or_default(),
            proof: commitment::proof_to_bytes(&proof),
        }))
    }

    async fn list_evidence(
        &self,
        req: Request<pb::ListEvidenceRequest>,
    ) -> Result<Response<pb::ListEvidenceResponse>, Status> {
        let limit = match req.into_inner().limit {
            0 => 100,
            n if n > 100 => return Err(Status::invalid_argument("limit must be at most 100")),
            n => n as usize,
        };
        let rows = self.shared.store.evidence(limit).map_err(internal)?;
        let mut evidence = Vec::new();
        for raw in rows {
            let (a, b): (yui_consensus::Vote, yui_consensus::Vote) =
                borsh::from_slice(&raw).map_err(internal)?;
            evidence.push(pb::Evidence {
                height: a.height,
                round: a.round,
                validator: a.validator,
                kind: match a.kind {
                    yui_consensus::VoteKind::Prevote => "prevote",
                    yui_consensus::VoteKind::Precommit => "precommit",
                }
                .into(),
                first_block_hash: a.block_hash.map(|h| h.to_vec()).unwrap_or_default(),
                second_block_hash: b.block_hash.map(|h| h.to_vec()).unwrap_or_default(),
                raw,
            });
        }
        Ok(Response::new(pb::ListEvidenceResponse { evidence }))
    }
}
