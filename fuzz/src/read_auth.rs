//! Read authorisations: the signed proof a reader sends with a read of an
//! account's data (balances, history, event streams).

use borsh::BorshDeserialize;
use yui_ledger::auth::{READ_AUTH_SKEW_MAX_MS, read_sign_bytes, verify_read};
use yui_ledger::{Address, crypto};

use crate::world::person;

/// The fields a node receives (its gRPC `ReadAuth` and the subject of the
/// read) and its clock, borsh-encoded.
#[derive(Debug, BorshDeserialize, borsh::BorshSerialize)]
pub struct ReadAuthInput {
    pub chain_id: String,
    pub reader: Address,
    pub subject: Address,
    pub time_ms: u64,
    pub signature: [u8; 64],
    pub now_ms: u64,
}

/// Checks the authorisation in `data`, then the same one signed by a key of
/// the town.
///
/// Properties: an accepted authorisation is fresh (within the skew of the
/// clock) and its signature verifies over exactly the read's sign bytes; a
/// correctly signed one is accepted exactly when it is fresh; one signed
/// for another subject, chain or time is refused.
pub fn read_auth(data: &[u8]) {
    let Ok(a) = borsh::from_slice::<ReadAuthInput>(data) else {
        return;
    };
    let fresh = a.time_ms.abs_diff(a.now_ms) <= READ_AUTH_SKEW_MAX_MS;
    let verdict = verify_read(
        &a.chain_id,
        &a.reader,
        &a.subject,
        a.time_ms,
        &a.signature,
        a.now_ms,
    );
    let msg = read_sign_bytes(&a.chain_id, &a.reader, &a.subject, a.time_ms);
    let signed = crypto::verify(&a.reader, &msg, &a.signature).is_ok();
    assert_eq!(
        verdict.is_ok(),
        fresh && signed,
        "read verdict: {verdict:?}"
    );

    let key = person(a.signature[0]);
    let reader = key.address();
    let msg = read_sign_bytes(&a.chain_id, &reader, &a.subject, a.time_ms);
    let signature = key.sign(&msg);
    let verdict = verify_read(
        &a.chain_id,
        &reader,
        &a.subject,
        a.time_ms,
        &signature,
        a.now_ms,
    );
    assert_eq!(verdict.is_ok(), fresh, "signed read refused: {verdict:?}");
    if fresh {
        let other = Address(a.reader.0);
        if other != a.subject {
            assert!(
                verify_read(
                    &a.chain_id,
                    &reader,
                    &other,
                    a.time_ms,
                    &signature,
                    a.now_ms
                )
                .is_err(),
                "a read signed for one subject passed for another"
            );
        }
        let chain = format!("{}x", a.chain_id);
        assert!(
            verify_read(&chain, &reader, &a.subject, a.time_ms, &signature, a.now_ms).is_err(),
            "a read signed for one chain passed for another"
        );
    }
}
