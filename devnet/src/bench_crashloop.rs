//! `yui-bench crashloop`: many kills under steady load on a running devnet.
//!
//! While payments are offered to one node that is never killed (by default
//! coord-higashi's), a seeded loop kills a random validator or the observer,
//! restarts it and waits until it is back at the head, cycle after cycle.
//! Most kills are SIGKILL at a random instant. In about one cycle in three
//! the node just killed is restarted with a crash point armed a few seconds
//! of blocks ahead (`YUI_CRASH_AT`, node/src/crash_point.rs): inside a
//! commit, before or after its batch is written, or between persisting a
//! signed vote or proposal and sending it; the next cycle is that node dying
//! there. At the end every acknowledged payment must be committed exactly
//! once, all nodes must hold identical blocks at every height, no validator
//! may have signed two different votes at one step (every vote in every
//! node's vote journal and every certificate of the chain, signatures
//! checked), no node may hold evidence, and every restarted node must have
//! been back at the head within the limit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use yui_cli::Client;
use yui_consensus::{CommitCertificate, ValidatorSet, Vote, VoteKind};
use yui_ledger::{Hash, MemState};
use yui_node::crash_point::{self, Point};
use yui_node::vote_journal;
use yui_proto::v1 as pb;

use crate::bench_crash::{check_chains, endpoint_of, height, homes, pid_of};
use crate::bench_load::{self, Control, Shape};

/// The loop's settings.
pub struct Loop {
    pub cycles: u32,
    pub seed: u64,
    /// Nodes that may be killed (folder names under `<dir>/nodes`).
    pub victims: Vec<String>,
    /// A restarted node must be back within one block of the head by then.
    pub back_within: Duration,
}

/// How a cycle's node died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Death {
    Signal,
    At(PointName),
}

/// `Point` by name, ordered, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct PointName(&'static str);

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.contains(") Z ") && !s.contains(") X "))
}

fn sigkill(pid: u32) -> anyhow::Result<()> {
    let st = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()?;
    anyhow::ensure!(st.success(), "kill -9 {pid} failed");
    for _ in 0..100 {
        if !alive(pid) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::bail!("{pid} still runs after SIGKILL")
}

/// The highest height any of `endpoints` reports.
async fn head_of(endpoints: &[String]) -> u64 {
    let mut best = 0;
    for e in endpoints {
        best = best.max(height(e).await.unwrap_or(0));
    }
    best
}

pub async fn run(dir: &Path, entry: &str, shape: Shape, lp: Loop) -> anyhow::Result<()> {
    let homes = homes(dir)?;
    let home_of = |n: &str| {
        homes
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, h)| h.clone())
            .ok_or_else(|| anyhow::anyhow!("no node named {n} in {}", dir.display()))
    };
    for v in &lp.victims {
        let h = home_of(v)?;
        anyhow::ensure!(
            endpoint_of(&h)? != entry,
            "{v} takes the load: it cannot also be killed"
        );
    }
    anyhow::ensure!(!lp.victims.is_empty(), "no node to kill");
    let endpoints: Vec<(String, String)> = homes
        .iter()
        .map(|(n, h)| Ok((n.clone(), endpoint_of(h)?)))
        .collect::<anyhow::Result<_>>()?;
    let node_bin = std::env::current_exe()?.with_file_name("yui-node");

    let stop = Arc::new(AtomicBool::new(false));
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let load = {
        let (dir, entry, stop) = (dir.to_path_buf(), entry.to_string(), stop.clone());
        tokio::spawn(async move {
            let control = Control {
                on_start: Some(started_tx),
                stop: Some(stop),
            };
            bench_load::load(&dir, &entry, shape, None, None, control).await
        })
    };
    started.await?;
    println!(
        "crash loop: {} cycles, seed {}, killing among {}",
        lp.cycles,
        lp.seed,
        lp.victims.join(", ")
    );
    let mut rng = ChaCha8Rng::seed_from_u64(lp.seed);
    let mut armed: Option<(String, Point, u64)> = None;
    let mut deaths: BTreeMap<Death, u32> = BTreeMap::new();
    let mut back_times: Vec<(u32, String, f64)> = Vec::new();
    let mut missed_points = 0u32;
    let t0 = Instant::now();
    let h0 = head_of(&[entry.to_string()]).await;
    let outcome: anyhow::Result<()> = async {
        for cycle in 1..=lp.cycles {
            let (victim, death) = match armed.take() {
                Some((v, point, h)) => {
                    let pid = pid_of(&home_of(&v)?)?;
                    let since = Instant::now();
                    while alive(pid) && since.elapsed() < Duration::from_secs(30) {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    if alive(pid) {
                        // The point was not on its path (a height it
                        // committed from sync before it voted there).
                        println!("  {v} did not reach {}@{h} in 30 s: SIGKILL", point.name());
                        missed_points += 1;
                        sigkill(pid)?;
                        (v, Death::Signal)
                    } else {
                        (v, Death::At(PointName(point.name())))
                    }
                }
                None => {
                    let v = lp.victims[rng.random_range(0..lp.victims.len())].clone();
                    let wait = rng.random_range(0.2..3.0);
                    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
                    sigkill(pid_of(&home_of(&v)?)?)?;
                    (v, Death::Signal)
                }
            };
            *deaths.entry(death).or_default() += 1;
            let down = rng.random_range(0.0..2.0);
            tokio::time::sleep(Duration::from_secs_f64(down)).await;
            let others: Vec<String> = endpoints
                .iter()
                .filter(|(n, _)| *n != victim)
                .map(|(_, e)| e.clone())
                .collect();
            // One cycle in three (not the last) arms a crash point on the
            // restarted node, some seconds of blocks ahead of the head.
            let head = head_of(&others).await;
            let per_s = (head.saturating_sub(h0)) as f64 / t0.elapsed().as_secs_f64().max(1.0);
            let arm = if cycle < lp.cycles && rng.random_bool(1.0 / 3.0) {
                let points: &[Point] = if victim == "observer" {
                    &[Point::CommitBeforeWrite, Point::CommitAfterWrite]
                } else {
                    &Point::ALL
                };
                let point = points[rng.random_range(0..points.len())];
                let ahead = (per_s * rng.random_range(4.0..8.0)).ceil() as u64 + 3;
                Some((point, head + ahead))
            } else {
                None
            };
            let home = home_of(&victim)?;
            let env: Vec<(&str, String)> = arm
                .map(|(p, h)| (crash_point::ENV, format!("{}@{h}", p.name())))
                .into_iter()
                .collect();
            crate::process::start_node_with(&node_bin, &home, true, &env)?;
            let restarted = Instant::now();
            let mine = endpoint_of(&home)?;
            let back = loop {
                if let (Some(v), e) = (height(&mine).await, head_of(&others).await)
                    && v + 1 >= e
                {
                    break Some(restarted.elapsed().as_secs_f64());
                }
                if restarted.elapsed() > Duration::from_secs(60) {
                    break None;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            let back =
                back.ok_or_else(|| anyhow::anyhow!("{victim} not back at the head 60 s after its restart"))?;
            back_times.push((cycle, victim.clone(), back));
            let how = match death {
                Death::Signal => "SIGKILL".to_string(),
                Death::At(p) => format!("its crash point {}", p.0),
            };
            let next = match arm {
                Some((p, h)) => format!("; armed {}@{h}", p.name()),
                None => String::new(),
            };
            println!(
                "cycle {cycle}/{}: {victim} died by {how}, down {down:.1} s, back at the head {back:.1} s after its restart{next}",
                lp.cycles
            );
            armed = arm.map(|(p, h)| (victim.clone(), p, h));
        }
        Ok(())
    }
    .await;
    stop.store(true, Ordering::Relaxed);
    let out = load.await??;
    outcome?;

    println!("checking…");
    let checked = check_chains(dir, &homes, entry, &out.acked).await?;
    println!(
        "all {} nodes hold identical blocks 1..={}; all {} acknowledged payments are in them exactly once",
        homes.len(),
        checked.head,
        out.acked.len()
    );
    let votes = check_votes(&homes, &checked.certificates)?;
    println!(
        "votes: {} read from {} journals ({} torn records at a crash) and {} certificate signatures; {} distinct; no validator signed two different votes at one step",
        votes.journalled, votes.journals, votes.torn, votes.certified, votes.distinct
    );
    for (name, e) in &endpoints {
        let c = Client::connect(e).await?;
        let ev = c
            .chain
            .clone()
            .list_evidence(pb::ListEvidenceRequest { limit: 10 })
            .await?
            .into_inner()
            .evidence;
        anyhow::ensure!(ev.is_empty(), "{name} holds evidence of conflicting votes");
    }
    println!("no node holds evidence of conflicting votes");
    let kills: Vec<String> = deaths
        .iter()
        .map(|(d, n)| match d {
            Death::Signal => format!("{n} by SIGKILL at a random instant"),
            Death::At(p) => format!("{n} at {}", p.0),
        })
        .collect();
    println!(
        "{} kills: {}{}",
        lp.cycles,
        kills.join(", "),
        if missed_points > 0 {
            format!(" ({missed_points} armed points not reached in 30 s, killed by signal)")
        } else {
            String::new()
        }
    );
    let mut times: Vec<f64> = back_times.iter().map(|t| t.2).collect();
    times.sort_by(f64::total_cmp);
    let worst = back_times
        .iter()
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .cloned()
        .unwrap_or_default();
    println!(
        "back at the head after a restart: median {:.1} s, worst {:.1} s ({} in cycle {})",
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        worst.2,
        worst.1,
        worst.0
    );
    println!(
        "load: {:.0} tx/s committed in the window, p50 {:.0} ms, p99 {:.0} ms",
        out.in_window_rate, out.p50, out.p99
    );
    anyhow::ensure!(
        worst.2 <= lp.back_within.as_secs_f64(),
        "{} was back at the head only {:.1} s after its restart in cycle {} (limit {} s)",
        worst.1,
        worst.2,
        worst.0,
        lp.back_within.as_secs()
    );
    Ok(())
}

/// What [`check_votes`] read.
struct Votes {
    journals: usize,
    journalled: usize,
    torn: usize,
    certified: usize,
    distinct: usize,
}

/// Every vote each node journalled and every precommit in a certificate:
/// each signature must verify, and no validator may name two different
/// blocks (or a block and nil) at one height, round and kind.
fn check_votes(
    homes: &[(String, PathBuf)],
    certificates: &[CommitCertificate],
) -> anyhow::Result<Votes> {
    let (chain_id, set) = genesis_set(homes)?;
    let mut votes: Vec<(String, Vote)> = Vec::new();
    let mut out = Votes {
        journals: 0,
        journalled: 0,
        torn: 0,
        certified: 0,
        distinct: 0,
    };
    for (name, home) in homes {
        let (cfg, base) = yui_node::config::Config::load(&home.join("config.toml"))?;
        let data = base.join(&cfg.node.data_dir);
        let c = vote_journal::read(&data)?;
        anyhow::ensure!(
            !c.entries.is_empty(),
            "{name} journalled no vote in {}: is [consensus] vote_journal on?",
            data.display()
        );
        out.journals += 1;
        out.journalled += c.entries.len();
        out.torn += c.torn;
        votes.extend(c.entries.into_iter().map(|e| (name.clone(), e.vote)));
    }
    for cert in certificates {
        for s in &cert.signatures {
            out.certified += 1;
            let vote = Vote {
                kind: VoteKind::Precommit,
                height: cert.height,
                round: cert.round,
                block_hash: Some(cert.block_hash),
                validator: s.validator,
                signature: s.signature,
            };
            votes.push(("a certificate".into(), vote));
        }
    }
    type Step = (u64, u32, u8, u32);
    let mut seen: BTreeMap<Step, (Option<Hash>, String)> = BTreeMap::new();
    let mut distinct = std::collections::BTreeSet::new();
    for (source, v) in &votes {
        v.verify(&chain_id, &set).map_err(|e| {
            anyhow::anyhow!(
                "a vote from {source} (validator {} at height {} round {}) does not verify: {e}",
                v.validator,
                v.height,
                v.round
            )
        })?;
        distinct.insert(borsh::to_vec(v)?);
        let step = (v.height, v.round, v.kind as u8, v.validator);
        match seen.get(&step) {
            None => {
                seen.insert(step, (v.block_hash, source.clone()));
            }
            Some((h, first)) if *h != v.block_hash => anyhow::bail!(
                "validator {} signed two different {:?}s at height {} round {}: one seen by {first}, one by {source}",
                v.validator,
                v.kind,
                v.height,
                v.round
            ),
            Some(_) => {}
        }
    }
    out.distinct = distinct.len();
    Ok(out)
}

/// The chain's id and the validator set of its genesis (the crash loop
/// changes no validator).
fn genesis_set(homes: &[(String, PathBuf)]) -> anyhow::Result<(String, ValidatorSet)> {
    let (_, home) = homes.first().ok_or_else(|| anyhow::anyhow!("no node"))?;
    let json = std::fs::read_to_string(home.join("genesis.json"))?;
    let g = yui_ledger::Genesis::from_json(&json).map_err(|e| anyhow::anyhow!(e))?;
    let mut state = MemState::default();
    state.apply(&g.state_writes(&state));
    let v = yui_node::chain::validators_in(&state)?;
    Ok((g.chain_id, v.set))
}
