//! The state commitment: a Jellyfish Merkle tree over the state's keys.

use yui_ledger::WriteSet;
use yui_ledger::commitment::{self, MemTree};

use crate::fixture::*;

fn ws(entries: &[(&str, Option<&str>)]) -> WriteSet {
    entries
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec())))
        .collect()
}

/// Applies one write set per version, from 0; returns the tree and each root.
fn build(versions: &[WriteSet]) -> (MemTree, Vec<[u8; 32]>) {
    let mut t = MemTree::default();
    let mut roots = Vec::new();
    for (v, w) in versions.iter().enumerate() {
        let (root, batch) = commitment::update(&t, w, v as u64).unwrap();
        t.apply(&batch);
        assert_eq!(commitment::root(&t, v as u64).unwrap(), Some(root));
        roots.push(root);
    }
    (t, roots)
}

#[test]
fn equal_state_by_different_paths_has_equal_roots() {
    let (_, a) = build(&[
        ws(&[
            ("acct/alice", Some("1")),
            ("acct/bob", Some("2")),
            ("tmp", Some("x")),
        ]),
        ws(&[("acct/carol", Some("3")), ("tmp", None)]),
    ]);
    let (_, b) = build(&[
        ws(&[("acct/carol", Some("0"))]),
        ws(&[("acct/bob", Some("2"))]),
        ws(&[("acct/alice", Some("1")), ("acct/carol", Some("3"))]),
    ]);
    let (_, c) = build(&[ws(&[
        ("acct/carol", Some("3")),
        ("acct/bob", Some("2")),
        ("acct/alice", Some("1")),
    ])]);
    assert_eq!(a[1], b[2]);
    assert_eq!(a[1], c[0]);
    assert_ne!(a[0], a[1]);
    assert_ne!(b[0], b[1]);
}

#[test]
fn ledger_state_reached_by_different_block_splits_has_equal_roots() {
    // The same transactions in one block or in two give the same state
    // (apart from the block record), hence the same root.
    let mut one = Chain::new();
    let mut two = Chain::new();
    let t1 = one.sign(
        &city(),
        charge_op(addr(&hana()), 1_000, "d1", Some(CAMPAIGN)),
    );
    let t2 = one
        .tx(
            &city(),
            1,
            grant_op(addr(&taro()), POINT, 50, "x", Some("e")),
        )
        .sign(&city());
    let time = T0 + BLOCK_MS;
    let g = one.state.clone();
    let b1 = one.block_at(time, &[t1.clone(), t2.clone()]);
    let first = two.block_at(time, &[t1]).writes;
    let mut second = two.try_block_at(time, &[t2]).unwrap().writes;
    two.state.apply(&second);
    two.height += 1;
    // Make the block records equal (height 1 vs 2) to compare the rest.
    second.insert(
        yui_ledger::exec::block_info_key(),
        one.state
            .record(&yui_ledger::exec::block_info_key())
            .cloned(),
    );
    two.state.apply(&second);
    assert_eq!(one.state, two.state);

    let genesis: WriteSet = g
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    let (_, ra) = build(&[genesis.clone(), b1.writes]);
    let (_, rb) = build(&[genesis, first, second]);
    assert_eq!(ra[1], rb[2]);
    assert_ne!(ra[0], ra[1]);
}

#[test]
fn a_changed_value_changes_the_root() {
    let (_, a) = build(&[ws(&[("k1", Some("v1")), ("k2", Some("v2"))])]);
    let (_, b) = build(&[ws(&[("k1", Some("v1")), ("k2", Some("v3"))])]);
    let (_, c) = build(&[ws(&[("k1", Some("v1"))])]);
    let (_, d) = build(&[
        ws(&[("k1", Some("v1")), ("k2", Some("v2"))]),
        ws(&[("k2", Some("v2"))]),
    ]);
    assert_ne!(a[0], b[0]);
    assert_ne!(a[0], c[0]);
    assert_ne!(b[0], c[0]);
    // Rewriting the same value leaves the root as it was.
    assert_eq!(d[1], a[0]);
}

#[test]
fn inclusion_and_exclusion_proofs() {
    let (t, roots) = build(&[
        ws(&[("alice", Some("100")), ("bob", Some("5"))]),
        ws(&[("alice", Some("90")), ("carol", Some("10")), ("bob", None)]),
    ]);
    let root = roots[1];
    // Inclusion.
    let (v, p) = commitment::prove(&t, b"alice", 1).unwrap();
    assert_eq!(v.as_deref(), Some(&b"90"[..]));
    assert_eq!(commitment::verify(&root, b"alice", Some(b"90"), &p), Ok(()));
    assert!(commitment::verify(&root, b"alice", Some(b"100"), &p).is_err());
    assert!(commitment::verify(&root, b"alice", None, &p).is_err());
    assert!(commitment::verify(&roots[0], b"alice", Some(b"90"), &p).is_err());
    assert!(commitment::verify(&root, b"carol", Some(b"90"), &p).is_err());
    // Exclusion: never written, and deleted.
    for absent in [&b"dave"[..], b"bob"] {
        let (v, p) = commitment::prove(&t, absent, 1).unwrap();
        assert_eq!(v, None);
        assert_eq!(commitment::verify(&root, absent, None, &p), Ok(()));
        assert!(commitment::verify(&root, absent, Some(b"5"), &p).is_err());
    }
    // An older version is still provable against its own root.
    let (v, p) = commitment::prove(&t, b"bob", 0).unwrap();
    assert_eq!(v.as_deref(), Some(&b"5"[..]));
    assert_eq!(
        commitment::verify(&roots[0], b"bob", Some(b"5"), &p),
        Ok(())
    );
    assert!(commitment::verify(&root, b"bob", Some(b"5"), &p).is_err());
    // No root for a version never written.
    assert_eq!(commitment::root(&t, 2).unwrap(), None);
}

#[test]
fn proofs_round_trip_through_bytes() {
    let (t, roots) = build(&[ws(&[("a", Some("1")), ("b", Some("2")), ("c", Some("3"))])]);
    for (key, value) in [(&b"b"[..], Some(&b"2"[..])), (b"zzz", None)] {
        let (v, p) = commitment::prove(&t, key, 0).unwrap();
        assert_eq!(v.as_deref(), value);
        let bytes = commitment::proof_to_bytes(&p);
        assert!(!bytes.is_empty());
        let back = commitment::proof_from_bytes(&bytes).unwrap();
        assert_eq!(commitment::proof_to_bytes(&back), bytes);
        assert_eq!(commitment::verify(&roots[0], key, value, &back), Ok(()));
    }
    assert!(commitment::proof_from_bytes(&[0xff; 7]).is_err());
}

#[test]
fn ledger_records_are_provable_against_the_state_root() {
    let mut c = Chain::new();
    c.charge(&hana(), 1_000, "d1", None);
    let genesis_free: WriteSet = c
        .state
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    let (t, roots) = build(&[genesis_free]);
    let k = yui_ledger::state::keys::holding(&addr(&hana()), COIN);
    let (v, p) = commitment::prove(&t, &k, 0).unwrap();
    assert_eq!(v.as_ref(), c.state.record(&k));
    assert_eq!(commitment::verify(&roots[0], &k, v.as_deref(), &p), Ok(()));
    let absent = yui_ledger::state::keys::holding(&addr(&taro()), COIN);
    let (v, p) = commitment::prove(&t, &absent, 0).unwrap();
    assert_eq!(v, None);
    assert_eq!(commitment::verify(&roots[0], &absent, None, &p), Ok(()));
}

/// A small deterministic generator for the randomised test below.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A block's random writes: up to 300 inserts and updates over `space`
/// keys and, every fourth version, deletions of `live` keys among them.
fn random_writes(rng: &mut Lcg, version: u64, live: &[Vec<u8>], space: u64) -> WriteSet {
    let mut w = WriteSet::new();
    let deletes = version % 4 == 3 && !live.is_empty();
    for _ in 0..1 + rng.next(300) {
        if deletes && rng.next(2) == 0 {
            let i = rng.next(live.len() as u64) as usize;
            w.insert(live[i].clone(), None);
        } else {
            let k = format!("key/{}", rng.next(space)).into_bytes();
            w.insert(k, Some(rng.next(1 << 40).to_be_bytes().to_vec()));
        }
    }
    w
}

#[test]
fn batched_and_key_by_key_updates_build_the_same_tree() {
    // Blocks of inserts and updates (Yui's own update) and of deletions
    // (jmt's, key by key), over a growing key set: every version's root and
    // nodes must equal those built by jmt key by key only, and every key's
    // proof must verify against it.
    for seed in 1..=6u64 {
        let mut rng = Lcg(seed);
        let (mut fast, mut slow) = (MemTree::default(), MemTree::default());
        let mut live: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
        for version in 0..12u64 {
            let keys: Vec<Vec<u8>> = live.keys().cloned().collect();
            let w = random_writes(&mut rng, version, &keys, 2_000);
            let (r1, b1) = commitment::update(&fast, &w, version).unwrap();
            let (r2, b2) = commitment::update_by_key(&slow, &w, version).unwrap();
            assert_eq!(r1, r2, "seed {seed} version {version}");
            // Node for node, byte for byte, and the same nodes replaced.
            let bytes = |c: &commitment::TreeChange| -> Vec<_> {
                let mut n: Vec<_> = c.nodes.iter().map(|(p, n)| (*p, n.to_bytes())).collect();
                n.sort();
                n
            };
            assert_eq!(bytes(&b1), bytes(&b2), "seed {seed} version {version}");
            let (mut s1, mut s2) = (b1.stale.clone(), b2.stale.clone());
            s1.sort();
            s2.sort();
            assert_eq!(s1, s2, "seed {seed} version {version}");
            assert_eq!(b1.existed, b2.existed, "seed {seed} version {version}");
            fast.apply(&b1);
            slow.apply(&b2);
            for (k, v) in &w {
                match v {
                    Some(v) => live.insert(k.clone(), v.clone()),
                    None => live.remove(k),
                };
            }
            for k in live.keys().take(20).chain(w.keys().take(20)) {
                let (v, p) = commitment::prove(&fast, k, version).unwrap();
                assert_eq!(v.as_ref(), live.get(k));
                assert_eq!(commitment::verify(&r1, k, v.as_deref(), &p), Ok(()));
            }
        }
    }
}

#[test]
fn the_replay_tree_keeps_the_newest_version_only_with_the_same_roots() {
    // The auditor's replay tree: every version's root is the full tree's,
    // and it holds exactly the nodes of a tree built at once from the
    // live keys (nothing stale kept, nothing live dropped).
    for seed in 1..=4u64 {
        let mut rng = Lcg(seed);
        let mut full = MemTree::default();
        let mut replay = commitment::ReplayTree::default();
        let mut written = 0;
        let mut live: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
        for version in 0..16u64 {
            let mut w = WriteSet::new();
            let deletes = version % 3 == 2 && !live.is_empty();
            // Some versions change nothing (an empty block).
            let n = if version % 5 == 4 {
                0
            } else {
                1 + rng.next(200)
            };
            for _ in 0..n {
                if deletes && rng.next(2) == 0 {
                    let i = rng.next(live.len() as u64) as usize;
                    let k = live.keys().nth(i).unwrap().clone();
                    w.insert(k, None);
                } else {
                    let k = format!("key/{}", rng.next(1_000)).into_bytes();
                    w.insert(k, Some(rng.next(1 << 40).to_be_bytes().to_vec()));
                }
            }
            // Deleting a key the tree does not hold changes nothing.
            if version % 7 == 6 {
                w.insert(format!("absent/{version}").into_bytes(), None);
            }
            let (r1, b1) = commitment::update(&full, &w, version).unwrap();
            full.apply(&b1);
            written += b1.nodes.len();
            let r2 = replay.update(&w);
            assert_eq!(r1, r2, "seed {seed} version {version}");
            for (k, v) in &w {
                match v {
                    Some(v) => live.insert(k.clone(), v.clone()),
                    None => live.remove(k),
                };
            }
            let mut fresh = commitment::ReplayTree::default();
            let all: WriteSet = live
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
            assert_eq!(fresh.update(&all), r1);
            assert_eq!(replay.len(), fresh.len(), "seed {seed} version {version}");
        }
        // The full tree keeps every node any version wrote.
        assert!(
            replay.len() * 2 < written,
            "seed {seed}: {} of {written}",
            replay.len()
        );
    }
}

/// Keys whose hashes share their first six nibbles in groups of two or more
/// (found among `n` candidates): each group sits under a chain of internal
/// nodes with one child each, which a deletion collapses again.
fn keys_sharing_prefixes(n: u32) -> Vec<Vec<u8>> {
    let mut by_prefix: std::collections::BTreeMap<[u8; 3], Vec<Vec<u8>>> = Default::default();
    for i in 0..n {
        let k = format!("deep/{i}").into_bytes();
        let h = yui_ledger::crypto::sha256(&k);
        by_prefix.entry([h[0], h[1], h[2]]).or_default().push(k);
    }
    by_prefix
        .into_values()
        .filter(|g| g.len() > 1)
        .flatten()
        .collect()
}

#[test]
fn the_replay_tree_gives_jmts_roots_under_long_shared_prefixes() {
    // Over keys sharing six nibbles and more (a deep tree with chains of
    // single-child nodes), random blocks that insert, update and delete,
    // some emptying the tree: every root is jmt's, and the node count is a
    // fresh tree's over the same keys (deletions collapse what they leave).
    let deep = keys_sharing_prefixes(60_000);
    assert!(deep.len() >= 100, "{} keys", deep.len());
    for seed in 1..=8u64 {
        let mut rng = Lcg(seed);
        let mut jmt_tree = MemTree::default();
        let mut replay = commitment::ReplayTree::default();
        let mut live: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
        for version in 0..40u64 {
            let mut w = WriteSet::new();
            if version % 13 == 12 {
                // Everything goes: the empty tree's root.
                w.extend(live.keys().map(|k| (k.clone(), None)));
            } else {
                for _ in 0..1 + rng.next(40) {
                    let k = deep[rng.next(deep.len() as u64) as usize].clone();
                    let v = (rng.next(3) > 0).then(|| rng.next(1 << 30).to_be_bytes().to_vec());
                    w.insert(k, v);
                }
            }
            let (r1, b1) = commitment::update_by_key(&jmt_tree, &w, version).unwrap();
            jmt_tree.apply(&b1);
            assert_eq!(replay.update(&w), r1, "seed {seed} version {version}");
            for (k, v) in &w {
                match v {
                    Some(v) => live.insert(k.clone(), v.clone()),
                    None => live.remove(k),
                };
            }
            let mut fresh = commitment::ReplayTree::default();
            let all: WriteSet = live
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
            assert_eq!(fresh.update(&all), r1);
            assert_eq!(replay.len(), fresh.len(), "seed {seed} version {version}");
            assert_eq!(replay.is_empty(), live.is_empty());
        }
    }
}

#[test]
fn the_replay_tree_gives_jmts_roots_as_nodes_fill_and_empty() {
    // A tree with more internal nodes than one segment of the replay
    // tree's storage, whose third-level nodes hold about seven children:
    // blocks that delete many and insert many fill and empty nodes, free
    // nodes and reuse them across segments; every root is jmt's.
    let mut rng = Lcg(7);
    let mut jmt_tree = MemTree::default();
    let mut replay = commitment::ReplayTree::default();
    let mut live: std::collections::BTreeSet<u64> = Default::default();
    for version in 0..12u64 {
        let mut w = WriteSet::new();
        let n = if version == 0 { 30_000 } else { 4_000 };
        for _ in 0..n {
            let k = rng.next(60_000);
            let delete = version % 2 == 1 && live.contains(&k);
            let v = (!delete).then(|| rng.next(1 << 30).to_be_bytes().to_vec());
            w.insert(format!("fill/{k}").into_bytes(), v);
        }
        let (r1, b1) = commitment::update_by_key(&jmt_tree, &w, version).unwrap();
        jmt_tree.apply(&b1);
        assert_eq!(replay.update(&w), r1, "version {version}");
        for (k, v) in &w {
            let k: u64 = std::str::from_utf8(&k[5..]).unwrap().parse().unwrap();
            match v {
                Some(_) => live.insert(k),
                None => live.remove(&k),
            };
        }
        assert!(replay.len() > 4_096 + live.len(), "{}", replay.len());
    }
}

#[test]
fn an_update_knows_which_written_keys_the_tree_held_before() {
    // Random blocks of inserts, updates and deletions: a written key is
    // reported as existing exactly when the tree held it before the block
    // (the node then seeks its earlier value; otherwise there is none).
    for seed in 1..=6u64 {
        let mut rng = Lcg(seed);
        let mut t = MemTree::default();
        let mut live: std::collections::BTreeSet<Vec<u8>> = Default::default();
        for version in 0..12u64 {
            let keys: Vec<Vec<u8>> = live.iter().cloned().collect();
            let w = random_writes(&mut rng, version, &keys, 1_000);
            let (root, change) = commitment::update(&t, &w, version).unwrap();
            for k in w.keys() {
                assert_eq!(
                    change.may_have_existed(&commitment::key_hash(k)),
                    live.contains(k),
                    "seed {seed} version {version}"
                );
            }
            t.apply(&change);
            assert_eq!(commitment::root(&t, version).unwrap(), Some(root));
            for (k, v) in &w {
                match v {
                    Some(_) => live.insert(k.clone()),
                    None => live.remove(k),
                };
            }
        }
    }
}
