//! Test vectors for wallet developers (`docs/vectors/`, described in
//! `docs/vectors/README.md` and `docs/encoding.md`): one signed transaction
//! of every operation and of every governance action, read authorisations,
//! a genesis hash, a block header hash with its transaction root, and a
//! state proof, all computed here by the ledger's own code.
//!
//! The fixed signing key is the ed25519 seed 0x00, 0x01, …, 0x1f; the chain
//! id is `yui-vectors`. Ed25519 signatures are deterministic, so the files
//! never change unless the encoding does. A difference is a format change
//! (see `docs/adr/0004-consensus-critical-bytes.md`); if it is deliberate,
//! regenerate the files with
//! `YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger --test it vectors`.
//!
//! Each vector is also checked against itself: the signed transaction
//! decodes to the same transaction, its signature verifies, its shape
//! holds, its JSON operation parses back, and the hashes and Merkle walks
//! are recomputed here with nothing but SHA-256, the way a client written
//! from `docs/encoding.md` would.

use std::collections::BTreeSet;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use serde_json::{Value, json};

use yui_ledger::auth;
use yui_ledger::block::tx_root;
use yui_ledger::commitment::{self, MemTree};
use yui_ledger::contract::contract_account;
use yui_ledger::crypto::{self, sha256};
use yui_ledger::governance::GovAction;
use yui_ledger::state::{self, Holding, Lot, MemState, keys};
use yui_ledger::tx::TX_DOMAIN;
use yui_ledger::{Address, BlockHeader, Expiry, Operation, SignedTransaction, Transaction};

mod samples;
use samples::*;

fn vectors_dir() -> std::path::PathBuf {
    crate::manifest_dir().join("../docs/vectors")
}

fn expiry_json(e: Expiry) -> Value {
    match e {
        Expiry::Height(h) => json!({"kind": "height", "value": h}),
        Expiry::Time(t) => json!({"kind": "time", "value": t}),
    }
}

#[derive(Serialize)]
struct TxInputs<'a> {
    chain_id: &'a str,
    signer_seed_hex: String,
    signer_public_key_hex: String,
    nonce: u64,
    expiry: Value,
    operation: &'a Operation,
}

#[derive(Serialize)]
struct TxVector<'a> {
    name: &'a str,
    inputs: TxInputs<'a>,
    tx_borsh_hex: String,
    sign_bytes_hex: String,
    signature_hex: String,
    signed_tx_borsh_hex: String,
    tx_hash_hex: String,
}

fn signed_vectors() -> Vec<(String, SignedTransaction)> {
    let key = signer();
    operations()
        .into_iter()
        .enumerate()
        .map(|(i, (name, op))| {
            let tx = Transaction {
                chain_id: s(CHAIN_ID),
                signer: key.address(),
                nonce: i as u64,
                expiry: expiry_of(i as u64),
                op,
            };
            (name, tx.sign(&key))
        })
        .collect()
}

fn transactions_json() -> String {
    let key = signer();
    let all = signed_vectors();
    let vectors: Vec<TxVector<'_>> = all
        .iter()
        .map(|(name, stx)| TxVector {
            name,
            inputs: TxInputs {
                chain_id: CHAIN_ID,
                signer_seed_hex: hex::encode(seed()),
                signer_public_key_hex: key.address().to_hex(),
                nonce: stx.tx.nonce,
                expiry: expiry_json(stx.tx.expiry),
                operation: &stx.tx.op,
            },
            tx_borsh_hex: hex::encode(borsh::to_vec(&stx.tx).unwrap()),
            sign_bytes_hex: hex::encode(stx.tx.sign_bytes()),
            signature_hex: hex::encode(stx.signature),
            signed_tx_borsh_hex: hex::encode(stx.to_bytes()),
            tx_hash_hex: hex::encode(stx.hash()),
        })
        .collect();
    pretty(&vectors)
}

fn pretty<T: Serialize>(v: &T) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap();
    text.push('\n');
    text
}

fn read_auth_json() -> String {
    let key = signer();
    let reader = key.address();
    let cases = [
        ("holder reads own account", reader, T0 + 60_000),
        ("auditor reads chain-wide", Address::ZERO, T0 + 120_000),
        ("auditor reads one account", hana(), T0 + 180_000),
    ];
    let out: Vec<Value> = cases
        .iter()
        .map(|(name, subject, time_ms)| {
            let bytes = auth::read_sign_bytes(CHAIN_ID, &reader, subject, *time_ms);
            json!({
                "name": name,
                "inputs": {
                    "chain_id": CHAIN_ID,
                    "reader_seed_hex": hex::encode(seed()),
                    "reader_public_key_hex": reader.to_hex(),
                    "subject_hex": subject.to_hex(),
                    "time_ms": time_ms,
                },
                "sign_bytes_hex": hex::encode(&bytes),
                "signature_hex": hex::encode(key.sign(&bytes)),
            })
        })
        .collect();
    pretty(&out)
}

/// The state after genesis plus one holding of Hana's, with its tree.
fn state_and_tree() -> (MemState, MemTree, [u8; 32]) {
    let g = genesis();
    let mut st = MemState::default();
    let mut writes = g.state_writes(&st);
    let holding = Holding {
        lots: vec![
            Lot {
                amount: 300,
                expires_at: Some(T0 + 180 * DAY),
            },
            Lot {
                amount: 50,
                expires_at: None,
            },
        ],
        last_change_ms: T0,
    };
    writes.insert(
        keys::holding(&hana(), "point"),
        Some(borsh::to_vec(&holding).unwrap()),
    );
    st.apply(&writes);
    let mut tree = MemTree::default();
    let (root, batch) = commitment::update(&tree, &writes, 0).unwrap();
    tree.apply(&batch);
    (st, tree, root)
}

/// Two 32-byte hashes: a leaf's key hash and value hash.
type Pair = ([u8; 32], [u8; 32]);
/// A sibling's kind and hash.
type Sibling = (&'static str, [u8; 32]);

/// A proof's siblings, decoded from its borsh bytes by hand (as a client
/// would), bottom first: (kind, 32-byte hash of the sibling).
fn decode_proof(bytes: &[u8]) -> (Option<Pair>, Vec<Sibling>) {
    fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> &'a [u8] {
        *at += n;
        &bytes[*at - n..*at]
    }
    fn pair(bytes: &[u8], at: &mut usize) -> ([u8; 32], [u8; 32]) {
        let a = take(bytes, at, 32).try_into().unwrap();
        (a, take(bytes, at, 32).try_into().unwrap())
    }
    let at = &mut 0;
    let leaf = match take(bytes, at, 1)[0] {
        0 => None,
        1 => Some(pair(bytes, at)),
        t => panic!("bad option tag {t}"),
    };
    let n = u32::from_le_bytes(take(bytes, at, 4).try_into().unwrap());
    let mut siblings = Vec::new();
    for _ in 0..n {
        siblings.push(match take(bytes, at, 1)[0] {
            0 => ("null", *b"SPARSE_MERKLE_PLACEHOLDER_HASH__"),
            1 => {
                let (l, r) = pair(bytes, at);
                ("internal", jmt_internal(&l, &r))
            }
            2 => {
                let (k, v) = pair(bytes, at);
                ("leaf", jmt_leaf(&k, &v))
            }
            t => panic!("bad node tag {t}"),
        });
    }
    assert_eq!(*at, bytes.len(), "trailing proof bytes");
    (leaf, siblings)
}

fn jmt_leaf(key_hash: &[u8; 32], value_hash: &[u8; 32]) -> [u8; 32] {
    sha256(&[b"JMT::LeafNode".as_slice(), key_hash, value_hash].concat())
}

fn jmt_internal(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    sha256(&[b"JMT::IntrnalNode".as_slice(), left, right].concat())
}

/// The root a proof leads to for `key_hash`, walked as docs/encoding.md says.
fn walk(key_hash: &[u8; 32], leaf: Option<Pair>, siblings: &[(&str, [u8; 32])]) -> [u8; 32] {
    let mut h = match leaf {
        Some((k, v)) => jmt_leaf(&k, &v),
        None => *b"SPARSE_MERKLE_PLACEHOLDER_HASH__",
    };
    let n = siblings.len();
    for (i, (_, sib)) in siblings.iter().enumerate() {
        // Bottom sibling first: it sits at depth n-1; bit d of the key hash
        // (most significant bit of byte 0 first) says which side we are on.
        let depth = n - 1 - i;
        let bit = key_hash[depth / 8] >> (7 - depth % 8) & 1;
        h = if bit == 1 {
            jmt_internal(sib, &h)
        } else {
            jmt_internal(&h, sib)
        };
    }
    h
}

fn proof_case(name: &str, tree: &MemTree, root: &[u8; 32], key: &[u8]) -> Value {
    let (value, proof) = commitment::prove(tree, key, 0).unwrap();
    commitment::verify(root, key, value.as_deref(), &proof).unwrap();
    let bytes = commitment::proof_to_bytes(&proof);
    let key_hash = sha256(key);
    let (leaf, siblings) = decode_proof(&bytes);
    assert_eq!(&walk(&key_hash, leaf, &siblings), root, "{name}: walk");
    if let (Some(v), Some((k, vh))) = (&value, leaf) {
        assert_eq!(k, key_hash, "{name}: leaf key");
        assert_eq!(vh, sha256(v), "{name}: leaf value");
    }
    json!({
        "name": name,
        "key_hex": hex::encode(key),
        "key_hash_hex": hex::encode(key_hash),
        "present": value.is_some(),
        "value_hex": hex::encode(value.clone().unwrap_or_default()),
        "value_hash_hex": value.as_ref().map(|v| hex::encode(sha256(v))),
        "proof_borsh_hex": hex::encode(&bytes),
        "proof_leaf": leaf.map(|(k, v)| json!({"key_hash_hex": hex::encode(k), "value_hash_hex": hex::encode(v)})),
        "proof_sibling_hashes_bottom_first": siblings.iter().map(|(kind, h)| json!({"kind": kind, "hash_hex": hex::encode(h)})).collect::<Vec<_>>(),
        "state_root_hex": hex::encode(root),
    })
}

fn chain_json() -> String {
    let g = genesis();
    let (st, tree, root) = state_and_tree();
    // Records a client reads, with their keys.
    let account_key = keys::account(&sakura_bakery());
    let account = state::read::<state::Account, _>(&st, &account_key)
        .unwrap()
        .unwrap();
    let holding_key = keys::holding(&hana(), "point");
    let txs: Vec<SignedTransaction> = signed_vectors()
        .into_iter()
        .take(3)
        .map(|(_, t)| t)
        .collect();
    let header = BlockHeader {
        chain_id: s(CHAIN_ID),
        height: 1,
        time_ms: T0 + 1_000,
        prev_hash: g.hash(),
        tx_root: tx_root(&txs),
        receipts_root: sha256(b"receipts root placeholder"),
        state_root: root,
        proposer: party(0xe1),
        validators_hash: sha256(b"validators hash placeholder"),
    };
    let out = json!({
        "genesis": {
            "json": serde_json::to_value(&g).unwrap(),
            "borsh_hex": hex::encode(borsh::to_vec(&g).unwrap()),
            "hash_hex": hex::encode(g.hash()),
        },
        "tx_root": {
            "tx_hashes_hex": txs.iter().map(|t| hex::encode(t.hash())).collect::<Vec<_>>(),
            "note": "the hashes of the first three transaction vectors",
            "tx_root_hex": hex::encode(tx_root(&txs)),
            "empty_tx_root_hex": hex::encode(tx_root(&[])),
        },
        "block_header": {
            "fields": {
                "chain_id": header.chain_id,
                "height": header.height,
                "time_ms": header.time_ms,
                "prev_hash_hex": hex::encode(header.prev_hash),
                "tx_root_hex": hex::encode(header.tx_root),
                "receipts_root_hex": hex::encode(header.receipts_root),
                "state_root_hex": hex::encode(header.state_root),
                "proposer_hex": header.proposer.to_hex(),
                "validators_hash_hex": hex::encode(header.validators_hash),
            },
            "header_borsh_hex": hex::encode(borsh::to_vec(&header).unwrap()),
            "hashed_bytes_hex": hex::encode(borsh::to_vec(&(yui_ledger::block::BLOCK_DOMAIN, &header)).unwrap()),
            "hash_hex": hex::encode(header.hash()),
        },
        "contract_account": {
            "contract_id": "voucher-sale",
            "address_hex": contract_account("voucher-sale").to_hex(),
        },
        "state": {
            "note": "the state after the genesis above plus one holding of Hana's, as version 0 of the tree",
            "state_root_hex": hex::encode(root),
            "records": [
                {
                    "what": "account of sakura-bakery",
                    "key_hex": hex::encode(&account_key),
                    "value_hex": hex::encode(borsh::to_vec(&account).unwrap()),
                },
                {
                    "what": "holding of hana in point",
                    "key_hex": hex::encode(&holding_key),
                    "value_hex": hex::encode(st.record(&holding_key).unwrap()),
                },
            ],
            "proofs": [
                proof_case("account present", &tree, &root, &account_key),
                proof_case("holding present", &tree, &root, &holding_key),
                proof_case("account absent", &tree, &root, &keys::account(&party(0x99))),
            ],
        },
    });
    pretty(&out)
}

/// Compares a generated file with the one on disk, or writes it when
/// blessing. Arrays are compared entry by entry to name the first that differs.
fn check_file(file: &str, got: &str) {
    let path = vectors_dir().join(file);
    if std::env::var_os("YUI_BLESS_GOLDEN").is_some() {
        std::fs::create_dir_all(vectors_dir()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger --test it vectors writes it)",
            path.display()
        )
    });
    if got == want {
        return;
    }
    let g: Value = serde_json::from_str(got).unwrap();
    let w: Value = serde_json::from_str(&want).unwrap_or(Value::Null);
    let entries = |v: &Value| -> Vec<(String, Value)> {
        match v {
            Value::Array(a) => a
                .iter()
                .map(|e| (e["name"].as_str().unwrap_or("?").to_string(), e.clone()))
                .collect(),
            Value::Object(o) => o.iter().map(|(k, e)| (k.clone(), e.clone())).collect(),
            _ => vec![],
        }
    };
    let (ge, we) = (entries(&g), entries(&w));
    for (i, (gn, gv)) in ge.iter().enumerate() {
        match we.get(i) {
            Some((wn, wv)) if wn == gn && wv == gv => {}
            Some((wn, _)) => panic!(
                "docs/vectors/{file}: vector {i} '{gn}' differs from the file's '{wn}': the encoding changed \
                 (a format change, see docs/adr/0004-consensus-critical-bytes.md; if deliberate, \
                 YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger --test it vectors)"
            ),
            None => panic!(
                "docs/vectors/{file}: vector {i} '{gn}' is missing from the file (bless to add it)"
            ),
        }
    }
    panic!(
        "docs/vectors/{file}: {} vectors generated, {} in the file, or only the layout differs (bless to rewrite it)",
        ge.len(),
        we.len()
    );
}

/// The number of variants of a borsh enum: the first index its decoder refuses.
fn variant_count<T: BorshDeserialize>() -> u8 {
    (0..=255u8)
        .find(|n| {
            matches!(borsh::from_slice::<T>(&[*n]),
                Err(e) if e.to_string().contains("Unexpected variant tag"))
        })
        .unwrap()
}

fn tag<T: BorshSerialize>(v: &T) -> u8 {
    borsh::to_vec(v).unwrap()[0]
}

#[test]
fn vectors_cover_every_operation_and_governance_action() {
    let ops: BTreeSet<u8> = operations().iter().map(|(_, op)| tag(op)).collect();
    assert_eq!(
        ops,
        (0..variant_count::<Operation>()).collect(),
        "add a vector for the new operation"
    );
    let acts: BTreeSet<u8> = gov_actions().iter().map(|(_, a)| tag(a)).collect();
    assert_eq!(
        acts,
        (0..variant_count::<GovAction>()).collect(),
        "add a vector for the new governance action"
    );
    let kinds: BTreeSet<u8> = signed_vectors()
        .iter()
        .map(|(_, t)| tag(&t.tx.expiry))
        .collect();
    assert_eq!(kinds.len(), 2, "both kinds of expiry");
}

#[test]
fn transaction_vectors_are_self_consistent() {
    let key = signer();
    assert_eq!(
        hex::encode(seed()),
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    );
    for (name, stx) in signed_vectors() {
        let signed = stx.to_bytes();
        let back = SignedTransaction::from_bytes(&signed).unwrap();
        assert_eq!(back, stx, "{name}: decodes to itself");
        back.check_stateless(CHAIN_ID)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back.tx.signer, key.address());
        // The layout docs/encoding.md states: the signed transaction is the
        // transaction's bytes then the 64 signature bytes; the signed bytes
        // are the domain tag as a u32-length-prefixed byte string, then the
        // transaction's bytes; the hash is SHA-256 of the signed transaction.
        let body = borsh::to_vec(&stx.tx).unwrap();
        assert_eq!(signed, [body.as_slice(), &stx.signature].concat(), "{name}");
        let mut sign_bytes = (TX_DOMAIN.len() as u32).to_le_bytes().to_vec();
        sign_bytes.extend_from_slice(TX_DOMAIN);
        sign_bytes.extend_from_slice(&body);
        assert_eq!(stx.tx.sign_bytes(), sign_bytes, "{name}");
        crypto::verify(&stx.tx.signer, &sign_bytes, &stx.signature)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(stx.hash(), sha256(&signed), "{name}");
        assert!(signed.len() <= yui_ledger::limits::TX_BYTES_MAX, "{name}");
        // The JSON form parses back to the same operation.
        let json = serde_json::to_string(&stx.tx.op).unwrap();
        assert_eq!(
            serde_json::from_str::<Operation>(&json).unwrap(),
            stx.tx.op,
            "{name}"
        );
    }
}

#[test]
fn read_auth_vectors_verify() {
    let v: Value = serde_json::from_str(&read_auth_json()).unwrap();
    for case in v.as_array().unwrap() {
        let i = &case["inputs"];
        let reader: Address = i["reader_public_key_hex"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let subject: Address = i["subject_hex"].as_str().unwrap().parse().unwrap();
        let t = i["time_ms"].as_u64().unwrap();
        let sig: [u8; 64] = hex::decode(case["signature_hex"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        auth::verify_read(CHAIN_ID, &reader, &subject, t, &sig, t + 299_000).unwrap();
        assert!(auth::verify_read(CHAIN_ID, &reader, &subject, t, &sig, t + 300_001).is_err());
        assert!(auth::verify_read("other", &reader, &subject, t, &sig, t).is_err());
    }
}

#[test]
fn chain_vectors_hash_as_documented() {
    let g = genesis();
    g.validate().unwrap();
    assert_eq!(g.hash(), sha256(&borsh::to_vec(&g).unwrap()));
    // The transaction root, recomputed from the documented rule.
    let txs: Vec<SignedTransaction> = signed_vectors()
        .into_iter()
        .take(3)
        .map(|(_, t)| t)
        .collect();
    let leaf = |t: &SignedTransaction| sha256(&[&[0u8][..], &t.hash()].concat());
    let node = |l: &[u8; 32], r: &[u8; 32]| sha256(&[&[1u8][..], l, r].concat());
    let (a, b, c) = (leaf(&txs[0]), leaf(&txs[1]), leaf(&txs[2]));
    assert_eq!(tx_root(&txs), node(&node(&a, &b), &c));
    assert_eq!(tx_root(&[]), sha256(b""));
    assert_eq!(tx_root(&txs[..1]), a);
    // The contract account address.
    let mut bytes = (b"yui/contract-account/v1".len() as u32)
        .to_le_bytes()
        .to_vec();
    bytes.extend_from_slice(b"yui/contract-account/v1");
    bytes.extend_from_slice(&(12u32).to_le_bytes());
    bytes.extend_from_slice(b"voucher-sale");
    assert_eq!(contract_account("voucher-sale").0, sha256(&bytes));
}

#[test]
fn vectors_match_the_files() {
    check_file("transactions.json", &transactions_json());
    check_file("read-auth.json", &read_auth_json());
    check_file("chain.json", &chain_json());
}
