//! Admission of submitted transactions in batches: submissions that arrive
//! while a batch is being checked wait for the next one, so a quiet node
//! admits each at once and a busy node verifies many signatures together
//! (batch verification on every core). A full queue is an overload the
//! submitter hears about at once (RESOURCE_EXHAUSTED), never a silent loss.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use yui_ledger::{Hash, SignedTransaction};

use crate::chain::{Admit, AdmitError, Shared};

/// Submissions waiting for admission.
pub const QUEUE_MAX: usize = 16_384;
/// Most submissions checked together.
pub const BATCH_MAX: usize = 1_024;

type Job = (
    SignedTransaction,
    Hash,
    oneshot::Sender<Result<(), AdmitError>>,
);

#[derive(Clone)]
pub struct Admission {
    tx: mpsc::Sender<Job>,
}

/// Why a submission was not admitted.
pub enum Refused {
    /// The node's admission queue is full.
    Busy,
    Admit(AdmitError),
}

impl Admission {
    /// Starts the admission task (within the node's runtime).
    pub fn start(shared: Arc<Shared>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_MAX);
        tokio::spawn(run(shared, rx));
        Self { tx }
    }

    pub async fn admit(&self, stx: SignedTransaction, hash: Hash) -> Result<(), Refused> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .try_send((stx, hash, reply))
            .map_err(|_| Refused::Busy)?;
        match answer.await {
            Ok(r) => r.map_err(Refused::Admit),
            // The task ended: the node is shutting down.
            Err(_) => Err(Refused::Busy),
        }
    }
}

async fn run(shared: Arc<Shared>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH_MAX {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let shared = shared.clone();
        let done = tokio::task::spawn_blocking(move || {
            let items: Vec<(&SignedTransaction, Hash)> =
                jobs.iter().map(|(t, h, _)| (t, *h)).collect();
            let threads = if items.len() >= 64 {
                crate::verified::threads()
            } else {
                1
            };
            let verdicts = shared.admit_batch(&items, threads, Admit::Submitted);
            for ((_, _, reply), v) in jobs.into_iter().zip(verdicts) {
                let _ = reply.send(v);
            }
        })
        .await;
        if done.is_err() {
            tracing::error!("an admission batch failed; its submitters were told nothing");
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
