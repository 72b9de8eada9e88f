//! Yui's one ed25519 signature rule (`docs/adr/0006-ed25519-batchable-rule.md`),
//! used for transactions, read authorisations, votes, proposals and
//! certificates alike, singly or in batches.
//!
//! A signature `R ‖ S` by the public key `A` over `M` is accepted iff
//! 1. `A` is the canonical encoding of a curve point that is not of small order;
//! 2. `R` is the canonical encoding of a curve point that is not of small order;
//! 3. `S` is canonical: `S < ℓ`;
//! 4. the cofactored equation `[8][S]B = [8]R + [8][k]A` holds, with
//!    `k = SHA-512(R ‖ A ‖ M)` reduced mod ℓ.
//!
//! Checks 1–3 are decided here from the bytes (all but whether A and R
//! decode to points at all, which ed25519-zebra finds out when it decodes
//! them); the equation is checked by ed25519-zebra, whose single and batch
//! verification agree on it. A
//! batch's verdicts are per signature and always equal to [`verify`]'s: a
//! batch that fails is verified again one signature at a time.
//!
//! Unlike the rest of this crate, batch verification draws randomness (the
//! batch's coefficients) and [`verify_batch_parallel`] starts threads; neither
//! changes a verdict (the ADR gives the argument).

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use ed25519_zebra::batch;
use ed25519_zebra::{Signature, VerificationKey, VerificationKeyBytes};

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    /// The public key is not on the curve, not canonically encoded, or of
    /// small order.
    #[error("the public key is not the canonical encoding of an ed25519 point of large order")]
    MalformedKey,
    /// R is not on the curve, not canonically encoded, or of small order; or
    /// S is not below ℓ.
    #[error("the signature is malformed (R not a canonical point of large order, or S ≥ ℓ)")]
    MalformedSignature,
    /// The encodings are fine but the equation does not hold.
    #[error("the signature does not verify")]
    Invalid,
}

/// One signature to check: public key, message, signature.
pub type Item<'a> = (&'a [u8; 32], &'a [u8], &'a [u8; 64]);

/// Fewest signatures [`verify_batch_parallel`] gives a thread: below this,
/// a thread costs more CPU than it saves time. A batch is cheaper per
/// signature the larger it is, and a thread is started for each chunk:
/// `yui-bench verify` gave 64 signatures on two threads 21 µs of CPU each
/// against 16 on one, and 256 on two 15.6 against 13.1, so a batch is
/// split only where each half still makes a large batch.
pub const PARALLEL_CHUNK_MIN: usize = 128;

/// The encodings checks 1 and 2 refuse among those whose y is below p: the
/// canonical encodings of the eight points of small order (the whole torsion
/// subgroup), then the two non-canonical ones with x = 0 and its sign bit
/// set (x = 0 only for y = ±1, the identity and the point of order 2).
pub const REFUSED_POINT_ENCODINGS: [[u8; 32]; 10] = {
    const fn y_then_top(low: [u8; 2], fill: u8, top: u8) -> [u8; 32] {
        let mut b = [fill; 32];
        b[0] = low[0];
        b[1] = low[1];
        b[31] = top;
        b
    }
    const fn order8(b: [u8; 32], top: u8) -> [u8; 32] {
        let mut b = b;
        b[31] = top;
        b
    }
    const A8: [u8; 32] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    const C8: [u8; 32] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    [
        // Order 1 (the identity, y = 1), order 2 (y = −1), order 4 (y = 0).
        y_then_top([0x01, 0x00], 0x00, 0x00),
        y_then_top([0xec, 0xff], 0xff, 0x7f),
        y_then_top([0x00, 0x00], 0x00, 0x00),
        y_then_top([0x00, 0x00], 0x00, 0x80),
        // Order 8.
        A8,
        order8(A8, 0x85),
        C8,
        order8(C8, 0xfa),
        // x = 0 with its sign bit set: non-canonical.
        y_then_top([0x01, 0x00], 0x00, 0x80),
        y_then_top([0xec, 0xff], 0xff, 0xff),
    ]
};

/// Whether y (the low 255 bits, little-endian) is below p = 2^255 − 19:
/// y ≥ p only for y = p + j, j < 19, whose low byte is 0xed + j and whose
/// other bits are all ones.
fn y_below_p(bytes: &[u8; 32]) -> bool {
    !(bytes[0] >= 0xed && bytes[1..31].iter().all(|b| *b == 0xff) && bytes[31] & 0x7f == 0x7f)
}

/// Checks 1 and 2 on the bytes, given that they decode to a point (which
/// ed25519-zebra checks when it decodes them): the encoding is canonical and
/// the point is not of small order iff y < p and the bytes are none of
/// [`REFUSED_POINT_ENCODINGS`]. (Canonical with y < p fails only for x = 0
/// with the sign bit set; x = 0 means y = ±1. A canonical encoding of a point
/// of small order is one of the eight listed.) The tests check this against
/// decompress, recompress and compare, and multiply by 8.
fn passes_point_bytes(bytes: &[u8; 32]) -> bool {
    y_below_p(bytes) && !REFUSED_POINT_ENCODINGS.contains(bytes)
}

/// Whether the 32 bytes are a scalar below ℓ, little-endian.
fn is_canonical_scalar(bytes: &[u8; 32]) -> bool {
    bool::from(Scalar::from_canonical_bytes(*bytes).is_some())
}

/// Whether `public_key` can sign under the rule (check 1): the canonical
/// encoding of a curve point that is not of small order. Every key made by
/// RFC 8032 key generation is one; a validator's key is checked with this.
pub fn is_signing_key(public_key: &[u8; 32]) -> bool {
    passes_point_bytes(public_key) && CompressedEdwardsY(*public_key).decompress().is_some()
}

/// Checks 1–3 on the bytes alone: everything but whether A and R decode to
/// points, which the equation's check finds out.
fn check_encoding_bytes(public_key: &[u8; 32], signature: &[u8; 64]) -> Result<(), SigError> {
    if !passes_point_bytes(public_key) {
        return Err(SigError::MalformedKey);
    }
    let (r, s) = split(signature);
    if !passes_point_bytes(&r) || !is_canonical_scalar(&s) {
        return Err(SigError::MalformedSignature);
    }
    Ok(())
}

fn split(signature: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let mut r = [0u8; 32];
    let mut s = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    s.copy_from_slice(&signature[32..]);
    (r, s)
}

/// For an item whose bytes passed [`check_encoding_bytes`]: that A and R
/// decode to points (the rest of checks 1 and 2), then check 4, by
/// ed25519-zebra's single verification.
fn check_points_and_equation(
    public_key: &[u8; 32],
    msg: &[u8],
    signature: &[u8; 64],
) -> Result<(), SigError> {
    let key = VerificationKey::try_from(*public_key).map_err(|_| SigError::MalformedKey)?;
    key.verify(&Signature::from_bytes(signature), msg)
        .map_err(|_| {
            // zebra refuses an R that does not decode as it refuses a failed
            // equation; tell them apart (on this failing path only).
            let (r, _) = split(signature);
            match CompressedEdwardsY(r).decompress() {
                None => SigError::MalformedSignature,
                Some(_) => SigError::Invalid,
            }
        })
}

/// Verifies `signature` over `msg` by `public_key` under Yui's rule.
pub fn verify(public_key: &[u8; 32], msg: &[u8], signature: &[u8; 64]) -> Result<(), SigError> {
    check_encoding_bytes(public_key, signature)?;
    check_points_and_equation(public_key, msg, signature)
}

/// Verifies many signatures at once; the verdicts are in the order of
/// `items` and each equals [`verify`]'s for that item.
///
/// Items whose bytes fail checks 1–3 get their verdict at once; the others
/// are checked together in one ed25519-zebra batch (which also refuses a key
/// or R that does not decode). If the batch holds, all of them are valid; if
/// it fails (or no randomness could be drawn for it), each is verified on its
/// own.
pub fn verify_batch(items: &[Item<'_>]) -> Vec<Result<(), SigError>> {
    let mut verdicts: Vec<Result<(), SigError>> = items
        .iter()
        .map(|(key, _, sig)| check_encoding_bytes(key, sig))
        .collect();
    let survivors = verdicts.iter().filter(|v| v.is_ok()).count();
    if survivors == 0 {
        return verdicts;
    }
    let batch_holds = survivors > 1 && {
        let mut batch = batch::Verifier::new();
        for ((key, msg, sig), _) in items.iter().zip(&verdicts).filter(|(_, v)| v.is_ok()) {
            batch.queue((
                VerificationKeyBytes::from(**key),
                Signature::from_bytes(sig),
                *msg,
            ));
        }
        coefficient_rng().is_some_and(|rng| batch.verify(rng).is_ok())
    };
    if !batch_holds {
        for ((key, msg, sig), verdict) in items.iter().zip(verdicts.iter_mut()) {
            if verdict.is_ok() {
                *verdict = check_points_and_equation(key, msg, sig);
            }
        }
    }
    verdicts
}

/// The batch's random coefficients come from a ChaCha20 stream keyed by the
/// operating system's generator for each batch; `None` if the system has no
/// randomness to give (the caller then verifies one by one).
fn coefficient_rng() -> Option<chacha20::ChaCha20Rng> {
    use chacha20::rand_core::SeedableRng;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).ok()?;
    Some(chacha20::ChaCha20Rng::from_seed(seed))
}

/// [`verify_batch`] over up to `threads` threads (at least
/// [`PARALLEL_CHUNK_MIN`] items each, the calling thread taking the first
/// chunk). Same verdicts, same order. A thread that cannot be started, or
/// that fails, has its chunk verified on the calling thread.
pub fn verify_batch_parallel(items: &[Item<'_>], threads: usize) -> Vec<Result<(), SigError>> {
    let chunk = items.len().div_ceil(threads.max(1)).max(PARALLEL_CHUNK_MIN);
    if items.len() <= chunk {
        return verify_batch(items);
    }
    let mut chunks = items.chunks(chunk);
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let spawned: Vec<_> = chunks
            .map(|c| {
                let handle = std::thread::Builder::new()
                    .name("yui-sigverify".into())
                    .spawn_scoped(scope, move || verify_batch(c));
                (c, handle)
            })
            .collect();
        let mut verdicts = verify_batch(first);
        for (c, handle) in spawned {
            match handle.map(|h| h.join()) {
                Ok(Ok(v)) => verdicts.extend(v),
                _ => verdicts.extend(verify_batch(c)),
            }
        }
        verdicts
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use sha2::Digest;

    fn signed(seed: u8, msg: &[u8]) -> ([u8; 32], [u8; 64]) {
        let k = SigningKey::from_bytes(&[seed; 32]);
        (k.verifying_key().to_bytes(), k.sign(msg).to_bytes())
    }

    #[test]
    fn an_rfc8032_signature_verifies_and_a_changed_message_does_not() {
        let (pk, sig) = signed(1, b"yui");
        assert_eq!(verify(&pk, b"yui", &sig), Ok(()));
        assert_eq!(verify(&pk, b"yuj", &sig), Err(SigError::Invalid));
        assert!(is_signing_key(&pk));
    }

    #[test]
    fn the_identity_and_the_all_zero_key_cannot_sign() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(!is_signing_key(&identity));
        assert!(!is_signing_key(&[0; 32]));
        let (_, sig) = signed(1, b"yui");
        assert_eq!(verify(&identity, b"yui", &sig), Err(SigError::MalformedKey));
    }

    /// The eight canonical encodings of small-order points that
    /// `docs/encoding.md` lists for wallet authors, then the two with x = −0.
    const LISTED: [&str; 10] = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ];

    fn b32(hex: &str) -> [u8; 32] {
        hex::decode(hex).unwrap().try_into().unwrap()
    }

    /// Checks 1 and 2 as the rule states them: decompress, recompress to the
    /// same bytes, not of small order.
    fn reference_point_check(bytes: &[u8; 32]) -> bool {
        CompressedEdwardsY(*bytes)
            .decompress()
            .is_some_and(|p| p.compress().to_bytes() == *bytes && !p.is_small_order())
    }

    #[test]
    fn the_refused_encodings_are_the_torsion_points_and_the_two_with_x_negative_zero() {
        let (pk, sig) = signed(3, b"yui");
        let mut torsion = Vec::new();
        for (i, hex) in LISTED.iter().enumerate() {
            let bytes = b32(hex);
            assert_eq!(REFUSED_POINT_ENCODINGS[i], bytes, "{hex}");
            let p = CompressedEdwardsY(bytes).decompress().unwrap();
            assert!(p.is_small_order(), "{hex}");
            assert_eq!(p.compress().to_bytes() == bytes, i < 8, "{hex}");
            if i < 8 {
                torsion.push(p);
            }
            assert!(!is_signing_key(&bytes), "{hex}");
            let mut bad = sig;
            bad[..32].copy_from_slice(&bytes);
            assert_eq!(verify(&pk, b"yui", &bad), Err(SigError::MalformedSignature));
        }
        // Eight distinct points of small order: the whole torsion subgroup
        // (the curve's group is cyclic of order 8ℓ).
        for (i, p) in torsion.iter().enumerate() {
            assert!(torsion[..i].iter().all(|q| q != p));
        }
    }

    #[test]
    fn the_byte_checks_equal_decompress_recompress_and_small_order() {
        use curve25519_dalek::edwards::EdwardsPoint;
        let mut cases: Vec<[u8; 32]> = LISTED.iter().map(|h| b32(h)).collect();
        // Every y ≥ p (y = p + j), both signs, and y just below p.
        for j in 0u8..19 {
            for top in [0x7f, 0xff] {
                let mut b = [0xff; 32];
                b[0] = 0xed + j;
                b[31] = top;
                cases.push(b);
                b[0] = 0xec - j;
                cases.push(b);
            }
        }
        // Large-order keys, the same plus each torsion point (mixed order),
        // and their negations.
        let torsion: Vec<EdwardsPoint> = LISTED[..8]
            .iter()
            .map(|h| CompressedEdwardsY(b32(h)).decompress().unwrap())
            .collect();
        for seed in 0..40u8 {
            let (pk, _) = signed(seed, b"");
            let a = CompressedEdwardsY(pk).decompress().unwrap();
            for t in &torsion {
                cases.push((a + t).compress().to_bytes());
                cases.push((-(a + t)).compress().to_bytes());
            }
        }
        // Pseudo-random bytes (SHA-256 chain), about half of which decode,
        // with either sign bit.
        let mut h = [7u8; 32];
        for _ in 0..4_000 {
            h = sha2::Sha256::digest(h).into();
            cases.push(h);
            let mut flipped = h;
            flipped[31] ^= 0x80;
            cases.push(flipped);
        }
        let mut decoded = 0;
        for bytes in &cases {
            let decodes = CompressedEdwardsY(*bytes).decompress().is_some();
            decoded += usize::from(decodes);
            let fast = passes_point_bytes(bytes) && decodes;
            assert_eq!(fast, reference_point_check(bytes), "{}", hex::encode(bytes));
            assert_eq!(is_signing_key(bytes), reference_point_check(bytes));
        }
        assert!(decoded > cases.len() / 3);
    }

    #[test]
    fn a_key_or_r_off_the_curve_is_malformed_singly_and_in_batches() {
        let off = (0u8..=255)
            .map(|b| [b; 32])
            .find(|b| y_below_p(b) && CompressedEdwardsY(*b).decompress().is_none())
            .unwrap();
        assert!(passes_point_bytes(&off) && !is_signing_key(&off));
        let (pk, sig) = signed(4, b"yui");
        let mut bad_r = sig;
        bad_r[..32].copy_from_slice(&off);
        let items: Vec<Item<'_>> = (0..40)
            .map(|i| match i {
                9 => (&off, b"yui".as_slice(), &sig),
                20 => (&pk, b"yui".as_slice(), &bad_r),
                _ => (&pk, b"yui".as_slice(), &sig),
            })
            .collect();
        let want: Vec<Result<(), SigError>> = (0..40)
            .map(|i| match i {
                9 => Err(SigError::MalformedKey),
                20 => Err(SigError::MalformedSignature),
                _ => Ok(()),
            })
            .collect();
        let single: Vec<_> = items.iter().map(|(k, m, s)| verify(k, m, s)).collect();
        assert_eq!(single, want);
        assert_eq!(verify_batch(&items), want);
        assert_eq!(verify_batch(&items[9..10]), want[9..10]);
        assert_eq!(verify_batch(&items[20..21]), want[20..21]);
    }

    #[test]
    fn s_plus_ell_is_malformed() {
        let (pk, mut sig) = signed(2, b"yui");
        // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let ell: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (b, e) in sig[32..].iter_mut().zip(ell) {
            let v = u16::from(*b) + u16::from(e) + carry;
            *b = (v & 0xff) as u8;
            carry = v >> 8;
        }
        assert_eq!(carry, 0);
        assert_eq!(verify(&pk, b"yui", &sig), Err(SigError::MalformedSignature));
    }

    #[test]
    fn batches_and_parallel_batches_give_per_item_verdicts_in_order() {
        // Enough for two chunks: a bad signature in each thread's part.
        let msgs: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let mut signed: Vec<([u8; 32], [u8; 64])> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| signed((i % 7) as u8 + 1, m))
            .collect();
        signed[40].1[0] ^= 1;
        signed[77].1[5] ^= 4;
        signed[250].1[9] ^= 2;
        let items: Vec<Item<'_>> = signed
            .iter()
            .zip(&msgs)
            .map(|((k, s), m)| (k, m.as_slice(), s))
            .collect();
        let single: Vec<_> = items.iter().map(|(k, m, s)| verify(k, m, s)).collect();
        assert!(single[40].is_err() && single[77].is_err() && single[250].is_err());
        assert_eq!(single.iter().filter(|v| v.is_ok()).count(), 297);
        assert!(
            items.len() > 2 * PARALLEL_CHUNK_MIN,
            "two threads get a chunk each"
        );
        assert_eq!(verify_batch(&items), single);
        for threads in [0, 1, 2, 3, 8] {
            assert_eq!(verify_batch_parallel(&items, threads), single);
        }
        assert!(verify_batch(&[]).is_empty());
        assert!(verify_batch_parallel(&[], 2).is_empty());
    }
}
