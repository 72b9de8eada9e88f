//! Submitting over one `SubmitStream` (api.proto): for a till server or a
//! payout run that sends a steady flow. Each submission gets its own answer,
//! with the status a `Submit` call would have returned, whatever order the
//! node answers in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Status};
use yui_ledger::SignedTransaction;
use yui_proto::v1 as pb;

use crate::Client;

type Answer = Result<pb::SubmitResponse, Status>;
/// Submissions sent and not yet answered, by position; `None` once the
/// stream has ended, so that nothing is registered where no answer can come.
type Waiting = Arc<Mutex<Option<HashMap<u64, oneshot::Sender<Answer>>>>>;

/// Submissions sent here but not yet answered, at most.
const IN_FLIGHT: usize = 1_024;

/// One open `SubmitStream`; clones share it.
#[derive(Clone)]
pub struct SubmitStream {
    jobs: mpsc::Sender<(pb::SubmitRequest, oneshot::Sender<Answer>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Client {
    /// Opens a `SubmitStream` to the node.
    pub async fn submit_stream(&self) -> Result<SubmitStream, Status> {
        let (requests, outgoing) = mpsc::channel::<pb::SubmitRequest>(IN_FLIGHT);
        let mut answers = self
            .tx
            .clone()
            .submit_stream(ReceiverStream::new(outgoing))
            .await?
            .into_inner();
        let waiting: Waiting = Arc::new(Mutex::new(Some(HashMap::new())));
        let (jobs, mut queue) =
            mpsc::channel::<(pb::SubmitRequest, oneshot::Sender<Answer>)>(IN_FLIGHT);
        // The node numbers submissions in the order they reach the stream:
        // each is registered under that number before it is sent.
        let w = waiting.clone();
        tokio::spawn(async move {
            let mut seq = 0u64;
            while let Some((req, done)) = queue.recv().await {
                match lock(&w).as_mut() {
                    Some(m) => m.insert(seq, done),
                    None => {
                        let _ = done.send(Err(Status::unavailable("the stream has ended")));
                        break;
                    }
                };
                seq += 1;
                if requests.send(req).await.is_err() {
                    break;
                }
            }
        });
        tokio::spawn(async move {
            let ended = loop {
                match answers.message().await {
                    Ok(Some(a)) => {
                        let Some(done) = lock(&waiting).as_mut().and_then(|m| m.remove(&a.seq))
                        else {
                            continue;
                        };
                        let answer = match (a.code, a.response) {
                            (0, Some(r)) => Ok(r),
                            (0, None) => Err(Status::internal("an answer without its response")),
                            (code, _) => Err(Status::new(Code::from_i32(code as i32), a.message)),
                        };
                        let _ = done.send(answer);
                    }
                    Ok(None) => break Status::unavailable("the node ended the stream"),
                    Err(s) => break s,
                }
            };
            let left = lock(&waiting).take().unwrap_or_default();
            for (_, done) in left {
                let _ = done.send(Err(ended.clone()));
            }
        });
        Ok(SubmitStream { jobs })
    }
}

impl SubmitStream {
    /// Submits `stx` over the stream and waits for its answer: as
    /// [`Client::submit`], with the same statuses.
    pub async fn submit(&self, stx: &SignedTransaction, wait: bool) -> Answer {
        let req = pb::SubmitRequest {
            tx: stx.to_bytes(),
            wait_for_commit: wait,
            wait_timeout_ms: 30_000,
        };
        let (done, answer) = oneshot::channel();
        if self.jobs.send((req, done)).await.is_err() {
            return Err(Status::unavailable("the submission stream is closed"));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(Status::unavailable("the submission stream is closed")))
    }
}
