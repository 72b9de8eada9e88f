//! Signed transactions, as a node admits them from a wallet or a peer.

use yui_ledger::crypto::{self, sha256};
use yui_ledger::limits::TX_BYTES_MAX;
use yui_ledger::{
    Operation, SignedTransaction, TxError, check_tx, check_tx_signed, execute_block,
    precheck_relayed,
};

use crate::world::{CHAIN_ID, ctx1, genesis_state, person};

/// Decodes `data` as a signed transaction and, if it decodes, checks it as
/// admission does; then signs the same operation with a key of the town and
/// checks that admission and a block agree on it.
///
/// Properties: the decoder accepts only canonical bytes (re-encoding gives
/// the input) of at most `TX_BYTES_MAX`; the id is the hash of those bytes;
/// the signature verdict is the same alone and in a batch; admission with the
/// signature checked agrees with admission of a pre-verified transaction; a
/// transaction admitted on a state is included by a block on that state with
/// the same outcome (the same refusal, or none).
pub fn signed_tx(data: &[u8]) {
    let Ok(stx) = SignedTransaction::from_bytes(data) else {
        return;
    };
    assert!(data.len() <= TX_BYTES_MAX, "oversize transaction decoded");
    assert_eq!(stx.to_bytes(), data, "decoded bytes are not canonical");
    assert_eq!(stx.hash(), sha256(data), "id is not the hash of the bytes");
    check_verdicts(&stx);

    // The same operation from a person of the town, with the next nonce, so
    // the rules after the signature check run on it too.
    let mut tx = stx.tx.clone();
    let key = person(stx.signature[0]);
    tx.chain_id = CHAIN_ID.into();
    tx.signer = key.address();
    tx.nonce = 0;
    let signed = tx.sign(key);
    let bytes = signed.to_bytes();
    if bytes.len() <= TX_BYTES_MAX {
        let again = SignedTransaction::from_bytes(&bytes).expect("a signed transaction decodes");
        assert_eq!(again, signed, "round trip changed the transaction");
    }
    assert_eq!(
        signed.check_stateless(CHAIN_ID),
        signed.check_unsigned(CHAIN_ID),
        "a correctly signed transaction failed its signature check"
    );
    check_verdicts(&signed);
    admission_agrees_with_block(&signed);
}

/// The signature verdict alone, in a batch and in admission agree.
fn check_verdicts(stx: &SignedTransaction) {
    let unsigned = stx.check_unsigned(CHAIN_ID);
    let stateless = stx.check_stateless(CHAIN_ID);
    let sign_bytes = stx.tx.sign_bytes();
    let single = crypto::verify(&stx.tx.signer, &sign_bytes, &stx.signature);
    let batch = crypto::verify_batch(&[(stx.tx.signer, &sign_bytes, &stx.signature)]);
    assert_eq!(batch.len(), 1);
    assert_eq!(
        batch[0].is_ok(),
        single.is_ok(),
        "batch and single verification disagree"
    );
    match (&unsigned, &single) {
        (Ok(()), Ok(())) => assert_eq!(stateless, Ok(())),
        (Err(e), _) => assert_eq!(&stateless, &Err(e.clone())),
        (Ok(()), Err(_)) => assert!(stateless.is_err(), "a bad signature passed"),
    }
    let (state, ctx) = (genesis_state(), ctx1());
    let admitted = check_tx(state, &ctx, stx);
    if stateless.is_ok() {
        assert_eq!(
            admitted,
            check_tx_signed(state, &ctx, stx),
            "admission differs with the signature pre-verified"
        );
    } else {
        assert!(admitted.is_err(), "admitted without a valid signature");
    }
    let relayed = precheck_relayed(state, &ctx, stx);
    if unsigned.is_err() {
        assert!(
            relayed.is_err(),
            "relayed check passed a malformed transaction"
        );
    }
}

/// A transaction admitted on the town's genesis state is included by block 1
/// with the same refusal or none; one refused before its operation runs
/// makes the block invalid.
fn admission_agrees_with_block(stx: &SignedTransaction) {
    // A contract call is admitted without running it (its failure is a
    // receipt), so its admission is not its outcome.
    if matches!(stx.tx.op, Operation::CallContract { .. }) {
        return;
    }
    let (state, ctx) = (genesis_state(), ctx1());
    let admitted = check_tx(state, &ctx, stx);
    match execute_block(state, ctx, std::slice::from_ref(stx)) {
        Ok(out) => {
            assert_eq!(out.receipts.len(), 1);
            assert_eq!(
                admitted.err(),
                out.receipts[0].error,
                "admission and the block's receipt disagree"
            );
        }
        // Fuel is a block's budget, which admission does not reserve.
        Err((_, TxError::BlockFuelSpent)) => {}
        Err((i, e)) => {
            assert_eq!(i, 0);
            assert_eq!(admitted, Err(e), "admission and block refusal disagree");
        }
    }
}
