//! `yui-bench soak`: a long steady load on a running devnet, watching each
//! node's memory, disk and CPU.
//!
//! Payments are offered at a fixed rate for the whole run while every
//! `--every` seconds each node's resident memory (VmRSS), the size of its
//! data folder and its CPU time are read from /proc and the file system,
//! beside the chain's height and its committed transactions (counted from
//! the block stream). Each reading also holds the bytes the node had read
//! from the disk itself (not from the page cache) and the memory the machine
//! still had available, so that a rate that falls can be set against the
//! data outgrowing the page cache. At the end it prints, per node, the memory's slope
//! after the warm-up and over the run's last third (memory that has levelled
//! off shows a slope near zero there, whatever it did while caches filled),
//! and the disk's bytes per committed transaction with
//! how straight that line is, and counts ERROR lines the nodes logged
//! during the run. The samples go to a CSV that `scripts/plot-soak.py`
//! draws.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use yui_cli::Client;
use yui_proto::v1 as pb;

use crate::bench_crash::{height, homes, pid_of};
use crate::bench_load::{self, Control, Shape};

/// One reading of one node.
struct Sample {
    t: f64,
    node: usize,
    rss_kib: u64,
    disk: u64,
    cpu_s: f64,
    height: u64,
    chain_txs: u64,
}

/// A `key: value kB`-style field of a /proc file, as a number.
fn proc_field(path: &str, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Bytes a process has caused to be read from storage (page-cache hits do
/// not count).
fn read_bytes(pid: u32) -> Option<u64> {
    proc_field(&format!("/proc/{pid}/io"), "read_bytes:")
}

/// The machine's available memory (free plus what the page cache could give
/// back), KiB.
fn mem_available_kib() -> Option<u64> {
    proc_field("/proc/meminfo", "MemAvailable:")
}

fn rss_kib(pid: u32) -> Option<u64> {
    proc_field(&format!("/proc/{pid}/status"), "VmRSS:")
}

/// User and system CPU seconds of a process (clock ticks of 1/100 s).
pub fn cpu_s(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Bytes of every file under `dir`.
fn disk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Least squares: slope, intercept and R² of y on x.
fn fit(points: &[(f64, f64)]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    if n < 2.0 {
        return (0.0, 0.0, 0.0);
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in points {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
        syy += (y - my) * (y - my);
    }
    if sxx == 0.0 {
        return (0.0, my, 0.0);
    }
    let slope = sxy / sxx;
    let r2 = if syy == 0.0 {
        1.0
    } else {
        sxy * sxy / (sxx * syy)
    };
    (slope, my - slope * mx, r2)
}

/// `line` without terminal colour codes (ESC `[` … `m`), which the node's
/// text log carries around its level.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a log line is at level ERROR: in the text format the level is
/// the word after the timestamp; in JSON, the `level` field.
fn is_error(line: &str) -> bool {
    let p = plain(line);
    p.split_whitespace().nth(1) == Some("ERROR") || p.contains("\"level\":\"ERROR\"")
}

/// Lines at level ERROR in `log` after byte `from`.
fn errors_since(log: &Path, from: u64) -> (usize, Vec<String>) {
    let Ok(bytes) = std::fs::read(log) else {
        return (0, Vec::new());
    };
    let tail = String::from_utf8_lossy(bytes.get(from as usize..).unwrap_or_default());
    let errors: Vec<String> = tail.lines().filter(|l| is_error(l)).map(plain).collect();
    let first = errors.iter().take(3).cloned().collect();
    (errors.len(), first)
}

pub async fn run(
    dir: &Path,
    entry: &str,
    shape: Shape,
    every: Duration,
    csv: &Path,
) -> anyhow::Result<()> {
    let homes = homes(dir)?;
    let mut data = Vec::new();
    let mut log_from = Vec::new();
    for (_, home) in &homes {
        let (cfg, base) = yui_node::config::Config::load(&home.join("config.toml"))?;
        data.push(base.join(&cfg.node.data_dir));
        log_from.push(std::fs::metadata(home.join("node.log")).map_or(0, |m| m.len()));
    }
    let seconds = shape.seconds;
    // Committed transactions, from the entry node's block stream.
    let chain_txs = Arc::new(AtomicU64::new(0));
    let start_height = height(entry).await.unwrap_or(0);
    let counter = {
        let (entry, chain_txs) = (entry.to_string(), chain_txs.clone());
        tokio::spawn(async move {
            let c = Client::connect(&entry).await?;
            let req = pb::StreamBlocksRequest {
                from_height: start_height + 1,
                auth: None,
            };
            let mut s = c.chain.clone().stream_blocks(req).await?.into_inner();
            while let Some(b) = s.message().await? {
                chain_txs.fetch_add(u64::from(b.tx_count), Ordering::Relaxed);
            }
            anyhow::Ok(())
        })
    };
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let load = {
        let (dir, entry) = (dir.to_path_buf(), entry.to_string());
        tokio::spawn(async move {
            let control = Control {
                on_start: Some(started_tx),
                stop: None,
            };
            bench_load::load(&dir, &entry, shape, None, None, control).await
        })
    };
    if started.await.is_err() {
        // The load stopped before it began offering (a node it cannot
        // reach, accounts it cannot fund): its own error says why.
        let _ = load.await??;
        anyhow::bail!("the load ended before it began offering");
    }
    let t0 = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut f = std::fs::File::create(csv)?;
    writeln!(
        f,
        "t_s,node,rss_kib,disk_bytes,cpu_s,height,chain_txs,read_bytes,mem_available_kib"
    )?;
    let mut next = Duration::ZERO;
    while !load.is_finished() {
        if t0.elapsed() < next {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        next += every;
        let t = t0.elapsed().as_secs_f64();
        let h = height(entry).await.unwrap_or(0);
        let txs = chain_txs.load(Ordering::Relaxed);
        let available = mem_available_kib().unwrap_or(0);
        let mut line = Vec::new();
        for (i, (name, home)) in homes.iter().enumerate() {
            let pid = pid_of(home)?;
            let (Some(rss), Some(cpu)) = (rss_kib(pid), cpu_s(pid)) else {
                anyhow::bail!("{name} (pid {pid}) is gone {t:.0} s into the soak");
            };
            let s = Sample {
                t,
                node: i,
                rss_kib: rss,
                disk: disk_bytes(&data[i]),
                cpu_s: cpu,
                height: h,
                chain_txs: txs,
            };
            writeln!(
                f,
                "{:.0},{name},{},{},{:.2},{},{},{},{available}",
                s.t,
                s.rss_kib,
                s.disk,
                s.cpu_s,
                s.height,
                s.chain_txs,
                read_bytes(pid).unwrap_or(0),
            )?;
            line.push(format!("{name} {} MiB", s.rss_kib / 1024));
            samples.push(s);
        }
        f.flush()?;
        println!(
            "{:>5.0}/{seconds} s  height {h}  {txs} tx committed  {} MiB available  RSS: {}",
            t,
            available / 1024,
            line.join(", ")
        );
    }
    let out = load.await??;
    counter.abort();
    report(&homes, &samples, seconds as f64, &log_from, &out)
}

/// The least-squares slope of resident memory (MiB per minute) over the
/// readings from `from_s` seconds on; 0 with fewer than two.
fn rss_slope(readings: &[&Sample], from_s: f64) -> f64 {
    let points: Vec<(f64, f64)> = readings
        .iter()
        .filter(|s| s.t >= from_s)
        .map(|s| (s.t / 60.0, s.rss_kib as f64 / 1024.0))
        .collect();
    if points.len() < 2 {
        return 0.0;
    }
    fit(&points).0
}

/// Memory after the warm-up (the first sixth of the run, at least 60 s):
/// its least-squares slope there and over the last third of the run, and
/// the first and last readings; disk against committed transactions: bytes
/// per transaction and R².
fn report(
    homes: &[(String, PathBuf)],
    samples: &[Sample],
    seconds: f64,
    log_from: &[u64],
    out: &bench_load::Outcome,
) -> anyhow::Result<()> {
    let warm = (seconds / 6.0).max(60.0);
    println!(
        "load: {:.0} tx/s committed in the window, p50 {:.0} ms (first third {:.0} ms, last third {:.0} ms), p99 {:.0} ms, {} not committed",
        out.in_window_rate, out.p50, out.first_third_p50, out.last_third_p50, out.p99, out.refused
    );
    println!(
        "{:<14} {:>10} {:>10} {:>14} {:>16} {:>12} {:>8} {:>12} {:>7}",
        "node",
        "RSS@warm",
        "RSS end",
        "RSS slope",
        "last third",
        "disk/tx",
        "R²",
        "CPU µs/tx",
        "errors"
    );
    let mut total_errors = 0;
    for (i, (name, home)) in homes.iter().enumerate() {
        let mine: Vec<&Sample> = samples.iter().filter(|s| s.node == i).collect();
        let after: Vec<&&Sample> = mine.iter().filter(|s| s.t >= warm).collect();
        let slope = rss_slope(&mine, warm);
        let late_slope = rss_slope(&mine, seconds * 2.0 / 3.0);
        let disk: Vec<(f64, f64)> = mine
            .iter()
            .map(|s| (s.chain_txs as f64, s.disk as f64))
            .collect();
        let (per_tx, _, r2) = fit(&disk);
        let (first, last) = (mine.first(), mine.last());
        let cpu = match (first, last) {
            (Some(a), Some(b)) if b.chain_txs > a.chain_txs => {
                (b.cpu_s - a.cpu_s) * 1e6 / (b.chain_txs - a.chain_txs) as f64
            }
            _ => f64::NAN,
        };
        let (errors, lines) = errors_since(&home.join("node.log"), log_from[i]);
        total_errors += errors;
        println!(
            "{:<14} {:>6.0} MiB {:>6.0} MiB {:>7.2} MiB/min {:>9.2} MiB/min {:>8.0} B {:>8.4} {:>12.0} {:>7}",
            name,
            after.first().map_or(0.0, |s| s.rss_kib as f64 / 1024.0),
            last.map_or(0.0, |s| s.rss_kib as f64 / 1024.0),
            slope,
            late_slope,
            per_tx,
            r2,
            cpu,
            errors
        );
        for l in lines {
            println!("    {l}");
        }
    }
    anyhow::ensure!(
        total_errors == 0,
        "the nodes logged {total_errors} errors during the soak"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_a_line() {
        let (m, b, r2) = fit(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]);
        assert!((m - 2.0).abs() < 1e-9 && (b - 1.0).abs() < 1e-9 && (r2 - 1.0).abs() < 1e-9);
        let (m, _, r2) = fit(&[(0.0, 1.0), (1.0, 1.0)]);
        assert!(m == 0.0 && r2 == 1.0);
    }

    /// Memory that climbs while caches fill, then levels off: the slope
    /// from the warm-up is positive, the last third's is flat.
    #[test]
    fn the_last_third_slope_sees_memory_level_off() {
        let samples: Vec<Sample> = (0..=30u32)
            .map(|i| Sample {
                t: f64::from(i) * 20.0,
                node: 0,
                rss_kib: 1024 * (400 + 20 * u64::from(i.min(15))),
                disk: 0,
                cpu_s: 0.0,
                height: 0,
                chain_txs: 0,
            })
            .collect();
        let refs: Vec<&Sample> = samples.iter().collect();
        assert!(rss_slope(&refs, 100.0) > 10.0);
        assert!(rss_slope(&refs, 400.0).abs() < 1e-9);
        assert_eq!(rss_slope(&refs, 10_000.0), 0.0, "no readings");
    }

    #[test]
    fn finds_error_lines_in_either_log_format() {
        let coloured =
            "\u{1b}[2m2026-12-02T19:35:47Z\u{1b}[0m \u{1b}[31mERROR\u{1b}[0m the engine stopped";
        assert!(is_error(coloured));
        assert_eq!(
            plain(coloured),
            "2026-12-02T19:35:47Z ERROR the engine stopped"
        );
        assert!(is_error(r#"{"timestamp":"…","level":"ERROR","fields":{}}"#));
        assert!(!is_error(
            "\u{1b}[2m2026-12-02T19:35:47Z\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m committed height=7"
        ));
        assert!(!is_error("2026-12-02T19:35:47Z  WARN no ERROR here"));
    }

    #[test]
    fn reads_its_own_memory_and_cpu() {
        let pid = std::process::id();
        assert!(rss_kib(pid).is_some_and(|k| k > 0));
        assert!(cpu_s(pid).is_some());
        assert!(read_bytes(pid).is_some(), "/proc/self/io has read_bytes");
        assert!(mem_available_kib().is_some_and(|k| k > 0));
    }
}
