//! The pure crates stay pure: neither the ledger nor the contract runtime
//! may pull in the node's I/O stack, directly or through a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

const FORBIDDEN: &[&str] = &["tokio", "rocksdb", "librocksdb-sys", "libp2p", "tonic"];

/// Package names reachable from `root` over normal (not dev, not build)
/// dependencies in the workspace's resolved graph.
fn normal_closure(metadata: &Value, root: &str) -> BTreeSet<String> {
    let packages = metadata["packages"].as_array().unwrap();
    let names: BTreeMap<&str, &str> = packages
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    let edges: BTreeMap<&str, Vec<&str>> = nodes
        .iter()
        .map(|node| {
            let normal = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|kind| kind["kind"].is_null())
                })
                .map(|dep| dep["pkg"].as_str().unwrap())
                .collect();
            (node["id"].as_str().unwrap(), normal)
        })
        .collect();
    let root_id = names
        .iter()
        .find(|(_, name)| **name == root)
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("{root} is not in the workspace"));
    let mut seen = BTreeSet::new();
    let mut stack = vec![root_id];
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(edges.get(id).into_iter().flatten().copied());
        }
    }
    seen.iter().map(|id| names[id].to_owned()).collect()
}

#[test]
fn ledger_and_contracts_pull_no_io_stack() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(crate::manifest_dir())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    for root in ["yui-ledger", "yui-wasm-contracts"] {
        let closure = normal_closure(&metadata, root);
        assert!(
            closure.contains("sha2"),
            "{root}: the walk found its dependencies"
        );
        let pulled: Vec<&&str> = FORBIDDEN.iter().filter(|f| closure.contains(**f)).collect();
        assert!(pulled.is_empty(), "{root} depends on {pulled:?}");
    }
}
