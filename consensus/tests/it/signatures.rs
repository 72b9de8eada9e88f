//! Yui's ed25519 rule (`yui_consensus::signature`, ADR 0006) against the
//! public edge-case vectors in `consensus/tests/vectors` (see its README):
//! for every vector the single verdict, the verdict of a batch of that one
//! signature, its verdict inside batches of valid signatures (before, after,
//! between, and the batch reversed) and inside a parallel batch of all the
//! vectors are the same; and that verdict is the one the rule predicts.
//! Then random valid signatures in batches, with one bit flipped.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use yui_consensus::signature::{
    Item, SigError, is_signing_key, verify, verify_batch, verify_batch_parallel,
};

type Verdict = Result<(), SigError>;

const KEY: Verdict = Err(SigError::MalformedKey);
const SIG: Verdict = Err(SigError::MalformedSignature);
const OK: Verdict = Ok(());

/// ed25519-speccheck's twelve cases (`cases.json`, in order): the rule's
/// verdict, whether `verify_strict` (Yui's rule before ADR 0006) accepted
/// it, and why.
const SPECCHECK: [(Verdict, bool, &str); 12] = [
    (KEY, false, "0: A of small order (R too, S = 0)"),
    (KEY, false, "1: A of small order"),
    (SIG, false, "2: R of small order"),
    (OK, true, "3: mixed-order A and R, both equations hold"),
    (
        OK,
        false,
        "4: mixed-order A and R, only the cofactored equation holds",
    ),
    (
        OK,
        false,
        "5: mixed-order A, only the cofactored equation holds (k not pre-multiplied by 8)",
    ),
    (SIG, false, "6: S ≥ ℓ"),
    (SIG, false, "7: S ≥ ℓ, high bits set"),
    (
        SIG,
        false,
        "8: non-canonical R (small order), k from the reduced R",
    ),
    (
        SIG,
        false,
        "9: non-canonical R (small order), k from the bytes",
    ),
    (
        KEY,
        false,
        "10: non-canonical A (small order), k from the reduced A",
    ),
    (
        KEY,
        false,
        "11: non-canonical A (small order), k from the bytes",
    ),
];

/// C2SP/CCTV `ed25519vectors.json`: how many of the 914 the rule accepts,
/// how many `verify_strict` accepted, and how many verdicts changed.
const CCTV_TOTAL: usize = 914;
const CCTV_ACCEPTED: usize = 106;
const CCTV_ACCEPTED_BY_VERIFY_STRICT: usize = 43;
const CCTV_CHANGED: usize = 63;

struct Vector {
    key: [u8; 32],
    msg: Vec<u8>,
    sig: [u8; 64],
    flags: Vec<String>,
}

impl Vector {
    fn item(&self) -> Item<'_> {
        (&self.key, self.msg.as_slice(), &self.sig)
    }

    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

fn hex_array<const N: usize>(v: &serde_json::Value) -> [u8; N] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn speccheck() -> Vec<Vector> {
    let text = include_str!("../vectors/speccheck-cases.json");
    let cases: serde_json::Value = serde_json::from_str(text).unwrap();
    cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Vector {
            key: hex_array(&c["pub_key"]),
            msg: hex::decode(c["message"].as_str().unwrap()).unwrap(),
            sig: hex_array(&c["signature"]),
            flags: Vec::new(),
        })
        .collect()
}

fn cctv() -> Vec<Vector> {
    let text = include_str!("../vectors/cctv-ed25519vectors.json");
    let cases: serde_json::Value = serde_json::from_str(text).unwrap();
    cases
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            assert_eq!(c["number"].as_u64(), Some(i as u64));
            Vector {
                key: hex_array(&c["key"]),
                msg: c["msg"].as_str().unwrap().as_bytes().to_vec(),
                sig: hex_array(&c["sig"]),
                flags: c["flags"]
                    .as_array()
                    .map(|f| f.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Valid signatures by distinct keys, to surround a vector in a batch.
struct Valid {
    keys: Vec<[u8; 32]>,
    msgs: Vec<Vec<u8>>,
    sigs: Vec<[u8; 64]>,
}

impl Valid {
    fn new(n: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut v = Valid {
            keys: Vec::new(),
            msgs: Vec::new(),
            sigs: Vec::new(),
        };
        for _ in 0..n {
            let k = SigningKey::from_bytes(&rng.random());
            let len = rng.random_range(0..200);
            let msg: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            v.keys.push(k.verifying_key().to_bytes());
            v.sigs.push(k.sign(&msg).to_bytes());
            v.msgs.push(msg);
        }
        v
    }

    fn item(&self, i: usize) -> Item<'_> {
        (&self.keys[i], self.msgs[i].as_slice(), &self.sigs[i])
    }

    fn items(&self) -> Vec<Item<'_>> {
        (0..self.keys.len()).map(|i| self.item(i)).collect()
    }
}

/// `verify_strict`, the rule of ADR 0002, for comparison.
fn verify_strict(v: &Vector) -> bool {
    VerifyingKey::from_bytes(&v.key)
        .and_then(|k| k.verify_strict(&v.msg, &Signature::from_bytes(&v.sig)))
        .is_ok()
}

/// The single verdict, checked equal to the verdict of a batch of one and of
/// the vector among valid signatures at the start, in the middle and at the
/// end of a batch, and in that batch reversed.
fn agreed_verdict(v: &Vector, valid: &Valid) -> Verdict {
    let single = verify(&v.key, &v.msg, &v.sig);
    assert_eq!(verify_batch(&[v.item()]), vec![single], "batch of one");
    let around = valid.items();
    for at in [0, around.len() / 2, around.len()] {
        let mut batch = around.clone();
        batch.insert(at, v.item());
        for reversed in [false, true] {
            if reversed {
                batch.reverse();
            }
            let got = verify_batch(&batch);
            let pos = if reversed { batch.len() - 1 - at } else { at };
            for (i, g) in got.iter().enumerate() {
                let want = if i == pos { single } else { Ok(()) };
                assert_eq!(*g, want, "item {i} of a batch with the vector at {pos}");
            }
        }
    }
    single
}

/// All vectors in one parallel batch, interleaved with valid signatures:
/// every verdict equals the single one.
fn check_parallel(vectors: &[Vector], singles: &[Verdict], valid: &Valid) {
    let mut items = Vec::new();
    let mut want = Vec::new();
    for (i, (v, s)) in vectors.iter().zip(singles).enumerate() {
        items.push(v.item());
        want.push(*s);
        items.push(valid.item(i % valid.keys.len()));
        want.push(Ok(()));
    }
    for threads in [1, 2, 3] {
        assert_eq!(
            verify_batch_parallel(&items, threads),
            want,
            "{threads} threads"
        );
    }
    assert_eq!(verify_batch(&items), want);
}

#[test]
fn speccheck_vectors_single_equals_batch_and_match_the_table() {
    let vectors = speccheck();
    assert_eq!(vectors.len(), SPECCHECK.len());
    let valid = Valid::new(6, 1);
    let mut singles = Vec::new();
    for (v, (want, strict, why)) in vectors.iter().zip(SPECCHECK) {
        let got = agreed_verdict(v, &valid);
        assert_eq!(got, want, "speccheck {why}");
        assert_eq!(verify_strict(v), strict, "verify_strict on speccheck {why}");
        assert_eq!(is_signing_key(&v.key), want != KEY, "speccheck {why}");
        singles.push(got);
    }
    check_parallel(&vectors, &singles, &valid);
}

/// The rule's verdict by a CCTV vector's flags. Every CCTV vector satisfies
/// the cofactored equation (ZIP 215 accepts them all); checks 1–3 refuse
/// every low-order or non-canonical A (first) and R.
fn expected_by_flags(v: &Vector) -> Verdict {
    if v.has("low_order_A") || v.has("non_canonical_A") {
        KEY
    } else if v.has("low_order_R") || v.has("non_canonical_R") {
        SIG
    } else {
        OK
    }
}

#[test]
fn cctv_vectors_single_equals_batch_and_follow_the_flags() {
    let vectors = cctv();
    assert_eq!(vectors.len(), CCTV_TOTAL);
    let valid = Valid::new(6, 2);
    let mut singles = Vec::new();
    let (mut accepted, mut strict_accepted, mut changed) = (0, 0, 0);
    for (i, v) in vectors.iter().enumerate() {
        let got = agreed_verdict(v, &valid);
        assert_eq!(got, expected_by_flags(v), "CCTV {i} {:?}", v.flags);
        let strict = verify_strict(v);
        // verify_strict refused everything the rule refuses; it also refused
        // what only the cofactored equation accepts.
        if strict {
            assert_eq!(got, OK, "CCTV {i}");
            assert!(!v.has("low_order_residue"), "CCTV {i}");
        }
        if got.is_ok() && !strict {
            assert!(v.has("low_order_residue"), "CCTV {i} {:?}", v.flags);
        }
        accepted += usize::from(got.is_ok());
        strict_accepted += usize::from(strict);
        changed += usize::from(got.is_ok() != strict);
        singles.push(got);
    }
    assert_eq!(accepted, CCTV_ACCEPTED);
    assert_eq!(strict_accepted, CCTV_ACCEPTED_BY_VERIFY_STRICT);
    assert_eq!(changed, CCTV_CHANGED);
    // Every accepted vector but one (no flags) has a torsion component in A
    // or R: none of them could come from RFC 8032 key generation and signing.
    let accepted_plain = vectors
        .iter()
        .zip(&singles)
        .filter(|(v, s)| s.is_ok() && v.flags.is_empty())
        .count();
    assert_eq!(accepted_plain, 1);
    for (v, s) in vectors.iter().zip(&singles) {
        if s.is_ok() && !v.flags.is_empty() {
            assert!(v.has("low_order_component_A") || v.has("low_order_component_R"));
        }
    }
    check_parallel(&vectors, &singles, &valid);
}

#[test]
fn random_valid_batches_pass_and_one_flipped_bit_fails_exactly_that_signature() {
    for seed in 0..12u64 {
        let valid = Valid::new(64, 100 + seed);
        let items = valid.items();
        assert!(
            verify_batch(&items).iter().all(|v| v.is_ok()),
            "seed {seed}"
        );
        assert!(
            verify_batch_parallel(&items, 2).iter().all(|v| v.is_ok()),
            "seed {seed}"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let j = rng.random_range(0..64);
        let bit = rng.random_range(0..512);
        let mut sigs = valid.sigs.clone();
        sigs[j][bit / 8] ^= 1 << (bit % 8);
        let flipped: Vec<Item<'_>> = (0..64)
            .map(|i| (&valid.keys[i], valid.msgs[i].as_slice(), &sigs[i]))
            .collect();
        let single: Vec<Verdict> = flipped.iter().map(|(k, m, s)| verify(k, m, s)).collect();
        for (name, got) in [
            ("batch", verify_batch(&flipped)),
            ("parallel", verify_batch_parallel(&flipped, 2)),
        ] {
            assert_eq!(got, single, "seed {seed}, {name}");
            for (i, g) in got.iter().enumerate() {
                assert_eq!(
                    g.is_err(),
                    i == j,
                    "seed {seed}, {name}, item {i}, bit {bit}"
                );
            }
        }
    }
}

#[test]
fn batches_with_one_key_many_times_and_repeated_items_agree() {
    let k = SigningKey::from_bytes(&[5; 32]);
    let pk = k.verifying_key().to_bytes();
    let msgs: Vec<Vec<u8>> = (0..70u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let mut sigs: Vec<[u8; 64]> = msgs.iter().map(|m| k.sign(m).to_bytes()).collect();
    let mut items: Vec<Item<'_>> = msgs
        .iter()
        .zip(&sigs)
        .map(|(m, s)| (&pk, m.as_slice(), s))
        .collect();
    items.extend_from_slice(&items.clone()[..5]);
    assert!(verify_batch(&items).iter().all(|v| v.is_ok()));
    // The signature of message 3 under message 4: invalid wherever it sits.
    sigs[4] = sigs[3];
    let items: Vec<Item<'_>> = msgs
        .iter()
        .zip(&sigs)
        .map(|(m, s)| (&pk, m.as_slice(), s))
        .collect();
    let want: Vec<Verdict> = (0..70)
        .map(|i| {
            if i == 4 {
                Err(SigError::Invalid)
            } else {
                Ok(())
            }
        })
        .collect();
    assert_eq!(verify_batch(&items), want);
    assert_eq!(verify_batch_parallel(&items, 2), want);
}
