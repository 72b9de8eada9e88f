//! Roles granted and revoked, and asset classes defined and changed, by governance.

use super::*;

#[test]
fn granted_and_revoked_roles_take_effect() {
    let mut c = Chain::new();
    let (ch, ci) = (addr(&chamber()), addr(&city()));
    let now = c.time_ms;
    // Before: the chamber is no credential issuer.
    let e = c.refuse(
        &chamber(),
        issue_op("c-1", addr(&taro()), "skill", now, now + DAY),
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let grant = GovAction::GrantRole {
        account: ch,
        role: Role::CredentialIssuer,
    };
    let ms = members();
    c.ok(&ms[0], propose_op("g-1", grant.clone(), week(&c)));
    c.ok(&ms[1], vote_op("g-1", true));
    let ev = c.ok(&ms[2], vote_op("g-1", true));
    assert_eq!(
        ev[1],
        Event::RoleGranted {
            account: ch,
            role: Role::CredentialIssuer,
        }
    );
    assert!(c.account(&ch).unwrap().has(&Role::CredentialIssuer));
    let now = c.time_ms;
    c.ok(
        &chamber(),
        issue_op("c-1", addr(&taro()), "skill", now, now + DAY),
    );
    // Granting it again is refused when proposed.
    let e = c.refuse(&city(), propose_op("g-2", grant, week(&c)));
    assert_eq!(
        e,
        TxError::RoleChange {
            account: ch,
            role: Role::CredentialIssuer,
            rule: Rule::RoleAlreadyHeld
        }
    );

    // The city issues, then loses the role: no more issuing, and no more
    // suspending what it issued.
    c.issue("r-1", &hana(), "resident");
    let p = c.pass(
        "r-1",
        GovAction::RevokeRole {
            account: ci,
            role: Role::CredentialIssuer,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert!(!c.account(&ci).unwrap().has(&Role::CredentialIssuer));
    // Its other roles stay.
    assert!(c.account(&ci).unwrap().has(&Role::Issuer(COIN.into())));
    let now = c.time_ms;
    let missing = TxError::MissingRole {
        account: ci,
        role: RoleNeeded::CredentialIssuer,
    };
    assert_eq!(
        c.refuse(
            &city(),
            issue_op("r-2", addr(&taro()), "resident", now, now + DAY)
        ),
        missing
    );
    assert_eq!(
        c.refuse(
            &city(),
            Operation::SuspendCredential {
                credential_id: "r-1".into(),
                reason: String::new(),
            }
        ),
        missing
    );
    // Revoking a role not held is refused when proposed.
    let e = c.refuse(
        &city(),
        propose_op(
            "r-2",
            GovAction::RevokeRole {
                account: ci,
                role: Role::CredentialIssuer,
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::RoleChange {
            account: ci,
            role: Role::CredentialIssuer,
            rule: Rule::RoleNotHeld
        }
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
}

#[test]
fn role_grants_are_checked() {
    let mut c = Chain::new();
    // An issuer role of an asset that does not exist.
    let e = c.refuse(
        &city(),
        propose_op(
            "g-1",
            GovAction::GrantRole {
                account: addr(&hana()),
                role: Role::Issuer(GOLD.into()),
            },
            week(&c),
        ),
    );
    assert_eq!(e, TxError::UnknownAsset(GOLD.into()));
    // A second merchant class.
    let e = c.refuse(
        &city(),
        propose_op(
            "g-1",
            GovAction::GrantRole {
                account: addr(&bakery()),
                role: Role::Merchant(MerchantClass::Large),
            },
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::RoleChange {
            account: addr(&bakery()),
            role: Role::Merchant(MerchantClass::Large),
            rule: Rule::MerchantClassHeld
        }
    );
    // An empty asset name is malformed.
    let e = c.refuse_stateless(
        &city(),
        propose_op(
            "g-1",
            GovAction::GrantRole {
                account: addr(&hana()),
                role: Role::Issuer(String::new()),
            },
            week(&c),
        ),
    );
    assert_eq!(e.kind(), ErrorKind::Malformed);
    // A role for a key the chain has never seen creates its account.
    let s = addr(&stranger());
    let p = c.pass(
        "g-2",
        GovAction::GrantRole {
            account: s,
            role: Role::Coordinator,
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(c.account(&s).unwrap().roles, vec![Role::Coordinator]);
}

#[test]
fn a_defined_asset_can_be_issued_by_an_issuer_with_the_role() {
    let mut c = Chain::new();
    let a = addr(&hana());
    assert_eq!(
        c.refuse(&city(), grant_op(a, GOLD, 10, "", None)),
        TxError::MissingRole {
            account: addr(&city()),
            role: RoleNeeded::Issuer(GOLD.into()),
        }
    );
    let p = c.pass("d-1", GovAction::DefineAsset { class: gold() });
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(p.failure, None);
    let s = c.asset(GOLD);
    assert_eq!((s.class, s.issued, s.burned, s.expired), (gold(), 0, 0, 0));
    // Defined, but nobody holds its issuer role yet.
    assert_eq!(
        c.refuse(&city(), grant_op(a, GOLD, 10, "", None)).kind(),
        ErrorKind::PermissionDenied
    );
    let p = c.pass(
        "d-2",
        GovAction::GrantRole {
            account: addr(&city()),
            role: Role::Issuer(GOLD.into()),
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    c.ok(&city(), grant_op(a, GOLD, 10, "welcome", None));
    assert_eq!(c.balance(&a, GOLD), 10);
    assert_eq!(c.asset(GOLD).issued, 10);
    // Defining it again is refused when proposed; a malformed class too.
    let e = c.refuse(
        &city(),
        propose_op("d-3", GovAction::DefineAsset { class: gold() }, week(&c)),
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: GOLD.into(),
            rule: Rule::AssetAlreadyDefined
        }
    );
    let mut bad = gold();
    bad.id = "bad".into();
    bad.expiry = ExpiryPolicy::DaysPerLot(0);
    let e = c.refuse_stateless(
        &city(),
        propose_op("d-3", GovAction::DefineAsset { class: bad }, week(&c)),
    );
    assert_eq!(e, TxError::Malformed(Rule::ExpiryPeriodZero));
}

#[test]
fn an_asset_policy_changes_but_never_its_kind() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    c.grant(&hana(), ROLLING, 500);
    c.ok(&hana(), transfer_op(b, ROLLING, 100));
    let mut class = c.asset(ROLLING).class;
    class.kind = AssetKind::Coin;
    let e = c.refuse(
        &city(),
        propose_op("u-1", GovAction::UpdateAsset { class }, week(&c)),
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::AssetKindFixed
        }
    );
    // Nor its breakage account: what expired there is counted as expired.
    let mut class = c.asset(ROLLING).class;
    assert_ne!(class.breakage_account, b);
    class.breakage_account = b;
    let e = c.refuse(
        &city(),
        propose_op("u-1", GovAction::UpdateAsset { class }, week(&c)),
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::BreakageAccountFixed
        }
    );
    let mut ghost = gold();
    ghost.id = "ghost".into();
    let e = c.refuse(
        &city(),
        propose_op("u-1", GovAction::UpdateAsset { class: ghost }, week(&c)),
    );
    assert_eq!(e, TxError::UnknownAsset("ghost".into()));

    let before = c.asset(ROLLING);
    let mut class = before.class.clone();
    class.transferable = false;
    let p = c.pass(
        "u-2",
        GovAction::UpdateAsset {
            class: class.clone(),
        },
    );
    assert_eq!(p.state, ProposalState::Executed);
    assert_eq!(p.failure, None);
    let after = c.asset(ROLLING);
    assert_eq!(after.class, class);
    // The supply figures stay.
    assert_eq!(
        (after.issued, after.burned, after.expired),
        (before.issued, before.burned, before.expired)
    );
    let e = c.refuse(&hana(), transfer_op(b, ROLLING, 100));
    assert_eq!(
        e,
        TxError::Policy {
            asset: ROLLING.into(),
            rule: Rule::NotTransferable,
        }
    );
    assert_eq!(c.balance(&a, ROLLING), 400);
    // Paying a merchant still works.
    c.ok(&hana(), pay_op(addr(&bakery()), "inv-1", 100, &[ROLLING]));
    // The policy can require a credential from now on.
    let mut class = c.asset(COIN).class;
    class.required_credential = Some("resident".into());
    c.pass("u-3", GovAction::UpdateAsset { class });
    c.issue("r-a", &hana(), "resident");
    c.charge(&hana(), 100, "d-1", None);
    let e = c.refuse(&city(), charge_op(b, 100, "d-2", None));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
}
