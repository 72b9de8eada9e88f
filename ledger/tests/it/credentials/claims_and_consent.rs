//! Salted claims disclosed against the chain's digest, and consent: granted, used, expired, withdrawn, refused, listed.

use super::*;

fn salt(b: u8) -> [u8; SALT_LEN] {
    [b; SALT_LEN]
}

/// A credential's claims as the wallet keeps them: (name, value, salt).
fn claims() -> Vec<(&'static str, &'static str, [u8; SALT_LEN])> {
    vec![
        ("name", "Yui Sato", salt(1)),
        ("birth_date", "1990-04-01", salt(2)),
        ("municipality", "Hida", salt(3)),
    ]
}

fn leaves() -> Vec<[u8; 32]> {
    claims()
        .iter()
        .map(|(n, v, s)| claim_leaf(n, v, s))
        .collect()
}

fn disclose(i: usize, leaves: &[[u8; 32]]) -> Disclosure {
    let (n, v, s) = claims()[i];
    Disclosure {
        name: n.into(),
        value: v.into(),
        salt: hex::encode(s),
        leaves: leaves.iter().map(hex::encode).collect(),
    }
}

#[test]
fn a_disclosed_claim_verifies_against_the_chains_digest() {
    let mut c = Chain::new();
    let digest = claims_digest(&leaves());
    let now = c.time_ms;
    c.ok(
        &city(),
        Operation::IssueCredential {
            credential_id: "r-1".into(),
            subject: addr(&hana()),
            kind: RESIDENT.into(),
            valid_from_ms: now,
            valid_until_ms: now + DAY,
            claims_digest: digest,
        },
    );
    let on_chain = cred(&c, "r-1").claims_digest;
    assert_eq!(on_chain, digest);
    // No claim value is on chain.
    for (_, v, _) in claims() {
        assert!(
            !c.state
                .values()
                .any(|b| b.windows(v.len()).any(|w| w == v.as_bytes())),
            "{v} is on chain"
        );
    }
    for i in 0..3 {
        assert_eq!(disclose(i, &leaves()).verify(&on_chain), Ok(()));
    }
    // The verifier may get the leaves in any order.
    let mut rev = leaves();
    rev.reverse();
    assert_eq!(disclose(1, &rev).verify(&on_chain), Ok(()));

    let not_among = Err(
        "claim 'birth_date' with this value and salt is not among the credential's claims"
            .to_string(),
    );
    // A wrong value, or the right value with a wrong salt.
    let mut d = disclose(1, &leaves());
    d.value = "1990-04-02".into();
    assert_eq!(d.verify(&on_chain), not_among);
    let mut d = disclose(1, &leaves());
    d.salt = hex::encode(salt(9));
    assert_eq!(d.verify(&on_chain), not_among);
    // The claim's leaf left out of the list.
    let mut d = disclose(1, &leaves());
    d.leaves.remove(1);
    assert_eq!(d.verify(&on_chain), not_among);
    // Leaves that do not hash to the digest: one missing, one added, one
    // repeated, or the digest of another credential.
    let no_digest = Err("the claims do not hash to the credential's digest".to_string());
    let mut d = disclose(1, &leaves());
    d.leaves.remove(0);
    assert_eq!(d.verify(&on_chain), no_digest);
    let mut d = disclose(1, &leaves());
    d.leaves
        .push(hex::encode(claim_leaf("extra", "x", &salt(4))));
    assert_eq!(d.verify(&on_chain), no_digest);
    let mut d = disclose(1, &leaves());
    d.leaves.push(d.leaves[1].clone());
    assert_eq!(d.verify(&on_chain), no_digest);
    assert_eq!(disclose(1, &leaves()).verify(&[0; 32]), no_digest);
    // Malformed hex.
    let mut d = disclose(1, &leaves());
    d.salt = "00ff".into();
    assert!(d.verify(&on_chain).unwrap_err().contains("salt"));
    let mut d = disclose(1, &leaves());
    d.leaves[0].pop();
    assert!(d.verify(&on_chain).unwrap_err().contains("leaf"));
}

#[test]
fn a_claims_digest_ignores_order_and_binds_every_field() {
    let l = leaves();
    let d = claims_digest(&l);
    for perm in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let p: Vec<[u8; 32]> = perm.iter().map(|i| l[*i]).collect();
        assert_eq!(claims_digest(&p), d);
    }
    assert_ne!(claims_digest(&l[..2]), d);
    assert_ne!(claims_digest(&[]), d);
    // Name, value and salt all count, and their boundaries too.
    let base = claim_leaf("ab", "c", &salt(1));
    assert_ne!(claim_leaf("a", "bc", &salt(1)), base);
    assert_ne!(claim_leaf("ab", "c", &salt(2)), base);
    assert_ne!(claim_leaf("c", "ab", &salt(1)), base);
    assert_eq!(claim_leaf("ab", "c", &salt(1)), base);
}

#[test]
fn consent_access_and_revocation() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    let ev = c.ok(&hana(), consent_op(b, "r-1", None));
    assert_eq!(
        ev,
        vec![Event::ConsentGranted {
            subject: a,
            party: b,
            scope: "r-1".into(),
            expires_at_ms: None,
        }]
    );
    let granted = c.time_ms;
    let ev = c.ok(&taro(), access_op(a, "r-1", "job application"));
    assert_eq!(
        ev,
        vec![Event::DataAccessed {
            subject: a,
            party: b,
            scope: "r-1".into(),
            purpose: "job application".into(),
        }]
    );
    let first = (c.height, c.time_ms);
    c.ok(&taro(), access_op(a, "r-1", "renewal"));
    let cs = state::consents_of(&c.state, &a).unwrap();
    assert_eq!(cs.len(), 1);
    let k = &cs[0];
    assert_eq!((k.subject, k.party, k.scope.as_str()), (a, b, "r-1"));
    assert_eq!(k.granted_at_ms, granted);
    assert_eq!(k.access_count, 2);
    assert_eq!(
        k.accesses,
        vec![
            Access {
                purpose: "job application".into(),
                height: first.0,
                at_ms: first.1,
            },
            Access {
                purpose: "renewal".into(),
                height: c.height,
                at_ms: c.time_ms,
            },
        ]
    );
    assert!(k.is_active(c.time_ms));
    // Taro's own consents list is separate.
    assert!(state::consents_of(&c.state, &b).unwrap().is_empty());

    let ev = c.ok(&hana(), withdraw_op(b, "r-1"));
    assert_eq!(
        ev,
        vec![Event::ConsentRevoked {
            subject: a,
            party: b,
            scope: "r-1".into(),
        }]
    );
    let k = &state::consents_of(&c.state, &a).unwrap()[0];
    assert_eq!(k.revoked_at_ms, Some(c.time_ms));
    assert!(!k.is_active(c.time_ms));
    let e = c.refuse(&taro(), access_op(a, "r-1", "once more"));
    assert_eq!(
        e,
        TxError::NoConsent {
            subject: a,
            party: b,
            scope: "r-1".into(),
            gap: ConsentGap::Revoked,
        }
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    // Revoking twice is refused; the record of accesses stays.
    let e = c.refuse(&hana(), withdraw_op(b, "r-1"));
    assert_eq!(
        e,
        TxError::NoConsent {
            subject: a,
            party: b,
            scope: "r-1".into(),
            gap: ConsentGap::Revoked,
        }
    );
    assert_eq!(state::consents_of(&c.state, &a).unwrap()[0].access_count, 2);

    // Granted again: the record continues.
    c.ok(&hana(), consent_op(b, "r-1", None));
    c.ok(&taro(), access_op(a, "r-1", "third"));
    let k = &state::consents_of(&c.state, &a).unwrap()[0];
    assert_eq!(k.revoked_at_ms, None);
    assert_eq!(k.access_count, 3);
    assert_eq!(k.accesses.len(), 3);
}

#[test]
fn consent_expires() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    let end = c.time_ms + 2 * DAY;
    c.ok(&hana(), consent_op(b, "profile", Some(end)));
    c.ok(&taro(), access_op(a, "profile", "check"));
    // The last block before the expiry.
    c.advance_to(end - 1 - BLOCK_MS);
    c.ok(&taro(), access_op(a, "profile", "last minute"));
    assert_eq!(c.time_ms, end - 1);
    // The next block is past the expiry.
    let e = c.refuse(&taro(), access_op(a, "profile", "too late"));
    assert_eq!(
        e,
        TxError::NoConsent {
            subject: a,
            party: b,
            scope: "profile".into(),
            gap: ConsentGap::Expired,
        }
    );
    let k = &state::consents_of(&c.state, &a).unwrap()[0];
    assert_eq!(k.expires_at_ms, Some(end));
    assert_eq!(k.access_count, 2);
    assert!(k.is_active(end - 1));
    assert!(!k.is_active(end));
    // An expiry not after the block's time is refused.
    let t = c.next_ctx().time_ms;
    let e = c.refuse(&hana(), consent_op(b, "profile", Some(t)));
    assert_eq!(
        e,
        TxError::NotAfterBlockTime {
            field: Field::ConsentExpiry,
            value_ms: t,
            block_ms: t
        }
    );
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn consent_refusals() {
    let mut c = Chain::new();
    let (a, b, cl) = (addr(&hana()), addr(&taro()), addr(&emma()));
    // Consent to oneself.
    let e = c.refuse(&hana(), consent_op(a, "profile", None));
    assert_eq!(e, TxError::Malformed(Rule::ConsentToSelf));
    // Access without any consent.
    let e = c.refuse(&taro(), access_op(a, "profile", "peek"));
    assert_eq!(
        e,
        TxError::NoConsent {
            subject: a,
            party: b,
            scope: "profile".into(),
            gap: ConsentGap::Never,
        }
    );
    c.ok(&hana(), consent_op(b, "profile", None));
    // Another scope, another party, or the subject itself are not covered.
    let e = c.refuse(&taro(), access_op(a, "r-1", "peek"));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let e = c.refuse(&emma(), access_op(a, "profile", "peek"));
    assert_eq!(
        e,
        TxError::NoConsent {
            subject: a,
            party: cl,
            scope: "profile".into(),
            gap: ConsentGap::Never,
        }
    );
    let e = c.refuse(&hana(), access_op(a, "profile", "self"));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    // A consent the other way round does not count either.
    let e = c.refuse(&hana(), access_op(b, "profile", "peek"));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    // Revoking a consent never given.
    let e = c.refuse(&hana(), withdraw_op(cl, "profile"));
    assert_eq!(
        e,
        TxError::NoConsent {
            subject: a,
            party: cl,
            scope: "profile".into(),
            gap: ConsentGap::Never,
        }
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    // Shapes: scope 1..=64 bytes, purpose at most 256.
    assert_eq!(
        c.refuse_stateless(&hana(), consent_op(b, "", None)).kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        c.refuse_stateless(&taro(), access_op(a, "profile", &"p".repeat(257)))
            .kind(),
        ErrorKind::Malformed
    );
    let k = &state::consents_of(&c.state, &a).unwrap()[0];
    assert_eq!((k.access_count, k.accesses.len()), (0, 0));
}

#[test]
fn only_the_latest_accesses_are_kept_but_all_are_counted() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.ok(&hana(), consent_op(addr(&taro()), "profile", None));
    let n = ACCESSES_KEPT_MAX + 5;
    let first = c.nonce(&addr(&taro()));
    let txs: Vec<SignedTransaction> = (0..n)
        .map(|i| {
            c.tx(
                &taro(),
                first + i as u64,
                access_op(a, "profile", &i.to_string()),
            )
            .sign(&taro())
        })
        .collect();
    let out = c.block(&txs);
    assert!(out.receipts.iter().all(|r| r.error.is_none()));
    let k = &state::consents_of(&c.state, &a).unwrap()[0];
    assert_eq!(k.access_count, n as u64);
    assert_eq!(k.accesses.len(), ACCESSES_KEPT_MAX);
    let kept: Vec<String> = k.accesses.iter().map(|x| x.purpose.clone()).collect();
    let want: Vec<String> = (5..n).map(|i| i.to_string()).collect();
    assert_eq!(kept, want, "the oldest go first");
    // One more drops one more.
    c.ok(&taro(), access_op(a, "profile", "last"));
    let k = &state::consents_of(&c.state, &a).unwrap()[0];
    assert_eq!(k.access_count, n as u64 + 1);
    assert_eq!(k.accesses.len(), ACCESSES_KEPT_MAX);
    assert_eq!(k.accesses[0].purpose, "6");
    assert_eq!(k.accesses.last().unwrap().purpose, "last");
}

#[test]
fn consents_are_listed_per_subject_in_party_and_scope_order() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let mut parties = [addr(&taro()), addr(&emma()), addr(&city())];
    for p in parties {
        for s in ["r-1", "profile"] {
            c.ok(&hana(), consent_op(p, s, None));
        }
    }
    c.ok(&taro(), consent_op(a, "profile", None));
    let cs = state::consents_of(&c.state, &a).unwrap();
    assert_eq!(cs.len(), 6);
    assert!(cs.iter().all(|k| k.subject == a));
    parties.sort();
    let got: Vec<Address> = cs.iter().map(|k| k.party).collect();
    let want: Vec<Address> = parties.iter().flat_map(|p| [*p, *p]).collect();
    assert_eq!(got, want);
    assert_eq!(
        state::consents_of(&c.state, &addr(&taro())).unwrap().len(),
        1
    );
}

#[test]
fn a_party_without_an_account_can_record_access() {
    // A verifier (a clinic, an employer) may hold no value on the chain: the
    // consent itself lets it sign its records of access.
    let mut c = Chain::new();
    let (a, s) = (addr(&hana()), addr(&stranger()));
    assert!(c.account(&s).is_none());
    c.ok(&hana(), consent_op(s, "profile", None));
    c.ok(&stranger(), access_op(a, "profile", "intake"));
    assert_eq!(state::consents_of(&c.state, &a).unwrap()[0].access_count, 1);
}
