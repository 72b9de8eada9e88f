//! Admission of submitted transactions in batches: submissions that arrive
//! while a batch is being checked wait for the next one, so a quiet node
//! admits each at once and a busy node verifies many signatures together
//! (batch verification on every core). A full or slow queue is an overload
//! the submitter hears about at once (RESOURCE_EXHAUSTED), never a silent
//! loss: a submission that waited over [`WAIT_MAX`] is refused unchecked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use yui_ledger::{Hash, SignedTransaction};

use crate::chain::{Admit, AdmitError, Shared};

/// Submissions waiting for admission.
pub const QUEUE_MAX: usize = 16_384;
/// Most submissions checked together.
pub const BATCH_MAX: usize = 1_024;
/// A submission that waited longer than this for its check is refused
/// unchecked: the node is admitting as fast as it can, and the submitter
/// learns it at once instead of after a queue of seconds.
pub const WAIT_MAX: Duration = Duration::from_millis(500);

struct Job {
    stx: SignedTransaction,
    hash: Hash,
    queued: Instant,
    reply: oneshot::Sender<Result<(), Refused>>,
}

#[derive(Clone)]
pub struct Admission {
    tx: mpsc::Sender<Job>,
    /// The last batch taken had waited more than half of [`WAIT_MAX`]: new
    /// submissions are refused until the queue has drained.
    behind: Arc<AtomicBool>,
}

/// Why a submission was not admitted.
pub enum Refused {
    /// The node's admission queue is full, or behind.
    Busy,
    /// The submission waited longer than [`WAIT_MAX`] for its check.
    Late,
    Admit(AdmitError),
}

impl Admission {
    /// Starts the admission task (within the node's runtime).
    pub fn start(shared: Arc<Shared>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_MAX);
        let behind = Arc::new(AtomicBool::new(false));
        tokio::spawn(run(shared, rx, behind.clone()));
        Self { tx, behind }
    }

    pub async fn admit(&self, stx: SignedTransaction, hash: Hash) -> Result<(), Refused> {
        if self.behind.load(Ordering::Relaxed) {
            return Err(Refused::Busy);
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            stx,
            hash,
            queued: Instant::now(),
            reply,
        };
        self.tx.try_send(job).map_err(|_| Refused::Busy)?;
        // The task ended without an answer: the node is shutting down.
        answer.await.unwrap_or(Err(Refused::Busy))
    }
}

async fn run(shared: Arc<Shared>, mut rx: mpsc::Receiver<Job>, behind: Arc<AtomicBool>) {
    while let Some(first) = rx.recv().await {
        behind.store(first.queued.elapsed() > WAIT_MAX / 2, Ordering::Relaxed);
        let mut jobs = vec![first];
        while jobs.len() < BATCH_MAX {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (late, jobs): (Vec<Job>, Vec<Job>) = jobs
            .into_iter()
            .partition(|j| j.queued.elapsed() > WAIT_MAX);
        for j in late {
            let _ = j.reply.send(Err(Refused::Late));
        }
        let shared = shared.clone();
        let done = tokio::task::spawn_blocking(move || {
            let items: Vec<(&SignedTransaction, Hash)> =
                jobs.iter().map(|j| (&j.stx, j.hash)).collect();
            // Split over the cores only when each part is still a large
            // batch (`PARALLEL_CHUNK_MIN`).
            let threads = crate::verified::threads();
            let verdicts = shared.admit_batch(&items, threads, Admit::Submitted);
            for (j, v) in jobs.into_iter().zip(verdicts) {
                let _ = j.reply.send(v.map_err(Refused::Admit));
            }
        })
        .await;
        if done.is_err() {
            tracing::error!("an admission batch failed; its submitters were told nothing");
        }
        if rx.is_empty() {
            behind.store(false, Ordering::Relaxed);
        }
    }
}

/// A submitter waiting for its receipt. Dropped — answered, timed out, or
/// the client gone mid-wait — it takes its registration with it.
pub struct Waiting<'a> {
    pub shared: &'a Shared,
    pub hash: Hash,
    pub rx: Option<tokio::sync::oneshot::Receiver<yui_ledger::Receipt>>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.rx.take();
        self.shared.forget_waiters(&self.hash);
    }
}
