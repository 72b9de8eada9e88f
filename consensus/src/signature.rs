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
//! decode to points at all, which is found out when they are decoded). A
//! single signature's equation is checked by ed25519-zebra. A batch's is
//! the same cofactored equation summed with random coefficients, composed
//! here of curve25519-dalek's operations (as ed25519-zebra's batch verifier
//! composes it) so that a public key is decoded once per process, not once
//! per signature: decoding a point costs about a third of a signature's
//! check. A batch's verdicts are per signature and always equal to
//! [`verify`]'s: a batch that fails is verified again one signature at a
//! time, by ed25519-zebra.
//!
//! Unlike the rest of this crate, batch verification draws randomness (the
//! batch's coefficients) and [`verify_batch_parallel`] starts threads; neither
//! changes a verdict (the ADR gives the argument).

use std::collections::HashMap;
use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_zebra::{Signature, VerificationKey};
use sha2::{Digest, Sha512};

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
/// are checked together in one batch equation (which also refuses a key or
/// R that does not decode). If it holds, all of them are valid; if it fails
/// (or no randomness could be drawn for it), each is verified on its own.
pub fn verify_batch(items: &[Item<'_>]) -> Vec<Result<(), SigError>> {
    let mut verdicts: Vec<Result<(), SigError>> = items
        .iter()
        .map(|(key, _, sig)| check_encoding_bytes(key, sig))
        .collect();
    let survivors: Vec<&Item<'_>> = items
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| v.is_ok())
        .map(|(item, _)| item)
        .collect();
    if survivors.is_empty() {
        return verdicts;
    }
    let batch_holds =
        survivors.len() > 1 && coefficient_rng().is_some_and(|rng| batch_equation(&survivors, rng));
    if !batch_holds {
        for ((key, msg, sig), verdict) in items.iter().zip(verdicts.iter_mut()) {
            if verdict.is_ok() {
                *verdict = check_points_and_equation(key, msg, sig);
            }
        }
    }
    verdicts
}

/// Most public keys kept decoded (a point is 160 bytes): a town's active
/// payers. A key past it is decoded again when it next signs.
pub const KEY_POINTS_MAX: usize = 16_384;

/// Public keys decoded to points, by their bytes. Only a cache: a key's
/// point is a function of its bytes, so a hit gives what decoding would.
/// Its eviction (S3-FIFO) keeps keys seen more than once ahead of a stream
/// of keys seen once.
fn key_point(key: &[u8; 32]) -> Option<EdwardsPoint> {
    static POINTS: OnceLock<quick_cache::sync::Cache<[u8; 32], EdwardsPoint>> = OnceLock::new();
    let points = POINTS.get_or_init(|| quick_cache::sync::Cache::new(KEY_POINTS_MAX));
    if let Some(p) = points.get(key) {
        return Some(p);
    }
    let p = CompressedEdwardsY(*key).decompress()?;
    points.insert(*key, p);
    Some(p)
}

/// Whether `Σ zᵢ·([8]Rᵢ + [8][kᵢ]Aᵢ − [8][Sᵢ]B) = 0` for random 128-bit
/// `zᵢ`, over items whose bytes passed checks 1–3: it holds if every
/// signature's cofactored equation holds, and if one fails it holds with
/// probability at most 2⁻¹²⁸ (ADR 0006). False also if a key or an R does
/// not decode. The terms of one key are summed into one coefficient.
#[allow(non_snake_case)]
fn batch_equation(items: &[&Item<'_>], mut rng: chacha20::ChaCha20Rng) -> bool {
    use chacha20::rand_core::Rng;
    let mut B_coeff = Scalar::ZERO;
    // foldhash, seeded per process (as the node's other maps keyed by what
    // peers send): std's SipHash here was about 0.5 % of a validator's CPU.
    let mut key_at: HashMap<&[u8; 32], usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(items.len(), Default::default());
    let (mut As, mut A_coeffs) = (
        Vec::with_capacity(items.len()),
        Vec::with_capacity(items.len()),
    );
    let mut Rs = Vec::with_capacity(items.len());
    let mut R_coeffs = Vec::with_capacity(items.len());
    for (key, msg, sig) in items {
        let (r, s) = split(sig);
        let Some(R) = CompressedEdwardsY(r).decompress() else {
            return false;
        };
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        let at = match key_at.get(key) {
            Some(at) => *at,
            None => {
                let Some(A) = key_point(key) else {
                    return false;
                };
                As.push(A);
                A_coeffs.push(Scalar::ZERO);
                key_at.insert(key, As.len() - 1);
                As.len() - 1
            }
        };
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(r)
                .chain_update(key)
                .chain_update(msg)
                .finalize()
                .into(),
        );
        let mut z = [0u8; 16];
        rng.fill_bytes(&mut z);
        let z = Scalar::from(u128::from_le_bytes(z));
        B_coeff -= z * s;
        Rs.push(R);
        R_coeffs.push(z);
        A_coeffs[at] += z * k;
    }
    EdwardsPoint::vartime_multiscalar_mul(
        std::iter::once(&B_coeff)
            .chain(A_coeffs.iter())
            .chain(R_coeffs.iter()),
        std::iter::once(&ED25519_BASEPOINT_POINT)
            .chain(As.iter())
            .chain(Rs.iter()),
    )
    .mul_by_cofactor()
    .is_identity()
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

    /// A signature made from raw scalars, with a torsion point added to its
    /// key and to its R: valid under the cofactored equation only.
    fn mixed_order(seed: u8, msg: &[u8], torsion: &EdwardsPoint) -> ([u8; 32], [u8; 64]) {
        let a = Scalar::from_bytes_mod_order([seed; 32]);
        let r = Scalar::from_bytes_mod_order([seed ^ 0x5a; 32]);
        let key = (ED25519_BASEPOINT_POINT * a + torsion)
            .compress()
            .to_bytes();
        let big_r = (ED25519_BASEPOINT_POINT * r + torsion)
            .compress()
            .to_bytes();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r)
                .chain_update(key)
                .chain_update(msg)
                .finalize()
                .into(),
        );
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice((r + k * a).as_bytes());
        (key, sig)
    }

    #[test]
    fn the_batch_equation_is_cofactored_and_fails_for_one_bad_signature() {
        // A point of small order, listed above.
        let torsion = CompressedEdwardsY(b32(LISTED[4])).decompress().unwrap();
        let msgs: Vec<Vec<u8>> = (0..24u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let mut signed: Vec<([u8; 32], [u8; 64])> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| signed((i % 5) as u8 + 1, m))
            .collect();
        signed.push(mixed_order(9, &msgs[0], &torsion));
        let items: Vec<Item<'_>> = signed
            .iter()
            .zip(msgs.iter().chain([&msgs[0]]))
            .map(|((k, s), m)| (k, m.as_slice(), s))
            .collect();
        assert_eq!(verify(items[24].0, items[24].1, items[24].2), Ok(()));
        let refs: Vec<&Item<'_>> = items.iter().collect();
        // Twice: the second time every key's point comes from the cache.
        for _ in 0..2 {
            assert!(batch_equation(&refs, coefficient_rng().unwrap()));
        }
        for bad in [3, 24] {
            let mut other = refs.clone();
            let wrong = (items[bad].0, b"other".as_slice(), items[bad].2);
            other[bad] = &wrong;
            assert!(!batch_equation(&other, coefficient_rng().unwrap()), "{bad}");
        }
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
