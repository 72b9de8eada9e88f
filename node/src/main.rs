//! `yui-node`: the daemon. `init` writes a key, a documented config and a
//! genesis; `start` runs the node.

/// jemalloc for every allocation of the process, RocksDB's included
/// (Cargo.toml says why).
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use yui_node::chain::{Shared, now_ms};
use yui_node::config::P2pSection;
use yui_node::config::{ApiSection, Config, LogFormat, NodeSection, StorageSection};
use yui_node::engine::{Alone, Engine};
use yui_node::network::{NetConfig, NetOutbox, Network};
use yui_node::{api, genesis, keys};

#[derive(Parser)]
#[command(name = "yui-node", version, about = "Yui validator and observer node")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

// Parsed once at start-up: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Cmd {
    /// Write a node key (mode 0600), a documented config.toml and a genesis into HOME.
    Init {
        /// The node's folder.
        #[arg(long)]
        home: PathBuf,
        /// A name for logs and status, e.g. "city".
        #[arg(long, default_value = "node")]
        name: String,
        /// gRPC listen address.
        #[arg(long, default_value = "127.0.0.1:7001")]
        listen: String,
        /// Chain id of the default single-validator genesis.
        #[arg(long, default_value = "yui-local")]
        chain_id: String,
        /// Use this genesis file instead of a single-validator one.
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// Write no key: the node observes and does not vote.
        #[arg(long)]
        observer: bool,
        /// Auditor public keys (hex), who may read any account and full blocks.
        #[arg(long)]
        auditor: Vec<String>,
        /// libp2p listen address; with it the node joins a network of validators.
        #[arg(long)]
        p2p_listen: Option<String>,
        /// Peers to dial (multiaddrs).
        #[arg(long)]
        peer: Vec<String>,
        /// Observer public keys (hex) allowed to connect.
        #[arg(long)]
        observer_key: Vec<String>,
        /// The network's pre-shared key (64 hex characters).
        #[arg(long)]
        psk: Option<String>,
        /// The time zone clients show dates in (IANA name).
        #[arg(long, default_value = "Asia/Tokyo")]
        time_zone: String,
        /// Web origins allowed to call the API from a browser (gRPC-Web),
        /// e.g. "http://127.0.0.1:8080"; "*" for any (api.cors_origins).
        #[arg(long)]
        cors_origin: Vec<String>,
    },
    /// Run the node in HOME (reads HOME/config.toml).
    Start {
        #[arg(long)]
        home: PathBuf,
    },
    /// Export the state at the last committed height, or start a new node
    /// from such a snapshot (docs/operators.md, "Starting from a snapshot").
    #[command(subcommand)]
    Snapshot(yui_node::snapshot::SnapshotCmd),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Init {
            home,
            name,
            listen,
            chain_id,
            genesis,
            observer,
            auditor,
            p2p_listen,
            peer,
            observer_key,
            psk,
            time_zone,
            cors_origin,
        } => {
            let p2p = match (p2p_listen, psk) {
                (Some(listen), Some(psk)) => Some(P2pSection {
                    listen,
                    peers: peer,
                    observers: observer_key,
                    psk,
                }),
                (None, None) => None,
                _ => anyhow::bail!("--p2p-listen and --psk go together"),
            };
            init(
                home,
                name,
                listen,
                chain_id,
                genesis,
                observer,
                auditor,
                p2p,
                time_zone,
                cors_origin,
            )
        }
        Cmd::Snapshot(cmd) => yui_node::snapshot::run(cmd),
        Cmd::Start { home } => {
            // The log's format is in the config; a config that cannot be
            // read fails start() below with its own message.
            let node = Config::load(&home.join("config.toml")).map(|(c, _)| c.node);
            let json = node.as_ref().is_ok_and(|n| n.log_format == LogFormat::Json);
            let threads = node.map_or(0, |n| n.runtime_threads);
            let filter =
                tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("info,libp2p_gossipsub=error")
                });
            let log = tracing_subscriber::fmt().with_env_filter(filter);
            if json {
                log.json().with_current_span(false).init();
            } else {
                log.with_target(false).init();
            }
            let mut rt = tokio::runtime::Builder::new_multi_thread();
            // Out of range: `start` refuses the config with its reason.
            if (1..=yui_node::config::RUNTIME_THREADS_MAX).contains(&threads) {
                rt.worker_threads(threads);
                yui_node::verified::set_threads(threads);
            }
            let rt = rt.enable_all().build()?;
            rt.block_on(start(home))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn init(
    home: PathBuf,
    name: String,
    listen: String,
    chain_id: String,
    genesis_file: Option<PathBuf>,
    observer: bool,
    auditors: Vec<String>,
    p2p: Option<P2pSection>,
    time_zone: String,
    cors_origins: Vec<String>,
) -> anyhow::Result<()> {
    let cfg_path = home.join("config.toml");
    if cfg_path.exists() {
        anyhow::bail!(
            "{} exists: this folder already holds a node",
            cfg_path.display()
        );
    }
    std::fs::create_dir_all(&home)?;
    // An observer's key is only its network identity: it is not in the
    // validator set, so its consensus core never signs.
    let key = if observer && p2p.is_none() {
        None
    } else {
        let k = keys::generate()?;
        keys::write(&home.join("node_key.json"), &k)?;
        Some(k)
    };
    let genesis_json = match (&genesis_file, &key) {
        (Some(f), _) => std::fs::read_to_string(f)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))?,
        (None, Some(k)) => {
            genesis::single_validator(&chain_id, &name, k.address(), now_ms()).to_json()
        }
        (None, None) => anyhow::bail!("an observer needs --genesis: the chain it follows"),
    };
    yui_ledger::Genesis::from_json(&genesis_json).map_err(|e| anyhow::anyhow!(e))?;
    std::fs::write(home.join("genesis.json"), genesis_json)?;
    let storage = StorageSection {
        tree_offset: yui_node::config::tree_offset_for(&name),
        ..Default::default()
    };
    let cfg = Config {
        node: NodeSection {
            name,
            data_dir: "data".into(),
            genesis_file: "genesis.json".into(),
            key_file: key.as_ref().map(|_| "node_key.json".into()),
            time_zone,
            log_format: Default::default(),
            runtime_threads: 0,
        },
        api: ApiSection {
            listen,
            auditors,
            request_bytes_max: 64 * 1024,
            cors_origins,
            tls: None,
        },
        mempool: Default::default(),
        block: Default::default(),
        consensus: Default::default(),
        p2p,
        metrics: None,
        analytics: Default::default(),
        storage,
    };
    std::fs::write(&cfg_path, cfg.render())?;
    match key {
        Some(k) => println!(
            "node key {} written to {}",
            k.address(),
            home.join("node_key.json").display()
        ),
        None => println!("observer (no key) initialised"),
    }
    println!(
        "config: {}\nstart it with: yui-node start --home {}",
        cfg_path.display(),
        home.display()
    );
    Ok(())
}

async fn start(home: PathBuf) -> anyhow::Result<()> {
    let (mut cfg, base) = Config::load(&home.join("config.toml"))?;
    cfg.api.tls = cfg.api.tls.map(|t| t.resolved(&base));
    let key = match &cfg.node.key_file {
        Some(f) => Some(keys::read(&base.join(f))?),
        None => None,
    };
    let name = cfg.node.name.clone();
    if let Some((point, height)) =
        yui_node::crash_point::arm_from_env().map_err(|e| anyhow::anyhow!(e))?
    {
        tracing::warn!(
            point = point.name(),
            height,
            "crash point armed: this node aborts there"
        );
    }
    let shared = Arc::new(Shared::open(cfg, &base, key.as_ref().map(|k| k.address()))?);
    tracing::info!(%name, height = shared.head().height, chain = %shared.genesis.chain_id, "node starting");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        let _ = stop_rx.await;
    };
    let (engine, server) = match shared.cfg.p2p.clone() {
        None => {
            let (engine, _tx) = Engine::new(shared.clone(), key, Alone)?;
            (
                tokio::spawn(engine.run()),
                tokio::spawn(api::serve(None, shared.clone(), stop)),
            )
        }
        Some(p2p) => {
            let seed = key.as_ref().map(|k| k.seed()).ok_or_else(|| {
                anyhow::anyhow!("a networked node needs key_file (its network identity)")
            })?;
            let net_cfg = net_config(&p2p)?;
            let (cmd_tx, cmd_rx) = tokio::sync::mpsc::channel(yui_node::network::COMMANDS_MAX);
            let (engine, engine_tx) =
                Engine::new(shared.clone(), key, NetOutbox::new(cmd_tx.clone()))?;
            Network::start(
                net_cfg,
                seed,
                shared.clone(),
                engine_tx,
                cmd_tx.clone(),
                cmd_rx,
            )?;
            (
                tokio::spawn(engine.run()),
                tokio::spawn(api::serve(Some(cmd_tx), shared.clone(), stop)),
            )
        }
    };
    if let Some(m) = &shared.cfg.metrics {
        let (listen, sh) = (m.listen.clone(), shared.clone());
        tokio::spawn(async move {
            if let Err(e) = yui_node::metrics::serve(listen, sh, std::future::pending()).await {
                tracing::error!(error = %e, "metrics endpoint stopped");
            }
        });
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; stopping"),
        _ = term.recv() => tracing::info!("terminated; stopping"),
        r = engine => {
            match r {
                Ok(Ok(())) => tracing::error!("engine stopped"),
                Ok(Err(e)) => tracing::error!(error = %e, "engine failed"),
                Err(e) => tracing::error!(error = %e, "engine panicked"),
            }
            let _ = stop_tx.send(());
            anyhow::bail!("the engine stopped; the node cannot go on safely");
        }
    }
    let _ = stop_tx.send(());
    let _ = server.await;
    Ok(())
}

fn net_config(p: &P2pSection) -> anyhow::Result<NetConfig> {
    let psk: [u8; 32] = hex::decode(&p.psk)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow::anyhow!("p2p.psk must be 64 hex characters"))?;
    let observers = p
        .observers
        .iter()
        .map(|o| {
            let a: yui_ledger::Address = o
                .parse()
                .map_err(|e| anyhow::anyhow!("p2p.observers '{o}': {e}"))?;
            yui_node::network::peer_id_of(&a.0)
                .ok_or_else(|| anyhow::anyhow!("p2p.observers '{o}' is not a valid key"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(NetConfig {
        listen: p
            .listen
            .parse()
            .map_err(|e| anyhow::anyhow!("p2p.listen '{}': {e}", p.listen))?,
        peers: p
            .peers
            .iter()
            .map(|a| {
                a.parse()
                    .map_err(|e| anyhow::anyhow!("p2p.peers '{a}': {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
        observers,
        psk,
    })
}
