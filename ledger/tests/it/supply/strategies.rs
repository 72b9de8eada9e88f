//! The supply test's random operations, governance actions and job steps.

use super::*;

/// Amounts minted: mostly ordinary, sometimes zero (malformed) or the
/// largest (overflow).
pub(super) fn mint_amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        20 => 1..20_000u64,
        1 => Just(0u64),
        1 => Just(u64::MAX),
    ]
}

/// Amounts spent: mostly within what people hold, sometimes not.
pub(super) fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        20 => 1..800u64,
        4 => 1..20_000u64,
        1 => Just(0u64),
        1 => Just(u64::MAX),
    ]
}

pub(super) fn person() -> impl Strategy<Value = usize> {
    0..11usize
}

pub(super) fn asset() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 0..4usize, 1 => Just(4usize)]
}

/// Mostly a merchant.
pub(super) fn merchant() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 2..5usize, 1 => person()]
}

pub(super) fn op() -> impl Strategy<Value = OpPlan> {
    prop_oneof![
        3 => (person(), mint_amount(), 0..6u8, any::<bool>())
            .prop_map(|(to, amount, deposit, campaign)| OpPlan::Charge { to, amount, deposit, campaign }),
        3 => (person(), asset(), mint_amount(), proptest::option::of(0..3u8))
            .prop_map(|(to, asset, amount, event)| OpPlan::Grant { to, asset, amount, event }),
        2 => (person(), asset(), amount()).prop_map(|(to, asset, amount)| OpPlan::Transfer { to, asset, amount }),
        4 => (merchant(), 0..5u8, amount(), proptest::collection::vec(asset(), 0..3))
            .prop_map(|(merchant, invoice, amount, assets)| OpPlan::Pay { merchant, invoice, amount, assets }),
        2 => (0..5u8, amount()).prop_map(|(invoice, amount)| OpPlan::Refund { invoice, amount }),
        1 => (asset(), amount(), 0..4u8).prop_map(|(asset, amount, payout)| OpPlan::Redeem { asset, amount, payout }),
        1 => (asset(), amount()).prop_map(|(asset, amount)| OpPlan::Burn { asset, amount }),
        8 => (
            0..3u8,
            prop_oneof![4 => Just(0usize), 1 => Just(3usize), 1 => asset()],
            prop_oneof![10 => 1..300u64, 1 => amount()],
            prop_oneof![6 => Just(COORD), 1 => person()],
            prop_oneof![Just(BLOCK_MS), Just(10 * DAY), Just(40 * DAY), Just(300 * DAY)],
            prop_oneof![3 => Just(None), 1 => (0..2usize).prop_map(Some)],
        )
            .prop_map(|(job, asset, reward, coordinator, deadline_ms, credential)| OpPlan::PostJob {
                job,
                asset,
                reward,
                coordinator,
                deadline_ms,
                credential,
            }),
        16 => (0..3u8, job_action(), proptest::bool::weighted(0.8))
            .prop_map(|(job, action, party)| OpPlan::Job { job, action, party }),
        2 => (proposal_id(), gov_plan(), ttl())
            .prop_map(|(id, action, ttl_ms)| OpPlan::Propose { id, action, ttl_ms }),
        4 => (proposal_id(), proptest::bool::weighted(0.8))
            .prop_map(|(id, approve)| OpPlan::Vote { id, approve }),
        4 => (
            0..4u8,
            person(),
            0..2usize,
            prop_oneof![3 => Just(-(DAY as i64)), 1 => Just(0i64), 1 => Just(5 * DAY as i64)],
            prop_oneof![Just(1u64), Just(DAY), Just(40 * DAY), Just(400 * DAY)],
        )
            .prop_map(|(id, subject, kind, from_ms, validity_ms)| OpPlan::Issue {
                id,
                subject,
                kind,
                from_ms,
                validity_ms,
            }),
        2 => (
            0..4u8,
            prop_oneof![Just(CredAction::Suspend), Just(CredAction::Reinstate), Just(CredAction::Revoke)],
        )
            .prop_map(|(id, action)| OpPlan::SetStatus { id, action }),
        1 => (person(), 0..2usize, proptest::option::of(prop_oneof![Just(BLOCK_MS), Just(DAY), Just(100 * DAY)]))
            .prop_map(|(party, scope, expires_in_ms)| OpPlan::Consent { party, scope, expires_in_ms }),
        1 => (person(), 0..2usize).prop_map(|(party, scope)| OpPlan::Withdraw { party, scope }),
        2 => (person(), 0..2usize).prop_map(|(subject, scope)| OpPlan::Access { subject, scope }),
    ]
}

pub(super) fn proposal_id() -> impl Strategy<Value = u8> {
    0..24u8
}

pub(super) fn ttl() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => Just(7 * DAY),
        2 => Just(BLOCK_MS + 1),
        1 => Just(2 * DAY),
        1 => Just(0u64),
        1 => Just(31 * DAY),
    ]
}

pub(super) fn role_plan() -> impl Strategy<Value = RolePlan> {
    prop_oneof![
        2 => Just(RolePlan::CredentialIssuer),
        1 => Just(RolePlan::Coordinator),
        2 => asset().prop_map(RolePlan::Issuer),
    ]
}

/// Heights from the proposal to its validator change: mostly far enough for
/// votes in the same block, sometimes too soon.
pub(super) fn delay() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 2..12u64, 1 => 0..2u64]
}

pub(super) fn gov_plan() -> impl Strategy<Value = GovPlan> {
    prop_oneof![
        // Validator changes mostly of a few keys, so that changes of one key
        // meet in the queue.
        2 => (
            prop_oneof![4 => (5..7usize).prop_map(Some), 2 => person().prop_map(Some), 1 => Just(None)],
            delay(),
        )
            .prop_map(|(who, delay)| GovPlan::AddValidator { who, delay }),
        2 => (prop_oneof![Just(0usize), Just(10usize), 5..7usize, person()], delay())
            .prop_map(|(who, delay)| GovPlan::RemoveValidator { who, delay }),
        3 => (person(), role_plan()).prop_map(|(to, role)| GovPlan::GrantRole { to, role }),
        2 => (person(), role_plan()).prop_map(|(to, role)| GovPlan::RevokeRole { to, role }),
        2 => Just(GovPlan::DefineGold),
        2 => (asset(), any::<bool>(), proptest::bool::weighted(0.3))
            .prop_map(|(asset, transferable, resident_only)| GovPlan::UpdateAsset {
                asset,
                transferable,
                resident_only,
            }),
        2 => (0..PARAMS.len() + 1, prop_oneof![3 => 1..6u64, 1 => 0..400u64])
            .prop_map(|(param, value)| GovPlan::SetParam { param, value }),
        2 => (person(), proptest::bool::weighted(0.6))
            .prop_map(|(who, member)| GovPlan::SetMember { who, member }),
    ]
}

pub(super) fn job_action() -> impl Strategy<Value = JobAction> {
    prop_oneof![
        3 => Just(JobAction::Accept),
        3 => Just(JobAction::Submit),
        3 => prop_oneof![8 => proptest::option::of(1..=5u8), 1 => Just(Some(0u8)), 1 => Just(Some(6u8))]
            .prop_map(JobAction::Approve),
        1 => Just(JobAction::Cancel),
        1 => Just(JobAction::Consent),
        1 => Just(JobAction::Dispute),
        1 => amount().prop_map(JobAction::Resolve),
    ]
}
