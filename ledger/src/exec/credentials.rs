//! Credentials (issue, suspend, reinstate, revoke), consent and the record
//! of accesses under it, and the credential checks of assets and jobs.

use crate::credential::{
    Access, Consent, Credential, CredentialAction, CredentialStatus, CredentialStep,
};
use crate::crypto::{Address, Hash};
use crate::error::{ConsentGap, Field, Quantity, Requirement, RoleNeeded, Rule, TxError};
use crate::limits;
use crate::receipt::Event;
use crate::state::{Account, AssetState, Overlay, Role, StateRead, keys};

use super::Ctx;
use super::holding::ensure_account;

type Out = Result<Vec<Event>, TxError>;

fn load<S: StateRead + ?Sized>(ov: &Overlay<'_, S>, id: &str) -> Result<Credential, TxError> {
    ov.get_rec(&keys::credential(id))?
        .ok_or_else(|| TxError::UnknownCredential(id.to_string()))
}

fn wrong_status(c: &Credential, rule: Rule) -> TxError {
    TxError::CredentialState {
        id: c.id.clone(),
        status: c.status,
        rule,
    }
}

pub(crate) struct Issue<'a> {
    pub id: &'a str,
    pub subject: &'a Address,
    pub kind: &'a str,
    pub valid_from_ms: u64,
    pub valid_until_ms: u64,
    pub claims_digest: &'a Hash,
}

pub(crate) fn issue<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    acct: &Account,
    p: Issue<'_>,
) -> Out {
    if !acct.has(&Role::CredentialIssuer) {
        return Err(TxError::MissingRole {
            account: *signer,
            role: RoleNeeded::CredentialIssuer,
        });
    }
    if ov.has(&keys::credential(p.id))? {
        return Err(TxError::CredentialExists(p.id.into()));
    }
    if p.valid_until_ms <= ctx.time_ms {
        return Err(TxError::NotAfterBlockTime {
            field: Field::ValidUntil,
            value_ms: p.valid_until_ms,
            block_ms: ctx.time_ms,
        });
    }
    let c = Credential {
        id: p.id.into(),
        subject: *p.subject,
        kind: p.kind.into(),
        issuer: *signer,
        valid_from_ms: p.valid_from_ms,
        valid_until_ms: p.valid_until_ms,
        claims_digest: *p.claims_digest,
        status: CredentialStatus::Active,
        history: vec![CredentialStep {
            action: CredentialAction::Issue,
            by: *signer,
            status: CredentialStatus::Active,
            reason: String::new(),
            height: ctx.height,
            at_ms: ctx.time_ms,
        }],
    };
    // A digital resident's wallet may be new: the credential creates its account.
    ensure_account(ov, p.subject)?;
    ov.put_rec(keys::credential(p.id), &c);
    ov.put(keys::credential_of(p.subject, p.kind, p.id), Vec::new());
    Ok(vec![Event::CredentialIssued {
        credential_id: c.id,
        subject: c.subject,
        issuer: c.issuer,
        kind: c.kind,
    }])
}

/// Suspends, reinstates or revokes: only the credential's issuer, while it
/// still holds the credential-issuer role.
pub(crate) fn set_status<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    acct: &Account,
    (id, action, reason): (&str, CredentialAction, &str),
) -> Out {
    let mut c = load(ov, id)?;
    if c.issuer != *signer {
        return Err(TxError::MissingRole {
            account: *signer,
            role: RoleNeeded::IssuerOf(id.into()),
        });
    }
    if !acct.has(&Role::CredentialIssuer) {
        return Err(TxError::MissingRole {
            account: *signer,
            role: RoleNeeded::CredentialIssuer,
        });
    }
    let next = match (action, c.status) {
        (_, CredentialStatus::Revoked) => {
            return Err(wrong_status(&c, Rule::RevokedStaysRevoked));
        }
        (CredentialAction::Suspend, CredentialStatus::Active) => CredentialStatus::Suspended,
        (CredentialAction::Suspend, _) => {
            return Err(wrong_status(&c, Rule::OnlyActiveSuspended));
        }
        (CredentialAction::Reinstate, CredentialStatus::Suspended) => CredentialStatus::Active,
        (CredentialAction::Reinstate, _) => {
            return Err(wrong_status(&c, Rule::OnlySuspendedReinstated));
        }
        (CredentialAction::Issue | CredentialAction::Revoke, _) => CredentialStatus::Revoked,
    };
    c.status = next;
    c.history.push(CredentialStep {
        action,
        by: *signer,
        status: next,
        reason: reason.into(),
        height: ctx.height,
        at_ms: ctx.time_ms,
    });
    ov.put_rec(keys::credential(id), &c);
    Ok(vec![Event::CredentialStatusChanged {
        credential_id: c.id,
        subject: c.subject,
        issuer: c.issuer,
        status: next,
        reason: reason.into(),
    }])
}

pub(crate) fn grant_consent<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (party, scope, expires_at_ms): (&Address, &str, Option<u64>),
) -> Out {
    if party == signer {
        return Err(TxError::Malformed(Rule::ConsentToSelf));
    }
    if let Some(e) = expires_at_ms
        && e <= ctx.time_ms
    {
        return Err(TxError::NotAfterBlockTime {
            field: Field::ConsentExpiry,
            value_ms: e,
            block_ms: ctx.time_ms,
        });
    }
    let k = keys::consent(signer, party, scope);
    // Granting again renews the consent; its record of accesses stays.
    let mut c: Consent = ov.get_rec(&k)?.unwrap_or(Consent {
        subject: *signer,
        party: *party,
        scope: scope.into(),
        granted_at_ms: ctx.time_ms,
        expires_at_ms,
        revoked_at_ms: None,
        access_count: 0,
        accesses: Vec::new(),
    });
    c.granted_at_ms = ctx.time_ms;
    c.expires_at_ms = expires_at_ms;
    c.revoked_at_ms = None;
    ov.put_rec(k, &c);
    // The party signs its records of access; a verifier holding no value on
    // chain gets its account from the consent, as a subject does from a credential.
    ensure_account(ov, party)?;
    Ok(vec![Event::ConsentGranted {
        subject: *signer,
        party: *party,
        scope: scope.into(),
        expires_at_ms,
    }])
}

pub(crate) fn revoke_consent<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (party, scope): (&Address, &str),
) -> Out {
    let k = keys::consent(signer, party, scope);
    let none = |gap| TxError::NoConsent {
        subject: *signer,
        party: *party,
        scope: scope.into(),
        gap,
    };
    let mut c: Consent = ov.get_rec(&k)?.ok_or_else(|| none(ConsentGap::Never))?;
    if c.revoked_at_ms.is_some() {
        return Err(none(ConsentGap::Revoked));
    }
    c.revoked_at_ms = Some(ctx.time_ms);
    ov.put_rec(k, &c);
    Ok(vec![Event::ConsentRevoked {
        subject: *signer,
        party: *party,
        scope: scope.into(),
    }])
}

pub(crate) fn record_access<S: StateRead + ?Sized>(
    ov: &mut Overlay<'_, S>,
    ctx: &Ctx,
    signer: &Address,
    (subject, scope, purpose): (&Address, &str, &str),
) -> Out {
    let k = keys::consent(subject, signer, scope);
    let refuse = |gap| TxError::NoConsent {
        subject: *subject,
        party: *signer,
        scope: scope.into(),
        gap,
    };
    let mut c: Consent = ov.get_rec(&k)?.ok_or_else(|| refuse(ConsentGap::Never))?;
    if c.revoked_at_ms.is_some() {
        return Err(refuse(ConsentGap::Revoked));
    }
    if !c.is_active(ctx.time_ms) {
        return Err(refuse(ConsentGap::Expired));
    }
    c.access_count = c
        .access_count
        .checked_add(1)
        .ok_or(TxError::Overflow(Quantity::AccessCount))?;
    c.accesses.push(Access {
        purpose: purpose.into(),
        height: ctx.height,
        at_ms: ctx.time_ms,
    });
    if c.accesses.len() > limits::ACCESSES_KEPT_MAX {
        c.accesses.remove(0);
    }
    ov.put_rec(k, &c);
    Ok(vec![Event::DataAccessed {
        subject: *subject,
        party: *signer,
        scope: scope.into(),
        purpose: purpose.into(),
    }])
}

/// Refuses unless `who` holds an active credential of `kind` at the block's time.
pub(crate) fn require<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    kind: &str,
    required_for: Requirement,
) -> Result<(), TxError> {
    if crate::state::holds_credential(ov, who, kind, ctx.time_ms)? {
        return Ok(());
    }
    Err(TxError::CredentialRequired {
        account: *who,
        kind: kind.into(),
        required_for,
    })
}

/// An asset that only holders of a credential may receive (a residents-only
/// voucher) refuses other receivers. Merchants and the operator's accounts
/// receive it as payment, fees or breakage without one.
pub(crate) fn require_for_asset<S: StateRead + ?Sized>(
    ov: &Overlay<'_, S>,
    ctx: &Ctx,
    who: &Address,
    asset: &AssetState,
) -> Result<(), TxError> {
    let Some(kind) = &asset.class.required_credential else {
        return Ok(());
    };
    if super::holding::receives_as_business(ov, who, asset)? {
        return Ok(());
    }
    require(
        ov,
        ctx,
        who,
        kind,
        Requirement::Asset(asset.class.id.clone()),
    )
}
