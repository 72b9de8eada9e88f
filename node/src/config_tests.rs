//! The node's configuration file: what survives writing and reading it,
//! and what `Config::check` refuses.

use super::*;

fn config() -> Config {
    Config {
        node: NodeSection {
            name: "city".into(),
            data_dir: "data".into(),
            genesis_file: "genesis.json".into(),
            key_file: None,
            time_zone: "Asia/Tokyo".into(),
            log_format: LogFormat::Text,
            runtime_threads: 0,
        },
        api: ApiSection {
            listen: "127.0.0.1:7001".into(),
            auditors: vec![],
            request_bytes_max: default_request_bytes_max(),
            cors_origins: vec![],
            tls: None,
        },
        mempool: MempoolSection::default(),
        block: BlockSection::default(),
        consensus: ConsensusSection::default(),
        p2p: None,
        metrics: None,
        analytics: AnalyticsSection::default(),
        storage: StorageSection::default(),
    }
}

#[test]
fn blocks_larger_than_the_ledger_accepts_are_refused_at_start_up() {
    let mut c = config();
    c.check().unwrap();
    c.block.txs_max = yui_ledger::limits::BLOCK_TXS_MAX;
    c.check().unwrap();
    c.block.txs_max += 1;
    let e = c.check().unwrap_err().to_string();
    assert!(e.contains("block.txs_max = 5001"), "{e}");
    // Through the file, as the node starts.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, c.render()).unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("must be 1..=5000"), "{e}");
    c.block.txs_max = 2_000;
    std::fs::write(&path, c.render()).unwrap();
    Config::load(&path).unwrap();
}

#[test]
fn runtime_threads_survive_the_file_default_to_one_per_core_and_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    c.node.runtime_threads = 1;
    std::fs::write(&path, c.render()).unwrap();
    assert_eq!(Config::load(&path).unwrap().0.node.runtime_threads, 1);
    // A file written before the setting existed: one per core.
    let old: String = c
        .render()
        .lines()
        .filter(|l| !l.starts_with("runtime_threads"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, old).unwrap();
    assert_eq!(Config::load(&path).unwrap().0.node.runtime_threads, 0);
    c.node.runtime_threads = RUNTIME_THREADS_MAX + 1;
    std::fs::write(&path, c.render()).unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("node.runtime_threads = 257"), "{e}");
}

#[test]
fn cors_origins_survive_the_rendered_file_and_default_to_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    std::fs::write(&path, c.render()).unwrap();
    assert!(Config::load(&path).unwrap().0.api.cors_origins.is_empty());
    c.api.cors_origins = vec!["http://127.0.0.1:8080".into(), "*".into()];
    std::fs::write(&path, c.render()).unwrap();
    let (back, _) = Config::load(&path).unwrap();
    assert_eq!(back.api.cors_origins, c.api.cors_origins);
    // A file written before the setting existed still loads.
    let old: String = c
        .render()
        .lines()
        .filter(|l| !l.starts_with("cors_origins"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, old).unwrap();
    assert!(Config::load(&path).unwrap().0.api.cors_origins.is_empty());
}

#[test]
fn the_analytics_floor_survives_the_file_and_may_not_be_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    c.analytics.enabled = false;
    c.analytics.k_min = 25;
    std::fs::write(&path, c.render()).unwrap();
    let (back, _) = Config::load(&path).unwrap();
    assert!(!back.analytics.enabled);
    assert_eq!(back.analytics.k_min, 25);
    // A file written before the section existed: on, with k = 10.
    let text = c.render();
    let before = text.split("\n[analytics]").next().unwrap();
    std::fs::write(&path, before).unwrap();
    let (old, _) = Config::load(&path).unwrap();
    assert!(old.analytics.enabled);
    assert_eq!(old.analytics.k_min, 10);
    c.analytics.k_min = 0;
    std::fs::write(&path, c.render()).unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("analytics.k_min"), "{e}");
}

#[test]
fn the_state_history_survives_the_file_and_is_0_or_at_least_the_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    assert_eq!(c.storage.state_history, 1_000, "the default");
    for ok in [0, crate::storage::STATE_HISTORY_MIN, 50_000] {
        c.storage.state_history = ok;
        std::fs::write(&path, c.render()).unwrap();
        assert_eq!(Config::load(&path).unwrap().0.storage.state_history, ok);
    }
    // A file written before the section existed keeps the default.
    let text = c.render();
    std::fs::write(&path, text.split("\n[storage]").next().unwrap()).unwrap();
    assert_eq!(Config::load(&path).unwrap().0.storage.state_history, 1_000);
    c.storage.state_history = crate::storage::STATE_HISTORY_MIN - 1;
    std::fs::write(&path, c.render()).unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("storage.state_history"), "{e}");
}

#[test]
fn the_tree_interval_survives_the_file_and_is_1_to_the_most() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    assert_eq!(c.storage.tree_interval, crate::storage::TREE_INTERVAL);
    for ok in [1, 7, TREE_INTERVAL_MAX] {
        c.storage.tree_interval = ok;
        std::fs::write(&path, c.render()).unwrap();
        assert_eq!(Config::load(&path).unwrap().0.storage.tree_interval, ok);
    }
    for bad in [0, TREE_INTERVAL_MAX + 1] {
        c.storage.tree_interval = bad;
        std::fs::write(&path, c.render()).unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains("storage.tree_interval"), "{e}");
    }
}

#[test]
fn the_tree_offset_survives_the_file_is_below_the_interval_and_comes_from_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    assert_eq!(
        c.storage.tree_offset, 0,
        "a file without one: the multiples"
    );
    c.storage.tree_offset = 15;
    std::fs::write(&path, c.render()).unwrap();
    assert_eq!(Config::load(&path).unwrap().0.storage.tree_offset, 15);
    c.storage.tree_interval = 15;
    std::fs::write(&path, c.render()).unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("storage.tree_offset = 15 must be below"), "{e}");
    // Derived from the name: fixed for a name, and spread over the
    // interval by the town's usual node names.
    let names = [
        "city",
        "chamber",
        "coord-kita",
        "coord-minami",
        "coord-higashi",
        "observer",
    ];
    let offsets: std::collections::BTreeSet<u64> =
        names.iter().map(|n| tree_offset_for(n)).collect();
    assert!(offsets.iter().all(|o| *o < crate::storage::TREE_INTERVAL));
    assert!(offsets.len() >= 4, "{offsets:?}");
    assert_eq!(tree_offset_for("city"), tree_offset_for("city"));
}

#[test]
fn the_block_cache_survives_the_file_and_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut c = config();
    assert_eq!(c.storage.block_cache_mib, 256, "the default");
    c.storage.block_cache_mib = 1_024;
    std::fs::write(&path, c.render()).unwrap();
    assert_eq!(
        Config::load(&path).unwrap().0.storage.block_cache_mib,
        1_024
    );
    // A file written before the setting existed keeps the default.
    let text = c.render();
    let before: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("block_cache_mib"))
        .collect();
    std::fs::write(&path, before.join("\n")).unwrap();
    assert_eq!(Config::load(&path).unwrap().0.storage.block_cache_mib, 256);
    for bad in [0, 7, 65_537] {
        c.storage.block_cache_mib = bad;
        std::fs::write(&path, c.render()).unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains("storage.block_cache_mib"), "{bad}: {e}");
    }
}
