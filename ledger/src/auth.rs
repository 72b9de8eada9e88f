//! Read authorisation: account-level data (balances, history, event streams)
//! belongs to the account holder and to auditors. A reader proves who it is
//! by signing these bytes; the node accepts them for a few minutes.

use borsh::BorshSerialize;

use crate::crypto::{self, Address, SignatureError};

/// Domain tag of read authorisations.
pub const READ_DOMAIN: &[u8] = b"yui/read/v1";

/// How far a read authorisation's time may be from the node's clock.
pub const READ_AUTH_SKEW_MAX_MS: u64 = 5 * 60 * 1000;

#[derive(BorshSerialize)]
struct ReadBytes<'a> {
    domain: &'a [u8],
    chain_id: &'a str,
    reader: &'a Address,
    /// The account read; [`Address::ZERO`] for chain-wide audit reads.
    subject: &'a Address,
    time_ms: u64,
}

/// The bytes a reader signs to read `subject`'s data at `time_ms`.
pub fn read_sign_bytes(
    chain_id: &str,
    reader: &Address,
    subject: &Address,
    time_ms: u64,
) -> Vec<u8> {
    borsh::to_vec(&ReadBytes {
        domain: READ_DOMAIN,
        chain_id,
        reader,
        subject,
        time_ms,
    })
    .unwrap_or_default()
}

/// Checks a read authorisation's signature and freshness against `now_ms`.
pub fn verify_read(
    chain_id: &str,
    reader: &Address,
    subject: &Address,
    time_ms: u64,
    signature: &[u8; 64],
    now_ms: u64,
) -> Result<(), String> {
    if time_ms.abs_diff(now_ms) > READ_AUTH_SKEW_MAX_MS {
        return Err(
            "read authorisation is stale or from the future; sign a fresh one (check your clock)"
                .into(),
        );
    }
    crypto::verify(
        reader,
        &read_sign_bytes(chain_id, reader, subject, time_ms),
        signature,
    )
    .map_err(|e: SignatureError| format!("read authorisation: {e}"))
}
