//! The crash loop (`yui-bench crashloop`) in its CI size: ten kills of a
//! random validator or the observer under steady load on a devnet of six
//! `yui-node` processes, some by SIGKILL at a random instant and some at a
//! crash point inside a commit or between persisting a vote and sending it.
//! `YUI_CRASH_CYCLES` sets the number of kills (the full run is 100,
//! BENCHMARKS.md), `YUI_CRASH_SEED` the seed.

use std::process::Command;

use yui_tests::{Devnet, bin};

#[test]
fn kills_under_load_lose_nothing_and_sign_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let cycles: u32 = std::env::var("YUI_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10);
    let seed = std::env::var("YUI_CRASH_SEED").unwrap_or_else(|_| "3".into());
    let out = Command::new(bin("yui-bench").unwrap())
        .args(["crashloop", "--dir"])
        .arg(&net.dir)
        .args(["--cycles", &cycles.to_string(), "--seed", &seed])
        .args(["--rate", "100", "--accounts", "100"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the crash loop failed:\n{stdout}\n{stderr}"
    );
    let done = stdout
        .lines()
        .filter(|l| l.starts_with("cycle ") && l.contains(" back at the head "))
        .count();
    assert_eq!(done, cycles as usize, "{stdout}");
    for expected in [
        "acknowledged payments are in them exactly once",
        "no validator signed two different votes at one step",
        "no node holds evidence",
        "died by its crash point",
    ] {
        assert!(stdout.contains(expected), "no '{expected}' in:\n{stdout}");
    }
    // The checker read votes from all six nodes' journals.
    assert!(stdout.contains(" read from 6 journals "), "{stdout}");
}
