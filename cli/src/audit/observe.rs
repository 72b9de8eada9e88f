//! What a verifying replay shows of each block it executed, to whatever
//! wants to learn from it: the report's flows, the analysts' export. An
//! observer sees a block after its certificate, transaction root and
//! receipts root were checked and it executed; its state root is checked a
//! few blocks later, so what an observer builds is to be trusted only once
//! the replay returned without error.

use yui_consensus::CommitCertificate;
use yui_ledger::exec::BlockOutcome;
use yui_ledger::{Block, Hash, MemState};

use super::flows::Flows;

/// One executed block, as the replay saw it.
pub struct ObservedBlock<'a> {
    pub block: &'a Block,
    pub block_hash: &'a Hash,
    /// Each transaction's hash, in block order.
    pub tx_hashes: &'a [Hash],
    pub certificate: &'a CommitCertificate,
    /// The receipts (one per transaction, in order), the block-start events
    /// and the writes.
    pub outcome: &'a BlockOutcome,
    /// The state after the block.
    pub state: &'a MemState,
}

/// Something fed every block of a replay, in height order. An error stops
/// the replay and is reported as its error.
pub trait BlockObserver {
    fn on_block(&mut self, b: &ObservedBlock<'_>) -> anyhow::Result<()>;
}

/// No observer.
impl BlockObserver for () {
    fn on_block(&mut self, _: &ObservedBlock<'_>) -> anyhow::Result<()> {
        Ok(())
    }
}

impl<T: BlockObserver> BlockObserver for Option<T> {
    fn on_block(&mut self, b: &ObservedBlock<'_>) -> anyhow::Result<()> {
        match self {
            Some(o) => o.on_block(b),
            None => Ok(()),
        }
    }
}

/// Two observers of one replay, the first first.
impl<A: BlockObserver, B: BlockObserver> BlockObserver for (A, B) {
    fn on_block(&mut self, b: &ObservedBlock<'_>) -> anyhow::Result<()> {
        self.0.on_block(b)?;
        self.1.on_block(b)
    }
}

impl BlockObserver for Flows {
    fn on_block(&mut self, b: &ObservedBlock<'_>) -> anyhow::Result<()> {
        self.observe_block(b.block.header.time_ms, b.outcome, b.state);
        Ok(())
    }
}
