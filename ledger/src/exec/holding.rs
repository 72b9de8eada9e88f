//! Balances as lots: crediting, debiting earliest-expiring first, and moving
//! expired value to the breakage account. Every write of a holding keeps the
//! expiry queue in step, so expiry happens at a deterministic point.

use crate::asset::ExpiryPolicy;
use crate::crypto::Address;
use crate::error::{Quantity, Rule, TxError};
use crate::limits;
use crate::receipt::Event;
use crate::state::{Account, AssetState, Holding, Lot, Overlay, StateRead, keys, scan_due};

use super::Ctx;

pub(crate) fn load_asset<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    id: &str,
) -> Result<AssetState, TxError> {
    ov.get_rec(&keys::asset(id))?
        .ok_or_else(|| TxError::UnknownAsset(id.to_string()))
}

pub(crate) fn store_asset<S: StateRead + ?Sized>(ov: &mut Overlay<'_, S>, a: &AssetState) {
    ov.put_rec(keys::asset(&a.class.id), a);
}

pub(crate) fn load_holding<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    who: &Address,
    asset: &str,
) -> Result<Holding, TxError> {
    Ok(ov.get_rec(&keys::holding(who, asset))?.unwrap_or_default())
}

/// Writes a holding and moves its expiry-queue entry from `old_next` to the new earliest expiry.
fn store_holding<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    who: &Address,
    asset: &str,
    old_next: Option<u64>,
    h: &Holding,
) {
    let new_next = h.next_expiry();
    if old_next != new_next {
        if let Some(t) = old_next {
            ov.delete(keys::expiry(t, asset, who));
        }
        if let Some(t) = new_next {
            ov.put(keys::expiry(t, asset, who), Vec::new());
        }
    }
    if h.lots.is_empty() {
        ov.delete(keys::holding(who, asset));
    } else {
        ov.put_rec(keys::holding(who, asset), h);
    }
}

/// Makes sure an account record exists for a receiver. A new account must
/// be a key that can sign: value or a role given to 32 bytes that are not a
/// canonical ed25519 key of large order could never be used again.
pub(crate) fn ensure_account<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    who: &Address,
) -> Result<(), TxError> {
    let k = keys::account(who);
    if !ov.has(&k)? {
        if !crate::crypto::is_signing_key(who) {
            return Err(TxError::Malformed(Rule::ReceiverCannotSign));
        }
        ov.put_rec(k, &Account::default());
    }
    Ok(())
}

/// Makes sure the record of an account the ledger itself holds exists: a
/// contract's account or the breakage sink, which no key signs for.
pub(crate) fn ensure_ledger_account<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    who: &Address,
) -> Result<(), TxError> {
    let k = keys::account(who);
    if !ov.has(&k)? {
        ov.put_rec(k, &Account::default());
    }
    Ok(())
}

/// Moves the lots of `who`'s holding that are due at `ctx.time_ms` to the breakage account.
pub(crate) fn settle_expired<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    asset: &mut AssetState,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let mut h = load_holding(ov, who, &asset.class.id)?;
    let old_next = h.next_expiry();
    if old_next.is_none_or(|t| t > ctx.time_ms) {
        return Ok(());
    }
    let mut due = 0u64;
    h.lots.retain(|l| {
        let expired = l.expires_at.is_some_and(|t| t <= ctx.time_ms);
        if expired {
            due = due.saturating_add(l.amount);
        }
        !expired
    });
    let sink = asset.class.breakage_account;
    if *who == sink && due > 0 {
        // Value already in the breakage account stays there and stops
        // expiring; it is not counted (or reported) as expired a second time.
        add_lot(
            &mut h,
            Lot {
                amount: due,
                expires_at: None,
            },
        )?;
    }
    store_holding(ov, who, &asset.class.id, old_next, &h);
    if due == 0 || *who == sink {
        return Ok(());
    }
    expire_value(ov, ctx, who, asset, due, events)
}

/// Moves `due`, which expired while `who` owned it (in a holding or a job's
/// escrow), to the breakage account with an `expired` event.
pub(crate) fn expire_value<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    asset: &mut AssetState,
    due: u64,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let sink = asset.class.breakage_account;
    asset.expired = asset
        .expired
        .checked_add(due)
        .ok_or(TxError::Overflow(Quantity::Breakage))?;
    let mut b = load_holding(ov, &sink, &asset.class.id)?;
    let b_old = b.next_expiry();
    add_lot(
        &mut b,
        Lot {
            amount: due,
            expires_at: None,
        },
    )?;
    b.last_change_ms = ctx.time_ms;
    ensure_ledger_account(ov, &sink)?;
    store_holding(ov, &sink, &asset.class.id, b_old, &b);
    events.push(Event::Expired {
        asset: asset.class.id.clone(),
        account: *who,
        amount: due,
        breakage_account: sink,
    });
    Ok(())
}

/// Inserts a lot keeping lots sorted by expiry (never-expiring last), merging
/// lots with equal expiry and bounding the count.
fn add_lot(h: &mut Holding, lot: Lot) -> Result<(), TxError> {
    let rank = |e: Option<u64>| e.unwrap_or(u64::MAX);
    if let Some(l) = h.lots.iter_mut().find(|l| l.expires_at == lot.expires_at) {
        l.amount = l
            .amount
            .checked_add(lot.amount)
            .ok_or(TxError::Overflow(Quantity::Balance))?;
        return Ok(());
    }
    if h.lots.len() >= limits::LOTS_PER_HOLDING_MAX {
        // Merge into the latest-expiring lot: the holder loses no value and
        // the new value never expires earlier than it would have.
        let last = h.lots.len() - 1;
        let l = &mut h.lots[last];
        l.amount = l
            .amount
            .checked_add(lot.amount)
            .ok_or(TxError::Overflow(Quantity::Balance))?;
        if rank(lot.expires_at) > rank(l.expires_at) {
            l.expires_at = lot.expires_at;
        }
        return Ok(());
    }
    let pos = h
        .lots
        .partition_point(|l| rank(l.expires_at) <= rank(lot.expires_at));
    h.lots.insert(pos, lot);
    Ok(())
}

/// Credits `lots` (already carrying their expiries) to `who`, checking the cap.
pub(crate) fn credit_lots<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    asset: &mut AssetState,
    lots: Vec<Lot>,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    settle_expired(ov, ctx, who, asset, events)?;
    let mut h = load_holding(ov, who, &asset.class.id)?;
    let old_next = h.next_expiry();
    for lot in lots {
        if lot.amount > 0 {
            add_lot(&mut h, lot)?;
        }
    }
    if let ExpiryPolicy::RollingDays(_) = asset.class.expiry {
        reset_rolling(&mut h, asset, ctx.time_ms);
    }
    h.last_change_ms = ctx.time_ms;
    let total = h.lots.iter().try_fold(0u64, |a, l| a.checked_add(l.amount));
    let total = total.ok_or(TxError::Overflow(Quantity::Balance))?;
    let cap = asset.class.holding_cap;
    // The cap bounds what one person holds (see `receives_as_business`).
    if cap > 0 && total > cap && !receives_as_business(ov, who, asset)? {
        return Err(TxError::CapExceeded {
            asset: asset.class.id.clone(),
            cap,
            would: total,
        });
    }
    ensure_account(ov, who)?;
    store_holding(ov, who, &asset.class.id, old_next, &h);
    Ok(())
}

/// Whether `who` receives `asset` as a business rather than a person: a
/// merchant taking payment, or the operator's fee or breakage account. Such
/// receivers are bound neither by the holding cap nor by a credential the
/// asset requires; either would stop payments, redemptions and expiry.
pub(crate) fn receives_as_business<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    who: &Address,
    asset: &AssetState,
) -> Result<bool, TxError> {
    Ok(*who == asset.class.breakage_account
        || *who == asset.class.fee_account
        || ov
            .get_rec::<Account>(&keys::account(who))?
            .and_then(|a| a.merchant_class())
            .is_some())
}

/// Credits freshly received value, with the expiry the policy gives it now.
pub(crate) fn credit_new<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    asset: &mut AssetState,
    amount: u64,
    events: &mut Vec<Event>,
) -> Result<Option<u64>, TxError> {
    let expires_at = asset.class.lot_expiry(ctx.time_ms);
    credit_lots(
        ov,
        ctx,
        who,
        asset,
        vec![Lot { amount, expires_at }],
        events,
    )?;
    Ok(expires_at)
}

/// Debits `amount` from `who`, earliest-expiring lots first; returns the lots taken.
pub(crate) fn debit<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    asset: &mut AssetState,
    amount: u64,
    events: &mut Vec<Event>,
) -> Result<Vec<Lot>, TxError> {
    settle_expired(ov, ctx, who, asset, events)?;
    let mut h = load_holding(ov, who, &asset.class.id)?;
    let have = h.total();
    if have < amount {
        return Err(TxError::Insufficient {
            asset: asset.class.id.clone(),
            have,
            need: amount,
        });
    }
    let old_next = h.next_expiry();
    let mut left = amount;
    let mut taken = Vec::new();
    for l in h.lots.iter_mut() {
        if left == 0 {
            break;
        }
        let t = l.amount.min(left);
        l.amount -= t;
        left -= t;
        taken.push(Lot {
            amount: t,
            expires_at: l.expires_at,
        });
    }
    h.lots.retain(|l| l.amount > 0);
    if let ExpiryPolicy::RollingDays(_) = asset.class.expiry {
        reset_rolling(&mut h, asset, ctx.time_ms);
    }
    h.last_change_ms = ctx.time_ms;
    store_holding(ov, who, &asset.class.id, old_next, &h);
    Ok(taken)
}

/// Rolling expiry: every change restarts the whole holding's clock.
fn reset_rolling(h: &mut Holding, asset: &AssetState, now_ms: u64) {
    let total = h.total();
    h.lots.clear();
    if total > 0 {
        h.lots.push(Lot {
            amount: total,
            expires_at: asset.class.lot_expiry(now_ms),
        });
    }
}

/// Processes the expiry queue at the start of a block: every holding whose
/// earliest lot is due at the block's time, in (time, asset, account) order,
/// at most `EXPIRIES_PER_BLOCK_MAX` per block.
pub(crate) fn process_expiry_queue<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
) -> Result<Vec<Event>, TxError> {
    let prefix = keys::expiry_prefix();
    let due = scan_due(ov, &prefix, ctx.time_ms, limits::EXPIRIES_PER_BLOCK_MAX)?;
    let mut events = Vec::new();
    for (k, _) in due {
        let Some((t, asset_id, who)) = keys::parse_expiry(&k) else {
            continue;
        };
        if t > ctx.time_ms {
            break;
        }
        let mut asset = load_asset(ov, &asset_id)?;
        settle_expired(ov, ctx, &who, &mut asset, &mut events)?;
        store_asset(ov, &asset);
    }
    Ok(events)
}
