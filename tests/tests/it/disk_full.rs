//! A node whose disk fills up under load stops with a clear error, loses
//! nothing it acknowledged, and goes on from where it stopped once space
//! returns and it is started again (by its supervisor: docs/operators.md).
//! The data folder is a small tmpfs this test mounts, so it needs root; it
//! says so and passes without running where it is not root.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use yui_ledger::Operation;
use yui_tests::{Node, People};

use crate::crash::{assert_committed, fund_hana, pay_until_refused};

/// A tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Option<Self> {
        let root = std::fs::read_to_string("/proc/self/status")
            .ok()?
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
        if !root {
            return None;
        }
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .ok()?
            .success();
        ok.then(|| SmallDisk(at.to_path_buf()))
    }

    /// Writes zeros until the disk is full.
    fn fill(&self) -> PathBuf {
        let path = self.0.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 1 << 20];
        while f.write_all(&chunk).is_ok() {}
        // The last partial chunk: byte by byte up to the last block.
        while f.write_all(&[0]).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_the_node_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&dir.path().join("disk"), "64m") else {
        eprintln!("skipped: mounting a small tmpfs for the data folder needs root");
        return;
    };
    let p = People::new();
    let data = disk.0.join("data");
    let mut node = Node::start_single_with(dir.path(), &p, |cfg| cfg.node.data_dir = data).unwrap();
    let c = node.client().await.unwrap();
    fund_hana(&c, &p).await;
    let (load, acked) = pay_until_refused(&c, &p);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let filler = disk.fill();

    // The node stops, saying why.
    let mut stopped = false;
    for _ in 0..300 {
        if !node.alive() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = std::fs::read_to_string(dir.path().join("node/node.log")).unwrap();
    assert!(stopped, "the node went on with a full disk; log:\n{log}");
    assert!(
        log.contains("No space left on device") && log.contains("the engine stopped"),
        "no clear error in the log:\n{log}"
    );
    load.await.unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 5, "only {} payments committed", acked.len());

    // Space returns; started again, it has everything it acknowledged and
    // commits again.
    std::fs::remove_file(filler).unwrap();
    node.restart().unwrap();
    let c = node.client().await.unwrap();
    assert_committed(&c, &acked).await;
    let h0 = c.status().await.unwrap().height;
    c.execute(
        &p.hana,
        Operation::Burn {
            asset: "coin".into(),
            amount: 1,
        },
    )
    .await
    .unwrap();
    assert!(c.status().await.unwrap().height > h0);
}
