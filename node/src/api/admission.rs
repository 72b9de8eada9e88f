//! Admission of submitted transactions in batches: submissions that arrive
//! while a batch is being checked wait for the next one, so a quiet node
//! admits each at once and a busy node verifies many signatures together
//! (batch verification on every core). While wallets submit thousands a
//! second, a batch also waits a few milliseconds for more ([`LINGER`]): on
//! its own the queue drained mostly into batches of four or fewer, and a signature
//! checked in a batch of four costs nearly twice one in a batch of sixty-four
//! (`docs/bench/journal/7-2026-12-07-late-night.md`). A full or slow queue is an overload
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
/// How long a batch waits after its first submission for more while the
/// node is busy, unless [`LINGER_BATCH`] have come.
pub const LINGER: Duration = Duration::from_millis(5);
pub const LINGER_BATCH: usize = 64;
/// Batches linger while the node is busy by the gossip batches' measure
/// (`network::batch::busy_after`: from 2,000 submissions a second, until
/// below 1,000), the rate taken over at least [`PACE_WINDOW`].
pub const PACE_WINDOW: Duration = Duration::from_millis(100);

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

/// Whether batches linger, from how many submissions came in `elapsed`.
fn busy_next(busy: bool, count: u64, elapsed: Duration) -> bool {
    let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    crate::network::batch::busy_after(busy, count, ms)
}

/// The submission rate, taken over windows of at least [`PACE_WINDOW`].
struct Pace {
    since: Instant,
    count: u64,
    busy: bool,
}

impl Pace {
    fn took(&mut self, n: usize) {
        self.count += n as u64;
        let elapsed = self.since.elapsed();
        if elapsed >= PACE_WINDOW {
            self.busy = busy_next(self.busy, self.count, elapsed);
            self.since = Instant::now();
            self.count = 0;
        }
    }
}

/// The next batch: `first`, whatever waits behind it, and — given a
/// `linger` — what arrives until that long after `since` (up to
/// [`LINGER_BATCH`] in all).
async fn gather<T>(
    rx: &mut mpsc::Receiver<T>,
    first: T,
    since: Instant,
    linger: Option<Duration>,
) -> Vec<T> {
    let mut jobs = vec![first];
    while jobs.len() < BATCH_MAX {
        match rx.try_recv() {
            Ok(j) => jobs.push(j),
            Err(_) => break,
        }
    }
    let Some(linger) = linger else {
        return jobs;
    };
    let until = tokio::time::Instant::from_std(since + linger);
    while jobs.len() < LINGER_BATCH {
        match tokio::time::timeout_at(until, rx.recv()).await {
            Ok(Some(j)) => jobs.push(j),
            _ => break,
        }
    }
    jobs
}

async fn run(shared: Arc<Shared>, mut rx: mpsc::Receiver<Job>, behind: Arc<AtomicBool>) {
    let mut pace = Pace {
        since: Instant::now(),
        count: 0,
        busy: false,
    };
    while let Some(first) = rx.recv().await {
        behind.store(first.queued.elapsed() > WAIT_MAX / 2, Ordering::Relaxed);
        let since = first.queued;
        let jobs = gather(&mut rx, first, since, pace.busy.then_some(LINGER)).await;
        pace.took(jobs.len());
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn batches_linger_only_while_thousands_a_second_are_submitted() {
        let ms = Duration::from_millis;
        assert!(!busy_next(false, 25, ms(100)), "250 a second");
        assert!(!busy_next(false, 150, ms(100)), "1,500: not yet");
        assert!(busy_next(false, 200, ms(100)), "2,000");
        assert!(busy_next(true, 150, ms(100)), "1,500: still");
        assert!(!busy_next(true, 90, ms(100)), "900: calm again");
        assert!(!busy_next(true, 1, ms(5_000)), "a pause");
        assert!(busy_next(false, 5, Duration::ZERO), "no division by zero");
    }

    #[tokio::test]
    async fn a_busy_batch_waits_for_more_and_a_calm_one_does_not() {
        // Wide margins: a loaded machine may stall a thread for a while.
        let linger = Some(Duration::from_millis(500));
        let (tx, mut rx) = mpsc::channel(16);
        let (go, start) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            start.await.unwrap();
            for i in 1..=3 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                tx.send(i).await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            tx.send(4).await.unwrap();
        });
        assert_eq!(gather(&mut rx, 0, Instant::now(), None).await, vec![0]);
        go.send(()).unwrap();
        let next = rx.recv().await.unwrap();
        let since = Instant::now();
        assert_eq!(gather(&mut rx, next, since, linger).await, vec![1, 2, 3]);
        assert!(since.elapsed() >= Duration::from_millis(500), "it waited");
        let last = rx.recv().await.unwrap();
        assert_eq!(gather(&mut rx, last, Instant::now(), linger).await, vec![4]);
    }
}
