//! One function per operation. Each reads and writes through the transaction's
//! overlay; an error discards the overlay, so a refused operation changes nothing.

use crate::asset::Campaign;
use crate::asset::{AssetKind, BPS};
use crate::crypto::Address;
use crate::error::{Quantity, RoleNeeded, Rule, TxError};
use crate::receipt::{Event, MintSource};
use crate::state::{Account, AssetState, Invoice, Lot, Overlay, Role, StateRead, keys};

use super::Ctx;
use super::holding::{credit_lots, credit_new, debit, load_asset, store_asset};

type Out = Result<Vec<Event>, TxError>;

fn require_role(signer: &Address, acct: &Account, role: Role) -> Result<(), TxError> {
    if acct.has(&role) {
        Ok(())
    } else {
        Err(TxError::MissingRole {
            account: *signer,
            role: match role {
                Role::Issuer(a) => RoleNeeded::Issuer(a),
                Role::Merchant(_) => RoleNeeded::Merchant,
                Role::Coordinator => RoleNeeded::Coordinator,
                Role::CredentialIssuer => RoleNeeded::CredentialIssuer,
            },
        })
    }
}

fn overflow(what: Quantity) -> TxError {
    TxError::Overflow(what)
}

pub(crate) fn mint<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    to: &Address,
    asset_id: &str,
    amount: u64,
    source: MintSource,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let mut asset = load_asset(ov, asset_id)?;
    super::contracts::refuse_unheld(ov, to, asset_id)?;
    if let crate::asset::ExpiryPolicy::FixedDate(t) = asset.class.expiry
        && t <= ctx.time_ms
    {
        return Err(TxError::Policy {
            asset: asset_id.into(),
            rule: Rule::MintAfterFixedExpiry,
        });
    }
    super::credentials::require_for_asset(ov, ctx, to, &asset)?;
    asset.issued = asset
        .issued
        .checked_add(amount)
        .ok_or_else(|| overflow(Quantity::IssuedSupply))?;
    let expires_at = credit_new(ov, ctx, to, &mut asset, amount, events)?;
    store_asset(ov, &asset);
    events.push(Event::Minted {
        asset: asset_id.to_string(),
        to: *to,
        amount,
        source,
        expires_at,
    });
    Ok(())
}

pub(crate) fn charge<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    acct: &Account,
    (to, asset, amount, deposit_ref, campaign): (&Address, &str, u64, &str, Option<&str>),
) -> Out {
    require_role(signer, acct, Role::Issuer(asset.to_string()))?;
    let class = load_asset(ov, asset)?.class;
    if class.kind != AssetKind::Coin {
        return Err(TxError::Policy {
            asset: asset.into(),
            rule: Rule::OnlyCoinsCharged,
        });
    }
    let dk = keys::deposit(asset, deposit_ref);
    if ov.has(&dk)? {
        return Err(TxError::DepositReused(deposit_ref.into()));
    }
    ov.put(dk, Vec::new());
    let mut events = Vec::new();
    mint(ov, ctx, to, asset, amount, MintSource::Charge, &mut events)?;
    if let Some(cid) = campaign {
        bonus(ov, ctx, to, asset, amount, cid, &mut events)?;
    }
    Ok(events)
}

/// Grants the campaign's bonus on a charge, stopping when its budget is spent.
fn bonus<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    to: &Address,
    charged_asset: &str,
    amount: u64,
    cid: &str,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let ck = keys::campaign(cid);
    let mut c: Campaign = ov
        .get_rec(&ck)?
        .ok_or_else(|| TxError::UnknownCampaign(cid.into()))?;
    if c.charge_asset != charged_asset {
        return Err(TxError::Policy {
            asset: charged_asset.into(),
            rule: Rule::CampaignForOtherAsset,
        });
    }
    let full = u128::from(amount) * u128::from(c.rate_bps) / u128::from(BPS);
    let full = u64::try_from(full).map_err(|_| overflow(Quantity::Bonus))?;
    let b = full.min(c.budget_remaining);
    if b > 0 {
        c.budget_remaining -= b;
        mint(
            ov,
            ctx,
            to,
            &c.bonus_asset.clone(),
            b,
            MintSource::Bonus {
                campaign: cid.into(),
            },
            events,
        )?;
        if c.budget_remaining == 0 {
            events.push(Event::CampaignExhausted {
                campaign: cid.into(),
            });
        }
    }
    ov.put_rec(ck, &c);
    Ok(())
}

pub(crate) fn grant<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    acct: &Account,
    (to, asset, amount, reason, event_id): (&Address, &str, u64, &str, Option<&str>),
) -> Out {
    require_role(signer, acct, Role::Issuer(asset.to_string()))?;
    if load_asset(ov, asset)?.class.kind == AssetKind::Coin {
        return Err(TxError::Policy {
            asset: asset.into(),
            rule: Rule::CoinsAreCharged,
        });
    }
    if let Some(e) = event_id {
        let gk = keys::grant_event(asset, e, to);
        if ov.has(&gk)? {
            return Err(TxError::AlreadyGranted(e.into()));
        }
        ov.put(gk, Vec::new());
    }
    let mut events = Vec::new();
    let source = MintSource::Grant {
        reason: reason.into(),
    };
    mint(ov, ctx, to, asset, amount, source, &mut events)?;
    Ok(events)
}

/// Moves `amount` of `asset_id` from one account to another, keeping lot expiries.
fn move_value<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    from: &Address,
    to: &Address,
    asset_id: &str,
    amount: u64,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let mut asset = load_asset(ov, asset_id)?;
    move_held(ov, ctx, (from, to), &mut asset, amount, events)?;
    store_asset(ov, &asset);
    Ok(())
}

/// [`move_value`] with the asset's record in hand, for the caller to store.
fn move_held<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    (from, to): (&Address, &Address),
    asset: &mut AssetState,
    amount: u64,
    events: &mut Vec<Event>,
) -> Result<(), TxError> {
    let lots = debit(ov, ctx, from, asset, amount, events)?;
    credit_lots(ov, ctx, to, asset, lots, events)
}

pub(crate) fn transfer<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (to, asset, amount): (&Address, &str, u64),
) -> Out {
    let state = load_asset(ov, asset)?;
    super::credentials::require_for_asset(ov, ctx, to, &state)?;
    super::contracts::refuse_unheld(ov, to, asset)?;
    let class = state.class;
    if !class.transferable {
        return Err(TxError::Policy {
            asset: asset.into(),
            rule: Rule::NotTransferable,
        });
    }
    if to == signer {
        return Err(TxError::Malformed(Rule::SelfTransfer));
    }
    let mut events = Vec::new();
    move_value(ov, ctx, signer, to, asset, amount, &mut events)?;
    events.push(Event::Transferred {
        asset: asset.into(),
        from: *signer,
        to: *to,
        amount,
    });
    Ok(events)
}

/// The assets a payment draws from, in order: the wallet's list, or every
/// asset the payer holds by policy priority (with each asset's record, read
/// for its priority).
fn pay_order<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    payer: &Address,
    named: &[String],
) -> Result<Vec<(String, Option<AssetState>)>, TxError> {
    if !named.is_empty() {
        return Ok(named.iter().map(|id| (id.clone(), None)).collect());
    }
    let mut held = Vec::new();
    for id in crate::state::assets_held(ov, payer)? {
        let a = load_asset(ov, &id)?;
        held.push((a.class.pay_priority, id, a));
    }
    held.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
    Ok(held.into_iter().map(|(_, id, a)| (id, Some(a))).collect())
}

pub(crate) fn pay<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (merchant, invoice_id, amount, named): (&Address, &str, u64, &[String]),
) -> Out {
    let m: Account = ov
        .get_rec(&keys::account(merchant))?
        .ok_or(TxError::UnknownAccount(*merchant))?;
    let class = m.merchant_class().ok_or(TxError::MissingRole {
        account: *merchant,
        role: RoleNeeded::Merchant,
    })?;
    if merchant == signer {
        return Err(TxError::Malformed(Rule::MerchantPaysItself));
    }
    let ik = keys::invoice(merchant, invoice_id);
    if ov.has(&ik)? {
        return Err(TxError::InvoiceAlreadyPaid(invoice_id.into()));
    }
    let mut events = Vec::new();
    let mut left = amount;
    let mut parts = Vec::new();
    // Each asset's record is read once: drawing from one asset changes no
    // other asset's record, and a named list reads each when its turn comes.
    for (asset_id, read) in pay_order(ov, signer, named)? {
        if left == 0 {
            break;
        }
        let mut a = match read {
            Some(a) => a,
            None => load_asset(ov, &asset_id)?,
        };
        if !a.class.can_receive(Some(class)) {
            if named.is_empty() {
                continue;
            }
            return Err(TxError::Policy {
                asset: asset_id,
                rule: Rule::NotSpendableAtClass,
            });
        }
        super::holding::settle_expired(ov, ctx, signer, &mut a, &mut events)?;
        let have = super::holding::load_holding(ov, signer, &asset_id)?.total();
        let take = have.min(left);
        if take > 0 {
            move_held(ov, ctx, (signer, merchant), &mut a, take, &mut events)?;
        }
        store_asset(ov, &a);
        if take == 0 {
            continue;
        }
        left -= take;
        parts.push((asset_id, take));
    }
    if left > 0 {
        return Err(TxError::InsufficientToPay {
            have: amount - left,
            need: amount,
        });
    }
    let inv = Invoice {
        payer: *signer,
        amount,
        parts: parts.clone(),
        refunded: 0,
        paid_at_height: ctx.height,
    };
    ov.put_rec(ik, &inv);
    events.push(Event::Paid {
        merchant: *merchant,
        payer: *signer,
        invoice_id: invoice_id.into(),
        parts,
    });
    Ok(events)
}

/// Splits a refund over the invoice's parts, last-drawn first, skipping what
/// earlier refunds already returned.
fn refund_parts(inv: &Invoice, amount: u64) -> Vec<(String, u64)> {
    let mut skip = inv.refunded;
    let mut left = amount;
    let mut out = Vec::new();
    for (asset, part) in inv.parts.iter().rev() {
        let s = skip.min(*part);
        skip -= s;
        let take = (part - s).min(left);
        if take > 0 {
            out.push((asset.clone(), take));
            left -= take;
        }
    }
    out
}

pub(crate) fn refund<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (invoice_id, amount): (&str, u64),
) -> Out {
    let ik = keys::invoice(signer, invoice_id);
    let mut inv: Invoice = ov
        .get_rec(&ik)?
        .ok_or_else(|| TxError::UnknownInvoice(invoice_id.into()))?;
    // Refunds never exceed the paid amount (checked below), so this cannot underflow.
    let left = inv.amount.saturating_sub(inv.refunded);
    if amount > left {
        return Err(TxError::RefundTooLarge {
            asked: amount,
            left,
        });
    }
    let parts = refund_parts(&inv, amount);
    let mut events = Vec::new();
    for (asset_id, amt) in &parts {
        let mut asset = load_asset(ov, asset_id)?;
        debit(ov, ctx, signer, &mut asset, *amt, &mut events)?;
        // Refunded value is received anew: it gets the policy's expiry from now.
        let expires_at = asset.class.lot_expiry(ctx.time_ms);
        credit_lots(
            ov,
            ctx,
            &inv.payer,
            &mut asset,
            vec![Lot {
                amount: *amt,
                expires_at,
            }],
            &mut events,
        )?;
        store_asset(ov, &asset);
    }
    inv.refunded = inv
        .refunded
        .checked_add(amount)
        .ok_or_else(|| overflow(Quantity::Refunded))?;
    ov.put_rec(ik, &inv);
    events.push(Event::Refunded {
        merchant: *signer,
        payer: inv.payer,
        invoice_id: invoice_id.into(),
        parts,
    });
    Ok(events)
}

pub(crate) fn redeem<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    acct: &Account,
    (asset_id, amount, payout_ref): (&str, u64, &str),
) -> Out {
    if acct.merchant_class().is_none() {
        return Err(TxError::MissingRole {
            account: *signer,
            role: RoleNeeded::Merchant,
        });
    }
    let mut asset = load_asset(ov, asset_id)?;
    if !asset.class.redeemable {
        return Err(TxError::Policy {
            asset: asset_id.into(),
            rule: Rule::NotRedeemable,
        });
    }
    let pk = keys::payout(asset_id, payout_ref);
    if ov.has(&pk)? {
        return Err(TxError::PayoutReused(payout_ref.into()));
    }
    ov.put(pk, Vec::new());
    let fee = u64::try_from(
        u128::from(amount) * u128::from(asset.class.redeem_fee_bps) / u128::from(BPS),
    )
    .map_err(|_| overflow(Quantity::Fee))?;
    let mut events = Vec::new();
    let lots = debit(ov, ctx, signer, &mut asset, amount, &mut events)?;
    let fee_account = asset.class.fee_account;
    if fee > 0 {
        // The fee keeps its value on chain: it moves to the operator's account.
        let fee_lots = take_front(lots, fee);
        credit_lots(ov, ctx, &fee_account, &mut asset, fee_lots, &mut events)?;
    }
    let burned = amount - fee;
    asset.burned = asset
        .burned
        .checked_add(burned)
        .ok_or_else(|| overflow(Quantity::BurnedSupply))?;
    store_asset(ov, &asset);
    events.push(Event::Redeemed {
        merchant: *signer,
        asset: asset_id.into(),
        amount,
        fee,
        fee_account,
        payout_ref: payout_ref.into(),
    });
    Ok(events)
}

/// The first `amount` units of `lots`.
fn take_front(lots: Vec<Lot>, amount: u64) -> Vec<Lot> {
    let mut left = amount;
    let mut out = Vec::new();
    for l in lots {
        if left == 0 {
            break;
        }
        let t = l.amount.min(left);
        left -= t;
        out.push(Lot {
            amount: t,
            expires_at: l.expires_at,
        });
    }
    out
}

pub(crate) fn burn<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (asset_id, amount): (&str, u64),
) -> Out {
    let mut asset = load_asset(ov, asset_id)?;
    let mut events = Vec::new();
    debit(ov, ctx, signer, &mut asset, amount, &mut events)?;
    asset.burned = asset
        .burned
        .checked_add(amount)
        .ok_or_else(|| overflow(Quantity::BurnedSupply))?;
    store_asset(ov, &asset);
    events.push(Event::Burned {
        asset: asset_id.into(),
        from: *signer,
        amount,
    });
    Ok(events)
}
