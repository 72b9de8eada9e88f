//! `Transactions.Prepare`: the exact bytes of a transaction from its fields,
//! for wallets that would rather not encode. The node never sees the key:
//! the wallet signs `sign_bytes` and submits `tx_bytes ++ signature`.

use tonic::Status;
use yui_ledger::{Expiry, Operation, Transaction};
use yui_proto::v1 as pb;

use super::{address, convert, tx_status};
use crate::chain::Shared;

/// Blocks after the head a prepared transaction stays valid when the request
/// names no expiry.
pub const DEFAULT_EXPIRY_BLOCKS: u64 = 100;

/// Builds the transaction a `PrepareRequest` describes.
pub fn prepare(shared: &Shared, req: pb::PrepareRequest) -> Result<pb::PrepareResponse, Status> {
    let signer = address(&req.signer, "signer")?;
    let op = operation(req.operation)?;
    op.check_shape().map_err(|e| tx_status(&e))?;
    let nonce = if req.next_nonce {
        if req.nonce != 0 {
            return Err(Status::invalid_argument(
                "give either nonce or next_nonce, not both",
            ));
        }
        shared.next_nonce(&signer).map_err(super::internal)?
    } else {
        req.nonce
    };
    let expiry = match (req.expire_at_height, req.expire_at_time_ms) {
        (0, 0) => Expiry::Height(shared.head().height + DEFAULT_EXPIRY_BLOCKS),
        (h, 0) => Expiry::Height(h),
        (0, t) => Expiry::Time(t),
        _ => {
            return Err(Status::invalid_argument(
                "give at most one of expire_at_height and expire_at_time_ms",
            ));
        }
    };
    let tx = Transaction {
        chain_id: shared.genesis.chain_id.clone(),
        signer,
        nonce,
        expiry,
        op,
    };
    let tx_bytes = borsh::to_vec(&tx).map_err(super::internal)?;
    // What the wallet shows is decoded from the bytes it will sign.
    let decoded: Transaction = borsh::from_slice(&tx_bytes).map_err(super::internal)?;
    let (expire_at_height, expire_at_time_ms) = match tx.expiry {
        Expiry::Height(h) => (h, 0),
        Expiry::Time(t) => (0, t),
    };
    Ok(pb::PrepareResponse {
        sign_bytes: tx.sign_bytes(),
        tx_bytes,
        nonce,
        chain_id: tx.chain_id,
        expire_at_height,
        expire_at_time_ms,
        operation_json: convert::operation_json(&decoded.op).to_string(),
    })
}

fn text(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn operation(op: Option<pb::prepare_request::Operation>) -> Result<Operation, Status> {
    use pb::prepare_request::Operation as P;
    Ok(match op {
        None => return Err(Status::invalid_argument("no operation given")),
        Some(P::Charge(c)) => Operation::Charge {
            to: address(&c.to, "charge.to")?,
            asset: c.asset,
            amount: c.amount,
            deposit_ref: c.deposit_ref,
            campaign: text(c.campaign),
        },
        Some(P::Grant(g)) => Operation::Grant {
            to: address(&g.to, "grant.to")?,
            asset: g.asset,
            amount: g.amount,
            reason: g.reason,
            event_id: text(g.event_id),
        },
        Some(P::Transfer(t)) => Operation::Transfer {
            to: address(&t.to, "transfer.to")?,
            asset: t.asset,
            amount: t.amount,
        },
        Some(P::Pay(p)) => Operation::Pay {
            merchant: address(&p.merchant, "pay.merchant")?,
            invoice_id: p.invoice_id,
            amount: p.amount,
            assets: p.assets,
        },
        Some(P::Refund(r)) => Operation::Refund {
            invoice_id: r.invoice_id,
            amount: r.amount,
        },
        Some(P::Redeem(r)) => Operation::Redeem {
            asset: r.asset,
            amount: r.amount,
            payout_ref: r.payout_ref,
        },
        Some(P::Burn(b)) => Operation::Burn {
            asset: b.asset,
            amount: b.amount,
        },
        Some(P::OperationJson(j)) => serde_json::from_str(&j).map_err(|e| {
            Status::invalid_argument(format!(
                "operation_json is not an operation: {e} (see docs/encoding.md)"
            ))
        })?,
    })
}
