//! The supply test's random blocks and its job, governance and credential flows.

use super::*;

pub(super) fn tx_plan() -> impl Strategy<Value = TxPlan> {
    let usual = proptest::bool::weighted(0.85);
    (
        op(),
        prop_oneof![10 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)],
        person(),
        usual,
    )
        .prop_map(|(op, nonce_skew, signer, issuer_signs)| {
            // Minting is mostly, not only, done by the issuer; refunds and
            // redemptions by merchants.
            let signer = match op {
                OpPlan::Charge { .. } | OpPlan::Grant { .. } if issuer_signs => 0,
                OpPlan::Refund { .. } | OpPlan::Redeem { .. } if issuer_signs => 2 + signer % 3,
                OpPlan::Propose { .. } | OpPlan::Vote { .. } if issuer_signs => MEMBERS[signer % 3],
                OpPlan::Issue { .. } | OpPlan::SetStatus { .. } if issuer_signs => 0,
                // Consents are given by, and accesses recorded by, residents mostly.
                OpPlan::Consent { .. } | OpPlan::Withdraw { .. } | OpPlan::Access { .. }
                    if issuer_signs =>
                {
                    5 + signer % 3
                }
                _ => signer,
            };
            TxPlan {
                signer,
                nonce_skew,
                op,
            }
        })
}

pub(super) fn block_plan() -> impl Strategy<Value = BlockPlan> {
    let advance = prop_oneof![
        Just(1_000u64),
        Just(BLOCK_MS),
        Just(DAY),
        Just(31 * DAY),
        Just(100 * DAY),
        Just(200 * DAY),
    ];
    let group = prop_oneof![
        6 => tx_plan().prop_map(|t| vec![t]),
        2 => job_flow(),
        2 => gov_flow(),
        1 => cred_flow(),
    ];
    (advance, proptest::collection::vec(group, 0..7)).prop_map(|(advance_ms, groups)| BlockPlan {
        advance_ms,
        txs: groups.into_iter().flatten().take(12).collect(),
    })
}

/// A job posted by a resident and taken some way through its life, each
/// step signed by the party it calls for.
pub(super) fn job_flow() -> impl Strategy<Value = Vec<TxPlan>> {
    use JobAction::*;
    let script = prop_oneof![
        Just(vec![Accept, Submit, Approve(Some(4))]),
        Just(vec![Accept, Submit]),
        Just(vec![Accept]),
        Just(vec![Cancel]),
        Just(vec![]),
        Just(vec![Accept, Consent, Cancel]),
        Just(vec![Accept, Cancel]),
        (any::<bool>(), 0..400u64).prop_map(|(submit, split)| if submit {
            vec![Accept, Submit, Dispute, Resolve(split)]
        } else {
            vec![Accept, Dispute, Resolve(split)]
        }),
        proptest::collection::vec(job_action(), 0..4),
    ];
    (
        0..6u8,
        prop_oneof![10 => 1..300u64, 1 => amount()],
        prop_oneof![3 => Just(0usize), 1 => Just(3usize)],
        prop_oneof![Just(DAY), Just(40 * DAY), Just(300 * DAY)],
        5..8usize,
        script,
        prop_oneof![3 => Just(None), 1 => Just(Some(0usize))],
    )
        .prop_map(
            |(job, reward, asset, deadline_ms, poster, script, credential)| {
                let mut v = vec![TxPlan {
                    signer: poster,
                    nonce_skew: 0,
                    op: OpPlan::PostJob {
                        job,
                        asset,
                        reward,
                        coordinator: COORD,
                        deadline_ms,
                        credential,
                    },
                }];
                v.extend(script.into_iter().map(|action| TxPlan {
                    signer: poster,
                    nonce_skew: 0,
                    op: OpPlan::Job {
                        job,
                        action,
                        party: true,
                    },
                }));
                v
            },
        )
}

/// A proposal by one member and the others' votes, mostly approving;
/// sometimes two proposals of the same action, both open before either
/// passes, so that the second may fail when carried out.
pub(super) fn gov_flow() -> impl Strategy<Value = Vec<TxPlan>> {
    (
        0..12u8,
        gov_plan(),
        0..3usize,
        proptest::collection::vec(proptest::bool::weighted(0.9), 2),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(id, action, proposer, votes, twice)| {
            let ids = if twice { vec![id, id + 12] } else { vec![id] };
            let mut v: Vec<TxPlan> = ids
                .iter()
                .map(|id| TxPlan {
                    signer: MEMBERS[proposer],
                    nonce_skew: 0,
                    op: OpPlan::Propose {
                        id: *id,
                        action: action.clone(),
                        ttl_ms: 7 * DAY,
                    },
                })
                .collect();
            for id in ids {
                let others = MEMBERS.iter().filter(|m| **m != MEMBERS[proposer]);
                v.extend(others.zip(&votes).map(|(m, approve)| TxPlan {
                    signer: *m,
                    nonce_skew: 0,
                    op: OpPlan::Vote {
                        id,
                        approve: *approve,
                    },
                }));
            }
            v
        })
}

/// The city issues a credential to a resident, who lets someone read it;
/// that party records accesses; then maybe a status change or a withdrawal
/// and one more access.
pub(super) fn cred_flow() -> impl Strategy<Value = Vec<TxPlan>> {
    (
        0..4u8,
        5..8usize,
        0..2usize,
        person(),
        0..2usize,
        0..3usize,
        proptest::option::of(prop_oneof![
            Just(CredAction::Suspend),
            Just(CredAction::Revoke),
            Just(CredAction::Reinstate)
        ]),
        any::<bool>(),
    )
        .prop_map(
            |(id, subject, kind, party, scope, reads, status, withdraw)| {
                let tx = |signer: usize, op: OpPlan| TxPlan {
                    signer,
                    nonce_skew: 0,
                    op,
                };
                let access = OpPlan::Access { subject, scope };
                let mut v = vec![
                    tx(
                        0,
                        OpPlan::Issue {
                            id,
                            subject,
                            kind,
                            from_ms: -(DAY as i64),
                            validity_ms: 400 * DAY,
                        },
                    ),
                    tx(
                        subject,
                        OpPlan::Consent {
                            party,
                            scope,
                            expires_in_ms: None,
                        },
                    ),
                ];
                v.extend((0..reads).map(|_| tx(party, access.clone())));
                if let Some(action) = status {
                    v.push(tx(0, OpPlan::SetStatus { id, action }));
                }
                if withdraw {
                    v.push(tx(subject, OpPlan::Withdraw { party, scope }));
                }
                v.push(tx(party, access));
                v
            },
        )
}
