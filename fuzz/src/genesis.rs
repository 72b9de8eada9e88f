//! Genesis files: the JSON document `yui-node init` writes and every node,
//! observer and auditor reads to start the chain.

use yui_ledger::{BlockExecutor, Ctx, Genesis, MemState};

/// Parses `data` as a genesis document.
///
/// Properties: a document that parses is valid; written back and read
/// again it is the same document with the same hash; its state at height 0
/// builds, and block 1 begins on it, without panicking.
pub fn genesis(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(g) = Genesis::from_json(text) else {
        return;
    };
    assert_eq!(g.validate(), Ok(()), "a parsed genesis is invalid");
    let again = Genesis::from_json(&g.to_json()).expect("a written genesis parses");
    assert_eq!(again, g, "genesis changed through JSON");
    assert_eq!(again.hash(), g.hash());
    let mut state = MemState::default();
    let writes = g.state_writes(&state);
    state.apply(&writes);
    let ctx = Ctx {
        chain_id: g.chain_id.clone(),
        height: 1,
        time_ms: g.genesis_time_ms.saturating_add(1_000),
    };
    if let Ok(block) = BlockExecutor::begin(&state, ctx) {
        let _ = block.finish();
    }
}
