//! Block sync and block fetch over request-response: a node asks one peer
//! for committed blocks with their certificates from its own height on, or
//! for the whole block of a proposal whose transactions it does not all hold
//! (proposals travel as hashes, see [`super::NetMessage::Proposal`]).

use borsh::{BorshDeserialize, BorshSerialize};
use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response;
use yui_consensus::CommitCertificate;
use yui_ledger::{Block, Hash};

use crate::chain::Shared;

/// Largest sync request and response. A response carries at least one
/// block whole, so it holds the largest block the ledger allows: every
/// transaction at its size bound, with its header and a full set's
/// certificate.
pub const SYNC_REQUEST_BYTES_MAX: usize = 64;
pub const SYNC_RESPONSE_BYTES_MAX: usize = 24 * 1024 * 1024;
/// What a sync response holds beside its transactions, at most: the
/// block's header (its chain id at most 64 bytes), a certificate of
/// `VALIDATORS_MAX` signatures, and the framing.
const SYNC_RESPONSE_OVERHEAD_MAX: usize = 1024 * 1024;
const _: () = assert!(
    SYNC_RESPONSE_BYTES_MAX
        >= yui_ledger::limits::BLOCK_TXS_MAX * yui_ledger::limits::TX_BYTES_MAX
            + SYNC_RESPONSE_OVERHEAD_MAX
);
/// Most blocks in one sync response.
pub const SYNC_BLOCKS_MAX: u32 = 64;

#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub enum SyncRequest {
    /// Committed blocks from `from_height`, at most `max`.
    Blocks { from_height: u64, max: u32 },
    /// The block a proposal at `height` names, committed or still pending.
    Proposed { height: u64, hash: Hash },
}

#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub enum SyncResponse {
    Blocks {
        /// The responder's committed height.
        head: u64,
        /// Consecutive blocks from the requested height, with certificates.
        blocks: Vec<(Block, CommitCertificate)>,
    },
    /// The proposed block, if the responder has it.
    Proposed(Option<Box<Block>>),
}

/// Length-prefixed borsh frames with a size bound, for block sync.
#[derive(Clone, Default)]
pub struct SyncCodec;

async fn read_frame<T: futures::AsyncRead + Unpin + Send>(
    io: &mut T,
    max: usize,
) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds {max}"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_frame<T: futures::AsyncWrite + Unpin + Send>(
    io: &mut T,
    bytes: &[u8],
) -> std::io::Result<()> {
    io.write_all(&(bytes.len() as u32).to_be_bytes()).await?;
    io.write_all(bytes).await?;
    io.close().await
}

fn decode<T: BorshDeserialize>(b: &[u8]) -> std::io::Result<T> {
    borsh::from_slice(b).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = SyncRequest;
    type Response = SyncResponse;

    async fn read_request<T: futures::AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<SyncRequest> {
        decode(&read_frame(io, SYNC_REQUEST_BYTES_MAX).await?)
    }

    async fn read_response<T: futures::AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<SyncResponse> {
        decode(&read_frame(io, SYNC_RESPONSE_BYTES_MAX).await?)
    }

    async fn write_request<T: futures::AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        r: SyncRequest,
    ) -> std::io::Result<()> {
        write_frame(io, &borsh::to_vec(&r)?).await
    }

    async fn write_response<T: futures::AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        r: SyncResponse,
    ) -> std::io::Result<()> {
        write_frame(io, &borsh::to_vec(&r)?).await
    }
}

/// Answers a sync request from what this node has stored.
pub fn serve(shared: &Shared, req: &SyncRequest) -> SyncResponse {
    match req {
        SyncRequest::Blocks { from_height, max } => serve_blocks(shared, *from_height, *max),
        SyncRequest::Proposed { height, hash } => {
            let pending = shared.store.pending_block(*height, hash).ok().flatten();
            let block = pending.or_else(|| {
                shared
                    .store
                    .block(*height)
                    .ok()
                    .flatten()
                    .filter(|b| b.hash() == *hash)
            });
            SyncResponse::Proposed(block.map(Box::new))
        }
    }
}

/// Committed blocks from `from_height`, bounded in count and bytes.
fn serve_blocks(shared: &Shared, from_height: u64, max: u32) -> SyncResponse {
    let head = shared.head().height;
    let mut blocks = Vec::new();
    let mut bytes = 0usize;
    let max = max.min(SYNC_BLOCKS_MAX) as u64;
    for h in from_height..=head.min(from_height.saturating_add(max).saturating_sub(1)) {
        let (Ok(Some(b)), Ok(Some(c))) = (shared.store.block(h), shared.store.certificate(h))
        else {
            break;
        };
        bytes += b.to_bytes().len() + 64 * c.signatures.len() + 64;
        if bytes > SYNC_RESPONSE_BYTES_MAX / 2 && !blocks.is_empty() {
            break;
        }
        blocks.push((b, c));
    }
    SyncResponse::Blocks { head, blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::request_response::Codec;
    use yui_consensus::types::CommitSignature;
    use yui_ledger::limits::{BLOCK_TXS_MAX, ID_LEN_MAX, TX_BYTES_MAX};
    use yui_ledger::{Address, BlockHeader, Expiry, Operation, SignedTransaction, Transaction};

    /// A transaction whose encoding is exactly `TX_BYTES_MAX` bytes.
    fn largest_tx(chain_id: &str) -> SignedTransaction {
        let mut stx = SignedTransaction {
            tx: Transaction {
                chain_id: chain_id.into(),
                signer: Address([7; 32]),
                nonce: 1,
                expiry: Expiry::Height(9),
                op: Operation::CallContract {
                    contract_id: "c".into(),
                    method: "m".into(),
                    args: Vec::new(),
                    fuel_limit: 1,
                    attach: Vec::new(),
                },
            },
            signature: [1; 64],
        };
        let pad = TX_BYTES_MAX - stx.to_bytes().len();
        if let Operation::CallContract { args, .. } = &mut stx.tx.op {
            args.resize(pad, 0xAB);
        }
        assert_eq!(stx.to_bytes().len(), TX_BYTES_MAX);
        stx
    }

    #[test]
    fn the_largest_block_the_ledger_allows_crosses_a_sync_response() {
        let chain_id = "y".repeat(ID_LEN_MAX);
        let block = Block {
            header: BlockHeader {
                chain_id: chain_id.clone(),
                height: 5,
                time_ms: 1,
                prev_hash: [0; 32],
                tx_root: [0; 32],
                receipts_root: [0; 32],
                state_root: [0; 32],
                proposer: Address([2; 32]),
                validators_hash: [0; 32],
            },
            txs: vec![largest_tx(&chain_id); BLOCK_TXS_MAX],
        };
        let cert = CommitCertificate {
            height: 5,
            round: 0,
            block_hash: block.hash(),
            signatures: (0..yui_ledger::limits::VALIDATORS_MAX as u32)
                .map(|validator| CommitSignature {
                    validator,
                    signature: [3; 64],
                })
                .collect(),
        };
        let response = SyncResponse::Blocks {
            head: 5,
            blocks: vec![(block, cert)],
        };
        let protocol = StreamProtocol::new("/yui/sync/test");
        let mut wire = futures::io::Cursor::new(Vec::new());
        futures::executor::block_on(SyncCodec.write_response(&protocol, &mut wire, response))
            .expect("written");
        let bytes = wire.into_inner();
        // Over twice the 8 MiB this bound was before blocks of 4,000.
        assert!(bytes.len() > 16 * 1024 * 1024, "{}", bytes.len());
        let back = futures::executor::block_on(
            SyncCodec.read_response(&protocol, &mut futures::io::Cursor::new(bytes)),
        )
        .expect("a response within the bound");
        let SyncResponse::Blocks { blocks, .. } = back else {
            unreachable!("a blocks response decodes as one");
        };
        assert_eq!(blocks[0].0.txs.len(), BLOCK_TXS_MAX);
        assert_eq!(blocks[0].1.signatures.len(), 100);
    }
}
