//! `yui-devnet`: a local Yui network on 127.0.0.1 for trying Yui out.
//!
//! `up` generates keys for the consortium (city hall, chamber of commerce, two
//! coordinators), merchants of each class and residents, writes a genesis,
//! starts the validator node as a separate `yui-node` process, and plays a
//! short story through the gRPC API, printing each step and the balances.
//! `status` shows each node; `down` stops them.

mod civic;
mod contracts;
mod process;
mod story;
mod town;
mod year;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::{Parser, Subcommand};
use yui_cli::Client;

#[derive(Parser)]
#[command(
    name = "yui-devnet",
    version,
    about = "A local Yui network with a demo story"
)]
struct Cli {
    /// Where the devnet keeps keys, configs, data and logs.
    #[arg(long, global = true, default_value = ".devnet")]
    dir: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start a fresh devnet (removing a stopped previous one) and play the demo.
    Up {
        /// First gRPC port; node i listens on port + i.
        #[arg(long, default_value_t = 7001)]
        port: u16,
        /// Start the nodes only, without the demo story.
        #[arg(long)]
        no_story: bool,
    },
    /// Write a simulated year of a town as a real chain (residents,
    /// merchants, campaigns, vouchers, jobs; seeded), then start the devnet on it.
    Year(year::YearArgs),
    /// Each node's height, last block hash, peers and round.
    Status,
    /// Stop the devnet's nodes.
    Down,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let r = match cli.cmd {
        Cmd::Up { port, no_story } => up(&cli.dir, port, no_story).await,
        Cmd::Year(args) => run_year(&cli.dir, args).await,
        Cmd::Status => status(&cli.dir).await,
        Cmd::Down => down(&cli.dir),
    };
    if let Err(e) = r {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The folder of the programs (beside `node`, the `yui-node` binary) as the
/// closing hints show it: relative to the working directory when inside it,
/// as `target/debug` is after a plain `cargo build`.
fn bin_shown(node: &Path) -> String {
    let dir = node.parent().unwrap_or(Path::new("."));
    let cwd = std::env::current_dir().unwrap_or_default();
    match dir.strip_prefix(&cwd).unwrap_or(dir) {
        d if d.as_os_str().is_empty() => ".".into(),
        d => d.display().to_string(),
    }
}

/// The `yui-node` binary next to this one.
fn node_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let p = me.with_file_name("yui-node");
    if !p.exists() {
        anyhow::bail!(
            "{} not found: build it with `cargo build --bins`",
            p.display()
        );
    }
    Ok(p)
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

fn node_homes(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("nodes"))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("config.toml").exists())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The part of a node's `config.toml` the devnet reads (the node's own
/// `Config` lives in yui-node, which this crate does not depend on).
#[derive(serde::Deserialize)]
struct NodeConfig {
    api: ApiConfig,
}

#[derive(serde::Deserialize)]
struct ApiConfig {
    /// gRPC listen address.
    listen: String,
}

impl NodeConfig {
    fn read(home: &Path) -> anyhow::Result<Self> {
        let path = home.join("config.toml");
        let text = std::fs::read_to_string(&path)?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

fn read_pid(home: &Path) -> Option<u32> {
    std::fs::read_to_string(home.join("pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Refuses to touch a running devnet; removes a stopped one.
fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if node_homes(dir)
        .iter()
        .any(|h| read_pid(h).is_some_and(pid_alive))
    {
        anyhow::bail!(
            "a devnet is already running in {}; stop it with `yui-devnet down`",
            dir.display()
        );
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    Ok(())
}

async fn up(dir: &Path, port: u16, no_story: bool) -> anyhow::Result<()> {
    fresh_dir(dir)?;
    let node = node_binary()?;
    let mut town = town::Town::create(dir)?;
    println!("結 Yui devnet in {}", dir.display());
    let endpoints = init_nodes(&node, dir, port, &mut town, None)?;
    let genesis = town.genesis()?;
    for (_, home, _) in &endpoints {
        std::fs::write(home.join("genesis.json"), genesis.to_json())?;
    }
    let client = start_nodes(&node, &endpoints).await?;
    town.endpoints = endpoints
        .iter()
        .map(|(n, _, l)| (n.clone(), l.clone()))
        .collect();
    let first = &endpoints[0].2;
    println!("  chain '{}' is up.\n", client.chain_id);
    if !no_story {
        story::play(&client, &town).await?;
    }
    let bin = bin_shown(&node);
    let analytics = endpoints
        .iter()
        .find(|(n, _, _)| n == ANALYTICS_NODE)
        .map_or("", |(_, _, l)| l.as_str());
    println!(
        "\nThe devnet keeps running. Try:\n  {bin}/yui --node {first} status\n  {bin}/yui --node {first} account --key {}/keys/hana.json\n  {bin}/yui --node {analytics} analytics figures --period day\n  {bin}/yui-devnet status\nStop it with: {bin}/yui-devnet down",
        dir.display()
    );
    Ok(())
}

async fn run_year(dir: &Path, args: year::YearArgs) -> anyhow::Result<()> {
    fresh_dir(dir)?;
    let node = node_binary()?;
    let mut town = town::Town::create(dir)?;
    let key_of = |n: &str| year::people::derived_key(args.seed, n);
    for name in yui_ledger::town::Town::new().names() {
        town.set_key(name, key_of(name))?;
    }
    println!(
        "結 A year of a town in {}: seed {}, {} residents, {} merchants, {} days from {}",
        dir.display(),
        args.seed,
        args.residents,
        args.merchants,
        args.days,
        args.start
    );
    let endpoints = init_nodes(&node, dir, args.port, &mut town, Some(&key_of))?;
    let mut rng = year::rng(args.seed);
    let people = year::people(&args, &mut rng);
    let genesis = people.genesis(year::CHAIN_ID, year::tokyo_midnight_ms(args.start)?)?;
    let json = genesis.to_json();
    let mut dbs = Vec::new();
    for (_, home, _) in &endpoints {
        std::fs::write(home.join("genesis.json"), &json)?;
        let (cfg, base) = yui_node::config::Config::load(&home.join("config.toml"))?;
        dbs.push(base.join(&cfg.node.data_dir).join("db"));
    }
    let (summary, txs, blocks) = year::write_year(&dbs, &args, &people, &json, rng)?;
    year::print_summary(&summary, txs, blocks);
    if args.no_start {
        println!("  written; start the nodes with `yui-node start --home <dir>/nodes/<name>`.");
        return Ok(());
    }
    let client = start_nodes(&node, &endpoints).await?;
    println!(
        "  chain '{}' is up at height {} on the simulated year.\n  Audit it: {}/yui --node {} audit replay --key {}/keys/auditor.json",
        client.chain_id,
        client.status().await?.height,
        bin_shown(&node),
        endpoints[0].2,
        dir.display()
    );
    Ok(())
}

/// The devnet's nodes, each initialised by `yui-node init` in
/// `<dir>/nodes/<name>` with its config and key (the validators' keys become
/// the town's keys for them): name, home and gRPC address of each.
/// With `key_of`, each node's key is the one it gives for the node's name
/// instead of a fresh random one (a seeded, reproducible town).
fn init_nodes(
    node: &Path,
    dir: &Path,
    port: u16,
    town: &mut town::Town,
    key_of: Option<&dyn Fn(&str) -> yui_ledger::Keypair>,
) -> anyhow::Result<Vec<(String, PathBuf, String)>> {
    // Four validators, an observer, and coord-higashi's node (which follows
    // the chain until the consortium votes it in as a validator), each a
    // yui-node process on 127.0.0.1: gRPC on port + i, libp2p on port + 20000 + i.
    let mut names = town.validator_names();
    names.push("observer".to_string());
    names.push("coord-higashi".to_string());
    let followers = ["observer", "coord-higashi"];
    let p2p = |i: usize| format!("/ip4/127.0.0.1/tcp/{}", port as usize + 20_000 + i);
    let mut psk = [0u8; 32];
    getrandom::fill(&mut psk).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let psk = hex::encode(psk);
    let auditor = town.key("auditor").address().to_hex();
    let mut endpoints = vec![(String::new(), PathBuf::new(), String::new()); names.len()];
    // The followers first: the validators must name their keys.
    let order: Vec<usize> = (names.len() - 2..names.len())
        .chain(0..names.len() - 2)
        .collect();
    let mut follower_keys: Vec<String> = Vec::new();
    for i in order {
        let name = &names[i];
        let home = dir.join("nodes").join(name);
        let listen = format!("127.0.0.1:{}", port as usize + i);
        let mut cmd = Command::new(node);
        cmd.args(["init", "--home"]).arg(&home);
        cmd.args([
            "--name",
            name,
            "--listen",
            &listen,
            "--auditor",
            &auditor,
            "--p2p-listen",
            &p2p(i),
            "--psk",
            &psk,
            // A devnet setting: every node on 127.0.0.1 answers browser
            // pages from any origin (a shop terminal's, over gRPC-Web).
            "--cors-origin",
            "*",
        ]);
        // Followers dial the validators only; validators dial everyone.
        let follower = followers.contains(&name.as_str());
        for (k, other) in names.iter().enumerate().filter(|(k, _)| *k != i) {
            if !(follower && followers.contains(&other.as_str())) {
                cmd.args(["--peer", &p2p(k)]);
            }
        }
        if follower {
            cmd.arg("--observer");
        } else {
            for k in &follower_keys {
                cmd.args(["--observer-key", k]);
            }
        }
        if !cmd.stdout(Stdio::null()).status()?.success() {
            anyhow::bail!("yui-node init failed for {name}");
        }
        // A devnet keeps every node's vote journal: the crash loop's checker
        // (`yui-bench crashloop`) reads them.
        let cfg = home.join("config.toml");
        let text = std::fs::read_to_string(&cfg)?;
        anyhow::ensure!(
            text.contains("vote_journal = false"),
            "{}: no vote_journal setting",
            cfg.display()
        );
        anyhow::ensure!(
            text.contains("runtime_threads = 0"),
            "{}: no runtime_threads setting",
            cfg.display()
        );
        // The nodes share this machine's cores: each runs its share of
        // them (at least one), not a thread per core that six processes
        // would then switch between.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .div_ceil(names.len())
            .max(1);
        let mut text = text
            .replace("vote_journal = false", "vote_journal = true")
            .replace(
                "runtime_threads = 0",
                &format!("runtime_threads = {threads}"),
            );
        // Each node writes its state tree at heights of its own, spread
        // over the interval: six writes at once every sixteen heights
        // held a height up for most of a second at 5,000 payments/s
        // offered (docs/bench/journal/8-2026-12-08.md).
        let from_name = format!("tree_offset = {}", yui_node::config::tree_offset_for(name));
        anyhow::ensure!(
            text.contains(&from_name),
            "{}: no tree_offset setting",
            cfg.display()
        );
        let spread = i as u64 * yui_node::storage::TREE_INTERVAL / names.len() as u64;
        text = text.replace(&from_name, &format!("tree_offset = {spread}"));
        // The town's aggregates are served by the observer alone: kept live
        // on a thread that follows every commit, they took CPU from the
        // validators just when the next height began (at 5,000 payments/s
        // offered, p50 and p99 a fifth lower without them; BENCHMARKS.md).
        if name != ANALYTICS_NODE {
            anyhow::ensure!(
                text.matches("\nenabled = true\n").count() == 1,
                "{}: no single analytics setting",
                cfg.display()
            );
            text = text.replace("\nenabled = true\n", "\nenabled = false\n");
        }
        std::fs::write(&cfg, text)?;
        if let Some(key_of) = key_of {
            let path = home.join("node_key.json");
            std::fs::remove_file(&path)?;
            yui_node::keys::write(&path, &key_of(name))?;
        }
        town.adopt_node_key(name, &home)?;
        if follower {
            follower_keys.push(town.key(name).address().to_hex());
        }
        endpoints[i] = (name.clone(), home, listen);
    }
    Ok(endpoints)
}

/// The one node of a devnet that keeps the town's aggregates and answers
/// the Analytics service (the others answer UNAVAILABLE).
const ANALYTICS_NODE: &str = "observer";

/// Starts every node, then waits until the first has committed a block and
/// every node's submissions reach every validator.
async fn start_nodes(
    node: &Path,
    endpoints: &[(String, PathBuf, String)],
) -> anyhow::Result<Client> {
    for (name, home, listen) in endpoints {
        let pid = process::start_node(node, home, false)?;
        println!(
            "  started {name:<14} pid {pid:<7} gRPC {listen}  log {}",
            home.join("node.log").display()
        );
    }
    let (_, _, first) = &endpoints[0];
    let client = wait_ready(first).await?;
    // Ready means ready: every node's health calls its Transactions service
    // SERVING, i.e. what is submitted to it reaches every validator by
    // gossip at once, so load offered now sees the latency it will see later.
    for (name, _, listen) in endpoints {
        wait_submissions_ready(name, listen).await?;
    }
    Ok(client)
}

async fn wait_ready(endpoint: &str) -> anyhow::Result<Client> {
    for _ in 0..200 {
        if let Ok(c) = Client::connect(endpoint).await
            && c.status().await.is_ok_and(|s| s.height >= 1)
        {
            return Ok(c);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the node at {endpoint} did not come up within 20 s; see its node.log")
}

/// Waits until the node at `endpoint` has committed a block and its gRPC
/// health calls `yui.v1.Transactions` SERVING: its submissions reach every
/// validator.
async fn wait_submissions_ready(name: &str, endpoint: &str) -> anyhow::Result<()> {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};
    let mut seen = "no answer".to_string();
    for _ in 0..300 {
        if let Ok(c) = Client::connect(endpoint).await
            && let Ok(s) = c.status().await
        {
            let url = if endpoint.contains("://") {
                endpoint.to_string()
            } else {
                format!("http://{endpoint}")
            };
            let r = match tonic::transport::Channel::from_shared(url)?.connect().await {
                Ok(ch) => {
                    tonic_health::pb::health_client::HealthClient::new(ch)
                        .check(HealthCheckRequest {
                            service: "yui.v1.Transactions".into(),
                        })
                        .await
                }
                Err(e) => Err(tonic::Status::unavailable(e.to_string())),
            };
            match r {
                Ok(r) if s.height >= 1 && r.get_ref().status == ServingStatus::Serving as i32 => {
                    return Ok(());
                }
                Ok(_) => {
                    seen = format!(
                        "height {}, {} peers taking its transactions",
                        s.height, s.tx_gossip_peers
                    )
                }
                Err(e) => seen = format!("health: {}", e.message()),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!(
        "{name}'s submissions did not reach every validator within 30 s ({seen}); see its node.log"
    )
}

async fn status(dir: &Path) -> anyhow::Result<()> {
    let homes = node_homes(dir);
    if homes.is_empty() {
        anyhow::bail!(
            "no devnet in {}; start one with `yui-devnet up`",
            dir.display()
        );
    }
    println!(
        "{:<14} {:<8} {:<22} {:>7} {:<18} {:>5} {:>6}",
        "node", "pid", "gRPC", "height", "last block", "round", "peers"
    );
    for home in homes {
        let name = home
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let listen = NodeConfig::read(&home)?.api.listen;
        let pid = read_pid(&home).filter(|p| pid_alive(*p));
        let pid_s = pid.map_or("down".to_string(), |p| p.to_string());
        let st = match pid {
            Some(_) => match Client::connect(&listen).await {
                Ok(c) => c.status().await.ok(),
                Err(_) => None,
            },
            None => None,
        };
        match st {
            Some(s) => println!(
                "{name:<14} {pid_s:<8} {listen:<22} {:>7} {:<18} {:>5} {:>6}",
                s.height,
                &hex::encode(&s.last_block_hash)[..16],
                s.round,
                s.peers.len()
            ),
            None => println!("{name:<14} {pid_s:<8} {listen:<22} {:>7}", "-"),
        }
    }
    Ok(())
}

fn down(dir: &Path) -> anyhow::Result<()> {
    let mut stopped = 0;
    for home in node_homes(dir) {
        if let Some(pid) = read_pid(&home).filter(|p| pid_alive(*p)) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
            for _ in 0..50 {
                if !pid_alive(pid) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if pid_alive(pid) {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(pid.to_string())
                    .status();
            }
            stopped += 1;
        }
        let _ = std::fs::remove_file(home.join("pid"));
    }
    println!("stopped {stopped} node(s)");
    Ok(())
}
