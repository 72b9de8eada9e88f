//! The replay on chains built in memory: an archive replays like the blocks
//! themselves; damaged archives and bad blocks are refused with an error
//! naming the block; a certified block with a bad signature is refused by the
//! batched path exactly as `execute_block` refuses it.
#![allow(clippy::unwrap_used, clippy::panic)]

use yui_consensus::{CommitCertificate, Validator, ValidatorSet, Vote, VoteKind};
use yui_ledger::block::tx_root;
use yui_ledger::commitment::{self, MemTree};
use yui_ledger::exec::receipts_root;
use yui_ledger::town::Town;
use yui_ledger::{
    Block, BlockHeader, Ctx, Expiry, Genesis, Hash, Keypair, MemState, Operation,
    SignedTransaction, Transaction, execute_block,
};

use super::*;

const CHAIN: &str = "yui-audit-test";
/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;

fn key(name: &str) -> Keypair {
    Town::test_key(name)
}

/// A one-validator chain (the city) whose blocks are executed, certified
/// and kept as the node would serve their bytes.
struct TestChain {
    genesis: Genesis,
    blocks: Vec<RawBlock>,
    state: MemState,
    tree: MemTree,
    prev_hash: Hash,
    nonce: u64,
    root: Hash,
}

/// The test town's genesis with the city hall as its one validator, its
/// state and its tree at height 0, and the state root: where the replay's
/// and the export's test chains start.
pub(crate) fn one_validator_town(chain: &str, t0: u64) -> (Genesis, MemState, MemTree, Hash) {
    let genesis = Town::new().with_members(&["city"]).genesis(
        |n| Town::test_key(n).address(),
        &[("city", key("city").address())],
        chain,
        t0,
    );
    genesis.validate().unwrap();
    let mut state = MemState::default();
    let mut tree = MemTree::default();
    let writes = genesis.state_writes(&state);
    state.apply(&writes);
    let (root, batch) = commitment::update(&tree, &writes, 0).unwrap();
    tree.apply(&batch);
    (genesis, state, tree, root)
}

impl TestChain {
    fn new() -> Self {
        let (genesis, state, tree, root) = one_validator_town(CHAIN, T0);
        Self {
            prev_hash: genesis.hash(),
            genesis,
            blocks: Vec::new(),
            state,
            tree,
            nonce: 0,
            root,
        }
    }

    fn height(&self) -> u64 {
        self.blocks.len() as u64
    }

    fn ctx(&self) -> Ctx {
        let height = self.height() + 1;
        Ctx {
            chain_id: CHAIN.into(),
            height,
            time_ms: T0 + height * 1_000,
        }
    }

    /// The city's next charge to hana.
    fn charge(&mut self, amount: u64) -> SignedTransaction {
        let op = Operation::Charge {
            to: key("hana").address(),
            asset: "coin".into(),
            amount,
            deposit_ref: format!("dep-{}", self.nonce),
            campaign: None,
        };
        self.nonce += 1;
        Transaction {
            chain_id: CHAIN.into(),
            signer: key("city").address(),
            nonce: self.nonce - 1,
            expiry: Expiry::Height(1_000_000),
            op,
        }
        .sign(&key("city"))
    }

    /// Executes and certifies a block of `txs`.
    fn push(&mut self, txs: Vec<SignedTransaction>) {
        let ctx = self.ctx();
        let out = execute_block(&self.state, ctx, &txs).unwrap();
        let (root, batch) = commitment::update(&self.tree, &out.writes, self.height() + 1).unwrap();
        let receipts = receipts_root(&out.receipts, &out.begin_events);
        self.certify(txs, receipts, root);
        self.state.apply(&out.writes);
        self.tree.apply(&batch);
        self.root = root;
    }

    /// Certifies a block of `txs` with the given roots, executed or not.
    fn certify(&mut self, txs: Vec<SignedTransaction>, receipts_root: Hash, state_root: Hash) {
        let ctx = self.ctx();
        let city = key("city");
        let set = ValidatorSet::new(vec![Validator {
            public_key: city.address().0,
            power: 1,
        }])
        .unwrap();
        let block = Block {
            header: BlockHeader {
                chain_id: CHAIN.into(),
                height: ctx.height,
                time_ms: ctx.time_ms,
                prev_hash: self.prev_hash,
                tx_root: tx_root(&txs),
                receipts_root,
                state_root,
                proposer: city.address(),
                validators_hash: set.hash(),
            },
            txs,
        };
        let hash = block.hash();
        let vote = Vote::sign(
            city.signing_key(),
            CHAIN,
            0,
            VoteKind::Precommit,
            ctx.height,
            0,
            Some(hash),
        );
        let cert = CommitCertificate::from_precommits(ctx.height, 0, hash, &[vote]);
        self.blocks.push(RawBlock {
            block: block.to_bytes(),
            certificate: borsh::to_vec(&cert).unwrap(),
        });
        self.prev_hash = hash;
    }

    fn archive(&self) -> Vec<u8> {
        let header = ArchiveHeader {
            chain_id: CHAIN.into(),
            genesis_json: self.genesis.to_json(),
            blocks: self.height(),
        };
        let mut w = ArchiveWriter::new(Vec::new(), &header).unwrap();
        for b in &self.blocks {
            w.push(b).unwrap();
        }
        w.finish().unwrap()
    }

    fn replay(&self) -> anyhow::Result<Report> {
        let blocks = self.blocks.iter().cloned().map(Ok);
        verify_chain(&self.genesis, self.height(), blocks, "", |_| {})
    }
}

fn replay_bytes(bytes: &[u8]) -> anyhow::Result<Report> {
    let reader = ArchiveReader::new(bytes)?;
    let genesis = Genesis::from_json(&reader.header().genesis_json).map_err(anyhow::Error::msg)?;
    let total = reader.header().blocks;
    verify_chain(&genesis, total, reader, "", |_| {})
}

/// Three blocks: a charge, 100 charges (more than one batch's worth per
/// thread), an empty block.
fn small_chain() -> TestChain {
    let mut c = TestChain::new();
    let tx = c.charge(10_000);
    c.push(vec![tx]);
    let txs = (0..100).map(|i| c.charge(1 + i)).collect();
    c.push(txs);
    c.push(vec![]);
    c
}

/// Where each record of `archive` starts, and where its block's bytes do.
fn record_offsets(c: &TestChain, archive: &[u8]) -> Vec<(usize, usize)> {
    let total: usize = c
        .blocks
        .iter()
        .map(|b| 16 + b.block.len() + b.certificate.len())
        .sum();
    let mut at = archive.len() - total;
    c.blocks
        .iter()
        .map(|b| {
            let r = (at, at + 12);
            at += 16 + b.block.len() + b.certificate.len();
            r
        })
        .collect()
}

#[test]
fn an_archive_replays_like_its_blocks() {
    let mut c = small_chain();
    // Enough blocks for several prepared chunks.
    for _ in 0..300 {
        c.push(vec![]);
    }
    let tx = c.charge(7);
    c.push(vec![tx]);
    let direct = c.replay().unwrap();
    assert_eq!(direct.blocks, 304);
    assert_eq!(direct.final_height, 304);
    assert_eq!(direct.transactions, 102);
    assert_eq!(direct.failed_transactions, 0);
    assert_eq!(direct.certificate_signatures, 304);
    assert_eq!(direct.final_state_root, hex::encode(c.root));
    assert_eq!(
        direct.assets["coin"].minted,
        10_000 + (1..=100).sum::<u64>() + 7
    );
    let bytes = c.archive();
    assert_eq!(&bytes[..8], MAGIC);
    assert_eq!(replay_bytes(&bytes).unwrap(), direct);
}

#[test]
fn the_replay_reports_progress_in_order_with_transactions() {
    let c = small_chain();
    let mut seen = Vec::new();
    let blocks = c.blocks.iter().cloned().map(Ok);
    verify_chain(&c.genesis, 3, blocks, "", |p| seen.push(*p)).unwrap();
    let tx_counts: Vec<_> = seen.iter().map(|p| (p.blocks, p.transactions)).collect();
    assert_eq!(tx_counts, vec![(1, 1), (2, 101), (3, 101)]);
    assert!(seen.iter().all(|p| p.total_blocks == 3));
}

#[test]
fn a_truncated_archive_names_the_block_and_never_panics() {
    let c = small_chain();
    let bytes = c.archive();
    let offsets = record_offsets(&c, &bytes);
    // Every cut: the reader refuses it (and a replay, for a sample of them).
    for cut in 0..bytes.len() {
        let read =
            ArchiveReader::new(&bytes[..cut]).and_then(|r| r.collect::<anyhow::Result<Vec<_>>>());
        assert!(read.is_err(), "cut at {cut} read");
        if cut % 499 == 0 {
            assert!(
                replay_bytes(&bytes[..cut]).is_err(),
                "cut at {cut} replayed"
            );
        }
    }
    // Cut inside block 2's bytes.
    let e = replay_bytes(&bytes[..offsets[1].1 + 50])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("truncated at block 2 of 3") && e.contains("block bytes"),
        "{e}"
    );
    // Cut exactly after block 2.
    let e = replay_bytes(&bytes[..offsets[2].0])
        .unwrap_err()
        .to_string();
    assert_eq!(e, "the archive is truncated: it ends after block 2 of 3");
    // A byte too many.
    let mut long = bytes.clone();
    long.push(0);
    let e = replay_bytes(&long).unwrap_err().to_string();
    assert_eq!(e, "the archive has bytes after its last block 3");
    // Not an archive at all.
    let e = replay_bytes(b"YUIARCH0rest").unwrap_err().to_string();
    assert!(e.contains("not a Yui block archive"), "{e}");
}

#[test]
fn a_flipped_byte_in_an_archived_block_is_refused_naming_it() {
    let mut c = TestChain::new();
    let tx = c.charge(10_000);
    c.push(vec![tx]);
    let tx = c.charge(5);
    c.push(vec![tx]);
    c.push(vec![]);
    let bytes = c.archive();
    let offsets = record_offsets(&c, &bytes);
    let (start, end) = (offsets[1].0, offsets[2].0);
    for i in start..end {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x01;
        let e = match replay_bytes(&damaged) {
            Ok(_) => panic!("byte {} of record 2 flipped, accepted", i - start),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("block 2"), "byte {} of record 2: {e}", i - start);
    }
}

/// The error `execute_block` (which verifies each signature on its own)
/// gives the block of `txs` on top of `c`, as the replay words it.
fn old_verdict(c: &TestChain, txs: &[SignedTransaction]) -> String {
    let (i, e) = execute_block(&c.state, c.ctx(), txs).unwrap_err();
    format!("block {}: transaction {i}: {e}", c.height() + 1)
}

#[test]
fn a_certified_block_with_a_bad_signature_is_refused_as_execute_block_refuses_it() {
    type Spoil = fn(&mut SignedTransaction);
    let cases: [(&str, Spoil); 4] = [
        ("equation", |t| t.signature[0] ^= 0x01),
        // S ≥ ℓ: malformed, refused before any curve arithmetic.
        ("malformed", |t| t.signature[32..].fill(0xff)),
        ("other signer", |t| t.tx.signer = key("taro").address()),
        // A good signature over another chain's transaction: the chain
        // check comes first, in both paths.
        ("wrong chain", |t| {
            t.tx.chain_id = "elsewhere".into();
            *t = t.tx.clone().sign(&key("city"));
        }),
    ];
    for (what, spoil) in cases {
        let mut c = TestChain::new();
        let tx = c.charge(10_000);
        c.push(vec![tx]);
        // 80 good signatures around the bad one: batches on every thread.
        let mut txs: Vec<_> = (0..80).map(|i| c.charge(1 + i)).collect();
        spoil(&mut txs[57]);
        let expected = old_verdict(&c, &txs);
        assert!(expected.contains("transaction 57"), "{what}: {expected}");
        // The validators certified it anyway (roots as they claimed).
        c.certify(txs, [0; 32], [0; 32]);
        c.certify(vec![], [0; 32], [0; 32]);
        let e = c.replay().unwrap_err().to_string();
        assert_eq!(e, expected, "{what}");
        // From an archive too.
        let e = replay_bytes(&c.archive()).unwrap_err().to_string();
        assert_eq!(e, expected, "{what}");
    }
}

#[test]
fn a_block_the_certificate_does_not_name_is_refused() {
    let mut c = small_chain();
    // Block 2 swapped for block 3's bytes, with block 2's certificate.
    c.blocks[1].block = c.blocks[2].block.clone();
    let e = c.replay().unwrap_err().to_string();
    assert_eq!(e, "block 2: wrong height or chain");
    let mut c = small_chain();
    c.blocks[1].certificate = c.blocks[0].certificate.clone();
    let e = c.replay().unwrap_err().to_string();
    assert_eq!(e, "block 2: certificate names another block");
}

#[test]
fn a_source_that_ends_early_or_fails_is_reported_after_the_blocks_before_it() {
    let c = small_chain();
    let two = c.blocks[..2].iter().cloned().map(Ok);
    let e = verify_chain(&c.genesis, 3, two, "", |_| {}).unwrap_err();
    assert_eq!(e.to_string(), "the blocks ended after block 2 of 3");
    let mut done = 0;
    let failing = c.blocks[..1]
        .iter()
        .cloned()
        .map(Ok)
        .chain([Err(anyhow::anyhow!("the node went away"))]);
    let e = verify_chain(&c.genesis, 3, failing, "", |p| done = p.blocks).unwrap_err();
    assert_eq!(e.to_string(), "the node went away");
    assert_eq!(done, 1);
}

#[test]
fn an_archive_writer_keeps_to_its_header() {
    let header = ArchiveHeader {
        chain_id: CHAIN.into(),
        genesis_json: "{}".into(),
        blocks: 1,
    };
    let raw = RawBlock {
        block: vec![1],
        certificate: vec![2],
    };
    let w = ArchiveWriter::new(Vec::new(), &header).unwrap();
    assert!(w.finish().is_err());
    let mut w = ArchiveWriter::new(Vec::new(), &header).unwrap();
    w.push(&raw).unwrap();
    assert!(w.push(&raw).is_err());
    let bytes = w.finish().unwrap();
    let mut r = ArchiveReader::new(bytes.as_slice()).unwrap();
    assert_eq!(r.header(), &header);
    assert_eq!(r.next().unwrap().unwrap(), raw);
    assert!(r.next().is_none());
    // No block: nothing may follow the header either.
    let empty = ArchiveHeader {
        blocks: 0,
        ..header
    };
    let mut bytes = ArchiveWriter::new(Vec::new(), &empty)
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(ArchiveReader::new(bytes.as_slice()).unwrap().count(), 0);
    bytes.push(7);
    assert!(ArchiveReader::new(bytes.as_slice()).is_err());
}
