//! The canonical encoding of transactions and blocks, and the transaction root.

use yui_ledger::block::tx_root;
use yui_ledger::crypto::sha256;
use yui_ledger::{
    Address, Block, BlockHeader, ErrorKind, Expiry, Keypair, Operation, SignedTransaction,
    Transaction,
};

use crate::fixture::*;

fn golden_tx() -> SignedTransaction {
    let k = Keypair::from_seed([7; 32]);
    Transaction {
        chain_id: "yui-golden".into(),
        signer: k.address(),
        nonce: 3,
        expiry: Expiry::Time(1_767_225_600_000),
        op: Operation::Pay {
            merchant: Address([0x11; 32]),
            invoice_id: "inv-42".into(),
            amount: 1_500,
            assets: vec!["point".into(), "coin".into()],
        },
    }
    .sign(&k)
}

const GOLDEN_TX_HEX: &str = "0a0000007975692d676f6c64656eea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c03000000000000000100a8da769b01000003111111111111111111111111111111111111111111111111111111111111111106000000696e762d3432dc050000000000000200000005000000706f696e7404000000636f696e8832640c05344e3bbe9312b4aa1e834d88ff0a3fc5cd4a6e2398123fb091b9aa5daaf55d2b6779156144b7a8b968fb5ca57b191be4ffd23cc8e40358d16ef709";
const GOLDEN_TX_HASH: &str = "95994cfd8ad7e09ccfb7d2a2c4268882f2fbd81c0dd160b1edd5b5e475602c8a";

fn golden_grant() -> SignedTransaction {
    let k = Keypair::from_seed([8; 32]);
    Transaction {
        chain_id: "yui-golden".into(),
        signer: k.address(),
        nonce: 0,
        expiry: Expiry::Height(10),
        op: Operation::Grant {
            to: Address([0x22; 32]),
            asset: "point".into(),
            amount: 300,
            reason: "清掃ボランティア".into(),
            event_id: Some("cleanup-2026".into()),
        },
    }
    .sign(&k)
}

const GOLDEN_GRANT_HASH: &str = "a17e743c6aa26fe97e6ca5ff935098cb2e47f789551db0ff970fb3fb5373b4a0";

fn header() -> BlockHeader {
    BlockHeader {
        chain_id: "yui-golden".into(),
        height: 7,
        time_ms: 1_767_225_600_000,
        prev_hash: [1; 32],
        tx_root: [2; 32],
        receipts_root: [3; 32],
        state_root: [4; 32],
        proposer: Address([5; 32]),
        validators_hash: [6; 32],
    }
}

const GOLDEN_HEADER_HASH: &str = "1a03a6ca62e58086ad85c3c1db0e6c9879dd975256c6f952319ac2fd05102391";

fn every_operation() -> Vec<Operation> {
    let a = Address([9; 32]);
    vec![
        charge_op(a, 1, "d", Some(CAMPAIGN)),
        charge_op(a, u64::MAX, "d", None),
        grant_op(a, POINT, 5, "reason", Some("ev")),
        grant_op(a, POINT, 5, "", None),
        transfer_op(a, COIN, 7),
        pay_op(a, "inv", 9, &[]),
        pay_op(a, "inv", 9, &[VOUCHER, POINT, COIN]),
        refund_op("inv", 3),
        redeem_op(COIN, 10, "payout"),
        burn_op(COIN, 11),
    ]
}

#[test]
fn golden_transaction_bytes_and_hash() {
    let stx = golden_tx();
    assert_eq!(hex::encode(stx.to_bytes()), GOLDEN_TX_HEX);
    assert_eq!(hex::encode(stx.hash()), GOLDEN_TX_HASH);
    assert_eq!(stx.hash(), sha256(&stx.to_bytes()));
    assert_eq!(stx.check_stateless("yui-golden"), Ok(()));
    assert_eq!(hex::encode(golden_grant().hash()), GOLDEN_GRANT_HASH);
    assert_eq!(golden_grant().check_stateless("yui-golden"), Ok(()));
}

#[test]
fn golden_block_header_hash() {
    assert_eq!(hex::encode(header().hash()), GOLDEN_HEADER_HASH);
    let mut h = header();
    h.state_root[0] ^= 1;
    assert_ne!(h.hash(), header().hash());
}

#[test]
fn transactions_round_trip() {
    let c = Chain::new();
    let mut hashes = Vec::new();
    for (i, op) in every_operation().into_iter().enumerate() {
        for expiry in [Expiry::Height(i as u64), Expiry::Time(u64::MAX - i as u64)] {
            let mut tx = c.tx(&hana(), i as u64, op.clone());
            tx.expiry = expiry;
            let stx = tx.sign(&hana());
            let bytes = stx.to_bytes();
            let back = SignedTransaction::from_bytes(&bytes).unwrap();
            assert_eq!(back, stx);
            assert_eq!(back.to_bytes(), bytes);
            assert_eq!(back.check_stateless(CHAIN_ID), Ok(()));
            hashes.push(stx.hash());
        }
    }
    let n = hashes.len();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), n, "two different transactions share a hash");
}

#[test]
fn trailing_truncated_and_non_canonical_bytes_are_refused() {
    let c = Chain::new();
    let stx = c.sign(&hana(), charge_op(addr(&taro()), 5, "d", None));
    let bytes = stx.to_bytes();
    let malformed = |b: &[u8]| SignedTransaction::from_bytes(b).map_err(|e| e.kind()).err();

    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(malformed(&trailing), Some(ErrorKind::Malformed));
    for cut in [1, 32, 64, 65, bytes.len() - 1] {
        assert_eq!(
            malformed(&bytes[..bytes.len() - cut]),
            Some(ErrorKind::Malformed),
            "cut {cut}"
        );
    }
    // `campaign: None` is the byte before the signature: 2 is no Option tag.
    let opt = bytes.len() - 65;
    assert_eq!(bytes[opt], 0);
    let mut b = bytes.clone();
    b[opt] = 2;
    assert_eq!(malformed(&b), Some(ErrorKind::Malformed));
    // The chain id is not UTF-8.
    let mut b = bytes.clone();
    b[4] = 0xff;
    assert_eq!(malformed(&b), Some(ErrorKind::Malformed));
    // Unknown expiry and operation variants. Layout: chain id, signer, nonce,
    // expiry tag, expiry value, operation tag.
    let expiry_tag = 4 + CHAIN_ID.len() + 32 + 8;
    assert_eq!(bytes[expiry_tag], 0);
    assert_eq!(bytes[expiry_tag + 9], 0);
    let mut b = bytes.clone();
    b[expiry_tag] = 2;
    assert_eq!(malformed(&b), Some(ErrorKind::Malformed));
    let mut b = bytes.clone();
    b[expiry_tag + 9] = 7;
    assert_eq!(malformed(&b), Some(ErrorKind::Malformed));
    // A length prefix far beyond the input.
    let mut b = bytes.clone();
    b[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(malformed(&b), Some(ErrorKind::Malformed));
    // The original decodes.
    assert_eq!(malformed(&bytes), None);
}

#[test]
fn blocks_round_trip() {
    let c = Chain::new();
    let txs: Vec<SignedTransaction> = every_operation()
        .into_iter()
        .enumerate()
        .map(|(i, op)| c.tx(&hana(), i as u64, op).sign(&hana()))
        .collect();
    let mut h = header();
    h.tx_root = tx_root(&txs);
    let block = Block { header: h, txs };
    let bytes = block.to_bytes();
    let back = Block::from_bytes(&bytes).unwrap();
    assert_eq!(back, block);
    assert_eq!(back.hash(), block.hash());
    assert_eq!(back.hash(), block.header.hash());
    assert!(back.tx_root_matches());
    let mut other = back.clone();
    other.txs.swap(0, 1);
    assert!(!other.tx_root_matches());
    other.txs.swap(0, 1);
    other.txs.pop();
    assert!(!other.tx_root_matches());
    let mut trailing = bytes.clone();
    trailing.push(1);
    assert!(Block::from_bytes(&trailing).is_err());
    assert!(Block::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(Block::from_bytes(&[]).is_err());
    let empty = Block {
        header: header(),
        txs: vec![],
    };
    assert_eq!(Block::from_bytes(&empty.to_bytes()).unwrap(), empty);
}

#[test]
fn tx_root_of_zero_to_three_transactions() {
    let c = Chain::new();
    let txs: Vec<SignedTransaction> = (0..3)
        .map(|i| c.tx(&hana(), i, burn_op(COIN, 1 + i)).sign(&hana()))
        .collect();
    let leaf = |t: &SignedTransaction| {
        let mut b = vec![0u8];
        b.extend_from_slice(&t.hash());
        sha256(&b)
    };
    let node = |l: &[u8; 32], r: &[u8; 32]| {
        let mut b = vec![1u8];
        b.extend_from_slice(l);
        b.extend_from_slice(r);
        sha256(&b)
    };
    let roots: Vec<[u8; 32]> = (0..=3).map(|n| tx_root(&txs[..n])).collect();
    assert_eq!(roots[0], sha256(b""));
    assert_eq!(roots[1], leaf(&txs[0]));
    assert_eq!(roots[2], node(&leaf(&txs[0]), &leaf(&txs[1])));
    assert_eq!(
        roots[3],
        node(&node(&leaf(&txs[0]), &leaf(&txs[1])), &leaf(&txs[2]))
    );
    for i in 0..roots.len() {
        for j in i + 1..roots.len() {
            assert_ne!(
                roots[i], roots[j],
                "roots of {i} and {j} transactions are equal"
            );
        }
    }
    // Stable, and order matters.
    assert_eq!(
        (0..=3).map(|n| tx_root(&txs[..n])).collect::<Vec<_>>(),
        roots
    );
    assert_ne!(tx_root(&[txs[1].clone(), txs[0].clone()]), roots[2]);
    // A leaf is never mistaken for an inner node: the root of one
    // transaction is not the hash of the transaction.
    assert_ne!(roots[1], txs[0].hash());
}

#[test]
fn genesis_json_round_trips_and_bad_genesis_is_refused() {
    let g = genesis();
    let back = yui_ledger::Genesis::from_json(&g.to_json()).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.hash(), g.hash());
    let mut other = g.clone();
    other.genesis_time_ms += 1;
    assert_ne!(other.hash(), g.hash());

    let refused = |f: &dyn Fn(&mut yui_ledger::Genesis)| {
        let mut g = genesis();
        f(&mut g);
        assert!(g.validate().is_err());
        assert!(yui_ledger::Genesis::from_json(&g.to_json()).is_err());
    };
    refused(&|g| g.chain_id.clear());
    refused(&|g| g.validators.clear());
    refused(&|g| {
        let a = g.accounts[0].clone();
        g.accounts.push(a);
    });
    refused(&|g| {
        let a = g.assets[0].clone();
        g.assets.push(a);
    });
    refused(&|g| g.assets[1].expiry = yui_ledger::ExpiryPolicy::DaysPerLot(0));
    refused(&|g| g.assets[3].expiry = yui_ledger::ExpiryPolicy::RollingDays(0));
    refused(&|g| g.assets[0].redeem_fee_bps = 10_001);
    refused(&|g| g.assets[0].id = "c".repeat(65));
    refused(&|g| g.campaigns[0].bonus_asset = "gold".into());
    assert!(yui_ledger::Genesis::from_json("{").is_err());
}
