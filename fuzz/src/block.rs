//! Blocks and headers, as a syncing node, an observer and an auditor's
//! `yui audit verify` read them.

use yui_ledger::block::tx_root;
use yui_ledger::limits::TX_BYTES_MAX;
use yui_ledger::{Block, BlockHeader, Ctx, SignedTransaction, execute_block};

use crate::world::genesis_state;

/// Decodes `data` as a block and as a header alone.
///
/// Properties: both decoders are canonical (re-encoding gives the input);
/// a block's hash is its header's; `tx_root_matches` is the root of its
/// transactions; each transaction re-decodes alone exactly when it fits a
/// transaction's size limit; executing the block on the town's genesis
/// state never panics, and a block that executes has one receipt per
/// transaction.
pub fn block(data: &[u8]) {
    if let Ok(header) = borsh::from_slice::<BlockHeader>(data) {
        assert_eq!(
            borsh::to_vec(&header).unwrap(),
            data,
            "header bytes not canonical"
        );
        let _ = header.hash();
    }
    let Ok(block) = Block::from_bytes(data) else {
        return;
    };
    assert_eq!(block.to_bytes(), data, "block bytes not canonical");
    assert_eq!(block.hash(), block.header.hash());
    assert_eq!(
        block.tx_root_matches(),
        tx_root(&block.txs) == block.header.tx_root
    );
    for tx in &block.txs {
        let bytes = tx.to_bytes();
        let alone = SignedTransaction::from_bytes(&bytes);
        assert_eq!(
            alone.is_ok(),
            bytes.len() <= TX_BYTES_MAX,
            "a block's transaction does not decode alone"
        );
        if let Ok(alone) = alone {
            assert_eq!(&alone, tx);
        }
    }
    let ctx = Ctx {
        chain_id: block.header.chain_id.clone(),
        height: block.header.height,
        time_ms: block.header.time_ms,
    };
    if let Ok(out) = execute_block(genesis_state(), ctx, &block.txs) {
        assert_eq!(out.receipts.len(), block.txs.len());
    }
}
