//! Validators joining and leaving the set by governance: effective heights, order, refusals.

use super::*;

#[test]
fn an_added_validator_signs_from_its_effective_height() {
    let mut c = Chain::new();
    let newcomer = addr(&hana());
    let effective = c.height + 10;
    let p = c.pass("v-1", add_validator(newcomer, effective));
    assert_eq!(p.state, ProposalState::Executed, "{:?}", p.failure);
    assert_eq!(p.failure, None);
    assert_eq!(
        state::pending_validator_changes(&c.state).unwrap(),
        vec![(
            effective,
            ValidatorChange::Add(ValidatorInfo {
                name: "newcomer".into(),
                public_key: newcomer,
                power: 2,
            })
        )]
    );
    assert_eq!(validator_keys(&c), vec![addr(&city()), addr(&chamber())]);
    // Nothing changes until the start of the block before its height.
    while c.height + 1 < effective - 1 {
        let ev = c.advance_to(c.time_ms + BLOCK_MS);
        assert!(ev.is_empty());
        assert_eq!(validator_keys(&c).len(), 2);
    }
    let ev = c.advance_to(c.time_ms + BLOCK_MS);
    assert_eq!(c.height, effective - 1);
    assert_eq!(
        ev,
        vec![Event::ValidatorSetChanged {
            effective_height: effective,
            added: vec![newcomer],
            removed: vec![],
            skipped: vec![],
        }]
    );
    // The state after block effective - 1 names the set of effective.
    assert_eq!(
        validator_keys(&c),
        vec![addr(&city()), addr(&chamber()), newcomer]
    );
    assert_eq!(state::validators(&c.state).unwrap()[2].power, 2);
    assert!(
        state::pending_validator_changes(&c.state)
            .unwrap()
            .is_empty()
    );
    assert!(c.advance_to(c.time_ms + BLOCK_MS).is_empty());
}

#[test]
fn the_scheduled_event_names_the_height() {
    let mut c = Chain::new();
    let effective = c.height + 10;
    c.ok(
        &city(),
        propose_op("v-1", add_validator(addr(&hana()), effective), week(&c)),
    );
    c.ok(&chamber(), vote_op("v-1", true));
    let ev = c.ok(&kita(), vote_op("v-1", true));
    assert_eq!(
        ev[1],
        Event::ValidatorChangeScheduled {
            public_key: addr(&hana()),
            added: true,
            effective_height: effective,
        }
    );
}

#[test]
fn validator_changes_too_soon_are_refused_or_fail() {
    let mut c = Chain::new();
    let h = c.height + 1;
    // The earliest is two heights after the block that approves it.
    let e = c.refuse(
        &city(),
        propose_op("v-1", add_validator(addr(&hana()), h + 1), week(&c)),
    );
    assert_eq!(
        e,
        TxError::TooSoon {
            effective_height: h + 1,
            earliest: h + 2
        }
    );
    let e = c.refuse(
        &city(),
        propose_op("v-1", remove_validator(addr(&chamber()), 0), week(&c)),
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    // Proposed in time, but approved too late: it fails and changes nothing.
    let h = c.height + 1;
    c.ok(
        &city(),
        propose_op("v-1", add_validator(addr(&hana()), h + 3), week(&c)),
    );
    c.ok(&chamber(), vote_op("v-1", true));
    let ev = c.ok(&kita(), vote_op("v-1", true));
    let why = TxError::TooSoon {
        effective_height: h + 3,
        earliest: h + 4,
    };
    assert_eq!(
        ev.last(),
        Some(&closed("v-1", ProposalState::Failed, Some(why)))
    );
    assert_eq!(c.proposal("v-1").state, ProposalState::Failed);
    assert!(
        state::pending_validator_changes(&c.state)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn validator_additions_are_refused_for_members_of_the_set_and_bad_keys() {
    let mut c = Chain::new();
    let eff = c.height + 10;
    let e = c.refuse(
        &city(),
        propose_op("v-1", add_validator(addr(&chamber()), eff), week(&c)),
    );
    assert_eq!(
        e,
        TxError::ValidatorChange {
            key: addr(&chamber()),
            height: eff,
            rule: Rule::AlreadyValidator
        }
    );
    // Keys that could never sign: not a point, points of small order (the
    // all-zero key among them), a non-canonical encoding.
    let not_a_point = (2u8..=255)
        .map(|b| [b; 32])
        .find(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_err())
        .unwrap();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    // y = p + y0 for a small y0 whose point has large order.
    let non_canonical = (2u8..19)
        .map(|y0| {
            let mut k = [0xff; 32];
            k[0] = 0xed + y0;
            k[31] = 0x7f;
            k
        })
        .find(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_ok_and(|v| !v.is_weak()))
        .unwrap();
    let bad = [not_a_point, identity, [0; 32], non_canonical];
    for k in bad {
        assert!(!yui_ledger::crypto::is_signing_key(&Address(k)));
        let e = c.refuse(
            &city(),
            propose_op("v-1", add_validator(Address(k), eff), week(&c)),
        );
        assert_eq!(
            e,
            TxError::Malformed(Rule::ValidatorKeyCannotSign),
            "{}",
            hex::encode(k)
        );
    }
    for k in all_keys() {
        assert!(yui_ledger::crypto::is_signing_key(&k.address()));
    }
    // Shapes: a name and a power in range.
    for (name, power) in [
        ("", 1),
        (&"n".repeat(65)[..], 1),
        ("v", 0),
        ("v", 1_000_001),
    ] {
        let e = c.refuse_stateless(
            &city(),
            propose_op(
                "v-1",
                GovAction::AddValidator {
                    name: name.into(),
                    public_key: addr(&hana()),
                    power,
                    effective_height: eff,
                },
                week(&c),
            ),
        );
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
    assert!(state::proposal(&c.state, "v-1").unwrap().is_none());
}

#[test]
fn a_removed_validator_leaves_but_never_the_last() {
    let mut c = Chain::new();
    let ch = addr(&chamber());
    let e = c.refuse(
        &city(),
        propose_op(
            "v-0",
            remove_validator(addr(&hana()), c.height + 10),
            week(&c),
        ),
    );
    assert_eq!(
        e,
        TxError::ValidatorChange {
            key: addr(&hana()),
            height: c.height + 9,
            rule: Rule::NotValidator
        }
    );
    let eff = c.height + 6;
    let p = c.pass("v-1", remove_validator(ch, eff));
    assert_eq!(p.state, ProposalState::Executed);
    // The last one cannot be scheduled to leave either, while the chamber's
    // departure is pending.
    let e = c.refuse(
        &city(),
        propose_op("v-2", remove_validator(addr(&city()), eff + 5), week(&c)),
    );
    assert_eq!(e, TxError::Governance(Rule::LastValidator));
    while c.height + 1 < eff {
        c.advance_to(c.time_ms + BLOCK_MS);
    }
    assert_eq!(validator_keys(&c), vec![addr(&city())]);
    let e = c.refuse(
        &city(),
        propose_op(
            "v-2",
            remove_validator(addr(&city()), c.height + 10),
            week(&c),
        ),
    );
    assert_eq!(e, TxError::Governance(Rule::LastValidator));
    // The chamber may come back.
    let p = c.pass("v-3", add_validator(ch, c.height + 10));
    assert_eq!(p.state, ProposalState::Executed);
}

#[test]
fn validator_changes_take_effect_in_the_order_approved() {
    // A change is checked where it falls among the pending ones, so what
    // governance approved is what happens: nothing is skipped later.
    let mut c = Chain::new();
    let (a, ch) = (addr(&hana()), addr(&chamber()));
    let h = c.height;
    assert_eq!(
        c.pass("add-a", add_validator(a, h + 20)).state,
        ProposalState::Executed
    );
    assert_eq!(
        c.pass("rm-ch", remove_validator(ch, h + 20)).state,
        ProposalState::Executed
    );
    // Removing hana before she is added; adding the chamber while it is
    // still in the set; a second change of hana at her height.
    for (id, action, why) in [
        (
            "rm-a-early",
            remove_validator(a, h + 15),
            (a, h + 15, Rule::NotValidator),
        ),
        (
            "add-ch-early",
            add_validator(ch, h + 15),
            (ch, h + 15, Rule::AlreadyValidator),
        ),
        (
            "rm-a-same",
            remove_validator(a, h + 20),
            (a, h + 20, Rule::ValidatorChangePending),
        ),
    ] {
        let e = c.refuse(&city(), propose_op(id, action, week(&c)));
        let (key, height, rule) = why;
        assert_eq!(e, TxError::ValidatorChange { key, height, rule }, "{id}");
    }
    // After them, both are fine.
    assert_eq!(
        c.pass("rm-a-late", remove_validator(a, h + 30)).state,
        ProposalState::Executed
    );
    assert_eq!(
        c.pass("add-ch-late", add_validator(ch, h + 30)).state,
        ProposalState::Executed
    );
    assert_eq!(state::pending_validator_changes(&c.state).unwrap().len(), 4);
    let mut changes = Vec::new();
    while c.height < h + 31 {
        for e in c.advance_to(c.time_ms + BLOCK_MS) {
            if let Event::ValidatorSetChanged {
                effective_height,
                added,
                removed,
                skipped,
            } = e
            {
                assert!(skipped.is_empty(), "{skipped:?}");
                changes.push((effective_height, added, removed));
            }
        }
        if c.height == h + 19 {
            assert_eq!(validator_keys(&c), vec![addr(&city()), a]);
        }
    }
    assert_eq!(
        changes,
        vec![(h + 20, vec![a], vec![ch]), (h + 30, vec![ch], vec![a]),]
    );
    assert_eq!(validator_keys(&c), vec![addr(&city()), ch]);
}
