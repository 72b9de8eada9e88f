//! The auditor's replay: take every block with its certificate (from a node,
//! or from an archive `fetch` wrote), check the certificate against the
//! validator set, re-verify every transaction signature, re-execute every
//! block from genesis in memory, and compare each header's transaction root,
//! receipts root and state root with what the replay computed. Trusts
//! nothing the node says except the bytes it serves.
//!
//! `verify` holds the one verification loop (signatures in parallel batches
//! ahead of execution); `archive` the archive's format; `report` what a
//! replay reports.

use std::path::Path;

use yui_ledger::{Address, Genesis, Keypair};
use yui_proto::v1 as pb;

use crate::Client;

mod archive;
mod certs;
mod charts;
pub mod export;
mod labels;
mod observe;
pub mod page;
mod report;
mod sankey;
#[cfg(test)]
mod tests;
mod verify;

pub use yui_analytics::{extra, flows, matrix};

pub use archive::{ArchiveHeader, ArchiveReader, ArchiveWriter, MAGIC, PartialFile};
pub use observe::{BlockObserver, ObservedBlock};
pub use report::{AssetFlows, ContractSummary, Report};
pub use verify::{Progress, RawBlock, verify_chain, verify_chain_with};

/// Blocks received from the node and waiting for the replay.
const RECEIVED_AHEAD: usize = 512;

/// What a block that cannot be decoded may mean, when a node served it.
const NODE_HINT: &str = " (is this key an auditor on the node?)";

/// Replays the chain up to the node's current height. `progress(done,
/// total)` is called after each block.
pub async fn replay(
    c: &Client,
    auditor: &Keypair,
    mut progress: impl FnMut(u64, u64) + Send + 'static,
) -> anyhow::Result<Report> {
    replay_node(c, auditor, None, move |p| {
        progress(p.blocks, p.total_blocks)
    })
    .await
}

/// Replays the chain from a node up to `height` (default: its current
/// height). The node's blocks are received while earlier ones are checked.
pub async fn replay_node(
    c: &Client,
    auditor: &Keypair,
    height: Option<u64>,
    progress: impl FnMut(&Progress) + Send + 'static,
) -> anyhow::Result<Report> {
    replay_node_with(c, auditor, height, progress, |_| ())
        .await
        .map(|(r, _)| r)
}

/// [`replay_node`], with the observer `make` makes from the genesis fed by
/// every replayed block (the report's flows, the export); an observer's
/// error stops the replay.
pub async fn replay_node_with<O: BlockObserver + Send + 'static>(
    c: &Client,
    auditor: &Keypair,
    height: Option<u64>,
    progress: impl FnMut(&Progress) + Send + 'static,
    make: impl FnOnce(&Genesis) -> O,
) -> anyhow::Result<(Report, O)> {
    let (_, genesis, target) = genesis_and_target(c, height).await?;
    let observer = make(&genesis);
    let mut stream = block_stream(c, auditor).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(RECEIVED_AHEAD);
    let receiving = tokio::spawn(async move {
        for h in 1..=target {
            let item = next_block(&mut stream, h).await.map(|(raw, _)| raw);
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    let verified = tokio::task::spawn_blocking(move || {
        let source = std::iter::from_fn(move || rx.blocking_recv());
        verify_chain_with(&genesis, target, source, NODE_HINT, progress, observer)
    })
    .await;
    receiving.abort();
    verified.map_err(|e| anyhow::anyhow!("the replay stopped: {e}"))?
}

/// Replays an archive `fetch` wrote, up to `height` (default: its last
/// block). Needs no node and no key.
pub fn replay_archive(
    path: &Path,
    height: Option<u64>,
    progress: impl FnMut(&Progress),
) -> anyhow::Result<Report> {
    replay_archive_with(path, height, progress, |_| ()).map(|(r, _)| r)
}

/// [`replay_archive`], with an observer as [`replay_node_with`] has it.
pub fn replay_archive_with<O: BlockObserver>(
    path: &Path,
    height: Option<u64>,
    progress: impl FnMut(&Progress),
    make: impl FnOnce(&Genesis) -> O,
) -> anyhow::Result<(Report, O)> {
    let reader = ArchiveReader::open(path)?;
    let header = reader.header().clone();
    let genesis = Genesis::from_json(&header.genesis_json)
        .map_err(|e| anyhow::anyhow!("the archive's genesis: {e}"))?;
    if genesis.chain_id != header.chain_id {
        anyhow::bail!(
            "the archive names chain {} but its genesis is of chain {}",
            header.chain_id,
            genesis.chain_id
        );
    }
    let target = match height {
        Some(h) if h > header.blocks => anyhow::bail!(
            "the archive holds blocks up to height {}, not {h}",
            header.blocks
        ),
        Some(h) => h,
        None => header.blocks,
    };
    let observer = make(&genesis);
    verify_chain_with(&genesis, target, reader, "", progress, observer)
}

/// What `fetch` wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fetched {
    pub chain_id: String,
    pub blocks: u64,
    pub transactions: u64,
    pub bytes: u64,
}

/// Writes an archive of the node's genesis and blocks 1 to `height`
/// (default: its current height) to `out`, atomically: a file beside it,
/// synced, then renamed onto it. `progress(done, total)` after each block.
/// The bytes are the node's, unchanged; the replay checks them.
pub async fn fetch(
    c: &Client,
    auditor: &Keypair,
    out: &Path,
    height: Option<u64>,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<Fetched> {
    let (genesis_json, genesis, target) = genesis_and_target(c, height).await?;
    let mut stream = block_stream(c, auditor).await?;
    let (partial, file) = PartialFile::create(out)?;
    let header = ArchiveHeader {
        chain_id: genesis.chain_id.clone(),
        genesis_json,
        blocks: target,
    };
    let mut w = ArchiveWriter::new(std::io::BufWriter::with_capacity(1 << 20, file), &header)?;
    let mut transactions = 0;
    for h in 1..=target {
        let (raw, txs) = next_block(&mut stream, h).await?;
        w.push(&raw)?;
        transactions += txs;
        progress(h, target);
    }
    let file = w
        .finish()?
        .into_inner()
        .map_err(|e| anyhow::anyhow!("writing {}: {}", out.display(), e.error()))?;
    let bytes = file.metadata()?.len();
    partial.commit(file)?;
    Ok(Fetched {
        chain_id: genesis.chain_id,
        blocks: target,
        transactions,
        bytes,
    })
}

/// The genesis (as served, and parsed) and the height to stop at.
async fn genesis_and_target(
    c: &Client,
    height: Option<u64>,
) -> anyhow::Result<(String, Genesis, u64)> {
    let g = c
        .chain
        .clone()
        .get_genesis(pb::GetGenesisRequest {})
        .await?
        .into_inner();
    let genesis = Genesis::from_json(&g.json).map_err(|e| anyhow::anyhow!(e))?;
    let head = c.status().await?.height;
    let target = match height {
        Some(h) if h > head => anyhow::bail!("the node is at height {head}, below {h}"),
        Some(h) => h,
        None => head,
    };
    Ok((g.json, genesis, target))
}

/// Every block from height 1 with its transactions, as an auditor reads them.
async fn block_stream(
    c: &Client,
    auditor: &Keypair,
) -> anyhow::Result<tonic::Streaming<pb::Block>> {
    let req = pb::StreamBlocksRequest {
        from_height: 1,
        auth: Some(c.read_auth(auditor, &Address::ZERO)),
    };
    Ok(c.chain.clone().stream_blocks(req).await?.into_inner())
}

/// The stream's next block, which must be at `height`, with its
/// transaction count as the node states it.
async fn next_block(
    stream: &mut tonic::Streaming<pb::Block>,
    height: u64,
) -> anyhow::Result<(RawBlock, u64)> {
    let b = stream
        .message()
        .await?
        .ok_or_else(|| anyhow::anyhow!("the node ended the block stream at {}", height - 1))?;
    let stated = b.header.as_ref().map_or(0, |h| h.height);
    if stated != height {
        anyhow::bail!("the node sent block {stated} where block {height} was due");
    }
    if b.raw.is_empty() {
        anyhow::bail!("block {height}: the node sent no block bytes{NODE_HINT}");
    }
    Ok((
        RawBlock {
            block: b.raw,
            certificate: b.raw_certificate,
        },
        u64::from(b.tx_count),
    ))
}
