//! Prometheus metrics for operators, served at `http://<metrics.listen>/metrics`
//! when `[metrics]` is configured. Counters and histograms are updated where
//! things happen (admission, commit); gauges that describe the node's state
//! (height, round, mempool, peers, storage) are read when scraped.
//!
//! Every metric is prefixed `yui_`. What each one means is in
//! `docs/operators.md`.

use std::sync::Arc;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::chain::Shared;

type Labels = Vec<(&'static str, String)>;

/// The stages of a height that take a node's time, each timed where it runs
/// (`yui_block_stage_seconds{stage}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The proposer executing the transactions it picked and sealing the
    /// block (its state root).
    Build,
    /// Executing and sealing a proposed block before voting for it.
    Validate,
    /// Storing a decided block with everything it changed (one synced
    /// batch) and updating the head, the mempool and the waiting wallets.
    Commit,
}

impl Stage {
    fn label(self) -> &'static str {
        match self {
            Stage::Build => "build",
            Stage::Validate => "validate",
            Stage::Commit => "commit",
        }
    }
}

fn stage_histogram() -> Histogram {
    // 1 ms to 8 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

fn batch_histogram() -> Histogram {
    // 1 to 4,096 signatures.
    Histogram::new(exponential_buckets(1.0, 2.0, 13))
}

/// The node's metrics. Cheap to update from any thread.
pub struct Metrics {
    registry: Registry,
    height: Gauge,
    round: Gauge,
    peers: Gauge,
    sync_peer_height: Gauge,
    mempool: Family<Labels, Gauge>,
    storage_bytes: Gauge,
    tree_window: Gauge,
    index_window: Gauge,
    state_cache: Gauge,
    waiters: Gauge,
    pub admitted: Counter,
    /// Heartbeats (every 500 ms) in which gossip for a peer was dropped
    /// because its queue was full.
    pub gossip_stalls: Counter,
    refused: Family<Labels, Counter>,
    committed: Family<Labels, Counter>,
    blocks: Counter,
    block_txs: Histogram,
    block_bytes: Histogram,
    block_interval: Histogram,
    commit_latency: Histogram,
    stages: Family<Labels, Histogram, fn() -> Histogram>,
    signature_batches: Family<Labels, Histogram, fn() -> Histogram>,
    /// The height the live aggregates describe (the Analytics service).
    pub analytics_height: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("yui");
        let m = Self {
            height: Gauge::default(),
            round: Gauge::default(),
            peers: Gauge::default(),
            sync_peer_height: Gauge::default(),
            mempool: Family::default(),
            storage_bytes: Gauge::default(),
            tree_window: Gauge::default(),
            index_window: Gauge::default(),
            state_cache: Gauge::default(),
            waiters: Gauge::default(),
            admitted: Counter::default(),
            gossip_stalls: Counter::default(),
            refused: Family::default(),
            committed: Family::default(),
            blocks: Counter::default(),
            block_txs: Histogram::new(exponential_buckets(1.0, 2.0, 14)),
            block_bytes: Histogram::new(exponential_buckets(256.0, 2.0, 16)),
            block_interval: Histogram::new(exponential_buckets(0.025, 2.0, 12)),
            commit_latency: Histogram::new(exponential_buckets(0.01, 2.0, 14)),
            stages: Family::new_with_constructor(stage_histogram),
            signature_batches: Family::new_with_constructor(batch_histogram),
            analytics_height: Gauge::default(),
            registry: Registry::default(),
        };
        r.register(
            "height",
            "Height of the last committed block",
            m.height.clone(),
        );
        r.register(
            "round",
            "Consensus round at the current height",
            m.round.clone(),
        );
        r.register("peers", "Connected peers", m.peers.clone());
        r.register(
            "sync_peer_height",
            "Highest head a peer reported (the node syncs while it is above height)",
            m.sync_peer_height.clone(),
        );
        r.register(
            "mempool_transactions",
            "Transactions waiting, by state: ready (next nonces) or gapped (behind a nonce gap)",
            m.mempool.clone(),
        );
        r.register(
            "storage_bytes",
            "RocksDB size: SST files and memtables of every column family",
            m.storage_bytes.clone(),
        );
        r.register(
            "state_tree_window_nodes",
            "State tree nodes held in memory between writes of the tree (storage.tree_interval)",
            m.tree_window.clone(),
        );
        r.register(
            "index_window_heights",
            "Heights whose transaction index and account history are held in memory until the tree's next write",
            m.index_window.clone(),
        );
        r.register(
            "state_cache_bytes",
            "Bytes of state records held in memory in front of RocksDB, at most 64 MiB",
            m.state_cache.clone(),
        );
        r.register(
            "commit_waiters",
            "Submissions waiting for their transaction's receipt (Submit with wait_for_commit)",
            m.waiters.clone(),
        );
        r.register(
            "transactions_admitted",
            "Transactions admitted to this node's mempool",
            m.admitted.clone(),
        );
        r.register(
            "gossip_stalls",
            "Heartbeats (500 ms) in which gossip for a peer was dropped because its send queue was full",
            m.gossip_stalls.clone(),
        );
        r.register(
            "transactions_refused",
            "Transactions refused at admission, by error code (Receipt.error_code, or mempool.*)",
            m.refused.clone(),
        );
        r.register(
            "transactions_committed",
            "Transactions committed, by result (success or failed in its block)",
            m.committed.clone(),
        );
        r.register("blocks_committed", "Blocks committed", m.blocks.clone());
        r.register(
            "block_transactions",
            "Transactions per committed block",
            m.block_txs.clone(),
        );
        r.register(
            "block_size_bytes",
            "Size of each committed block (borsh)",
            m.block_bytes.clone(),
        );
        r.register(
            "block_interval_seconds",
            "Block time minus the previous block's time",
            m.block_interval.clone(),
        );
        r.register(
            "commit_latency_seconds",
            "From a transaction's admission to this node until its block committed here",
            m.commit_latency.clone(),
        );
        r.register(
            "block_stage_seconds",
            "Wall time of a stage of a height on this node: build, validate or commit",
            m.stages.clone(),
        );
        r.register(
            "signature_batch_transactions",
            "Transaction signatures verified together at admission, by source: submitted (wallets) or relayed (gossip)",
            m.signature_batches.clone(),
        );
        r.register(
            "analytics_height",
            "Height the live aggregates of the Analytics service describe (below height while they catch up)",
            m.analytics_height.clone(),
        );
        Self { registry: r, ..m }
    }

    /// How long a stage of a height took here.
    fn stage(&self, stage: Stage, took: std::time::Duration) {
        self.stages
            .get_or_create(&vec![("stage", stage.label().into())])
            .observe(took.as_secs_f64());
    }

    /// Runs `f`, a stage of a height, and records how long it took.
    pub fn timed<T>(&self, stage: Stage, f: impl FnOnce() -> T) -> T {
        let started = std::time::Instant::now();
        let out = f();
        self.stage(stage, started.elapsed());
        out
    }

    /// A batch of `n` signatures verified together at admission.
    pub fn signature_batch(&self, how: crate::chain::Admit, n: usize) {
        let source = match how {
            crate::chain::Admit::Submitted => "submitted",
            crate::chain::Admit::Relayed => "relayed",
        };
        self.signature_batches
            .get_or_create(&vec![("source", source.into())])
            .observe(n as f64);
    }

    /// A refusal at admission, by its code.
    pub fn refused(&self, code: String) {
        self.refused.get_or_create(&vec![("code", code)]).inc();
    }

    /// A committed block: its size, its interval after the previous one, its
    /// transactions' results and the latencies of those this node admitted.
    pub fn block(
        &self,
        txs: usize,
        bytes: usize,
        interval_ms: u64,
        failed: usize,
        latencies_ms: &[u64],
    ) {
        self.blocks.inc();
        self.block_txs.observe(txs as f64);
        self.block_bytes.observe(bytes as f64);
        self.block_interval.observe(interval_ms as f64 / 1000.0);
        let ok = txs.saturating_sub(failed) as u64;
        self.committed
            .get_or_create(&vec![("result", "success".into())])
            .inc_by(ok);
        self.committed
            .get_or_create(&vec![("result", "failed".into())])
            .inc_by(failed as u64);
        for l in latencies_ms {
            self.commit_latency.observe(*l as f64 / 1000.0);
        }
    }

    /// The text a scrape returns, with the node's state read now.
    pub fn render(&self, shared: &Shared) -> String {
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.height.set(gauge(shared.head().height));
        self.round.set(i64::from(
            shared.round.load(std::sync::atomic::Ordering::Relaxed),
        ));
        self.peers.set(gauge(
            shared.peers.read().map(|p| p.len() as u64).unwrap_or(0),
        ));
        self.sync_peer_height.set(gauge(
            shared
                .best_peer_height
                .load(std::sync::atomic::Ordering::Relaxed),
        ));
        let (total, ready) = {
            let mp = shared.mempool();
            (mp.len(), mp.ready_len())
        };
        self.mempool
            .get_or_create(&vec![("state", "ready".into())])
            .set(gauge(ready as u64));
        self.mempool
            .get_or_create(&vec![("state", "gapped".into())])
            .set(gauge(total.saturating_sub(ready) as u64));
        self.storage_bytes.set(gauge(shared.store.size_bytes()));
        self.tree_window
            .set(gauge(shared.store.tree_window_nodes() as u64));
        self.index_window
            .set(gauge(shared.store.index_window_heights() as u64));
        self.state_cache
            .set(gauge(shared.store.state_cache_bytes()));
        self.waiters.set(gauge(shared.waiters_len() as u64));
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "metrics: cannot encode");
        }
        text_format(&out)
    }
}

/// Rewrites OpenMetrics text (what the registry encodes) as Prometheus's
/// text format 0.0.4, which every Prometheus and `promtool check metrics`
/// read: a counter's family is named with its `_total` suffix, and the
/// `# EOF` and `# UNIT` lines go.
fn text_format(open_metrics: &str) -> String {
    let counters: std::collections::BTreeSet<&str> = open_metrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(open_metrics.len() + 64);
    for line in open_metrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|p| {
            let rest = line.strip_prefix(p)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{p}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Serves `/metrics` on `listen` until `shutdown` resolves.
pub async fn serve(
    listen: String,
    shared: Arc<Shared>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|e| anyhow::anyhow!("metrics.listen '{listen}': {e}"))?;
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(
                |axum::extract::State(sh): axum::extract::State<Arc<Shared>>| async move {
                    (
                        [(
                            http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        sh.metrics.render(&sh),
                    )
                },
            ),
        )
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("metrics.listen {addr}: {e}"))?;
    tracing::info!(%addr, "metrics served at /metrics");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a scrape of `m` returns.
    fn text_of(m: &Metrics) -> String {
        let mut om = String::new();
        encode(&mut om, &m.registry).unwrap_or_default();
        text_format(&om)
    }

    #[test]
    fn counters_are_named_with_their_suffix_in_the_text_format() {
        let m = Metrics::new();
        m.admitted.inc();
        m.refused("insufficient".into());
        m.block(3, 900, 1_000, 1, &[20, 40]);
        let t = text_of(&m);
        assert!(t.contains("# TYPE yui_transactions_admitted_total counter"));
        assert!(t.contains("yui_transactions_admitted_total 1"));
        assert!(t.contains("yui_transactions_refused_total{code=\"insufficient\"} 1"));
        assert!(t.contains("yui_transactions_committed_total{result=\"failed\"} 1"));
        assert!(t.contains("yui_commit_latency_seconds_count 2"));
        assert!(!t.contains("# EOF"));
    }

    #[test]
    fn each_stage_of_a_height_has_its_own_histogram() {
        let m = Metrics::new();
        m.stage(Stage::Validate, std::time::Duration::from_millis(30));
        m.stage(Stage::Validate, std::time::Duration::from_millis(3));
        m.stage(Stage::Commit, std::time::Duration::from_millis(12));
        let t = text_of(&m);
        assert!(t.contains("# TYPE yui_block_stage_seconds histogram"));
        assert!(t.contains("yui_block_stage_seconds_count{stage=\"validate\"} 2"));
        assert!(t.contains("yui_block_stage_seconds_count{stage=\"commit\"} 1"));
        // 3 ms and 30 ms: one under 4 ms, both under 32 ms.
        assert!(t.contains("yui_block_stage_seconds_bucket{le=\"0.004\",stage=\"validate\"} 1"));
        assert!(t.contains("yui_block_stage_seconds_bucket{le=\"0.032\",stage=\"validate\"} 2"));
        assert!(!t.contains("stage=\"build\""), "nothing built here");
    }
}
