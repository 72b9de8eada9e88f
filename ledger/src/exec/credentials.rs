//! Credentials (issue, suspend, reinstate, revoke), consent and the record
//! of accesses under it, and the credential checks of assets and jobs.

use crate::credential::{Access, Consent, Credential, CredentialStatus, CredentialStep};
use crate::crypto::{Address, Hash};
use crate::error::TxError;
use crate::limits;
use crate::receipt::Event;
use crate::state::{Account, AssetState, Overlay, Role, StateRead, keys};

use super::Ctx;
use super::holding::ensure_account;

type Out = Result<Vec<Event>, TxError>;

fn load<S: StateRead + ?Sized>(ov: &Overlay<'_, S>, id: &str) -> Result<Credential, TxError> {
    ov.get_rec(&keys::credential(id))
        .ok_or_else(|| TxError::UnknownCredential(id.to_string()))
}

fn wrong_status(c: &Credential, why: &str) -> TxError {
    TxError::CredentialState {
        id: c.id.clone(),
        status: c.status.as_str().into(),
        why: why.into(),
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
            signer: signer.to_hex(),
            role: Role::CredentialIssuer.describe(),
        });
    }
    if ov.get(&keys::credential(p.id)).is_some() {
        return Err(TxError::CredentialExists(p.id.into()));
    }
    if p.valid_until_ms <= ctx.time_ms {
        return Err(TxError::Malformed(format!(
            "valid_until_ms {} is not after the block time {} ms",
            p.valid_until_ms, ctx.time_ms
        )));
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
            action: "issue".into(),
            by: *signer,
            status: CredentialStatus::Active,
            reason: String::new(),
            height: ctx.height,
            at_ms: ctx.time_ms,
        }],
    };
    // A digital resident's wallet may be new: the credential creates its account.
    ensure_account(ov, p.subject);
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
    (id, action, reason): (&str, &str, &str),
) -> Out {
    let mut c = load(ov, id)?;
    if c.issuer != *signer {
        return Err(TxError::MissingRole {
            signer: signer.to_hex(),
            role: format!("the issuer of credential '{id}'"),
        });
    }
    if !acct.has(&Role::CredentialIssuer) {
        return Err(TxError::MissingRole {
            signer: signer.to_hex(),
            role: Role::CredentialIssuer.describe(),
        });
    }
    let next = match (action, c.status) {
        (_, CredentialStatus::Revoked) => {
            return Err(wrong_status(&c, "a revoked credential stays revoked"));
        }
        ("suspend", CredentialStatus::Active) => CredentialStatus::Suspended,
        ("suspend", _) => return Err(wrong_status(&c, "only an active credential is suspended")),
        ("reinstate", CredentialStatus::Suspended) => CredentialStatus::Active,
        ("reinstate", _) => {
            return Err(wrong_status(
                &c,
                "only a suspended credential is reinstated",
            ));
        }
        _ => CredentialStatus::Revoked,
    };
    c.status = next;
    c.history.push(CredentialStep {
        action: action.into(),
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
        status: next.as_str().into(),
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
        return Err(TxError::Malformed("consent to oneself".into()));
    }
    if let Some(e) = expires_at_ms
        && e <= ctx.time_ms
    {
        return Err(TxError::Malformed(format!(
            "consent expiry {e} ms is not after the block time {} ms",
            ctx.time_ms
        )));
    }
    let k = keys::consent(signer, party, scope);
    // Granting again renews the consent; its record of accesses stays.
    let mut c: Consent = ov.get_rec(&k).unwrap_or(Consent {
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
    ensure_account(ov, party);
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
    let none = || TxError::NoConsent {
        subject: signer.to_hex(),
        party: party.to_hex(),
        scope: scope.into(),
        why: " to revoke".into(),
    };
    let mut c: Consent = ov.get_rec(&k).ok_or_else(none)?;
    if c.revoked_at_ms.is_some() {
        return Err(none());
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
    let refuse = |why: &str| TxError::NoConsent {
        subject: subject.to_hex(),
        party: signer.to_hex(),
        scope: scope.into(),
        why: why.into(),
    };
    let mut c: Consent = ov.get_rec(&k).ok_or_else(|| refuse(""))?;
    if c.revoked_at_ms.is_some() {
        return Err(refuse(" (it was revoked)"));
    }
    if !c.is_active(ctx.time_ms) {
        return Err(refuse(" (it has expired)"));
    }
    c.access_count = c
        .access_count
        .checked_add(1)
        .ok_or_else(|| TxError::Overflow("access count".into()))?;
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
    what: &str,
) -> Result<(), TxError> {
    if crate::state::holds_credential(ov, who, kind, ctx.time_ms) {
        return Ok(());
    }
    Err(TxError::CredentialRequired {
        who: who.to_hex(),
        kind: kind.into(),
        what: what.into(),
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
    if super::holding::receives_as_business(ov, who, asset) {
        return Ok(());
    }
    require(
        ov,
        ctx,
        who,
        kind,
        &format!("receiving '{}'", asset.class.id),
    )
}
