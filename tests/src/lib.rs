//! Harness for Yui's end-to-end tests: real `yui-node` processes on
//! 127.0.0.1, each in its own temporary folder, killed when the test ends.
#![forbid(unsafe_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use yui_cli::{Client, keyfile, now_ms};
use yui_ledger::town::Town;
use yui_ledger::{Address, Genesis, Keypair};

/// The folder holding the workspace's binaries (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/debug/deps/it-<hash> → target/debug
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn bin(name: &str) -> anyhow::Result<PathBuf> {
    let p = bin_dir().join(name);
    if !p.exists() {
        anyhow::bail!(
            "{} is missing: run `cargo build --bins` before the tests (./run.sh test does)",
            p.display()
        );
    }
    Ok(p)
}

/// Checks a metrics text with `promtool check metrics` (Debian's
/// `prometheus` package, which `./run.sh test` installs).
pub fn promtool_check(metrics: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            anyhow::anyhow!(
                "promtool is needed (apt-get install prometheus; ./run.sh test installs it): {e}"
            )
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(metrics.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    anyhow::ensure!(
        out.status.success(),
        "promtool refused the metrics:\n{}{}\n{metrics}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// The lowest port the kernel hands out as a connection's source port
/// (Linux's `ip_local_port_range`; 32768 by default). A machine whose
/// range starts lower has no port safe from it: the default then.
fn ephemeral_from() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
        .max(32_768)
}

/// Ports the tests' nodes listen on start here, below the source ports
/// the kernel picks for outgoing connections. A node killed and started
/// again must bind its ports again; a port of the source range could by
/// then be taken by any connection made while it was down (a client, a
/// peer, another test), and the restarted node would fail to listen.
const PORTS_FROM: u16 = 10_000;

/// A number drawn afresh on every call (tests pick ports at random, so
/// that tests running at once seldom try the same ones).
fn draw(below: u16) -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() % u64::from(below.max(1))) as u16
}

/// A port on 127.0.0.1 that was free a moment ago, below the kernel's
/// source ports.
pub fn free_port() -> anyhow::Result<u16> {
    let span = ephemeral_from().saturating_sub(PORTS_FROM);
    for _ in 0..1_000 {
        let p = PORTS_FROM + draw(span);
        if TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return Ok(p);
        }
    }
    anyhow::bail!("no free port between {PORTS_FROM} and {}", ephemeral_from())
}

/// The people of the test town (`yui_ledger::town::Town`) the end-to-end
/// tests act as, with their test keys (`Town::test_key`).
pub struct People {
    /// The city hall: issuer, operator, and the only consortium member.
    pub city: Keypair,
    /// Sakura Bakery, a small local merchant.
    pub shop: Keypair,
    /// Aeon Mall, a large merchant.
    pub mall: Keypair,
    pub hana: Keypair,
    pub taro: Keypair,
    pub breakage: Keypair,
    pub auditor: Keypair,
    /// coord-kita: rules on job disputes.
    pub coord: Keypair,
}

impl People {
    pub fn new() -> Self {
        Self {
            city: Town::test_key("city"),
            shop: Town::test_key("sakura-bakery"),
            mall: Town::test_key("aeon-mall"),
            hana: Town::test_key("hana"),
            taro: Town::test_key("taro"),
            breakage: Town::test_key(yui_ledger::town::BREAKAGE),
            auditor: Town::test_key("auditor"),
            coord: Town::test_key("coord-kita"),
        }
    }
}

impl People {
    /// The city charges `amount` coin to `to` against `deposit_ref` (yen
    /// paid in at the bank), waiting for the commit.
    pub async fn charge(
        &self,
        c: &Client,
        to: &Keypair,
        amount: u64,
        deposit_ref: &str,
    ) -> anyhow::Result<()> {
        let op = yui_ledger::Operation::Charge {
            to: to.address(),
            asset: "coin".into(),
            amount,
            deposit_ref: deposit_ref.into(),
            campaign: None,
        };
        c.execute(&self.city, op).await?;
        Ok(())
    }
}

impl Default for People {
    fn default() -> Self {
        Self::new()
    }
}

/// The town's genesis for one node: `validator` (the node's key) is the
/// only validator, and the city the only consortium member, so its
/// proposals pass at once. Everyone's key is `Town::test_key`, as in
/// [`People`].
pub fn genesis(validator: Address) -> Genesis {
    Town::new().with_members(&["city"]).genesis(
        |name| Town::test_key(name).address(),
        &[("city", validator)],
        "yui-test",
        now_ms(),
    )
}

/// A `yui-node` process. Killed (SIGKILL) when dropped.
pub struct Node {
    pub home: PathBuf,
    pub endpoint: String,
    /// Where its Prometheus metrics are served.
    pub metrics: String,
    /// `RUST_LOG` of its next start ("warn" unless a test wants more).
    pub log_level: &'static str,
    child: Option<Child>,
}

impl Node {
    /// The text of one scrape of `/metrics` (a plain HTTP/1.1 GET).
    pub async fn scrape(&self) -> anyhow::Result<String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(&self.metrics).await?;
        s.write_all(
            format!(
                "GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.metrics
            )
            .as_bytes(),
        )
        .await?;
        let mut raw = String::new();
        s.read_to_string(&mut raw).await?;
        let (head, body) = raw
            .split_once("\r\n\r\n")
            .ok_or_else(|| anyhow::anyhow!("no HTTP answer from {}", self.metrics))?;
        anyhow::ensure!(head.starts_with("HTTP/1.1 200"), "metrics answered {head}");
        Ok(body.to_string())
    }

    /// Initialises a single-validator node in `dir` with the test town's
    /// genesis and starts it.
    pub fn start_single(dir: &Path, people: &People) -> anyhow::Result<Self> {
        Self::start_single_with(dir, people, |_| {})
    }

    /// As `start_single`, with `edit` applied to the config first.
    pub fn start_single_with(
        dir: &Path,
        people: &People,
        edit: impl FnOnce(&mut yui_node::config::Config),
    ) -> anyhow::Result<Self> {
        let home = dir.join("node");
        let port = free_port()?;
        let endpoint = format!("127.0.0.1:{port}");
        let st = Command::new(bin("yui-node")?)
            .args(["init", "--home"])
            .arg(&home)
            .args([
                "--name",
                "city",
                "--listen",
                &endpoint,
                "--auditor",
                &people.auditor.address().to_hex(),
            ])
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(st.success(), "yui-node init failed");
        let node_key = keyfile::read(&home.join("node_key.json"))?;
        let g = genesis(node_key.address());
        std::fs::write(home.join("genesis.json"), g.to_json())?;
        // Faster blocks keep the tests short.
        let (mut cfg, _) = yui_node::config::Config::load(&home.join("config.toml"))?;
        cfg.block.empty_interval_ms = 300;
        cfg.block.interval_ms = 20;
        let metrics = format!("127.0.0.1:{}", free_port()?);
        cfg.metrics = Some(yui_node::config::MetricsSection {
            listen: metrics.clone(),
        });
        edit(&mut cfg);
        std::fs::write(home.join("config.toml"), cfg.render())?;
        let mut n = Self {
            home,
            endpoint,
            metrics,
            log_level: "warn",
            child: None,
        };
        n.spawn()?;
        Ok(n)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home.join("node.log"))?;
        let child = Command::new(bin("yui-node")?)
            .args(["start", "--home"])
            .arg(&self.home)
            .env("RUST_LOG", self.log_level)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    /// Connects once the node serves and has committed a block.
    pub async fn client(&self) -> anyhow::Result<Client> {
        for _ in 0..300 {
            if let Ok(c) = Client::connect(&self.endpoint).await
                && c.status().await.is_ok_and(|s| s.height >= 1)
            {
                return Ok(c);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = std::fs::read_to_string(self.home.join("node.log")).unwrap_or_default();
        anyhow::bail!("node at {} did not come up; log:\n{log}", self.endpoint)
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill9();
        self.spawn()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A 4-validator network with an observer and coord-higashi's node (a
/// follower until governance votes it in), started by `yui-devnet` in a
/// temporary folder; every process is stopped when this is dropped.
pub struct Devnet {
    pub dir: PathBuf,
    pub base_port: u16,
    pub names: Vec<String>,
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
}

impl Devnet {
    pub fn up(dir: &Path) -> anyhow::Result<Self> {
        Self::launch(dir, &["up", "--no-story"])
    }

    /// `yui-devnet year` with `args` (sizes, seed): the devnet started on a
    /// simulated year of a town.
    pub fn year(dir: &Path, args: &[&str]) -> anyhow::Result<Self> {
        let mut all = vec!["year"];
        all.extend_from_slice(args);
        Self::launch(dir, &all)
    }

    fn launch(dir: &Path, args: &[&str]) -> anyhow::Result<Self> {
        // gRPC on base..base+5, libp2p on base+20000..: a free stretch with
        // both below the kernel's source ports (see `PORTS_FROM`).
        let span = ephemeral_from().saturating_sub(PORTS_FROM + 20_000 + 6);
        anyhow::ensure!(
            span > 0,
            "no room for a devnet's ports below the source ports"
        );
        let base_port = (0..1_000)
            .map(|_| PORTS_FROM + draw(span))
            .find(|&p| {
                (0..6).all(|i| {
                    TcpListener::bind(("127.0.0.1", p + i)).is_ok()
                        && TcpListener::bind(("127.0.0.1", p + 20_000 + i)).is_ok()
                })
            })
            .ok_or_else(|| anyhow::anyhow!("no free stretch of ports for a devnet"))?;
        let st = Command::new(bin("yui-devnet")?)
            .args(["--dir"])
            .arg(dir)
            .args(args)
            .args(["--port", &base_port.to_string()])
            .stdout(Stdio::null())
            .status()?;
        if !st.success() {
            print_log_tails(dir);
            // The nodes it started would outlive the test and its folder.
            let _ = Command::new(bin("yui-devnet")?)
                .arg("--dir")
                .arg(dir)
                .arg("down")
                .stdout(Stdio::null())
                .status();
            anyhow::bail!("yui-devnet {} failed", args[0]);
        }
        let names = [
            "city",
            "chamber",
            "coord-kita",
            "coord-minami",
            "observer",
            "coord-higashi",
        ]
        .map(String::from)
        .to_vec();
        Ok(Self {
            dir: dir.to_path_buf(),
            base_port,
            names,
        })
    }

    pub fn endpoint(&self, name: &str) -> String {
        let i = self.names.iter().position(|n| n == name).unwrap_or(0);
        format!("127.0.0.1:{}", self.base_port as usize + i)
    }

    pub fn home(&self, name: &str) -> PathBuf {
        self.dir.join("nodes").join(name)
    }

    pub fn key(&self, name: &str) -> anyhow::Result<Keypair> {
        keyfile::read(&self.dir.join("keys").join(format!("{name}.json")))
    }

    pub fn pid(&self, name: &str) -> Option<u32> {
        std::fs::read_to_string(self.home(name).join("pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// SIGKILL: the node gets no chance to flush anything.
    pub fn kill9(&self, name: &str) {
        if let Some(pid) = self.pid(name) {
            signal(pid, "-KILL");
            // Reap the zombie if it is ours; wait until the kernel has it
            // gone. A node of several hundred MiB on a loaded machine can
            // take over a second to exit, and until it has, its store's
            // lock is held: a restart in that time fails to open the store.
            for _ in 0..500 {
                if !Path::new(&format!("/proc/{pid}")).exists()
                    || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                        .is_ok_and(|s| s.contains(") Z "))
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Freezes a node (SIGSTOP): its peers see it fall silent, as if cut off.
    pub fn freeze(&self, name: &str) {
        if let Some(pid) = self.pid(name) {
            signal(pid, "-STOP");
        }
    }

    pub fn thaw(&self, name: &str) {
        if let Some(pid) = self.pid(name) {
            signal(pid, "-CONT");
        }
    }

    pub fn restart(&self, name: &str) -> anyhow::Result<()> {
        let home = self.home(name);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(home.join("node.log"))?;
        let child = Command::new(bin("yui-node")?)
            .args(["start", "--home"])
            .arg(&home)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        std::fs::write(home.join("pid"), child.id().to_string())?;
        Ok(())
    }

    /// The devnet's network key (`psk` in a node's config).
    pub fn psk(&self) -> anyhow::Result<[u8; 32]> {
        let cfg = std::fs::read_to_string(self.home("city").join("config.toml"))?;
        let line = cfg
            .lines()
            .find(|l| l.starts_with("psk = "))
            .ok_or_else(|| anyhow::anyhow!("no psk in the city's config"))?;
        hex::decode(line.trim_start_matches("psk = ").trim_matches('"'))?
            .try_into()
            .map_err(|_| anyhow::anyhow!("the psk is not 32 bytes"))
    }

    /// Stops the observer and returns its libp2p identity, allow-listed on
    /// every node, once `watcher` no longer counts it as connected (while
    /// it does, a new connection under that identity may be refused by the
    /// per-peer limit or never be sent the watcher's gossip subscriptions);
    /// None if the watcher still counts it after ten seconds.
    pub async fn take_observer_identity(
        &self,
        watcher: &str,
    ) -> anyhow::Result<Option<libp2p::identity::Keypair>> {
        self.kill9("observer");
        let seed = self.key("observer")?.seed();
        let id = libp2p::identity::Keypair::ed25519_from_bytes(seed)?;
        let peer = id.public().to_peer_id().to_string();
        let c = Client::connect(&self.endpoint(watcher)).await?;
        for _ in 0..100 {
            if c.status().await.is_ok_and(|s| !s.peers.contains(&peer)) {
                return Ok(Some(id));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(None)
    }

    /// Height of a node, or None if it does not answer.
    pub async fn height(&self, name: &str) -> Option<u64> {
        let c = tokio::time::timeout(
            Duration::from_secs(2),
            Client::connect(&self.endpoint(name)),
        )
        .await
        .ok()?
        .ok()?;
        tokio::time::timeout(Duration::from_secs(2), c.status())
            .await
            .ok()?
            .ok()
            .map(|s| s.height)
    }
}

/// The last lines of every node's log under `dir`, on stderr: a failed
/// test's folder is removed with it, and these are what tell why. The
/// frames of a backtrace are left out, so that a node that stopped on an
/// error still shows the error and what led to it.
fn print_log_tails(dir: &Path) {
    const LINES: usize = 40;
    let Ok(rd) = std::fs::read_dir(dir.join("nodes")) else {
        return;
    };
    let mut homes: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    homes.sort();
    for home in homes {
        let Ok(log) = std::fs::read_to_string(home.join("node.log")) else {
            continue;
        };
        let lines = without_backtraces(&log);
        eprintln!(
            "---- last {LINES} lines of {}",
            home.join("node.log").display()
        );
        for l in &lines[lines.len().saturating_sub(LINES)..] {
            eprintln!("{l}");
        }
    }
}

/// The lines of a node's log without the frames of its backtraces: those
/// after a "Stack backtrace:" line, up to the next line that is not a
/// frame. An error's "Caused by:" list, numbered as frames are, stays.
fn without_backtraces(log: &str) -> Vec<&str> {
    let mut in_trace = false;
    log.lines()
        .filter(|l| {
            if l.trim() == "Stack backtrace:" {
                in_trace = true;
                return true;
            }
            in_trace = in_trace && backtrace_frame(l);
            !in_trace
        })
        .collect()
}

/// A line of a Rust backtrace: "  12: function" or "      at file:line".
fn backtrace_frame(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("at ")
        || t.split_once(": ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if std::thread::panicking() {
            print_log_tails(&self.dir);
        }
        for n in &self.names {
            self.thaw(n);
        }
        if let Ok(b) = bin("yui-devnet") {
            let _ = Command::new(b)
                .arg("--dir")
                .arg(&self.dir)
                .arg("down")
                .stdout(Stdio::null())
                .status();
        }
    }
}

/// Steady load for tests: one payment at a time from a payer to a
/// merchant, each waited for until the node reports it committed. With a
/// payment in every block, the chain makes blocks as fast as it can.
pub struct SteadyPayments {
    acked: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl SteadyPayments {
    /// Has the city charge a resident (hana) with coins through node `via`
    /// of `net`, then starts her paying a merchant (sakura-bakery) 1 coin at
    /// a time through it. Returns the client of `via` beside the load.
    pub async fn on(net: &Devnet, via: &str) -> anyhow::Result<(Client, Self)> {
        let city = net.key("city")?;
        let hana = net.key("hana")?;
        let shop = net.key("sakura-bakery")?.address();
        let c = Client::connect(&net.endpoint(via)).await?;
        c.execute(
            &city,
            yui_ledger::Operation::Charge {
                to: hana.address(),
                asset: "coin".into(),
                amount: 1_000_000,
                deposit_ref: "fund".into(),
                campaign: None,
            },
        )
        .await?;
        let load = Self::start(c.clone(), &hana, shop);
        Ok((c, load))
    }

    /// Starts paying 1 coin at a time from `payer` to `merchant` through
    /// `client` (the payer must hold coins).
    pub fn start(client: Client, payer: &Keypair, merchant: Address) -> Self {
        use std::sync::atomic::Ordering;
        let acked: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>> = Default::default();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let payer = Keypair::from_seed(payer.seed());
        let task = {
            let (acked, stop) = (acked.clone(), stop.clone());
            tokio::spawn(async move {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let Ok(nonce) = client.next_nonce(&payer).await else {
                        continue;
                    };
                    let op = yui_ledger::Operation::Pay {
                        merchant,
                        invoice_id: format!("inv-{i}"),
                        amount: 1,
                        assets: vec![],
                    };
                    i += 1;
                    let Ok(stx) = client.sign(&payer, nonce, op).await else {
                        continue;
                    };
                    if let Ok(r) = client.submit(&stx, true).await
                        && r.committed
                        && let Ok(mut a) = acked.lock()
                    {
                        a.push(r.tx_hash);
                    }
                }
            })
        };
        Self { acked, stop, task }
    }

    /// Payments acknowledged as committed so far.
    pub fn acked(&self) -> usize {
        self.acked.lock().map(|a| a.len()).unwrap_or(0)
    }

    /// Stops paying; the hashes of the payments acknowledged as committed.
    pub async fn stop(self) -> Vec<Vec<u8>> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.task.await;
        self.acked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::{PORTS_FROM, backtrace_frame, ephemeral_from, free_port, without_backtraces};

    /// Ports come from below the kernel's source ports, and differ from
    /// call to call.
    #[test]
    fn ports_are_drawn_below_the_source_ports() {
        let ports: Vec<u16> = (0..20).map(|_| free_port().expect("a port")).collect();
        assert!(
            ports
                .iter()
                .all(|p| (PORTS_FROM..ephemeral_from()).contains(p)),
            "{ports:?}"
        );
        let mut distinct = ports.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 10, "{ports:?}");
    }

    #[test]
    fn backtrace_frames_are_told_from_log_lines() {
        assert!(backtrace_frame("      14: main"));
        assert!(backtrace_frame("                 at /src/main.rs:151:16"));
        assert!(!backtrace_frame(
            "Error: the store is locked by another process"
        ));
        assert!(!backtrace_frame(
            "2026-12-06T13:04:21.734810Z  INFO committed height=3"
        ));
        assert!(!backtrace_frame("  WARN error: 3 peers gone"));
    }

    /// An error's causes stay; its backtrace goes, and the log after it
    /// stays.
    #[test]
    fn a_log_tail_keeps_the_causes_and_drops_the_frames() {
        let log = "Error: cannot open the store\n\nCaused by:\n    0: IO error: lock held\n\n\
                   Stack backtrace:\n   0: main\n             at /src/main.rs:1:1\n   1: start\n\
                   2026-12-06T13:04:21Z  INFO node starting";
        assert_eq!(
            without_backtraces(log),
            vec![
                "Error: cannot open the store",
                "",
                "Caused by:",
                "    0: IO error: lock held",
                "",
                "Stack backtrace:",
                "2026-12-06T13:04:21Z  INFO node starting",
            ]
        );
    }
}
