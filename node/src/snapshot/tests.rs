//! Snapshots of a store built by committing blocks through the node's own
//! code (mempool, block building, execution, commit with a certificate).

#![allow(clippy::unwrap_used, clippy::panic)]

use yui_consensus::{Vote, VoteKind};
use yui_ledger::{Expiry, Keypair, Operation, Transaction};

use super::*;
use crate::chain::Shared;

const CONFIG: &str = "[node]\nname = \"city\"\ndata_dir = \"data\"\n\
                      genesis_file = \"genesis.json\"\n\n[api]\nlisten = \"127.0.0.1:0\"\n";

fn key() -> Keypair {
    Keypair::from_seed([3; 32])
}

pub(crate) fn genesis(chain_id: &str) -> Genesis {
    crate::genesis::single_validator(chain_id, "city", key().address(), 1_700_000_000_000)
}

/// A home as `yui-node init` leaves it: config and genesis, no database.
pub(crate) fn home(dir: &Path, g: &Genesis) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("config.toml"), CONFIG).unwrap();
    std::fs::write(dir.join("genesis.json"), g.to_json()).unwrap();
    dir.to_path_buf()
}

pub(crate) fn open(home: &Path) -> Shared {
    let (cfg, base) = Config::load(&home.join("config.toml")).unwrap();
    Shared::open(cfg, &base, Some(key().address())).unwrap()
}

/// Commits one block holding a charge, as a single validator does.
fn commit_one(shared: &Shared, nonce: u64, time_ms: u64) {
    let k = key();
    let h = shared.head().height + 1;
    let stx = Transaction {
        chain_id: shared.genesis.chain_id.clone(),
        signer: k.address(),
        nonce,
        expiry: Expiry::Height(1_000),
        op: Operation::Charge {
            to: Keypair::from_seed([nonce as u8 + 10; 32]).address(),
            asset: "coin".into(),
            amount: 100 * (nonce + 1),
            deposit_ref: format!("deposit-{nonce}"),
            campaign: None,
        },
    }
    .sign(&k);
    shared.admit(&stx, stx.hash()).unwrap();
    let p = shared.build_block(k.address(), time_ms).unwrap();
    assert_eq!(p.block.txs.len(), 1);
    let hash = p.block.hash();
    let vote = Vote::sign(
        k.signing_key(),
        &shared.genesis.chain_id,
        0,
        VoteKind::Precommit,
        h,
        0,
        Some(hash),
    );
    let cert = CommitCertificate::from_precommits(h, 0, hash, &[vote]);
    shared.commit(p, cert).unwrap();
}

/// A home with `blocks` committed blocks; the node is stopped on return.
fn chain(dir: &Path, blocks: u64) -> PathBuf {
    let home = home(dir, &genesis("yui-snap"));
    let shared = open(&home);
    for i in 0..blocks {
        commit_one(&shared, i, 1_700_000_001_000 + i * 1_000);
    }
    home
}

fn records(store: &Store) -> Vec<crate::storage::Record> {
    store
        .state_records()
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap()
}

/// The header and records of a snapshot file.
fn parse(path: &Path) -> (SnapshotHeader, WriteSet) {
    let covered = check_file(path).unwrap();
    let mut r = BufReader::new(File::open(path).unwrap().take(covered));
    let mut pre = [0u8; 12];
    r.read_exact(&mut pre).unwrap();
    let header = borsh::from_slice(&read_bytes(&mut r, HEADER_BYTES_MAX, "h").unwrap()).unwrap();
    (header, read_records(&mut r, &mut |_| {}).unwrap())
}

/// Encodes a snapshot file as `export` does, with a correct checksum.
fn encode(header: &SnapshotHeader, records: &WriteSet) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    write_bytes(&mut b, &borsh::to_vec(header).unwrap()).unwrap();
    for (k, v) in records {
        b.push(TAG_RECORD);
        write_bytes(&mut b, k).unwrap();
        write_bytes(&mut b, v.as_ref().unwrap()).unwrap();
    }
    b.push(TAG_END);
    b.extend_from_slice(&(records.len() as u64).to_le_bytes());
    let sum: Hash = Sha256::digest(&b).into();
    b.extend_from_slice(&sum);
    b
}

fn db_height(home: &Path) -> Option<u64> {
    let db = home.join("data").join("db");
    if !db.exists() {
        return None;
    }
    Store::open(&db).unwrap().last_height().unwrap()
}

#[test]
fn a_snapshot_round_trips_and_the_node_goes_on_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = chain(&dir.path().join("a"), 4);
    let file = dir.path().join("snap");
    let s = export(&src, &file, &mut |_| {}).unwrap();
    assert_eq!(s.height, 4);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(s.bytes, bytes.len() as u64);
    assert_eq!(s.file_sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
    // The format is exactly what docs/encoding.md describes.
    let (header, recs) = parse(&file);
    assert_eq!(encode(&header, &recs), bytes);
    assert_eq!(recs.len() as u64, s.records);
    // The file is not overwritten.
    assert!(matches!(
        export(&src, &file, &mut |_| {}),
        Err(SnapshotError::Home(_))
    ));

    let dst = home(&dir.path().join("b"), &genesis("yui-snap"));
    let i = import(&dst, &file, &s.block_hash, &mut |_| {}).unwrap();
    assert_eq!((i.height, i.block_hash), (4, s.block_hash));
    assert_eq!(i.state_root, s.state_root);
    // Importing twice is refused: the home now holds a block.
    assert!(matches!(
        import(&dst, &file, &s.block_hash, &mut |_| {}),
        Err(SnapshotError::NotEmpty { height: 4, .. })
    ));

    let (a, b) = (open(&src), open(&dst));
    assert_eq!(a.head(), b.head());
    assert_eq!(records(&a.store), records(&b.store));
    assert_eq!(a.validators_hash(), b.validators_hash());
    assert_eq!(b.store.base_height().unwrap(), 4);
    assert!(b.store.block(3).unwrap().is_none());
    assert!(absent_block(&b.store, 3, 4).contains("snapshot of height 4"));
    assert!(!absent_block(&b.store, 9, 4).contains("snapshot"));
    // A proof at the head verifies against the imported root.
    let k = keys::account(&key().address());
    let (v, proof) = commitment::prove(&b.store, &k, 4).unwrap();
    commitment::verify(&s.state_root, &k, v.as_deref(), &proof).unwrap();

    // The imported tree takes the next block: the same block on both nodes
    // gives the same root.
    commit_one(&a, 4, 1_700_000_009_000);
    commit_one(&b, 4, 1_700_000_009_000);
    assert_eq!(a.head(), b.head());
    assert_eq!(records(&a.store), records(&b.store));
    drop((a, b));

    // A node started from a snapshot exports its own: at its base height
    // (the set that certified it is kept) and later.
    let again = dir.path().join("again");
    let s5 = export(&dst, &again, &mut |_| {}).unwrap();
    assert_eq!(s5.height, 5);
    let c = home(&dir.path().join("c"), &genesis("yui-snap"));
    import(&c, &again, &s5.block_hash, &mut |_| {}).unwrap();
    let d = home(&dir.path().join("d"), &genesis("yui-snap"));
    let at_base = dir.path().join("at-base");
    let sb = export(&c, &at_base, &mut |_| {}).unwrap();
    assert_eq!(sb.height, 5);
    import(&d, &at_base, &sb.block_hash, &mut |_| {}).unwrap();
    assert_eq!(open(&d).head().state_root, s5.state_root);
}

#[test]
fn hostile_or_mistaken_snapshots_are_refused_and_leave_no_head() {
    let dir = tempfile::tempdir().unwrap();
    let src = chain(&dir.path().join("a"), 3);
    let file = dir.path().join("snap");
    let s = export(&src, &file, &mut |_| {}).unwrap();
    let (header, recs) = parse(&file);
    let bytes = std::fs::read(&file).unwrap();
    let g = genesis("yui-snap");
    let mut n = 0;
    let mut refuse = |data: &[u8], trust: &Hash, g: &Genesis| -> SnapshotError {
        n += 1;
        let f = dir.path().join(format!("bad-{n}"));
        std::fs::write(&f, data).unwrap();
        let h = home(&dir.path().join(format!("h-{n}")), g);
        let e = import(&h, &f, trust, &mut |_| {}).unwrap_err();
        // Nothing became a head.
        assert!(db_height(&h).is_none_or(|x| x == 0), "{e}");
        e
    };

    // A record changed, with a checksum to match: the rebuilt root differs.
    let mut tampered = recs.clone();
    let (k, _) = tampered
        .iter()
        .find(|(k, _)| k[0] == b'b')
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap();
    tampered.insert(k, Some(vec![0; 8]));
    let e = refuse(&encode(&header, &tampered), &s.block_hash, &g);
    assert!(
        matches!(e, SnapshotError::StateRoot { height: 3, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("altered"));
    // A record removed.
    let mut fewer = recs.clone();
    fewer.pop_first();
    let e = refuse(&encode(&header, &fewer), &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::StateRoot { .. }), "{e}");

    // A hash the operator does not trust.
    let e = refuse(&bytes, &[7; 32], &g);
    assert!(matches!(e, SnapshotError::UntrustedBlock { .. }), "{e}");
    // Another chain's genesis in the new home.
    let e = refuse(&bytes, &s.block_hash, &genesis("yui-other"));
    assert!(matches!(e, SnapshotError::WrongGenesis { .. }), "{e}");
    // A byte flipped in transit.
    let mut corrupt = bytes.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x40;
    let e = refuse(&corrupt, &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::Checksum { .. }), "{e}");
    // Cut short, not a snapshot, a later format.
    let e = refuse(&bytes[..bytes.len() - 100], &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::Checksum { .. }), "{e}");
    let e = refuse(b"{\"chain_id\": 1}", &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::NotASnapshot(_)), "{e}");
    let mut later = bytes.clone();
    later[8] = 2;
    let e = refuse(&later, &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::Version(2)), "{e}");

    // Another validator set than the header names.
    let mut other_set = header.clone();
    let stranger =
        crate::genesis::single_validator("yui-snap", "x", Keypair::from_seed([9; 32]).address(), 1);
    let w = stranger.state_writes(&MemState::default());
    other_set.validators = w.get(&keys::validators()).cloned().flatten().unwrap();
    let e = refuse(&encode(&other_set, &recs), &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::Validators { .. }), "{e}");
    // A certificate whose signature is not the validator's.
    let mut forged = header.clone();
    forged.certificate.signatures[0].signature[0] ^= 1;
    let e = refuse(&encode(&forged, &recs), &s.block_hash, &g);
    assert!(matches!(e, SnapshotError::Certificate { .. }), "{e}");
    // Records out of order, and a hostile length.
    let mut b = encode(&header, &WriteSet::new());
    b.truncate(b.len() - 32 - 9);
    b.push(TAG_RECORD);
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    b.push(TAG_END);
    let sum: Hash = Sha256::digest(&b).into();
    b.extend_from_slice(&sum);
    let e = refuse(&b, &s.block_hash, &g);
    assert!(e.to_string().contains("exceeds the limit"), "{e}");
}

#[test]
fn a_running_node_and_an_empty_node_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = chain(&dir.path().join("a"), 1);
    let running = open(&src);
    let e = export(&src, &dir.path().join("snap"), &mut |_| {}).unwrap_err();
    assert!(matches!(e, SnapshotError::Locked(_)), "{e}");
    assert!(e.to_string().contains("stop the node"));
    drop(running);
    let fresh = home(&dir.path().join("b"), &genesis("yui-snap"));
    let e = export(&fresh, &dir.path().join("snap"), &mut |_| {}).unwrap_err();
    assert!(matches!(e, SnapshotError::Nothing(_)), "{e}");
    drop(open(&fresh));
    let e = export(&fresh, &dir.path().join("snap"), &mut |_| {}).unwrap_err();
    assert!(matches!(e, SnapshotError::Nothing(_)), "{e}");
    // A home that only wrote genesis takes a snapshot (genesis state goes).
    let file = dir.path().join("snap");
    let s = export(&src, &file, &mut |_| {}).unwrap();
    import(&fresh, &file, &s.block_hash, &mut |_| {}).unwrap();
    assert_eq!(records(&open(&fresh).store), records(&open(&src).store));
}
