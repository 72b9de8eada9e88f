//! The node's configuration file (TOML), written by `yui-node init` with every
//! setting commented. Relative paths are relative to the config file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub node: NodeSection,
    pub api: ApiSection,
    #[serde(default)]
    pub mempool: MempoolSection,
    #[serde(default)]
    pub block: BlockSection,
    #[serde(default)]
    pub consensus: ConsensusSection,
    /// Absent: a single validator that talks to nobody.
    #[serde(default)]
    pub p2p: Option<P2pSection>,
    /// Absent: no metrics endpoint.
    #[serde(default)]
    pub metrics: Option<MetricsSection>,
    /// The live Analytics service (on unless disabled).
    #[serde(default)]
    pub analytics: AnalyticsSection,
    #[serde(default)]
    pub storage: StorageSection,
}

/// What the node keeps on disk beyond the chain itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSection {
    /// Heights of state the node can prove (`GetProof`): the last this many;
    /// older tree history is deleted as blocks commit. 0 keeps every height
    /// (an archive node). Blocks, receipts and the current state are always
    /// kept in full.
    #[serde(default = "default_state_history")]
    pub state_history: u64,
    /// RocksDB's block cache, shared by every column family, in MiB: the
    /// state tree's nodes and the state records a block reads. Its default
    /// was chosen by measurement (BENCHMARKS.md, the soak).
    #[serde(default = "default_block_cache_mib")]
    pub block_cache_mib: u64,
    /// Heights between writes of the state tree to disk: the versions
    /// between stay in memory (redone from a small record after a crash),
    /// so only the nodes still in the tree at every this-many heights are
    /// written. Provable then: the heights since the last write, and every
    /// written height within `state_history`. An archive node writes every
    /// height. 1 writes every height.
    #[serde(default = "default_tree_interval")]
    pub tree_interval: u64,
    /// Which heights the tree is written at: those that leave this over a
    /// multiple of `tree_interval` (below it). A write is a burst of work;
    /// validators with different offsets are not all busy at one height,
    /// nor are nodes sharing a machine's cores. `yui-node init` derives one
    /// from the node's name; `yui-devnet up` spreads its six evenly.
    #[serde(default)]
    pub tree_offset: u64,
}

/// The offset `yui-node init` writes: from the node's name, so that the
/// validators of a town, named apart, mostly write their trees at
/// different heights.
pub fn tree_offset_for(name: &str) -> u64 {
    let h = yui_ledger::crypto::sha256(name.as_bytes());
    u64::from(h[0]) % default_tree_interval()
}

fn default_tree_interval() -> u64 {
    crate::storage::TREE_INTERVAL
}

/// The most heights between writes of the state tree: the window is
/// bounded in nodes too (`storage::tree_window`).
const TREE_INTERVAL_MAX: u64 = 256;

fn default_state_history() -> u64 {
    1_000
}

fn default_block_cache_mib() -> u64 {
    (crate::storage::BLOCK_CACHE_BYTES >> 20) as u64
}

impl Default for StorageSection {
    fn default() -> Self {
        Self {
            state_history: default_state_history(),
            block_cache_mib: default_block_cache_mib(),
            tree_interval: default_tree_interval(),
            tree_offset: 0,
        }
    }
}

/// The town's aggregates, kept live from the committed chain for the
/// Analytics service (docs/metrics.md "Live from a node").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsSection {
    /// Off: the service answers UNAVAILABLE and nothing is kept.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// The privacy floor: the smallest number of accounts a published
    /// figure may describe; a request for a smaller k is refused.
    #[serde(default = "default_k_min")]
    pub k_min: u32,
}

fn default_true() -> bool {
    true
}

fn default_k_min() -> u32 {
    10
}

impl Default for AnalyticsSection {
    fn default() -> Self {
        Self {
            enabled: true,
            k_min: default_k_min(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    /// Where Prometheus scrapes `/metrics`, e.g. "127.0.0.1:9101".
    pub listen: String,
}

/// How the node writes its log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// One line per event, for people.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct P2pSection {
    /// libp2p listen address, e.g. "/ip4/127.0.0.1/tcp/27001".
    pub listen: String,
    /// Peers to dial: `/ip4/…/tcp/…/p2p/<peer id>`.
    #[serde(default)]
    pub peers: Vec<String>,
    /// Public keys (hex) of observers allowed to connect besides the validators.
    #[serde(default)]
    pub observers: Vec<String>,
    /// The network's pre-shared key (64 hex characters), identical on every node.
    pub psk: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSection {
    /// A name for logs.
    pub name: String,
    /// Where RocksDB lives.
    pub data_dir: PathBuf,
    /// The genesis document (JSON).
    pub genesis_file: PathBuf,
    /// The validator key file; absent for an observer.
    pub key_file: Option<PathBuf>,
    /// The time zone people read dates in (IANA name). Only for display:
    /// the ledger's times are milliseconds since the epoch (UTC).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// The log's format: "text" or "json".
    #[serde(default)]
    pub log_format: LogFormat,
    /// Threads of the node's async runtime, and of its signature batches;
    /// 0: one per core. Nodes that share a machine's cores run best with
    /// their share of them.
    #[serde(default)]
    pub runtime_threads: usize,
}

/// Most threads `node.runtime_threads` may ask for.
pub const RUNTIME_THREADS_MAX: usize = 256;

fn default_time_zone() -> String {
    "Asia/Tokyo".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSection {
    /// gRPC listen address, e.g. "127.0.0.1:7001".
    pub listen: String,
    /// Public keys (hex) allowed to read any account and full blocks.
    #[serde(default)]
    pub auditors: Vec<String>,
    /// Largest gRPC request accepted, bytes.
    #[serde(default = "default_request_bytes_max")]
    pub request_bytes_max: usize,
    /// Web origins (e.g. "http://127.0.0.1:8080", a shop terminal's page)
    /// whose pages may call the API from a browser over gRPC-Web; "*" allows
    /// every origin; empty: none (browsers refuse cross-origin calls).
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Absent: plain HTTP/2 (a node behind a TLS-terminating proxy, or on
    /// a private network). Present: TLS with this certificate.
    #[serde(default)]
    pub tls: Option<TlsSection>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// The node's certificate chain (PEM).
    pub cert_file: PathBuf,
    /// Its private key (PEM, PKCS#8, SEC1 or PKCS#1).
    pub key_file: PathBuf,
    /// With it, only clients presenting a certificate issued by this
    /// authority (PEM) are served: mutual TLS for merchants' back offices
    /// or a consortium's own tools.
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
}

impl TlsSection {
    /// The same files, relative paths taken from `base` (the config's folder).
    pub fn resolved(&self, base: &Path) -> Self {
        Self {
            cert_file: base.join(&self.cert_file),
            key_file: base.join(&self.key_file),
            client_ca_file: self.client_ca_file.as_ref().map(|c| base.join(c)),
        }
    }
}

fn default_request_bytes_max() -> usize {
    64 * 1024
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MempoolSection {
    pub txs_max: usize,
    pub per_account_txs_max: usize,
    pub nonce_window: u64,
    /// A transaction stuck behind a nonce gap is dropped after this long.
    #[serde(default = "default_gapped_ttl_ms")]
    pub gapped_ttl_ms: u64,
    /// While the oldest ready transaction has waited over half of this
    /// (ms), a growing share of submissions is refused, all of them past
    /// the whole of it; 0: never.
    #[serde(default = "default_wait_max_ms")]
    pub wait_max_ms: u64,
}

fn default_gapped_ttl_ms() -> u64 {
    30_000
}

fn default_wait_max_ms() -> u64 {
    1_500
}

impl Default for MempoolSection {
    fn default() -> Self {
        Self {
            txs_max: 10_000,
            per_account_txs_max: 256,
            nonce_window: 256,
            gapped_ttl_ms: default_gapped_ttl_ms(),
            wait_max_ms: default_wait_max_ms(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSection {
    /// Most transactions per block.
    pub txs_max: usize,
    /// How long the oldest transaction that could go into a block waits in
    /// the proposer's mempool for others to join it, unless a full block is
    /// waiting. Counted from its admission, not from the previous block:
    /// what arrived while that block was being decided has waited already.
    pub interval_ms: u64,
    /// With nothing waiting, propose an empty block after this long, so block
    /// time (and with it expiry) moves on.
    pub empty_interval_ms: u64,
}

impl Default for BlockSection {
    fn default() -> Self {
        Self {
            // With 4,000 the devnet committed 2-6 % more at 5,000 tx/s
            // offered than with 2,000, at 3-4 % less CPU per transaction
            // (docs/bench/journal/4-2026-12-06.md, "Blocks of up to 4,000").
            txs_max: 4_000,
            // The devnet's median at 250 tx/s: 38.7-40.0 ms at 30 against
            // 43.8-46.5 at 40 (BENCHMARKS.md, "Where it stands"); under
            // load heights follow each other and the interval never binds.
            interval_ms: 30,
            empty_interval_ms: 1_000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusSection {
    pub timeout_propose_ms: u64,
    pub timeout_prevote_ms: u64,
    pub timeout_precommit_ms: u64,
    pub timeout_delta_ms: u64,
    /// A proposal's time may be at most this far ahead of the voter's clock.
    pub clock_drift_max_ms: u64,
    /// Keep every vote this node signs or receives in
    /// `<data_dir>/votes.journal` (`vote_journal.rs`; at most 128 MiB).
    #[serde(default)]
    pub vote_journal: bool,
}

impl Default for ConsensusSection {
    fn default() -> Self {
        Self {
            timeout_propose_ms: 3_000,
            timeout_prevote_ms: 1_000,
            timeout_precommit_ms: 1_000,
            timeout_delta_ms: 500,
            clock_drift_max_ms: 2_000,
            vote_journal: false,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<(Self, PathBuf)> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read config {}: {e} (run `yui-node init` first)",
                path.display()
            )
        })?;
        let cfg: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config {} is invalid: {e}", path.display()))?;
        cfg.check()
            .map_err(|e| anyhow::anyhow!("config {} is invalid: {e}", path.display()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((cfg, base))
    }

    /// Refuses settings the node could only run with by silently losing
    /// something, e.g. blocks larger than every validator accepts.
    pub fn check(&self) -> anyhow::Result<()> {
        let block_max = yui_ledger::limits::BLOCK_TXS_MAX;
        let tx_max = yui_ledger::limits::TX_BYTES_MAX;
        let history_min = crate::storage::STATE_HISTORY_MIN;
        let rules: [(bool, String); 12] = [
            (
                self.node.runtime_threads <= RUNTIME_THREADS_MAX,
                format!(
                    "node.runtime_threads = {} must be at most {RUNTIME_THREADS_MAX} (0: one per core)",
                    self.node.runtime_threads
                ),
            ),
            (
                (1..=TREE_INTERVAL_MAX).contains(&self.storage.tree_interval),
                format!(
                    "storage.tree_interval = {} must be between 1 and {TREE_INTERVAL_MAX}",
                    self.storage.tree_interval
                ),
            ),
            (
                self.storage.tree_offset < self.storage.tree_interval,
                format!(
                    "storage.tree_offset = {} must be below storage.tree_interval = {}",
                    self.storage.tree_offset, self.storage.tree_interval
                ),
            ),
            (
                (8..=65_536).contains(&self.storage.block_cache_mib),
                format!(
                    "storage.block_cache_mib = {} must be between 8 and 65536",
                    self.storage.block_cache_mib
                ),
            ),
            (
                self.storage.state_history == 0 || self.storage.state_history >= history_min,
                format!(
                    "storage.state_history = {} must be 0 (keep every height) or at least {history_min}",
                    self.storage.state_history
                ),
            ),
            (
                self.analytics.k_min >= 1,
                "analytics.k_min must be at least 1".into(),
            ),
            (
                (1..=block_max).contains(&self.block.txs_max),
                format!(
                    "block.txs_max = {} must be 1..={block_max}: validators refuse larger blocks (the ledger's limit)",
                    self.block.txs_max
                ),
            ),
            (
                self.mempool.txs_max >= self.block.txs_max,
                format!(
                    "mempool.txs_max = {} must be at least block.txs_max = {}",
                    self.mempool.txs_max, self.block.txs_max
                ),
            ),
            (
                self.mempool.per_account_txs_max >= 1,
                "mempool.per_account_txs_max must be at least 1".into(),
            ),
            (
                self.mempool.nonce_window >= 1,
                "mempool.nonce_window must be at least 1".into(),
            ),
            (
                self.api.request_bytes_max > tx_max,
                format!(
                    "api.request_bytes_max = {} must exceed the largest transaction ({tx_max} bytes)",
                    self.api.request_bytes_max
                ),
            ),
            (
                self.block.empty_interval_ms >= self.block.interval_ms,
                format!(
                    "block.empty_interval_ms = {} must be at least block.interval_ms = {}",
                    self.block.empty_interval_ms, self.block.interval_ms
                ),
            ),
        ];
        match rules.into_iter().find(|(ok, _)| !ok) {
            Some((_, why)) => anyhow::bail!(why),
            None => Ok(()),
        }
    }

    /// The documented file `yui-node init` writes.
    pub fn render(&self) -> String {
        let auditors = self
            .api
            .auditors
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let key = match &self.node.key_file {
            Some(k) => format!("key_file = \"{}\"", k.display()),
            None => {
                "# key_file = \"node_key.json\"   # absent: this node observes and does not vote"
                    .into()
            }
        };
        format!(
            r#"# Yui node configuration. Relative paths are relative to this file's folder.

[node]
# A name for logs and status.
name = "{name}"
# RocksDB data directory.
data_dir = "{data}"
# The genesis document this chain starts from (JSON, identical on every node).
genesis_file = "{genesis}"
# The validator key (JSON, file mode 0600).
{key}
# The time zone clients show dates in (IANA name); the ledger keeps UTC milliseconds.
time_zone = "{tz}"
# The log (stderr): "text" for people, "json" for one object per line.
log_format = "{lf}"
# Threads of the async runtime (network, consensus, API) and of signature
# batches; 0: one per core. Nodes sharing a machine's cores do best with
# their share of them.
runtime_threads = {rt}

[api]
# gRPC listen address (wallets, merchants, the CLI).
listen = "{listen}"
# Public keys (hex) of auditors, who may read any account and full blocks.
auditors = [{auditors}]
# Largest gRPC request accepted, in bytes.
request_bytes_max = {rbm}
# Web origins whose pages may call this API from a browser (gRPC-Web), e.g.
# ["http://127.0.0.1:8080"] for a shop terminal's page; "*" allows any origin;
# empty: no cross-origin calls. Account reads still need a read authorisation.
cors_origins = [{cors}]
{tls}
[mempool]
# Most transactions waiting in total: the node's backlog. Submissions beyond
# it are refused at once (RESOURCE_EXHAUSTED) before any check, so an
# overloaded node spends its CPU on blocks, not on work it cannot commit in
# time; keep it a few seconds of the chain's throughput.
txs_max = {mt}
# Most transactions waiting per account.
per_account_txs_max = {mpa}
# How far ahead of an account's next nonce a transaction may be.
nonce_window = {nw}
# A transaction stuck behind a nonce gap is dropped after this long (ms).
gapped_ttl_ms = {gt}
# While the oldest transaction that could go into a block has waited over
# half of this (ms), a growing share of new submissions is refused at once
# (RESOURCE_EXHAUSTED), every one past the whole of it: the chain is not
# keeping up, and a wallet told to retry loses less time than one whose
# payment queues for seconds. 0: never.
wait_max_ms = {wm}

[block]
# Most transactions per block.
txs_max = {bt}
# How long (ms) the oldest waiting transaction waits for others before a block is proposed.
interval_ms = {bi}
# With nothing waiting, propose an empty block after this long (ms) so block time moves on.
empty_interval_ms = {be}

[consensus]
# Tendermint timeouts (ms); each grows by timeout_delta_ms per round.
timeout_propose_ms = {tp}
timeout_prevote_ms = {tv}
timeout_precommit_ms = {tc}
timeout_delta_ms = {td}
# A proposal's block time may be at most this far (ms) ahead of this node's clock.
clock_drift_max_ms = {cd}
# Keep every vote signed or received in <data_dir>/votes.journal (two files of
# at most 64 MiB, the newest votes): for investigating a fork or a stall.
vote_journal = {vj}

[analytics]
# The town's aggregates (the auditor's report's figures, k-safe), live for
# dashboards over the Analytics service; kept from this node's own chain.
enabled = {ae}
# The privacy floor: no published figure describes fewer accounts.
k_min = {ak}

[storage]
# Heights of state this node can prove (GetProof): the last this many. Older
# tree history is deleted as blocks commit; blocks, receipts and the current
# state are always kept. 0 keeps every height (an archive node).
state_history = {sh}
# RocksDB's block cache in MiB: the state tree's nodes and the records a
# block reads. Too small and a growing state is read from disk again and
# again (docs/operators.md, "Memory and disk").
block_cache_mib = {bc}
# Heights between writes of the state tree: the versions between stay in
# memory (redone after a crash), and only the heights since the last write
# and the written ones are provable. An archive node writes every height.
tree_interval = {ti}
# Which of those heights: the ones leaving this over a multiple of
# tree_interval. Give a town's validators different ones: a write is a
# burst of work, and the chain waits for the validators' votes.
tree_offset = {to}
{p2p}{metrics}"#,
            name = self.node.name,
            tz = self.node.time_zone,
            rt = self.node.runtime_threads,
            lf = match self.node.log_format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            },
            data = self.node.data_dir.display(),
            genesis = self.node.genesis_file.display(),
            listen = self.api.listen,
            rbm = self.api.request_bytes_max,
            tls = match &self.api.tls {
                None => "# TLS: absent, the API speaks plain HTTP/2. To serve TLS (docs/operators.md):\n# [api.tls]\n# cert_file = \"tls/node.pem\"\n# key_file = \"tls/node.key\"\n# client_ca_file = \"tls/clients-ca.pem\"   # only clients with a certificate from this CA\n".to_string(),
                Some(t) => format!(
                    "\n[api.tls]\n# The node's certificate chain and key (PEM).\ncert_file = {:?}\nkey_file = {:?}\n{}",
                    t.cert_file.display().to_string(),
                    t.key_file.display().to_string(),
                    match &t.client_ca_file {
                        Some(c) => format!("# Only clients with a certificate issued by this authority are served.\nclient_ca_file = {:?}\n", c.display().to_string()),
                        None => "# client_ca_file = \"tls/clients-ca.pem\"   # mutual TLS\n".into(),
                    }
                ),
            },
            cors = self
                .api
                .cors_origins
                .iter()
                .map(|o| format!("{o:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            mt = self.mempool.txs_max,
            mpa = self.mempool.per_account_txs_max,
            nw = self.mempool.nonce_window,
            gt = self.mempool.gapped_ttl_ms,
            wm = self.mempool.wait_max_ms,
            bt = self.block.txs_max,
            bi = self.block.interval_ms,
            be = self.block.empty_interval_ms,
            tp = self.consensus.timeout_propose_ms,
            tv = self.consensus.timeout_prevote_ms,
            tc = self.consensus.timeout_precommit_ms,
            td = self.consensus.timeout_delta_ms,
            cd = self.consensus.clock_drift_max_ms,
            vj = self.consensus.vote_journal,
            sh = self.storage.state_history,
            bc = self.storage.block_cache_mib,
            ti = self.storage.tree_interval,
            to = self.storage.tree_offset,
            ae = self.analytics.enabled,
            ak = self.analytics.k_min,
            metrics = match &self.metrics {
                None => "\n# [metrics]   absent: no Prometheus endpoint. To serve one:\n# listen = \"127.0.0.1:9101\"\n".to_string(),
                Some(m) => format!(
                    "\n[metrics]\n# Where Prometheus scrapes /metrics (docs/operators.md lists the metrics).\nlisten = \"{}\"\n",
                    m.listen
                ),
            },
            p2p = match &self.p2p {
                None => "\n# [p2p] absent: this node is the only validator and talks to no peer.\n"
                    .to_string(),
                Some(p) => format!(
                    "\n[p2p]\n# libp2p listen address.\nlisten = \"{}\"\n# Peers to dial (multiaddr ending in /p2p/<peer id>).\npeers = [{}]\n# Public keys (hex) of observers allowed to connect besides the validators.\nobservers = [{}]\n# The network's pre-shared key (hex), identical on every node; strangers cannot even handshake.\npsk = \"{}\"\n",
                    p.listen,
                    p.peers
                        .iter()
                        .map(|x| format!("\"{x}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    p.observers
                        .iter()
                        .map(|x| format!("\"{x}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    p.psk
                ),
            },
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "config_tests.rs"]
mod tests;
