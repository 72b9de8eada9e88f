//! The corpora's seeds: valid inputs of every target, made from the town,
//! the golden vectors in `docs/vectors` and the built town contracts. The
//! program `yui-fuzz-seeds` writes them into `fuzz/corpus/<target>/`; the
//! fuzzer's findings join them there.

use std::path::Path;

use yui_consensus::{CommitCertificate, Message, Proposal, Vote, VoteKind};
use yui_ledger::auth::read_sign_bytes;
use yui_ledger::{Block, BlockHeader, SignedTransaction};

use crate::read_auth::ReadAuthInput;
use crate::world::{CHAIN_ID, T0, genesis, named, validator_keys};

/// One seed: its target, a file name and the bytes.
pub struct Seed {
    pub target: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
}

pub(crate) fn seed(target: &'static str, name: impl Into<String>, bytes: Vec<u8>) -> Seed {
    Seed {
        target,
        name: format!("seed-{}", name.into()),
        bytes,
    }
}

/// Every seed; `repo` is the repository's root (for the vectors and, with
/// `built_contracts`, the town contracts' `.wasm` that
/// `wasm-contracts/build.sh` writes, each skipped when absent).
pub fn seeds(repo: &Path, built_contracts: bool) -> Vec<Seed> {
    let mut out = Vec::new();
    let txs = vector_txs(repo);
    for (name, tx) in &txs {
        out.push(seed("signed_tx", name.clone(), tx.to_bytes()));
    }
    // A block of a few vector transactions, and one with none.
    let header = BlockHeader {
        chain_id: CHAIN_ID.into(),
        height: 1,
        time_ms: T0 + 1_000,
        prev_hash: genesis().hash(),
        tx_root: [0; 32],
        receipts_root: [0; 32],
        state_root: [0; 32],
        proposer: named("city").address(),
        validators_hash: [0; 32],
    };
    for (name, n) in [("empty", 0), ("three", 3)] {
        let mut block = Block {
            header: header.clone(),
            txs: txs.iter().take(n).map(|(_, t)| t.clone()).collect(),
        };
        block.header.tx_root = yui_ledger::block::tx_root(&block.txs);
        out.push(seed("block", name, block.to_bytes()));
    }
    out.push(seed(
        "block",
        "header",
        borsh::to_vec(&header).unwrap_or_default(),
    ));
    consensus_seeds(&mut out);
    out.push(seed(
        "consensus_core",
        "commit-restart",
        CORE_COMMIT.to_vec(),
    ));
    out.push(seed("consensus_net", "fair", crate::net_core::fair_seed()));
    read_auth_seeds(&mut out);
    contract_seeds(repo, built_contracts, &mut out);
    out.push(seed("genesis", "town", genesis().to_json().into_bytes()));
    let mut small = genesis();
    small.accounts.truncate(2);
    small.campaigns.clear();
    small.assets.truncate(1);
    out.push(seed("genesis", "small", small.to_json().into_bytes()));
    supply_seeds(&mut out);
    crate::node::seeds(&txs, &mut out);
    crate::stream::seeds(&txs, &mut out);
    out
}

/// The signed transactions of `docs/vectors/transactions.json`.
fn vector_txs(repo: &Path) -> Vec<(String, SignedTransaction)> {
    let Ok(text) = std::fs::read_to_string(repo.join("docs/vectors/transactions.json")) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str(&text) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|v| {
            let name = v["name"]
                .as_str()?
                .replace(|c: char| !c.is_alphanumeric(), "-");
            let bytes = hex::decode(v["signed_tx_borsh_hex"].as_str()?).ok()?;
            Some((name, SignedTransaction::from_bytes(&bytes).ok()?))
        })
        .collect()
}

fn consensus_seeds(out: &mut Vec<Seed>) {
    let keys = validator_keys();
    let hash = [5; 32];
    let mut msg = |name: &str, m: Message| {
        let mut b = vec![0];
        b.extend(borsh::to_vec(&m).unwrap_or_default());
        out.push(seed("consensus_msg", name, b));
    };
    msg(
        "proposal",
        Message::Proposal(Proposal::sign(&keys[1], CHAIN_ID, 1, 3, 0, hash, None)),
    );
    msg(
        "proposal-pol",
        Message::Proposal(Proposal::sign(&keys[2], CHAIN_ID, 2, 3, 2, hash, Some(1))),
    );
    msg(
        "prevote",
        Message::Vote(Vote::sign(
            &keys[0],
            CHAIN_ID,
            0,
            VoteKind::Prevote,
            3,
            0,
            Some(hash),
        )),
    );
    msg(
        "precommit-nil",
        Message::Vote(Vote::sign(
            &keys[3],
            CHAIN_ID,
            3,
            VoteKind::Precommit,
            3,
            1,
            None,
        )),
    );
    let votes: Vec<Vote> = (1..4u32)
        .map(|i| {
            Vote::sign(
                &keys[i as usize],
                CHAIN_ID,
                i,
                VoteKind::Precommit,
                3,
                0,
                Some(hash),
            )
        })
        .collect();
    let cert = CommitCertificate::from_precommits(3, 0, hash, &votes);
    let mut b = vec![1];
    b.extend(borsh::to_vec(&cert).unwrap_or_default());
    out.push(seed("consensus_msg", "certificate", b));
}

/// Validator 3 (power 4) at height 1: validator 1's proposal of block A,
/// prevotes from 1 and 2, a crash and restart, the proposal again,
/// precommits from 1 and 2
/// (with its own, power 9 of 10: a commit); then at height 2 a timeout, a
/// proposal of its own value and a forged vote. Byte by byte as
/// `core::run` reads them.
pub const CORE_COMMIT: [u8; 38] = [
    3, // this core is validator 3
    3, 0x84, 0, 200, // proposal from 1, round 0, block A, valid, no POL
    0, 0x84, 0, // prevote from 1
    0, 0x88, 0, // prevote from 2
    7, // crash and restart (received messages are lost)
    3, 0x84, 0, 200, // the proposal again
    1, 0x84, 0, // precommit from 1
    1, 0x88, 0, // precommit from 2
    5, 0x80, 0, // propose timeout at height 2
    6, 0x81, 0, // its own block B
    0, 0xac, 0, // a forged prevote from 3
    0, 0x44, 1, // a prevote from 1 at the next height
    7, 5, 0x80, 1, // a restart, then a precommit timeout
];

fn read_auth_seeds(out: &mut Vec<Seed>) {
    for (name, reader, subject, skew) in [
        ("own", "hana", "hana", 1_000),
        ("auditor", "auditor", "", 0),
        ("stale", "taro", "taro", 400_000),
    ] {
        let k = named(reader);
        let subject = if subject.is_empty() {
            yui_ledger::Address::ZERO
        } else {
            named(subject).address()
        };
        let time_ms = T0;
        let a = ReadAuthInput {
            chain_id: CHAIN_ID.into(),
            reader: k.address(),
            subject,
            time_ms,
            signature: k.sign(&read_sign_bytes(CHAIN_ID, &k.address(), &subject, time_ms)),
            now_ms: time_ms + skew,
        };
        out.push(seed(
            "read_auth",
            name,
            borsh::to_vec(&a).unwrap_or_default(),
        ));
    }
}

/// Hostile modules written as text: each must be refused or run out of fuel.
const HOSTILE: [(&str, &str); 5] = [
    (
        "loop",
        r#"(module (memory (export "memory") 1) (func (export "run") (loop (br 0))))"#,
    ),
    (
        "grow",
        r#"(module (memory (export "memory") 1 64)
            (func (export "run") (loop (drop (memory.grow (i32.const 1))) (br 0))))"#,
    ),
    (
        "recurse",
        r#"(module (memory (export "memory") 1) (func $f (export "run") (call $f)))"#,
    ),
    (
        "storage",
        r#"(module (import "yui" "storage_write" (func $w (param i32 i32 i32 i32)))
            (memory (export "memory") 1)
            (func (export "run") (local $i i32)
              (loop (call $w (local.get $i) (i32.const 8) (i32.const 0) (i32.const 100))
                (local.set $i (i32.add (local.get $i) (i32.const 1))) (br 0))))"#,
    ),
    (
        "oob-input",
        r#"(module (import "yui" "input_read" (func $r (param i32)))
            (memory (export "memory") 1)
            (func (export "run") (call $r (i32.const 65530))))"#,
    ),
];

fn contract_seeds(repo: &Path, built_contracts: bool, out: &mut Vec<Seed>) {
    let with = |flags: u8, input: &[u8], code: &[u8]| {
        let mut b = vec![flags];
        b.extend((input.len() as u16).to_le_bytes());
        b.extend(input);
        b.extend(code);
        b
    };
    for (name, text) in HOSTILE {
        if let Ok(code) = wat::parse_str(text) {
            out.push(seed("contract", name, with(6, b"12345678", &code)));
        }
    }
    if !built_contracts {
        return;
    }
    let dir = repo.join("wasm-contracts/contracts/target/wasm32v1-none/release");
    for name in ["civic_poll", "cleanup_day", "exchange", "voucher_sale"] {
        if let Ok(code) = std::fs::read(dir.join(format!("{name}.wasm"))) {
            let input = borsh::to_vec(&(1u64, "coin".to_string())).unwrap_or_default();
            out.push(seed("contract", name, with(2, &input, &code)));
        }
    }
}

fn supply_seeds(out: &mut Vec<Seed>) {
    // Byte by byte as `supply::run` reads them (people by their index in
    // the town: 5 the bakery, 6 the mall, 8 hana, 9 taro, 10 emma; assets:
    // 0 coin, 1 point, 2 voucher, 3 yui): charges and grants by the city;
    // a transfer, payments, a job posted, accepted, submitted and
    // approved; a refund, a redemption and a burn; then a month and half a
    // year later, past the points' and vouchers' expiries.
    let blocks: [&[&[u8]]; 5] = [
        &[
            &[0x80, 8, 0, 0xe8, 0x03, 1, 1],
            &[0x80, 9, 0, 0xe8, 0x03, 2, 0],
            &[0x81, 10, 1, 0x64, 0, 1],
            &[0x81, 8, 3, 0x64, 0, 1],
            &[0x80, 5, 0, 0x10, 0x27, 3, 1],
            &[0x81, 9, 2, 0x64, 0, 1],
        ],
        &[
            &[2, 8, 9, 0, 50, 0],
            &[4, 9, 5, 1, 100, 0, 0],
            &[4, 10, 6, 2, 10, 0, 1, 1],
            &[9, 8, 1, 0, 20, 0, 4],
            &[10, 9, 1],
            &[2, 8, 10, 3, 5, 0],
        ],
        &[
            &[11, 9, 1],
            &[12, 8, 1, 5],
            &[6, 5, 1, 30, 0],
            &[7, 5, 0, 100, 0, 1],
            &[8, 8, 0, 10, 0],
        ],
        &[&[2, 9, 8, 0, 1, 0]],
        &[&[8, 9, 0, 1, 0]],
    ];
    let mut b: Vec<u8> = Vec::new();
    for (ops, step) in blocks.iter().zip([0u8, 1, 3, 5, 7]) {
        b.extend([step, ops.len() as u8]);
        for op in *ops {
            b.extend(*op);
        }
    }
    out.push(seed("supply", "history", b));
    // A long pseudo-random history (a fixed linear congruential sequence).
    let mut x: u32 = 12_345;
    let bytes = (0..1_500)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect();
    out.push(seed("supply", "random", bytes));
}
