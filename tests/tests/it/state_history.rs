//! A node keeps the state of its last `storage.state_history` heights.

use yui_proto::v1 as pb;
use yui_tests::{Node, People};

/// A node keeping 64 heights of state, its tree written every 4, proves
/// its last heights and the written ones, and refuses older ones and the
/// others with NOT_FOUND naming the setting (empty blocks every 50 ms
/// here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_below_the_kept_heights_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let mut node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    let old = c.status().await.unwrap().height;
    let cfg_path = node.home.join("config.toml");
    let (mut cfg, _) = yui_node::config::Config::load(&cfg_path).unwrap();
    cfg.storage.state_history = 64;
    cfg.storage.tree_interval = 4;
    // Written at the multiples of 4 (`init` derives an offset from the name).
    cfg.storage.tree_offset = 0;
    cfg.block.empty_interval_ms = 50;
    std::fs::write(&cfg_path, cfg.render()).unwrap();
    node.restart().unwrap();
    let c = node.client().await.unwrap();
    let mut head = old;
    for _ in 0..200 {
        head = c.status().await.unwrap().height;
        if head > old + 80 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(head > old + 80, "the chain stopped at {head}");
    let params_at = |height: u64| {
        let mut chain = c.chain.clone();
        async move {
            chain
                .get_proof(pb::GetProofRequest {
                    kind: "params".into(),
                    address: vec![],
                    id: String::new(),
                    auth: None,
                    storage_key: vec![],
                    height,
                })
                .await
        }
    };
    let e = params_at(old).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound, "{e:?}");
    assert!(e.message().contains("state_history"), "{}", e.message());
    let between = (head - 24) | 1;
    let e = params_at(between).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound, "{e:?}");
    assert!(e.message().contains("tree_interval"), "{}", e.message());
    for height in [head - 3, (head - 24) & !3] {
        let kept = params_at(height).await.unwrap().into_inner();
        let pr = yui_ledger::commitment::proof_from_bytes(&kept.proof).unwrap();
        let root: [u8; 32] = kept.state_root.clone().try_into().unwrap();
        let value = kept.present.then_some(kept.value.as_slice());
        yui_ledger::commitment::verify(&root, &kept.key, value, &pr).unwrap();
    }
}
