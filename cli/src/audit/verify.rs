//! The one verification loop every source of blocks feeds (a node's block
//! stream, an archive file): a pipeline of two stages.
//!
//! 1. **Prepare** (a thread of its own): takes the source's raw bytes a
//!    chunk of blocks at a time, decodes each block and certificate,
//!    computes each transaction's hash and signing bytes once, and verifies
//!    the chunk's transaction and certificate signatures in batches on every
//!    core ([`yui_consensus::signature::verify_batch_parallel`], ADR 0006: a
//!    batch's verdict is always single verification's); certificates against
//!    the validator set execution found last (`certs`).
//! 2. **Execute** (the calling thread), block after block while the next
//!    chunk is prepared: height, chain, previous hash, time, the certificate
//!    against the validator set of the replayed state, the transaction root,
//!    then execution from the replayed state and the receipts root.
//! 3. **Commit** (a thread of its own), a few blocks behind execution: the
//!    state tree after each block (a [`ReplayTree`], which keeps only the
//!    newest version) and its root against the header's state root.
//!    Execution needs the state, never the tree, so it does not wait; a
//!    block whose state root differs is always older than any block
//!    execution refused since, so it is the error reported.
//!
//! A transaction whose signature verified is executed with
//! `signature_checked`; one whose signature did not is executed exactly as
//! [`yui_ledger::execute_block`] would, verifying it again on its own, so
//! it refuses the block with the same error as before.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use yui_consensus::CommitCertificate;
use yui_consensus::signature;
use yui_ledger::block::tx_root_of;
use yui_ledger::commitment::ReplayTree;
use yui_ledger::exec::{BlockExecutor, receipts_root};
use yui_ledger::{Block, Ctx, Genesis, Hash, MemState, WriteSet};

use super::certs::{SharedSet, Validators, holds_quorum, vote_sign_bytes};
use super::observe::{BlockObserver, ObservedBlock};
use super::report::{Report, Tally};

/// One block as a node serves it: the block's canonical bytes and its
/// certificate's, unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBlock {
    pub block: Vec<u8>,
    pub certificate: Vec<u8>,
}

/// How far a replay is, after each block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Blocks replayed (the height reached).
    pub blocks: u64,
    /// Blocks the replay will check in all.
    pub total_blocks: u64,
    /// Transactions replayed.
    pub transactions: u64,
}

/// Signatures verified together before their blocks run, in the first chunk:
/// enough for a batch on each core to pay, few enough that execution starts
/// soon. Each chunk after it is twice as large, up to [`CHUNK_SIGNATURES_MAX`].
const CHUNK_SIGNATURES_FIRST: usize = 4_096;
/// The largest chunk (a batch of half of it on each of two cores). A batch
/// coalesces the signatures of one key into one point (ed25519-zebra): in a
/// chunk this size a town's residents sign several times each, so the batch
/// decompresses and multiplies a third fewer points per signature than in
/// chunks of 4,096 (`yui-bench verify`: 16.6 µs per signature in batches of
/// 2,048 by 12,400 keys, 11.7 µs in batches of 32,768). With the AVX-512
/// IFMA backend the multiplication is cheap and decompressing each batch's
/// keys is a larger share: batches of 65,536 took the million-transaction
/// replay from 37.1 to 35.4 s of CPU, for about 140 MiB more memory.
const CHUNK_SIGNATURES_MAX: usize = 131_072;
/// Blocks prepared together at most (chains of mostly empty blocks).
const CHUNK_BLOCKS: usize = 4_096;
/// Prepared chunks waiting for execution.
const CHUNKS_AHEAD: usize = 2;
/// Executed blocks waiting for their state root.
const COMMITS_AHEAD: usize = 64;

/// A block decoded, hashed and with its signatures checked, ready to run.
struct Prepared {
    height: u64,
    block: Block,
    block_hash: Hash,
    certificate: CommitCertificate,
    /// Each transaction's hash, computed once (root and receipts).
    tx_hashes: Vec<Hash>,
    /// Whether each transaction's signature verified in the batch.
    signature_ok: Vec<bool>,
    /// The hash of the validator set every certificate signature verified
    /// against in the batch, if they all did.
    certificate_checked: Option<Hash>,
}

/// Replays blocks 1 to `total` from `source` on top of `genesis` and checks
/// everything (module docs). `source` must yield those blocks in order; it
/// yields an error (which the replay reports after the blocks before it)
/// when it cannot. `hint` is appended to a block that cannot be decoded.
pub fn verify_chain(
    genesis: &Genesis,
    total: u64,
    source: impl Iterator<Item = anyhow::Result<RawBlock>> + Send,
    hint: &str,
    progress: impl FnMut(&Progress),
) -> anyhow::Result<Report> {
    verify_chain_with(genesis, total, source, hint, progress, ()).map(|(r, _)| r)
}

/// [`verify_chain`], feeding every executed block to `observer` (the
/// report's flows, the export); returns it with the report. An error of the
/// observer's stops the replay.
pub fn verify_chain_with<O: BlockObserver>(
    genesis: &Genesis,
    total: u64,
    source: impl Iterator<Item = anyhow::Result<RawBlock>> + Send,
    hint: &str,
    mut progress: impl FnMut(&Progress),
    observer: O,
) -> anyhow::Result<(Report, O)> {
    let shared = SharedSet::default();
    let (mut replay, mut tree) = Replayer::new(genesis, shared.clone(), observer)?;
    let stop = AtomicBool::new(false);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel(CHUNKS_AHEAD);
        let stop = &stop;
        std::thread::Builder::new()
            .name("yui-replay-prepare".into())
            .spawn_scoped(scope, move || {
                let (chain_id, known) = (&genesis.chain_id, &shared);
                prepare(source, total, hint, (chain_id, known), threads, stop, tx);
            })?;
        let (to_commit, commits) = mpsc::sync_channel::<Executed>(COMMITS_AHEAD);
        let committing = std::thread::Builder::new()
            .name("yui-replay-commit".into())
            .spawn_scoped(scope, move || commit(&mut tree, commits))?;
        // Whatever happens below, the preparing thread stops at its next block.
        struct StopOnDrop<'a>(&'a AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let _stop = StopOnDrop(stop);
        let mut done = Progress {
            total_blocks: total,
            ..Progress::default()
        };
        let executed = (|| -> anyhow::Result<()> {
            for chunk in rx {
                for block in chunk {
                    let block = block?;
                    done.transactions += block.block.txs.len() as u64;
                    let out = replay.apply(block)?;
                    // A closed channel: the commit stage failed; its error
                    // is the one to report.
                    if to_commit.send(out).is_err() {
                        return Ok(());
                    }
                    done.blocks = replay.height;
                    progress(&done);
                }
            }
            Ok(())
        })();
        drop(to_commit);
        let committed = committing
            .join()
            .map_err(|_| anyhow::anyhow!("the state tree's thread failed"))?;
        let root = committed?;
        executed?;
        if replay.height < total {
            anyhow::bail!("the blocks ended after block {} of {total}", replay.height);
        }
        replay.finish(root)
    })
}

/// A block executed, for the commit stage.
struct Executed {
    height: u64,
    writes: WriteSet,
    state_root: Hash,
}

/// The commit stage: each executed block's writes into the tree, and its
/// root against the header's. Returns the last root (genesis's if none).
fn commit(tree: &mut ReplayTree, blocks: mpsc::Receiver<Executed>) -> anyhow::Result<Hash> {
    let mut last = tree.root();
    for b in blocks {
        let root = tree.update(&b.writes);
        if root != b.state_root {
            anyhow::bail!(
                "block {}: state root {} differs from the replay's {}",
                b.height,
                hex::encode(b.state_root),
                hex::encode(root)
            );
        }
        last = root;
    }
    Ok(last)
}

/// The preparing stage: reads the source until `total` blocks, an error, or
/// `stop`, and sends the blocks a chunk at a time.
fn prepare(
    mut source: impl Iterator<Item = anyhow::Result<RawBlock>>,
    total: u64,
    hint: &str,
    (chain_id, known): (&str, &SharedSet),
    threads: usize,
    stop: &AtomicBool,
    tx: mpsc::SyncSender<Vec<anyhow::Result<Prepared>>>,
) {
    let mut height = 0;
    let mut failed = false;
    let mut chunk_signatures = CHUNK_SIGNATURES_FIRST;
    while height < total && !failed {
        let mut chunk = Vec::new();
        let mut signatures = 0;
        while height < total
            && !failed
            && chunk.len() < CHUNK_BLOCKS
            && signatures < chunk_signatures
        {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            height += 1;
            let item = match source.next() {
                Some(Ok(raw)) => decode(height, &raw, hint),
                Some(Err(e)) => Err(e),
                None => Err(anyhow::anyhow!(
                    "the blocks ended after block {} of {total}",
                    height - 1
                )),
            };
            match &item {
                Ok(p) => signatures += p.block.txs.len(),
                Err(_) => failed = true,
            }
            chunk.push(item);
        }
        check_signatures(&mut chunk, chain_id, known, threads);
        chunk_signatures = (chunk_signatures * 2).min(CHUNK_SIGNATURES_MAX);
        if tx.send(chunk).is_err() {
            return;
        }
    }
}

/// Decodes a block and its certificate and hashes its transactions.
fn decode(height: u64, raw: &RawBlock, hint: &str) -> anyhow::Result<Prepared> {
    let block =
        Block::from_bytes(&raw.block).map_err(|e| anyhow::anyhow!("block {height}: {e}{hint}"))?;
    let certificate: CommitCertificate = borsh::from_slice(&raw.certificate)
        .map_err(|e| anyhow::anyhow!("block {height}: malformed certificate: {e}"))?;
    let tx_hashes = block.txs.iter().map(|t| t.hash()).collect();
    Ok(Prepared {
        height,
        block_hash: block.hash(),
        block,
        certificate,
        tx_hashes,
        signature_ok: Vec::new(),
        certificate_checked: None,
    })
}

/// Verifies every transaction signature of a chunk's blocks, and every
/// certificate signature against the set execution found last, in batches
/// over `threads` threads; records each verdict in its block.
fn check_signatures(
    chunk: &mut [anyhow::Result<Prepared>],
    chain_id: &str,
    known: &SharedSet,
    threads: usize,
) {
    let set = known.get();
    let sign_bytes: Vec<Vec<u8>> = chunk
        .iter()
        .flatten()
        .flat_map(|p| p.block.txs.iter().map(|t| t.tx.sign_bytes()))
        .collect();
    let vote_bytes: Vec<Vec<u8>> = chunk
        .iter()
        .flatten()
        .map(|p| vote_sign_bytes(chain_id, &p.certificate))
        .collect();
    let mut items: Vec<signature::Item<'_>> = chunk
        .iter()
        .flatten()
        .flat_map(|p| &p.block.txs)
        .zip(&sign_bytes)
        .map(|(t, msg)| (&t.tx.signer.0, msg.as_slice(), &t.signature))
        .collect();
    let tx_items = items.len();
    // Per block: how many certificate items it has, or None if a signer is
    // not in the set (execution then verifies the certificate itself).
    let mut cert_items: Vec<Option<usize>> = Vec::new();
    for (p, msg) in chunk.iter().flatten().zip(&vote_bytes) {
        let keys: Option<Vec<&[u8; 32]>> = set.as_ref().and_then(|known| {
            p.certificate
                .signatures
                .iter()
                .map(|s| known.0.get(s.validator).map(|v| &v.public_key))
                .collect()
        });
        cert_items.push(keys.as_ref().map(Vec::len));
        for (key, s) in keys.into_iter().flatten().zip(&p.certificate.signatures) {
            items.push((key, msg.as_slice(), &s.signature));
        }
    }
    let verdicts: Vec<bool> = signature::verify_batch_parallel(&items, threads)
        .iter()
        .map(Result::is_ok)
        .collect();
    let (tx_verdicts, mut cert_verdicts) = verdicts.split_at(tx_items.min(verdicts.len()));
    let mut tx_verdicts = tx_verdicts.iter();
    for (p, n) in chunk.iter_mut().flatten().zip(cert_items) {
        p.signature_ok = tx_verdicts
            .by_ref()
            .take(p.block.txs.len())
            .copied()
            .collect();
        if let (Some(n), Some(known)) = (n, &set) {
            let (mine, rest) = cert_verdicts.split_at(n.min(cert_verdicts.len()));
            cert_verdicts = rest;
            if mine.len() == n && mine.iter().all(|ok| *ok) {
                p.certificate_checked = Some(known.1);
            }
        }
    }
}

/// The replayed chain: the state after the last block executed.
struct Replayer<O> {
    chain_id: String,
    state: MemState,
    validators: Validators,
    height: u64,
    prev_hash: Hash,
    prev_time: u64,
    tally: Tally,
    observer: O,
}

impl<O: BlockObserver> Replayer<O> {
    /// The chain at genesis, and its state tree.
    fn new(
        genesis: &Genesis,
        shared: SharedSet,
        observer: O,
    ) -> anyhow::Result<(Self, ReplayTree)> {
        let mut state = MemState::default();
        let mut tree = ReplayTree::default();
        let writes = genesis.state_writes(&state);
        state.apply(&writes);
        tree.update(&writes);
        let mut tally = Tally::default();
        tally.report.chain_id = genesis.chain_id.clone();
        let mut validators = Validators::new(shared);
        // The first set, for the first blocks' certificates (an error here is
        // the first block's to report).
        let _ = validators.current(&state);
        let replay = Self {
            chain_id: genesis.chain_id.clone(),
            state,
            validators,
            height: 0,
            prev_hash: genesis.hash(),
            prev_time: genesis.genesis_time_ms,
            tally,
            observer,
        };
        Ok((replay, tree))
    }

    /// Checks and executes the next block; its state root is for the
    /// commit stage to check.
    fn apply(&mut self, p: Prepared) -> anyhow::Result<Executed> {
        let height = p.height;
        let (block, cert) = (&p.block, &p.certificate);
        let h = &block.header;
        let fail = |what: &str| anyhow::anyhow!("block {height}: {what}");
        if height != self.height + 1 || h.height != height || h.chain_id != self.chain_id {
            return Err(fail("wrong height or chain"));
        }
        if h.prev_hash != self.prev_hash {
            return Err(fail("does not extend the previous block"));
        }
        if h.time_ms <= self.prev_time {
            return Err(fail("time does not increase"));
        }
        if cert.block_hash != p.block_hash || cert.height != height {
            return Err(fail("certificate names another block"));
        }
        // The state after the previous block names the set that decides this
        // one; governance may have changed it.
        let known = self.validators.current(&self.state).map_err(|e| fail(&e))?;
        let (vs, vs_hash) = (&known.0, known.1);
        if vs_hash != h.validators_hash {
            return Err(fail("header names another validator set than the chain's"));
        }
        // Every signature verified in the batch against this very set, and
        // the signers make a quorum of it: `verify` would accept. Anything
        // else, `verify` decides (and words the refusal).
        if !(p.certificate_checked == Some(vs_hash) && holds_quorum(cert, vs)) {
            cert.verify(&self.chain_id, vs)
                .map_err(|e| fail(&format!("certificate: {e}")))?;
        }
        if tx_root_of(&p.tx_hashes) != h.tx_root {
            return Err(fail("transaction root mismatch"));
        }
        let ctx = Ctx {
            chain_id: self.chain_id.clone(),
            height,
            time_ms: h.time_ms,
        };
        // `execute_block`, with each signature the batch verified marked
        // checked: a refusal is the same `(index, error)`.
        let tx_fail = |i: usize, e: yui_ledger::TxError| fail(&format!("transaction {i}: {e}"));
        let mut ex = BlockExecutor::begin(&self.state, ctx).map_err(|e| tx_fail(0, e))?;
        let checked = p.signature_ok.iter().chain(std::iter::repeat(&false));
        for (i, ((tx, hash), ok)) in block.txs.iter().zip(&p.tx_hashes).zip(checked).enumerate() {
            ex.push_hashed(tx, *hash, *ok).map_err(|e| tx_fail(i, e))?;
        }
        let out = ex.finish();
        if receipts_root(&out.receipts, &out.begin_events) != h.receipts_root {
            return Err(fail("receipts differ from the replay"));
        }
        self.state.apply(&out.writes);
        self.tally
            .block(block.txs.len(), cert.signatures.len(), &out);
        self.observer.on_block(&ObservedBlock {
            block,
            block_hash: &p.block_hash,
            tx_hashes: &p.tx_hashes,
            certificate: cert,
            outcome: &out,
            state: &self.state,
        })?;
        self.height = height;
        self.prev_hash = p.block_hash;
        self.prev_time = h.time_ms;
        Ok(Executed {
            height,
            writes: out.writes,
            state_root: h.state_root,
        })
    }

    /// The report, with the root the commit stage reached last.
    fn finish(self, root: Hash) -> anyhow::Result<(Report, O)> {
        let mut report = self.tally.finish(self.height, &self.state)?;
        report.final_state_root = hex::encode(root);
        Ok((report, self.observer))
    }
}
