//! The store's own tests: memtable budgets and pending blocks.

use super::*;
use yui_ledger::exec::{BlockExecutor, Ctx};
use yui_ledger::town::Town;
use yui_ledger::{Address, BlockHeader, MemState};

fn block(height: u64, prev_hash: Hash, tag: u8) -> Block {
    Block {
        header: BlockHeader {
            chain_id: "t".into(),
            height,
            time_ms: 1_000 + height,
            prev_hash,
            tx_root: [tag; 32],
            receipts_root: [0; 32],
            state_root: [0; 32],
            proposer: Address([0; 32]),
            validators_hash: [0; 32],
        },
        txs: vec![],
    }
}

#[test]
fn the_families_memtables_fit_under_the_total_with_room_for_a_flush() {
    let sum: usize = cf::ALL.iter().map(|n| memtable_bytes(n)).sum();
    let tree = memtable_bytes(cf::TREE_NODES);
    // Every family full and the tree's last memtable still flushing:
    // below the total, so the total's flush-the-oldest does not cycle
    // through the quiet families.
    assert!(
        sum + tree / 2 <= MEMTABLES_BYTES,
        "memtables {sum} + half the tree's {tree} exceed the total {MEMTABLES_BYTES}"
    );
    assert!(
        cf::ALL
            .iter()
            .all(|n| *n == cf::TREE_NODES || memtable_bytes(n) < tree),
        "the state tree's nodes are most of what a block writes"
    );
}

#[test]
fn a_commit_removes_the_blocks_kept_for_its_height_and_no_later_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let key = |n: &str| Town::test_key(n).address();
    let g = Town::new().genesis(key, &[("city", key("city"))], "t", 1_000);
    let writes = g.state_writes(&MemState::default());
    let (_, tree) = yui_ledger::commitment::update(&store, &writes, 0).expect("tree");
    store
        .init_genesis(&g.to_json(), &writes, &tree)
        .expect("genesis");
    let mut prev = g.hash();
    for h in 1..=20u64 {
        // Two proposals for this height and one for the next are kept.
        let (a, b, next) = (block(h, prev, 1), block(h, prev, 2), block(h + 1, prev, 3));
        for p in [&a, &b, &next] {
            store.save_pending_block(p).expect("save");
        }
        let ctx = Ctx {
            chain_id: "t".into(),
            height: h,
            time_ms: 1_000 + h,
        };
        let outcome = BlockExecutor::begin(&store, ctx).expect("begin").finish();
        let (_, tree) = yui_ledger::commitment::update(&store, &outcome.writes, h).expect("tree");
        let cert = CommitCertificate {
            height: h,
            round: 0,
            block_hash: a.hash(),
            signatures: vec![],
        };
        store
            .commit_block(&a, &cert, &outcome, &tree)
            .expect("commit");
        for gone in [&a, &b] {
            assert_eq!(store.pending_block(h, &gone.hash()).expect("read"), None);
        }
        assert_eq!(
            store.pending_block(h + 1, &next.hash()).expect("read"),
            Some(next.clone()),
            "a commit removed a block kept for the next height"
        );
        prev = a.hash();
    }
}
