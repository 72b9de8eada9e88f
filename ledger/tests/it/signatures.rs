//! The signature rule (`yui_consensus::signature`, ADR 0006), everywhere:
//! canonical key and R, neither of small order, S < ℓ, the cofactored
//! equation. Its edge-case vectors are tested in `consensus/tests/it`.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use yui_ledger::crypto::{self, SignatureError};
use yui_ledger::{Address, ErrorKind, SignedTransaction, TxError, check_tx};

use crate::fixture::*;

/// The group order ℓ, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The encoding of the base point B.
fn base_point() -> [u8; 32] {
    let mut b = [0x66; 32];
    b[0] = 0x58;
    b
}

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// Encodings of points of small order (1, 2, 4 and 8), canonical and not.
fn small_order_encodings() -> Vec<(&'static str, [u8; 32])> {
    let ff = "ff".repeat(28);
    vec![
        (
            "identity",
            h32("0100000000000000000000000000000000000000000000000000000000000000"),
        ),
        ("order 2", h32(&format!("ecff{ff}ff7f"))),
        (
            "order 4",
            h32("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        (
            "order 4, negative x",
            h32("0000000000000000000000000000000000000000000000000000000000000080"),
        ),
        (
            "order 8 a",
            h32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        ),
        (
            "order 8 b",
            h32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
        ),
        (
            "order 8 c",
            h32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        ),
        (
            "order 8 d",
            h32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
        ),
        // Non-canonical: a sign bit on x = 0, or y ≥ p.
        (
            "identity, x sign set",
            h32("0100000000000000000000000000000000000000000000000000000000000080"),
        ),
        ("order 2, x sign set", h32(&format!("ecff{ff}ffff"))),
        ("identity as y = p + 1", h32(&format!("eeff{ff}ff7f"))),
        (
            "identity as y = p + 1, x sign set",
            h32(&format!("eeff{ff}ffff")),
        ),
        ("order 4 as y = p", h32(&format!("edff{ff}ff7f"))),
        (
            "order 4 as y = p, x sign set",
            h32(&format!("edff{ff}ffff")),
        ),
    ]
}

/// (R = B, s = 1): under a small-order key A, the lax equation
/// R = sB − kA holds whenever kA is the identity.
fn weak_signature() -> [u8; 64] {
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&base_point());
    sig[32] = 1;
    sig
}

/// A message that the lax (non-strict) rule accepts with `weak_signature`
/// under `key`.
fn lax_forgery(key: &[u8; 32]) -> Option<Vec<u8>> {
    let vk = VerifyingKey::from_bytes(key).ok()?;
    let sig = Signature::from_bytes(&weak_signature());
    (0u32..1024)
        .map(|i| format!("pay 1000 coins #{i}").into_bytes())
        .find(|m| vk.verify(m, &sig).is_ok())
}

fn add_ell(s: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for ((o, a), b) in out.iter_mut().zip(s).zip(ELL) {
        let v = u16::from(*a) + u16::from(b) + carry;
        *o = (v & 0xff) as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    out
}

#[test]
fn a_valid_signature_passes() {
    let k = hana();
    let msg = b"yui";
    let sig = k.sign(msg);
    assert_eq!(crypto::verify(&k.address(), msg, &sig), Ok(()));
    let c = Chain::new();
    let stx = c.sign(&hana(), burn_op(COIN, 1));
    assert_eq!(stx.check_stateless(CHAIN_ID), Ok(()));
}

#[test]
fn non_canonical_s_is_refused() {
    let k = hana();
    let msg = b"yui";
    let sig = k.sign(msg);
    let mut malleated = sig;
    malleated[32..].copy_from_slice(&add_ell(&sig[32..]));
    assert_ne!(malleated, sig);
    // The top three bits stay clear: only the s < ℓ rule catches this.
    assert_eq!(malleated[63] & 0xe0, 0);
    assert_eq!(
        crypto::verify(&k.address(), msg, &malleated),
        Err(SignatureError::Invalid)
    );
    // The same for a transaction, whose hash would otherwise change.
    let c = Chain::new();
    let mut stx = c.sign(&hana(), burn_op(COIN, 1));
    let s = stx.signature;
    stx.signature[32..].copy_from_slice(&add_ell(&s[32..]));
    let e = check_tx(&c.state, &c.next_ctx(), &stx).unwrap_err();
    assert_eq!(e, TxError::BadSignature(SignatureError::Invalid));
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[test]
fn small_order_and_non_canonical_keys_are_refused_even_with_lax_forgeries() {
    let mut forged = 0;
    for (name, key) in small_order_encodings() {
        let vk =
            VerifyingKey::from_bytes(&key).unwrap_or_else(|_| panic!("{name} does not decode"));
        assert!(vk.is_weak(), "{name} is not of small order");
        let any = b"anything".to_vec();
        let msg = lax_forgery(&key);
        if msg.is_some() {
            forged += 1;
        }
        let msg = msg.unwrap_or(any);
        let r = crypto::verify(&Address(key), &msg, &weak_signature());
        assert_eq!(
            r,
            Err(SignatureError::MalformedKey),
            "{name}: the rule accepted a weak key"
        );
    }
    // The lax rule was fooled for every one of them: the refusals above are
    // the strict rule's doing.
    assert_eq!(forged, small_order_encodings().len());
}

#[test]
fn a_transaction_signed_for_the_identity_key_is_refused() {
    let c = Chain::new();
    let identity = small_order_encodings()[0].1;
    let mut tx = c.tx(&hana(), 0, burn_op(COIN, 1));
    tx.signer = Address(identity);
    let stx = SignedTransaction {
        tx,
        signature: weak_signature(),
    };
    // The lax rule would take it as a signature by that key.
    let vk = VerifyingKey::from_bytes(&identity).unwrap();
    assert!(
        vk.verify(&stx.tx.sign_bytes(), &Signature::from_bytes(&stx.signature))
            .is_ok()
    );
    // A key of small order is malformed (under `verify_strict`, before ADR
    // 0006, this was reported as `Invalid`; refused either way).
    let e = check_tx(&c.state, &c.next_ctx(), &stx).unwrap_err();
    assert_eq!(e, TxError::BadSignature(SignatureError::MalformedKey));
}

#[test]
fn small_order_or_non_canonical_r_is_refused() {
    let k = hana();
    let msg = b"yui";
    let sig = k.sign(msg);
    for (name, r) in small_order_encodings() {
        let mut bad = sig;
        bad[..32].copy_from_slice(&r);
        assert_eq!(
            crypto::verify(&k.address(), msg, &bad),
            Err(SignatureError::Invalid),
            "R = {name} accepted"
        );
    }
    // R with its x sign bit flipped: another point, refused.
    let mut bad = sig;
    bad[31] ^= 0x80;
    assert_eq!(
        crypto::verify(&k.address(), msg, &bad),
        Err(SignatureError::Invalid)
    );
}

#[test]
fn a_key_that_is_not_a_point_is_malformed() {
    let not_a_point = (2u8..=255)
        .map(|b| [b; 32])
        .find(|k| VerifyingKey::from_bytes(k).is_err())
        .unwrap();
    let sig = hana().sign(b"yui");
    assert_eq!(
        crypto::verify(&Address(not_a_point), b"yui", &sig),
        Err(SignatureError::MalformedKey)
    );
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let sig = taro().sign(b"yui");
    assert_eq!(
        crypto::verify(&hana().address(), b"yui", &sig),
        Err(SignatureError::Invalid)
    );
    assert_eq!(crypto::verify(&taro().address(), b"yui", &sig), Ok(()));
    assert_eq!(
        crypto::verify(&taro().address(), b"yuj", &sig),
        Err(SignatureError::Invalid)
    );
}

#[test]
fn a_batch_gives_each_signature_its_single_verdict() {
    let msgs: Vec<Vec<u8>> = (0..80u32)
        .map(|i| format!("yui {i}").into_bytes())
        .collect();
    let people = [hana(), taro()];
    let mut sigs: Vec<[u8; 64]> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| people[i % 2].sign(m))
        .collect();
    sigs[7][40] ^= 1;
    let s_plus_ell = add_ell(&sigs[50][32..]);
    sigs[50][32..].copy_from_slice(&s_plus_ell);
    let mut items: Vec<(Address, &[u8], &[u8; 64])> = msgs
        .iter()
        .zip(&sigs)
        .enumerate()
        .map(|(i, (m, s))| (people[i % 2].address(), m.as_slice(), s))
        .collect();
    let identity = small_order_encodings()[0].1;
    items[61].0 = Address(identity);
    let single: Vec<_> = items
        .iter()
        .map(|(a, m, s)| crypto::verify(a, m, s))
        .collect();
    for (i, v) in single.iter().enumerate() {
        let want = match i {
            7 | 50 => Err(SignatureError::Invalid),
            61 => Err(SignatureError::MalformedKey),
            _ => Ok(()),
        };
        assert_eq!(*v, want, "item {i}");
    }
    assert_eq!(crypto::verify_batch(&items), single);
    assert_eq!(crypto::verify_batch_parallel(&items, 2), single);
}

#[test]
fn signatures_cover_the_domain_tag() {
    let c = Chain::new();
    let tx = c.tx(&hana(), 0, burn_op(COIN, 1));
    // A signature over the bare transaction, without the domain tag.
    let bare = borsh::to_vec(&tx).unwrap();
    assert_ne!(bare, tx.sign_bytes());
    assert!(tx.sign_bytes().starts_with(&[9, 0, 0, 0]));
    let stx = SignedTransaction {
        signature: hana().sign(&bare),
        tx,
    };
    assert_eq!(
        stx.check_stateless(CHAIN_ID),
        Err(TxError::BadSignature(SignatureError::Invalid))
    );
}

#[test]
fn flipping_any_byte_of_a_signed_transaction_is_refused() {
    let c = Chain::new();
    let stx = c.sign(
        &hana(),
        pay_op(addr(&bakery()), "inv-1", 1_000, &[COIN, POINT]),
    );
    let bytes = stx.to_bytes();
    assert!(
        SignedTransaction::from_bytes(&bytes)
            .unwrap()
            .check_stateless(CHAIN_ID)
            .is_ok()
    );
    let mut decoded = 0;
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x80] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            if let Ok(t) = SignedTransaction::from_bytes(&b) {
                decoded += 1;
                assert!(
                    t.check_stateless(CHAIN_ID).is_err(),
                    "byte {i} ^ {flip:#x} still verifies"
                );
                assert_ne!(t.hash(), stx.hash());
            }
        }
    }
    // Most flips still decode; the signature is what refuses them.
    assert!(decoded > bytes.len());
}
