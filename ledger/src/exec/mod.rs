//! The state machine: a block's start (expiries, job timeouts), then each
//! transaction.
//!
//! Pure: no I/O, no clock, no randomness. Time comes from the block header;
//! every collection iterated is ordered. Two nodes executing the same block on
//! the same state produce the same write set, receipts and state root.

mod contract_host;
mod contracts;
mod credentials;

pub use contracts::query as query_contract;
mod governance;
mod holding;
mod jobs;
mod ops;

use borsh::{BorshDeserialize, BorshSerialize};

use crate::credential::CredentialAction;
use crate::crypto::Hash;
use crate::error::{Rule, TxError};
use crate::limits;
use crate::receipt::{Event, Receipt};
use crate::state::{Account, Overlay, StateRead, WriteSet, decode, keys};
use crate::tx::{Operation, SignedTransaction};

/// What a block tells the state machine about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    pub chain_id: String,
    pub height: u64,
    /// The block's time, ms since the Unix epoch, set by its proposer.
    pub time_ms: u64,
}

/// Recorded in state by every block, so each version of the tree differs.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BlockInfo {
    pub height: u64,
    pub time_ms: u64,
}

/// Key of the last executed block's [`BlockInfo`].
pub fn block_info_key() -> Vec<u8> {
    vec![b'h']
}

/// Checks that need the state but change nothing: signer known, nonce, expiry.
fn precheck<S: StateRead + ?Sized>(
    s: &S,
    ctx: &Ctx,
    stx: &SignedTransaction,
) -> Result<Account, TxError> {
    stx.check_expiry(ctx.height, ctx.time_ms)?;
    let signer = &stx.tx.signer;
    let acct: Account =
        crate::state::read(s, &keys::account(signer))?.ok_or(TxError::UnknownAccount(*signer))?;
    if stx.tx.nonce < acct.nonce {
        return Err(TxError::NonceUsed {
            expected: acct.nonce,
            got: stx.tx.nonce,
        });
    }
    if stx.tx.nonce == u64::MAX {
        return Err(TxError::Malformed(Rule::NonceMax));
    }
    if stx.tx.nonce > acct.nonce {
        return Err(TxError::NonceGap {
            expected: acct.nonce,
            got: stx.tx.nonce,
        });
    }
    Ok(acct)
}

/// Runs the operation on `ov`; on error the caller discards `ov`.
fn run_op<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    stx: &SignedTransaction,
    acct: &Account,
) -> Result<Vec<Event>, TxError> {
    let signer = &stx.tx.signer;
    match &stx.tx.op {
        Operation::Charge {
            to,
            asset,
            amount,
            deposit_ref,
            campaign,
        } => ops::charge(
            ov,
            ctx,
            signer,
            acct,
            (to, asset, *amount, deposit_ref, campaign.as_deref()),
        ),
        Operation::Grant {
            to,
            asset,
            amount,
            reason,
            event_id,
        } => ops::grant(
            ov,
            ctx,
            signer,
            acct,
            (to, asset, *amount, reason, event_id.as_deref()),
        ),
        Operation::Transfer { to, asset, amount } => {
            ops::transfer(ov, ctx, signer, (to, asset, *amount))
        }
        Operation::Pay {
            merchant,
            invoice_id,
            amount,
            assets,
        } => ops::pay(ov, ctx, signer, (merchant, invoice_id, *amount, assets)),
        Operation::Refund { invoice_id, amount } => {
            ops::refund(ov, ctx, signer, (invoice_id, *amount))
        }
        Operation::Redeem {
            asset,
            amount,
            payout_ref,
        } => ops::redeem(ov, ctx, signer, acct, (asset, *amount, payout_ref)),
        Operation::Burn { asset, amount } => ops::burn(ov, ctx, signer, (asset, *amount)),
        Operation::PostJob {
            job_id,
            asset,
            reward,
            coordinator,
            accept_deadline_ms,
            required_credential,
            description_hash,
        } => jobs::post(
            ov,
            ctx,
            signer,
            jobs::PostJob {
                job_id,
                asset,
                reward: *reward,
                coordinator,
                accept_deadline_ms: *accept_deadline_ms,
                required_credential: required_credential.as_deref(),
                description_hash,
            },
        ),
        Operation::AcceptJob { job_id } => jobs::accept(ov, ctx, signer, job_id),
        Operation::SubmitJob { job_id, proof_hash } => {
            jobs::submit(ov, ctx, signer, (job_id, proof_hash))
        }
        Operation::ApproveJob { job_id, rating } => {
            jobs::approve(ov, ctx, signer, (job_id, *rating))
        }
        Operation::CancelJob { job_id } => jobs::cancel(ov, ctx, signer, job_id),
        Operation::ConsentCancel { job_id } => jobs::consent_cancel(ov, ctx, signer, job_id),
        Operation::DisputeJob {
            job_id,
            reason_hash,
        } => jobs::dispute(ov, ctx, signer, (job_id, reason_hash)),
        Operation::ResolveJob { job_id, to_worker } => {
            jobs::resolve(ov, ctx, signer, (job_id, *to_worker))
        }
        Operation::IssueCredential {
            credential_id,
            subject,
            kind,
            valid_from_ms,
            valid_until_ms,
            claims_digest,
        } => credentials::issue(
            ov,
            ctx,
            signer,
            acct,
            credentials::Issue {
                id: credential_id,
                subject,
                kind,
                valid_from_ms: *valid_from_ms,
                valid_until_ms: *valid_until_ms,
                claims_digest,
            },
        ),
        Operation::SuspendCredential {
            credential_id,
            reason,
        } => credentials::set_status(
            ov,
            ctx,
            signer,
            acct,
            (credential_id, CredentialAction::Suspend, reason),
        ),
        Operation::ReinstateCredential { credential_id } => credentials::set_status(
            ov,
            ctx,
            signer,
            acct,
            (credential_id, CredentialAction::Reinstate, ""),
        ),
        Operation::RevokeCredential {
            credential_id,
            reason,
        } => credentials::set_status(
            ov,
            ctx,
            signer,
            acct,
            (credential_id, CredentialAction::Revoke, reason),
        ),
        Operation::GrantConsent {
            party,
            scope,
            expires_at_ms,
        } => credentials::grant_consent(ov, ctx, signer, (party, scope, *expires_at_ms)),
        Operation::RevokeConsent { party, scope } => {
            credentials::revoke_consent(ov, ctx, signer, (party, scope))
        }
        Operation::RecordAccess {
            subject,
            scope,
            purpose,
        } => credentials::record_access(ov, ctx, signer, (subject, scope, purpose)),
        Operation::Propose {
            proposal_id,
            action,
            expires_at_ms,
        } => governance::propose(ov, ctx, signer, (proposal_id, action, *expires_at_ms)),
        Operation::Vote {
            proposal_id,
            approve,
        } => governance::vote(ov, ctx, signer, (proposal_id, *approve)),
        Operation::UploadCode {
            code_hash,
            total_len,
            index,
            chunk,
        } => contracts::upload(ov, signer, (code_hash, *total_len, *index, chunk)),
        Operation::CallContract {
            contract_id,
            method,
            args,
            fuel_limit,
            attach,
        } => contracts::call(
            ov,
            ctx,
            signer,
            contracts::CallOp {
                contract_id,
                method,
                args,
                fuel_limit: *fuel_limit,
                attach,
            },
        ),
    }
}

/// Admission check for the mempool: everything a block would check, with the
/// operation dry-run against `state` when the nonce is the next one. Changes nothing.
pub fn check_tx<S: StateRead + ?Sized>(
    state: &S,
    ctx: &Ctx,
    stx: &SignedTransaction,
) -> Result<(), TxError> {
    stx.check_stateless(&ctx.chain_id)?;
    check_tx_signed(state, ctx, stx)
}

/// The checks a block makes before it runs a transaction's operation
/// (shape, chain, expiry, a known signer, an unused nonce), for one whose
/// signature this node verified and which a peer has admitted after running
/// it: a relayed transaction is not run again until a block includes it.
/// Returns the signer's next nonce.
pub fn precheck_relayed<S: StateRead + ?Sized>(
    state: &S,
    ctx: &Ctx,
    stx: &SignedTransaction,
) -> Result<u64, TxError> {
    stx.check_unsigned(&ctx.chain_id)?;
    match precheck(state, ctx, stx) {
        Ok(acct) => Ok(acct.nonce),
        Err(TxError::NonceGap { expected, .. }) => Ok(expected),
        Err(e) => Err(e),
    }
}

/// [`check_tx`] for a transaction whose signature this node has verified
/// already (the node verifies gossiped and submitted transactions in
/// batches): the same checks but the signature.
pub fn check_tx_signed<S: StateRead + ?Sized>(
    state: &S,
    ctx: &Ctx,
    stx: &SignedTransaction,
) -> Result<(), TxError> {
    stx.check_unsigned(&ctx.chain_id)?;
    match precheck(state, ctx, stx) {
        // A contract call is admitted on everything but the run itself: the
        // contract runs only in a block, where a failure is a receipt that
        // uses the signer's nonce and the block's fuel, never free work
        // done at admission that leaves no trace.
        Ok(_) if matches!(stx.tx.op, Operation::CallContract { .. }) => {
            let Operation::CallContract {
                contract_id,
                method,
                args,
                fuel_limit,
                attach,
            } = &stx.tx.op
            else {
                return Ok(());
            };
            let op = contracts::CallOp {
                contract_id,
                method,
                args,
                fuel_limit: *fuel_limit,
                attach,
            };
            contracts::admit(&mut Overlay::new(state), ctx, &stx.tx.signer, op)
        }
        Ok(acct) => {
            let mut ov = Overlay::new(state);
            run_op(&mut ov, ctx, stx, &acct).map(|_| ())
        }
        // A nonce ahead of the next one may wait in the mempool for its turn.
        Err(TxError::NonceGap { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Builds or replays a block: `begin`, then `push` each transaction, then `finish`.
pub struct BlockExecutor<'a, S: StateRead + ?Sized> {
    ov: Overlay<'a, S>,
    ctx: Ctx,
    receipts: Vec<Receipt>,
    begin_events: Vec<Event>,
    /// The fuel limits of the contract calls included so far.
    fuel_reserved: u64,
}

/// Everything a block did: the state changes, its receipts, and the events of
/// its start (expiries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOutcome {
    pub writes: WriteSet,
    pub receipts: Vec<Receipt>,
    pub begin_events: Vec<Event>,
}

/// The writes a block's overlay has room for before its map grows: a block
/// of a thousand payments writes about two thousand records, and each
/// growth hashes every key again.
const BLOCK_WRITES_ROOM: usize = 4096;

/// The same for a transaction's own overlay: a payment writes three or four
/// records (its invoice, the two holdings, a lot's expiry).
const TX_WRITES_ROOM: usize = 8;

impl<'a, S: StateRead + ?Sized> BlockExecutor<'a, S> {
    /// Starts a block: records its height and time, moves expired value to
    /// breakage, carries out due job timeouts (refunds of jobs nobody
    /// accepted, releases of unanswered submissions), closes expired
    /// proposals, and applies the validator changes due at the next height.
    pub fn begin(state: &'a S, ctx: Ctx) -> Result<Self, TxError> {
        let mut ov = Overlay::with_capacity(state, BLOCK_WRITES_ROOM);
        ov.put_rec(
            block_info_key(),
            &BlockInfo {
                height: ctx.height,
                time_ms: ctx.time_ms,
            },
        );
        let mut begin_events = holding::process_expiry_queue(&mut ov, &ctx)?;
        begin_events.extend(jobs::process_job_timers(&mut ov, &ctx)?);
        begin_events.extend(governance::process_proposal_timers(&mut ov, &ctx)?);
        begin_events.extend(governance::process_validator_changes(&mut ov, &ctx)?);
        Ok(Self {
            ov,
            ctx,
            receipts: Vec::new(),
            begin_events,
            fuel_reserved: 0,
        })
    }

    pub fn len(&self) -> usize {
        self.receipts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.receipts.is_empty()
    }

    /// Adds a transaction. A transaction that fails the pre-checks (signature,
    /// chain, expiry, nonce) is refused and leaves the block unchanged; one
    /// whose operation fails is included with a failed receipt and uses its nonce.
    /// `signature_checked` skips re-verifying a signature the mempool verified.
    pub fn push(
        &mut self,
        stx: &SignedTransaction,
        signature_checked: bool,
    ) -> Result<&Receipt, TxError> {
        self.push_hashed(stx, stx.hash(), signature_checked)
    }

    /// [`Self::push`] with the transaction's hash, which the caller has
    /// computed once for the block's other uses (its root, the mempool).
    pub fn push_hashed(
        &mut self,
        stx: &SignedTransaction,
        tx_hash: Hash,
        signature_checked: bool,
    ) -> Result<&Receipt, TxError> {
        if self.receipts.len() >= limits::BLOCK_TXS_MAX {
            return Err(TxError::Malformed(Rule::BlockFull));
        }
        if signature_checked {
            stx.check_unsigned(&self.ctx.chain_id)?;
        } else {
            stx.check_stateless(&self.ctx.chain_id)?;
        }
        let mut acct = precheck(&self.ov, &self.ctx, stx)?;
        let fuel = self.fuel_to_reserve(&stx.tx.op)?;
        let reserved = self
            .fuel_reserved
            .checked_add(fuel)
            .filter(|f| *f <= limits::BLOCK_FUEL_MAX)
            .ok_or(TxError::BlockFuelSpent)?;
        let result = {
            let mut child = Overlay::with_capacity(&self.ov, TX_WRITES_ROOM);
            run_op(&mut child, &self.ctx, stx, &acct).map(|ev| (ev, child.into_pending()))
        };
        let account_key = keys::account(&stx.tx.signer);
        // The signer's record may have changed inside the operation (never its
        // nonce or roles, but read again if it was written, to stay exact),
        // then the nonce advances.
        let (events, error) = match result {
            Ok((events, writes)) => {
                if let Some(Some(written)) = writes.get(&account_key) {
                    acct = decode::<Account>(written)?;
                }
                self.ov.absorb(writes);
                (events, None)
            }
            // A failed state read is this node's trouble, not the
            // transaction's: the block cannot be executed here at all.
            Err(e @ TxError::State(_)) => return Err(e),
            Err(e) => (Vec::new(), Some(e)),
        };
        // `precheck` refused a nonce of u64::MAX, so this cannot overflow.
        acct.nonce = acct.nonce.saturating_add(1);
        self.ov.put_rec(account_key, &acct);
        self.fuel_reserved = reserved;
        let index = self.receipts.len() as u32;
        self.receipts.push(Receipt {
            tx_hash,
            signer: stx.tx.signer,
            height: self.ctx.height,
            index,
            error,
            events,
        });
        Ok(&self.receipts[self.receipts.len() - 1])
    }

    /// The fuel a transaction reserves from the block's BLOCK_FUEL_MAX: a
    /// call its whole limit, so the bound holds whatever calls use; a
    /// proposal whose action runs contract code twice the chain's cap (its
    /// check when proposed, and its run if it passes at once); a vote on one
    /// the cap (its run if it passes).
    fn fuel_to_reserve(&self, op: &Operation) -> Result<u64, TxError> {
        let cap = || -> Result<u64, TxError> {
            Ok(governance::load_params(&self.ov, &self.ctx)?.contract_fuel_max)
        };
        Ok(match op {
            Operation::CallContract { fuel_limit, .. } => *fuel_limit,
            Operation::Propose { action, .. } if action.runs_contract() => cap()?.saturating_mul(2),
            Operation::Vote { proposal_id, .. } => {
                match crate::state::proposal(&self.ov, proposal_id)? {
                    Some(p) if p.action.runs_contract() => cap()?,
                    _ => 0,
                }
            }
            _ => 0,
        })
    }

    pub fn finish(self) -> BlockOutcome {
        BlockOutcome {
            writes: self.ov.into_writes(),
            receipts: self.receipts,
            begin_events: self.begin_events,
        }
    }
}

/// Executes a whole block's transactions; any transaction failing its
/// pre-checks makes the block invalid.
pub fn execute_block<S: StateRead + ?Sized>(
    state: &S,
    ctx: Ctx,
    txs: &[SignedTransaction],
) -> Result<BlockOutcome, (usize, TxError)> {
    let mut ex = BlockExecutor::begin(state, ctx).map_err(|e| (0, e))?;
    for (i, tx) in txs.iter().enumerate() {
        ex.push(tx, false).map_err(|e| (i, e))?;
    }
    Ok(ex.finish())
}

/// Hash of a block's receipts, committed in its header.
pub fn receipts_root(receipts: &[Receipt], begin_events: &[Event]) -> Hash {
    crate::crypto::sha256(&borsh::to_vec(&(receipts, begin_events)).unwrap_or_default())
}
