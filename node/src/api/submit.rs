//! Submitting transactions: one per call (`Submit`), or a steady flow over
//! one stream (`SubmitStream`), each submission checked and admitted the
//! same way and answered with the same status.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;
use yui_ledger::{Hash, SignedTransaction};
use yui_proto::v1 as pb;

use super::{Api, Stream_, admission, convert, internal, tx_status};

/// Submissions of one stream unanswered at once (api.proto): past it the
/// node reads no more of the stream, and HTTP/2's flow control holds the
/// client back.
pub const STREAM_UNANSWERED_MAX: usize = 1_024;

impl Api {
    /// Whether `stx` may have been committed: every transaction a block
    /// holds uses its signer's nonce, even one whose operation failed, so
    /// a nonce at or past the signer's next one was never committed. Only
    /// the others are looked up in the transaction index (a search of its
    /// memtables and bloom filters that most submissions, new ones, can
    /// skip).
    fn maybe_committed(&self, stx: &SignedTransaction) -> Result<bool, Status> {
        let account = yui_ledger::state::keys::account(&stx.tx.signer);
        let known =
            yui_ledger::state::read::<yui_ledger::state::Account, _>(&self.shared.store, &account)
                .map_err(internal)?;
        Ok(known.is_none_or(|a| stx.tx.nonce < a.nonce))
    }

    /// One submission: checked, admitted, and (when asked) followed to its
    /// commit.
    pub(super) async fn submit_one(
        &self,
        req: pb::SubmitRequest,
    ) -> Result<pb::SubmitResponse, Status> {
        let stx = SignedTransaction::from_bytes(&req.tx).map_err(|e| tx_status(&e))?;
        let hash = stx.hash();
        if self.maybe_committed(&stx)?
            && let Some((h, _)) = self.shared.store.tx_location(&hash).map_err(internal)?
        {
            return Err(Status::already_exists(format!(
                "transaction was already committed at height {h}"
            )));
        }
        let pending = self.shared.mempool().contains(&hash);
        if !pending {
            // Shed load before any signature is checked: a node whose
            // mempool is full, or whose oldest waiting transaction has
            // waited too long, cannot take more in time.
            let (len, overdue) = {
                let mut mp = self.shared.mempool();
                let draw = mp.next_draw();
                (mp.len(), mp.overdue(crate::chain::now_ms(), draw))
            };
            let (max, wait_max) = (
                self.shared.cfg.mempool.txs_max,
                self.shared.cfg.mempool.wait_max_ms,
            );
            if len >= max {
                self.shared.metrics.refused("mempool.full".into());
                return Err(Status::resource_exhausted(format!(
                    "the mempool is full ({max} transactions); retry shortly"
                )));
            }
            if let Some(waited) = overdue {
                self.shared.metrics.refused("mempool.behind".into());
                return Err(Status::resource_exhausted(format!(
                    "the chain is behind: a transaction has waited {waited} ms for a block (load is shed from {} ms, all of it from {wait_max} ms); retry shortly",
                    wait_max / 2
                )));
            }
        }
        let mut waiting = if req.wait_for_commit {
            let Some(rx) = self.shared.wait_for(hash) else {
                self.shared.metrics.refused("waiters.full".into());
                return Err(Status::resource_exhausted(format!(
                    "{} submissions are waiting for their commit on this node; retry shortly, or submit without waiting",
                    crate::chain::WAITERS_MAX
                )));
            };
            Some(admission::Waiting {
                shared: &self.shared,
                hash,
                rx: Some(rx),
            })
        } else {
            None
        };
        if !pending {
            self.admit(&stx, hash).await?;
        }
        let mut resp = pb::SubmitResponse {
            tx_hash: hash.to_vec(),
            committed: false,
            receipt: None,
        };
        // A waiting transaction may have committed between the first look
        // and the waiter's registration: then the store has its receipt.
        if pending
            && waiting.is_some()
            && let Some((h, i)) = self.shared.store.tx_location(&hash).map_err(internal)?
            && let Some(r) = self.shared.store.receipt(h, i).map_err(internal)?
        {
            resp.committed = true;
            resp.receipt = Some(convert::receipt(&r));
            return Ok(resp);
        }
        if let Some(rx) = waiting.as_mut().and_then(|w| w.rx.as_mut()) {
            let ms = match req.wait_timeout_ms {
                0 => 10_000,
                n => n.min(60_000),
            };
            if let Ok(Ok(r)) = tokio::time::timeout(Duration::from_millis(u64::from(ms)), rx).await
            {
                resp.committed = true;
                resp.receipt = Some(convert::receipt(&r));
            }
        }
        Ok(resp)
    }

    /// The answers to a stream of submissions, each tagged with its
    /// position; every submission runs as [`Self::submit_one`] on a task of
    /// its own, at most [`STREAM_UNANSWERED_MAX`] at once.
    pub(super) fn submit_many(
        &self,
        mut input: tonic::Streaming<pb::SubmitRequest>,
    ) -> Stream_<pb::SubmitStreamResponse> {
        let (out, rx) = mpsc::channel(STREAM_UNANSWERED_MAX);
        let room = Arc::new(Semaphore::new(STREAM_UNANSWERED_MAX));
        let api = self.clone();
        tokio::spawn(async move {
            for seq in 0u64.. {
                let Ok(permit) = room.clone().acquire_owned().await else {
                    break;
                };
                let req = match input.message().await {
                    Ok(Some(req)) => req,
                    Ok(None) => break,
                    Err(status) => {
                        // What came before is answered first: the stream's
                        // status is its last word.
                        drop(permit);
                        let _ = room.acquire_many(STREAM_UNANSWERED_MAX as u32).await;
                        let status = match super::status::promised(status.code(), status.message())
                        {
                            Some(code) => Status::new(code, status.message()),
                            None => status,
                        };
                        let _ = out.send(Err(status)).await;
                        break;
                    }
                };
                let (api, out) = (api.clone(), out.clone());
                tokio::spawn(async move {
                    // A client gone: what it sent is given up as a broken-off
                    // Submit call would be.
                    let r = tokio::select! {
                        r = api.submit_one(req) => r,
                        () = out.closed() => return,
                    };
                    let answer = match r {
                        Ok(r) => pb::SubmitStreamResponse {
                            seq,
                            code: 0,
                            message: String::new(),
                            response: Some(r),
                        },
                        Err(s) => pb::SubmitStreamResponse {
                            seq,
                            code: s.code() as u32,
                            message: s.message().to_string(),
                            response: None,
                        },
                    };
                    let _ = out.send(Ok(answer)).await;
                    drop(permit);
                });
            }
        });
        Box::pin(ReceiverStream::new(rx))
    }

    async fn admit(&self, stx: &SignedTransaction, hash: Hash) -> Result<(), Status> {
        use admission::Refused;
        let r = self.admission.admit(stx.clone(), hash).await;
        r.map_err(|e| match e {
            Refused::Busy => {
                self.shared.metrics.refused("admission.busy".into());
                Status::resource_exhausted(
                    "the node is admitting as many transactions as it can; retry shortly",
                )
            }
            Refused::Late => {
                self.shared.metrics.refused("admission.late".into());
                Status::resource_exhausted(format!(
                    "the submission waited over {} ms for its check; retry shortly",
                    admission::WAIT_MAX.as_millis()
                ))
            }
            Refused::Admit(crate::chain::AdmitError::Tx(e)) => tx_status(&e),
            Refused::Admit(crate::chain::AdmitError::Mempool(e)) => match e {
                crate::mempool::MempoolError::NonceTaken(_) => {
                    Status::already_exists(e.to_string())
                }
                crate::mempool::MempoolError::BeyondWindow { .. } => {
                    Status::failed_precondition(e.to_string())
                }
                _ => Status::resource_exhausted(e.to_string()),
            },
        })?;
        if let Some(net) = &self.net {
            let _ = net.try_send(crate::network::NetCommand::Gossip(Box::new(stx.clone())));
        }
        Ok(())
    }
}
