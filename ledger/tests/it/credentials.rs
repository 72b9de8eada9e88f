//! Credentials of residents and digital residents: issuance, the status
//! machine, standing over time, salted claim digests, consent and the record
//! of accesses, and the credential checks of jobs and residents-only assets.

use yui_ledger::credential::{
    Access, CredentialAction, CredentialStatus, Disclosure, SALT_LEN, Standing, claim_leaf,
    claims_digest,
};
use yui_ledger::error::{ConsentGap, Field, Requirement, RoleNeeded, Rule};
use yui_ledger::limits::ACCESSES_KEPT_MAX;
use yui_ledger::state;
use yui_ledger::{
    Address, AssetKind, ErrorKind, Event, ExpiryPolicy, Genesis, Keypair, MerchantClass, Operation,
    Role, SignedTransaction, SpendScope, TxError,
};

use crate::fixture::*;

mod claims_and_consent;

const RESIDENT: &str = "resident";
const DIGITAL: &str = "digital_resident";
/// A residents-only voucher (transferable, spendable at small local shops).
const RES_VOUCHER: &str = "res-voucher";
/// A residents-only coin (charged against yen, redeemable with a fee).
const RES_COIN: &str = "res-coin";

fn cred(c: &Chain, id: &str) -> yui_ledger::credential::Credential {
    state::credential(&c.state, id).unwrap().unwrap()
}

fn suspend_op(id: &str, reason: &str) -> Operation {
    Operation::SuspendCredential {
        credential_id: id.into(),
        reason: reason.into(),
    }
}
fn reinstate_op(id: &str) -> Operation {
    Operation::ReinstateCredential {
        credential_id: id.into(),
    }
}
fn revoke_op(id: &str, reason: &str) -> Operation {
    Operation::RevokeCredential {
        credential_id: id.into(),
        reason: reason.into(),
    }
}
fn consent_op(party: Address, scope: &str, expires_at_ms: Option<u64>) -> Operation {
    Operation::GrantConsent {
        party,
        scope: scope.into(),
        expires_at_ms,
    }
}
fn withdraw_op(party: Address, scope: &str) -> Operation {
    Operation::RevokeConsent {
        party,
        scope: scope.into(),
    }
}
fn access_op(subject: Address, scope: &str, purpose: &str) -> Operation {
    Operation::RecordAccess {
        subject,
        scope: scope.into(),
        purpose: purpose.into(),
    }
}
fn post_op(id: &str, asset: &str, reward: u64, deadline: u64, required: Option<&str>) -> Operation {
    Operation::PostJob {
        job_id: id.into(),
        asset: asset.into(),
        reward,
        coordinator: addr(&kita()),
        accept_deadline_ms: deadline,
        required_credential: required.map(str::to_string),
        description_hash: [7; 32],
    }
}
fn accept_op(id: &str) -> Operation {
    Operation::AcceptJob { job_id: id.into() }
}

fn wrong_status(id: &str, status: CredentialStatus, rule: Rule) -> TxError {
    TxError::CredentialState {
        id: id.into(),
        status,
        rule,
    }
}

fn required(who: &Keypair, kind: &str, required_for: Requirement) -> TxError {
    TxError::CredentialRequired {
        account: addr(who),
        kind: kind.into(),
        required_for,
    }
}

#[test]
fn issuing_needs_the_credential_issuer_role() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let (from, until) = (c.time_ms, c.time_ms + 365 * DAY);
    for k in [hana(), chamber(), library()] {
        let e = c.refuse(&k, issue_op("r-1", a, RESIDENT, from, until));
        assert_eq!(
            e,
            TxError::MissingRole {
                account: addr(&k),
                role: RoleNeeded::CredentialIssuer
            }
        );
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    }
    assert!(state::credential(&c.state, "r-1").unwrap().is_none());

    let ev = c.ok(&city(), issue_op("r-1", a, RESIDENT, from, until));
    assert_eq!(
        ev,
        vec![Event::CredentialIssued {
            credential_id: "r-1".into(),
            subject: a,
            issuer: addr(&city()),
            kind: RESIDENT.into(),
        }]
    );
    let r = cred(&c, "r-1");
    assert_eq!(r.subject, a);
    assert_eq!(r.issuer, addr(&city()));
    assert_eq!((r.valid_from_ms, r.valid_until_ms), (from, until));
    assert_eq!(r.claims_digest, [5; 32]);
    assert_eq!(r.status, CredentialStatus::Active);
    assert_eq!(r.history.len(), 1);
    assert_eq!(r.history[0].action, CredentialAction::Issue);
    assert_eq!(r.history[0].at_ms, c.time_ms);
    assert_eq!(r.history[0].height, c.height);
    assert_eq!(state::credentials_of(&c.state, &a).unwrap(), vec![r]);
    assert!(state::holds_credential(&c.state, &a, RESIDENT, c.time_ms).unwrap());
    assert!(!state::holds_credential(&c.state, &a, DIGITAL, c.time_ms).unwrap());
    // Another kind whose name starts with the first is a different kind.
    assert!(!state::holds_credential(&c.state, &a, "res", c.time_ms).unwrap());
}

#[test]
fn a_digital_residents_new_wallet_gets_an_account() {
    let mut c = Chain::new();
    let s = addr(&stranger());
    assert!(c.account(&s).is_none());
    c.ok(
        &city(),
        issue_op("e-1", s, DIGITAL, c.time_ms, c.time_ms + DAY),
    );
    assert_eq!(c.account(&s).unwrap().nonce, 0);
    // The new account can sign at once: its holder grants a consent.
    c.ok(&stranger(), consent_op(addr(&city()), "e-1", None));
    assert_eq!(state::consents_of(&c.state, &s).unwrap().len(), 1);
}

#[test]
fn a_credential_id_is_issued_once() {
    let mut c = Chain::new();
    c.issue("r-1", &hana(), RESIDENT);
    let before = cred(&c, "r-1");
    let e = c.refuse(
        &city(),
        issue_op("r-1", addr(&taro()), SKILL, c.time_ms, c.time_ms + DAY),
    );
    assert_eq!(e, TxError::CredentialExists("r-1".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert_eq!(cred(&c, "r-1"), before);
    assert!(
        state::credentials_of(&c.state, &addr(&taro()))
            .unwrap()
            .is_empty()
    );
}

const SKILL: &str = "skill";

#[test]
fn the_validity_window_is_checked() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let now = c.time_ms;
    // valid_until not after valid_from: refused by its shape.
    for (from, until) in [(now + DAY, now + DAY), (now + DAY, now + DAY - 1)] {
        let e = c.refuse_stateless(&city(), issue_op("r-1", a, RESIDENT, from, until));
        assert_eq!(e, TxError::Malformed(Rule::EmptyValidityWindow));
    }
    // Empty or oversize id and kind.
    for op in [
        issue_op("", a, RESIDENT, now, now + DAY),
        issue_op(&"i".repeat(65), a, RESIDENT, now, now + DAY),
        issue_op("r-1", a, "", now, now + DAY),
    ] {
        let e = c.refuse_stateless(&city(), op);
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
    // A window that already ended by the block's time (or ends exactly at it).
    let t = c.next_ctx().time_ms;
    for until in [t - 1, t] {
        let e = c.refuse(&city(), issue_op("r-1", a, RESIDENT, now - DAY, until));
        let t = c.time_ms;
        assert_eq!(
            e,
            TxError::NotAfterBlockTime {
                field: Field::ValidUntil,
                value_ms: until,
                block_ms: t
            }
        );
    }
    assert!(state::credential(&c.state, "r-1").unwrap().is_none());
    // One that ends a millisecond after the block's time is fine.
    let t = c.next_ctx().time_ms;
    c.ok(&city(), issue_op("r-1", a, RESIDENT, now - DAY, t + 1));
}

#[test]
fn suspend_reinstate_revoke() {
    let mut c = Chain::new();
    let (a, ci) = (addr(&hana()), addr(&city()));
    c.issue("r-1", &hana(), RESIDENT);
    let changed = |status: CredentialStatus, reason: &str| {
        vec![Event::CredentialStatusChanged {
            credential_id: "r-1".into(),
            subject: a,
            issuer: ci,
            status,
            reason: reason.into(),
        }]
    };
    let ev = c.ok(&city(), suspend_op("r-1", "address check"));
    assert_eq!(ev, changed(CredentialStatus::Suspended, "address check"));
    assert_eq!(cred(&c, "r-1").status, CredentialStatus::Suspended);
    assert!(!state::holds_credential(&c.state, &a, RESIDENT, c.time_ms).unwrap());

    let ev = c.ok(&city(), reinstate_op("r-1"));
    assert_eq!(ev, changed(CredentialStatus::Active, ""));
    assert_eq!(cred(&c, "r-1").status, CredentialStatus::Active);
    assert!(state::holds_credential(&c.state, &a, RESIDENT, c.time_ms).unwrap());

    // Suspended again, then revoked from the suspension.
    c.ok(&city(), suspend_op("r-1", "again"));
    let ev = c.ok(&city(), revoke_op("r-1", "moved away"));
    assert_eq!(ev, changed(CredentialStatus::Revoked, "moved away"));
    let r = cred(&c, "r-1");
    assert_eq!(r.status, CredentialStatus::Revoked);
    let steps: Vec<(CredentialAction, CredentialStatus, &str)> = r
        .history
        .iter()
        .map(|s| (s.action, s.status, s.reason.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (CredentialAction::Issue, CredentialStatus::Active, ""),
            (
                CredentialAction::Suspend,
                CredentialStatus::Suspended,
                "address check"
            ),
            (CredentialAction::Reinstate, CredentialStatus::Active, ""),
            (
                CredentialAction::Suspend,
                CredentialStatus::Suspended,
                "again"
            ),
            (
                CredentialAction::Revoke,
                CredentialStatus::Revoked,
                "moved away"
            ),
        ]
    );
    assert!(r.history.iter().all(|s| s.by == ci));
    assert!(r.history.windows(2).all(|w| w[0].height < w[1].height));
    assert!(!state::holds_credential(&c.state, &a, RESIDENT, c.time_ms).unwrap());
    // An active credential can be revoked directly too.
    c.issue("r-2", &taro(), RESIDENT);
    c.ok(&city(), revoke_op("r-2", ""));
    assert_eq!(cred(&c, "r-2").status, CredentialStatus::Revoked);
}

#[test]
fn illegal_transitions_name_the_state() {
    let mut c = Chain::new();
    c.issue("r-1", &hana(), RESIDENT);
    let e = c.refuse(&city(), reinstate_op("r-1"));
    assert_eq!(
        e,
        wrong_status(
            "r-1",
            CredentialStatus::Active,
            Rule::OnlySuspendedReinstated
        )
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    c.ok(&city(), suspend_op("r-1", ""));
    let e = c.refuse(&city(), suspend_op("r-1", ""));
    assert_eq!(
        e,
        wrong_status(
            "r-1",
            CredentialStatus::Suspended,
            Rule::OnlyActiveSuspended
        )
    );
    c.ok(&city(), revoke_op("r-1", ""));
    let after = cred(&c, "r-1");
    for op in [
        suspend_op("r-1", ""),
        reinstate_op("r-1"),
        revoke_op("r-1", ""),
    ] {
        let e = c.refuse(&city(), op);
        assert_eq!(
            e,
            wrong_status("r-1", CredentialStatus::Revoked, Rule::RevokedStaysRevoked)
        );
        assert!(e.to_string().contains("credential 'r-1' is revoked"), "{e}");
    }
    assert_eq!(cred(&c, "r-1"), after);
    // An unknown credential.
    let e = c.refuse(&city(), suspend_op("nope", ""));
    assert_eq!(e, TxError::UnknownCredential("nope".into()));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // The reason is bounded.
    let e = c.refuse_stateless(&city(), suspend_op("r-1", &"x".repeat(257)));
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn only_the_issuer_changes_a_credentials_status() {
    // The chamber is a credential issuer too, but not of the city's credentials.
    let mut g = genesis();
    g.accounts
        .iter_mut()
        .find(|a| a.address == addr(&chamber()))
        .unwrap()
        .roles
        .push(Role::CredentialIssuer);
    let mut c = Chain::with_genesis(&g);
    c.issue("r-1", &hana(), RESIDENT);
    let before = cred(&c, "r-1");
    for k in [chamber(), hana(), taro()] {
        for op in [
            suspend_op("r-1", ""),
            revoke_op("r-1", ""),
            reinstate_op("r-1"),
        ] {
            let e = c.refuse(&k, op);
            assert_eq!(
                e,
                TxError::MissingRole {
                    account: addr(&k),
                    role: RoleNeeded::IssuerOf("r-1".into())
                }
            );
        }
    }
    assert_eq!(cred(&c, "r-1"), before);
    // The chamber manages its own.
    c.ok(
        &chamber(),
        issue_op("c-1", addr(&taro()), SKILL, c.time_ms, c.time_ms + DAY),
    );
    c.ok(&chamber(), suspend_op("c-1", ""));
    let e = c.refuse(&city(), reinstate_op("c-1"));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(cred(&c, "c-1").status, CredentialStatus::Suspended);
}

#[test]
fn standing_over_time() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let from = T0 + 10 * DAY;
    let until = T0 + 100 * DAY;
    c.ok(&city(), issue_op("r-1", a, RESIDENT, from, until));
    let issued = c.time_ms;
    c.advance_to(T0 + 20 * DAY);
    c.ok(&city(), suspend_op("r-1", ""));
    let suspended = c.time_ms;
    c.advance_to(T0 + 30 * DAY);
    c.ok(&city(), reinstate_op("r-1"));
    let reinstated = c.time_ms;

    let r = cred(&c, "r-1");
    let at = |t: u64| r.standing_at(t);
    assert_eq!(at(T0), Standing::NotIssued);
    assert_eq!(at(issued - 1), Standing::NotIssued);
    assert_eq!(at(issued), Standing::NotYetValid);
    assert_eq!(at(from - 1), Standing::NotYetValid);
    assert_eq!(at(from), Standing::Active);
    assert_eq!(at(suspended - 1), Standing::Active);
    assert_eq!(at(suspended), Standing::Suspended);
    assert_eq!(at(reinstated - 1), Standing::Suspended);
    assert_eq!(at(reinstated), Standing::Active);
    assert_eq!(at(until - 1), Standing::Active);
    assert_eq!(at(until), Standing::Expired);
    assert_eq!(at(u64::MAX), Standing::Expired);
    for (s, name) in [
        (Standing::NotIssued, "not_issued"),
        (Standing::NotYetValid, "not_yet_valid"),
        (Standing::Active, "active"),
        (Standing::Suspended, "suspended"),
        (Standing::Revoked, "revoked"),
        (Standing::Expired, "expired"),
    ] {
        assert_eq!(s.as_str(), name);
    }

    // What the chain checks follows the standing.
    for (t, holds) in [
        (issued, false),
        (from, true),
        (suspended, false),
        (reinstated, true),
        (until - 1, true),
        (until, false),
    ] {
        assert_eq!(
            state::holds_credential(&c.state, &a, RESIDENT, t).unwrap(),
            holds,
            "at {t}"
        );
    }

    c.advance_to(T0 + 40 * DAY);
    c.ok(&city(), revoke_op("r-1", ""));
    let revoked = c.time_ms;
    let r = cred(&c, "r-1");
    // The past keeps its standing; from the revocation on it is revoked,
    // even after the window would have ended.
    assert_eq!(r.standing_at(suspended), Standing::Suspended);
    assert_eq!(r.standing_at(revoked - 1), Standing::Active);
    assert_eq!(r.standing_at(revoked), Standing::Revoked);
    assert_eq!(r.standing_at(until + DAY), Standing::Revoked);
}

/// A chain where hana holds 10,000 coins.
fn funded() -> Chain {
    let mut c = Chain::new();
    c.charge(&hana(), 10_000, "dep-1", None);
    c
}

#[test]
fn a_job_requiring_a_credential_takes_only_holders() {
    let mut c = funded();
    let deadline = c.time_ms + 300 * DAY;
    for j in ["j-1", "j-2", "j-3", "j-4"] {
        c.ok(&hana(), post_op(j, COIN, 100, deadline, Some(RESIDENT)));
    }
    let what = |j: &str| Requirement::Job(j.into());
    // No credential at all, or one of another kind.
    let e = c.refuse(&taro(), accept_op("j-1"));
    assert_eq!(e, required(&taro(), RESIDENT, what("j-1")));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    c.issue("s-1", &taro(), SKILL);
    assert_eq!(
        c.refuse(&taro(), accept_op("j-1")),
        required(&taro(), RESIDENT, what("j-1"))
    );
    // Suspended: refused; reinstated: accepted.
    c.issue("r-bob", &taro(), RESIDENT);
    c.ok(&city(), suspend_op("r-bob", ""));
    assert_eq!(
        c.refuse(&taro(), accept_op("j-1")),
        required(&taro(), RESIDENT, what("j-1"))
    );
    c.ok(&city(), reinstate_op("r-bob"));
    let ev = c.ok(&taro(), accept_op("j-1"));
    assert!(matches!(&ev[..], [Event::JobAccepted { .. }]));
    assert_eq!(
        state::job(&c.state, "j-1").unwrap().unwrap().worker,
        Some(addr(&taro()))
    );
    // Revoked: refused.
    c.ok(&city(), revoke_op("r-bob", ""));
    assert_eq!(
        c.refuse(&taro(), accept_op("j-2")),
        required(&taro(), RESIDENT, what("j-2"))
    );
    // Not yet valid, then valid, then expired.
    let from = c.time_ms + 10 * DAY;
    let until = c.time_ms + 20 * DAY;
    c.ok(
        &city(),
        issue_op("r-carol", addr(&emma()), RESIDENT, from, until),
    );
    assert_eq!(
        c.refuse(&emma(), accept_op("j-2")),
        required(&emma(), RESIDENT, what("j-2"))
    );
    c.advance_to(from);
    c.ok(&emma(), accept_op("j-2"));
    c.advance_to(until);
    assert_eq!(
        c.refuse(&emma(), accept_op("j-3")),
        required(&emma(), RESIDENT, what("j-3"))
    );
    // A new credential of the kind works again, even with the old one expired.
    c.issue("r-carol-2", &emma(), RESIDENT);
    c.ok(&emma(), accept_op("j-3"));
    // A job requiring nothing takes anyone.
    c.ok(&hana(), post_op("j-free", COIN, 100, deadline, None));
    c.ok(&library(), accept_op("j-free"));
    assert_eq!(
        state::job(&c.state, "j-4").unwrap().unwrap().state,
        state::JobState::Posted
    );
}

#[test]
fn many_old_credentials_do_not_hide_an_active_one() {
    let mut c = funded();
    let a = addr(&hana());
    let deadline = c.time_ms + 300 * DAY;
    c.ok(&hana(), post_op("j-1", COIN, 100, deadline, Some(SKILL)));
    // Taro once held many short-lived skill credentials, all expired now.
    let t = c.time_ms + BLOCK_MS;
    let first = c.nonce(&addr(&city()));
    let txs: Vec<SignedTransaction> = (0..70u64)
        .map(|i| {
            c.tx(
                &city(),
                first + i,
                issue_op(&format!("a{i:02}"), addr(&taro()), SKILL, t, t + 1),
            )
            .sign(&city())
        })
        .collect();
    let out = c.block_at(t, &txs);
    assert!(out.receipts.iter().all(|r| r.error.is_none()));
    c.advance_to(t + DAY);
    assert!(!state::holds_credential(&c.state, &addr(&taro()), SKILL, c.time_ms).unwrap());
    // A current one, whose id sorts after all of them.
    c.issue("z00", &taro(), SKILL);
    assert!(state::holds_credential(&c.state, &addr(&taro()), SKILL, c.time_ms).unwrap());
    assert_eq!(
        state::credentials_of(&c.state, &addr(&taro()))
            .unwrap()
            .len(),
        71
    );
    c.ok(&taro(), accept_op("j-1"));
    assert!(!state::holds_credential(&c.state, &a, SKILL, c.time_ms).unwrap());
}

/// The town's genesis plus a residents-only voucher and coin, both issued by the city.
fn residents_genesis() -> Genesis {
    let mut g = genesis();
    let mut voucher = g.assets.iter().find(|a| a.id == VOUCHER).unwrap().clone();
    voucher.id = RES_VOUCHER.into();
    voucher.transferable = true;
    voucher.holding_cap = 0;
    voucher.expiry = ExpiryPolicy::None;
    voucher.spendable_at = SpendScope::MerchantClasses(vec![MerchantClass::SmallLocal]);
    voucher.required_credential = Some(RESIDENT.into());
    let mut coin = g.assets.iter().find(|a| a.id == COIN).unwrap().clone();
    coin.id = RES_COIN.into();
    coin.required_credential = Some(RESIDENT.into());
    assert_eq!(coin.kind, AssetKind::Coin);
    g.assets.push(voucher);
    g.assets.push(coin);
    let city_a = addr(&city());
    let roles = &mut g
        .accounts
        .iter_mut()
        .find(|a| a.address == city_a)
        .unwrap()
        .roles;
    roles.push(Role::Issuer(RES_VOUCHER.into()));
    roles.push(Role::Issuer(RES_COIN.into()));
    g
}

#[test]
fn a_residents_only_asset_reaches_only_holders_and_merchants() {
    let mut c = Chain::with_genesis(&residents_genesis());
    let (a, b) = (addr(&hana()), addr(&taro()));
    let recv = |asset: &str| Requirement::Asset(asset.into());
    // Minting to someone without the credential.
    let e = c.refuse(&city(), grant_op(a, RES_VOUCHER, 1_000, "sale", None));
    assert_eq!(e, required(&hana(), RESIDENT, recv(RES_VOUCHER)));
    let e = c.refuse(&city(), {
        let mut op = charge_op(a, 1_000, "d-1", None);
        if let Operation::Charge { asset, .. } = &mut op {
            *asset = RES_COIN.into();
        }
        op
    });
    assert_eq!(e, required(&hana(), RESIDENT, recv(RES_COIN)));
    assert_eq!(c.asset(RES_VOUCHER).issued, 0);
    assert_eq!(c.asset(RES_COIN).issued, 0);
    // To a holder.
    c.issue("r-alice", &hana(), RESIDENT);
    c.ok(&city(), grant_op(a, RES_VOUCHER, 1_000, "sale", None));
    let mut charge = charge_op(a, 1_000, "d-1", None);
    if let Operation::Charge { asset, .. } = &mut charge {
        *asset = RES_COIN.into();
    }
    c.ok(&city(), charge);
    assert_eq!(c.balance(&a, RES_VOUCHER), 1_000);
    assert_eq!(c.balance(&a, RES_COIN), 1_000);
    // Transfers only to holders.
    let e = c.refuse(&hana(), transfer_op(b, RES_VOUCHER, 100));
    assert_eq!(e, required(&taro(), RESIDENT, recv(RES_VOUCHER)));
    c.issue("r-bob", &taro(), RESIDENT);
    c.ok(&hana(), transfer_op(b, RES_VOUCHER, 100));
    assert_eq!(c.balance(&b, RES_VOUCHER), 100);
    // A suspended holder receives nothing.
    c.ok(&city(), suspend_op("r-bob", ""));
    let e = c.refuse(&hana(), transfer_op(b, RES_VOUCHER, 100));
    assert_eq!(e, required(&taro(), RESIDENT, recv(RES_VOUCHER)));
    // A merchant is paid without a credential, and redeems: the city (the operator)'s
    // fee account receives its fee without one either.
    let shop = addr(&bakery());
    c.ok(&hana(), pay_op(shop, "inv-1", 300, &[RES_VOUCHER]));
    c.ok(&hana(), pay_op(shop, "inv-2", 1_000, &[RES_COIN]));
    assert_eq!(c.balance(&shop, RES_VOUCHER), 300);
    c.ok(&bakery(), redeem_op(RES_COIN, 1_000, "p-1"));
    assert_eq!(c.balance(&addr(&city()), RES_COIN), 15);
    // A merchant may pass it on to a holder, never to a non-holder.
    c.ok(&bakery(), transfer_op(a, RES_VOUCHER, 50));
    let e = c.refuse(&bakery(), transfer_op(addr(&emma()), RES_VOUCHER, 50));
    assert_eq!(e, required(&emma(), RESIDENT, recv(RES_VOUCHER)));
    // A job paid in it needs a worker who may receive it.
    let deadline = c.time_ms + 10 * DAY;
    c.ok(&hana(), post_op("j-1", RES_VOUCHER, 100, deadline, None));
    let e = c.refuse(&emma(), accept_op("j-1"));
    assert_eq!(e, required(&emma(), RESIDENT, recv(RES_VOUCHER)));
    c.issue("r-carol", &emma(), RESIDENT);
    c.ok(&emma(), accept_op("j-1"));
    let s = c.asset(RES_VOUCHER);
    assert_eq!(s.issued - s.burned, 1_000);
}

#[test]
fn credential_operation_names_and_counterparties() {
    let (a, b) = (addr(&hana()), addr(&taro()));
    let ops = [
        (
            issue_op("r", a, RESIDENT, 0, 1),
            "issue_credential",
            vec![a],
        ),
        (suspend_op("r", ""), "suspend_credential", vec![]),
        (reinstate_op("r"), "reinstate_credential", vec![]),
        (revoke_op("r", ""), "revoke_credential", vec![]),
        (consent_op(b, "s", None), "grant_consent", vec![b]),
        (withdraw_op(b, "s"), "revoke_consent", vec![b]),
        (access_op(a, "s", ""), "record_access", vec![a]),
    ];
    for (op, name, cps) in ops {
        assert_eq!(op.name(), name);
        assert_eq!(op.counterparties(), cps);
    }
    for (s, n) in [
        (CredentialStatus::Active, "active"),
        (CredentialStatus::Suspended, "suspended"),
        (CredentialStatus::Revoked, "revoked"),
    ] {
        assert_eq!(s.as_str(), n);
    }
}
