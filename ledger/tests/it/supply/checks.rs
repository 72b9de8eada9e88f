//! The supply test's checks after every block: value is conserved, governance, credentials and closed items stay consistent.

use super::*;

/// Every job in the state.
pub(super) fn all_jobs(c: &Chain) -> Vec<Job> {
    c.state
        .iter()
        .filter(|(k, _)| k.first() == Some(&b'j'))
        .map(|(_, v)| borsh::from_slice(v).unwrap())
        .collect()
}

/// Supply figures add up, holdings are well formed and the expiry queue
/// matches the holdings exactly.
pub(super) fn check_invariants(c: &Chain) -> Result<(), TestCaseError> {
    let holdings = c.all_holdings();
    let jobs = all_jobs(c);
    let mut timers_from_jobs = BTreeSet::new();
    for j in &jobs {
        if j.state.is_open() {
            prop_assert_eq!(j.escrow_total(), j.reward, "open job {} escrow", &j.id);
        } else {
            prop_assert!(j.escrow.is_empty(), "closed job {} holds escrow", j.id);
        }
        let timed = matches!(j.state, JobState::Posted | JobState::Submitted);
        prop_assert_eq!(j.timer_at.is_some(), timed, "job {} timer", &j.id);
        if let Some(t) = j.timer_at {
            prop_assert!(t > c.time_ms, "job {} timeout {} left due", j.id, t);
            timers_from_jobs.insert(keys::job_timer(t, &j.id));
        }
    }
    let timers: BTreeSet<Vec<u8>> = c
        .state
        .keys()
        .filter(|k| k.first() == Some(&b'q'))
        .cloned()
        .collect();
    prop_assert_eq!(timers, timers_from_jobs, "job timers out of step with jobs");
    for s in state::assets(&c.state).unwrap() {
        let id = &s.class.id;
        // Escrow is the sum of open jobs' rewards (checked per job above).
        let escrow: u128 = jobs
            .iter()
            .filter(|j| &j.asset == id && j.state.is_open())
            .map(|j| u128::from(j.reward))
            .sum();
        let all: u128 = holdings
            .iter()
            .filter(|(_, a, _)| a == id)
            .map(|(_, _, h)| u128::from(h.total()))
            .sum();
        let held: u128 = holdings
            .iter()
            .filter(|(who, a, _)| a == id && *who != s.class.breakage_account)
            .map(|(_, _, h)| u128::from(h.total()))
            .sum();
        let (issued, burned, expired) = (
            u128::from(s.issued),
            u128::from(s.burned),
            u128::from(s.expired),
        );
        prop_assert!(
            burned + expired <= issued,
            "{id}: burned {burned} + expired {expired} > issued {issued}"
        );
        prop_assert_eq!(
            issued - burned,
            all + escrow,
            "{}: issued - burned != all holdings + escrow",
            id
        );
        prop_assert_eq!(
            issued - burned - expired,
            held + escrow,
            "{}: issued - burned - expired != holders' total + escrow",
            id
        );
    }
    let mut queue_from_holdings = BTreeSet::new();
    for (who, asset, h) in &holdings {
        prop_assert!(!h.lots.is_empty(), "an empty holding is stored");
        prop_assert!(h.lots.iter().all(|l| l.amount > 0), "a zero lot is stored");
        let rank = |e: Option<u64>| e.map_or(u128::MAX, u128::from);
        prop_assert!(
            h.lots
                .windows(2)
                .all(|w| rank(w[0].expires_at) < rank(w[1].expires_at)),
            "lots unsorted"
        );
        let total = h.lots.iter().try_fold(0u64, |a, l| a.checked_add(l.amount));
        prop_assert!(total.is_some(), "a holding sums past u64");
        if let Some(t) = h.next_expiry() {
            // Everything due was expired at the block's start, and nothing
            // is minted past a fixed date.
            prop_assert!(
                t > c.time_ms,
                "a {} lot due at {} is held after {}",
                asset,
                t,
                c.time_ms
            );
            queue_from_holdings.insert(keys::expiry(t, asset, who));
        }
    }
    let queue: BTreeSet<Vec<u8>> = c
        .state
        .keys()
        .filter(|k| k.first() == Some(&b'x'))
        .cloned()
        .collect();
    prop_assert_eq!(
        queue,
        queue_from_holdings,
        "expiry queue out of step with the holdings"
    );
    check_governance(c)?;
    check_credentials(c)
}

/// Proposals, their timers, members, parameters and the validator set.
pub(super) fn check_governance(c: &Chain) -> Result<(), TestCaseError> {
    let proposals: Vec<_> = state::proposals(&c.state, &[], usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let mut open_timers = BTreeSet::new();
    for p in &proposals {
        let open = p.state == ProposalState::Open;
        prop_assert_eq!(
            p.closed_height.is_none(),
            open,
            "proposal {} closed_height",
            &p.id
        );
        prop_assert_eq!(p.closed_ms.is_none(), open, "proposal {} closed_ms", &p.id);
        prop_assert!(!p.approvals.is_empty() && p.approvals[0] == p.proposer);
        prop_assert!(p.approvals.iter().all(|a| !p.rejections.contains(a)));
        if open {
            prop_assert!(
                p.expires_at_ms > c.time_ms,
                "open proposal {} is past its expiry",
                p.id
            );
            open_timers.insert(keys::proposal_timer(p.expires_at_ms, &p.id));
        }
        if p.state == ProposalState::Expired {
            prop_assert!(p.closed_ms.is_some_and(|t| t >= p.expires_at_ms));
        }
    }
    let timers: BTreeSet<Vec<u8>> = c
        .state
        .keys()
        .filter(|k| keys::parse_proposal_timer(k).is_some())
        .cloned()
        .collect();
    prop_assert_eq!(
        timers,
        open_timers,
        "proposal timers are not those of open proposals"
    );

    let members = state::members(&c.state).unwrap();
    prop_assert!(!members.is_empty(), "no members left");
    prop_assert!(members.windows(2).all(|w| w[0] < w[1]), "members unsorted");
    let params = state::params(&c.state).unwrap().unwrap();
    prop_assert!(params.approval_threshold_num < params.approval_threshold_den);
    for (name, lo, hi) in PARAMS {
        let v = params.get(name).unwrap();
        prop_assert!((*lo..=*hi).contains(&v), "{} = {}", name, v);
    }

    let set = state::validators(&c.state).unwrap();
    prop_assert!(!set.is_empty() && set.len() <= VALIDATORS_MAX);
    let keys_: BTreeSet<Address> = set.iter().map(|v| v.public_key).collect();
    prop_assert_eq!(keys_.len(), set.len(), "a validator is listed twice");
    prop_assert!(
        set.iter()
            .all(|v| yui_ledger::crypto::is_signing_key(&v.public_key)),
        "a validator key can never sign"
    );
    for (h, _) in state::pending_validator_changes(&c.state).unwrap() {
        prop_assert!(h > c.height + 1, "a change due at {} is still pending", h);
    }
    Ok(())
}

/// Credentials, their index, and consents.
pub(super) fn check_credentials(c: &Chain) -> Result<(), TestCaseError> {
    let creds: Vec<yui_ledger::credential::Credential> = c
        .state
        .iter()
        .filter(|(k, _)| k.first() == Some(&b'C'))
        .map(|(_, v)| borsh::from_slice(v).unwrap())
        .collect();
    let index: BTreeSet<Vec<u8>> = c
        .state
        .keys()
        .filter(|k| k.first() == Some(&b'K'))
        .cloned()
        .collect();
    let from_creds: BTreeSet<Vec<u8>> = creds
        .iter()
        .map(|r| keys::credential_of(&r.subject, &r.kind, &r.id))
        .collect();
    prop_assert_eq!(index, from_creds, "credential index out of step");
    for r in &creds {
        prop_assert!(r.valid_until_ms > r.valid_from_ms);
        prop_assert_eq!(
            r.history.first().map(|h| h.action),
            Some(yui_ledger::credential::CredentialAction::Issue)
        );
        prop_assert_eq!(r.history.last().map(|h| h.status), Some(r.status));
        prop_assert!(r.history.iter().all(|h| h.by == r.issuer));
        let revoked = r
            .history
            .iter()
            .position(|h| h.status == CredentialStatus::Revoked);
        prop_assert!(
            revoked.is_none_or(|i| i + 1 == r.history.len()),
            "changed after revocation"
        );
        prop_assert!(c.account(&r.subject).is_some());
    }
    for a in people().iter().map(Keypair::address) {
        for k in state::consents_of(&c.state, &a).unwrap() {
            prop_assert_eq!(k.subject, a);
            prop_assert!(k.party != a);
            prop_assert_eq!(
                k.accesses.len() as u64,
                k.access_count.min(ACCESSES_KEPT_MAX as u64)
            );
            prop_assert!(c.account(&k.party).is_some());
        }
    }
    Ok(())
}

/// Checks each proposal closed by a transaction of the block against the
/// members and parameters just before that transaction: executed or failed
/// only past the threshold, rejected only once it could no longer pass.
/// Returns the ids of the proposals executed.
pub(super) fn check_closes(
    before: &MemState,
    ctx: &yui_ledger::Ctx,
    included: &[SignedTransaction],
    receipts: &[yui_ledger::Receipt],
    after: &Chain,
) -> Result<Vec<String>, TestCaseError> {
    let mut executed = Vec::new();
    for (i, r) in receipts.iter().enumerate() {
        for e in &r.events {
            let Event::ProposalClosed {
                proposal_id, state, ..
            } = e
            else {
                continue;
            };
            // The state just before transaction i.
            let mut pre = before.clone();
            let out = execute_block(before, ctx.clone(), &included[..i])
                .map_err(|(i, e)| TestCaseError::fail(format!("{i}: {e}")))?;
            pre.apply(&out.writes);
            let members = state::members(&pre).unwrap();
            let params = state::params(&pre).unwrap().unwrap();
            if let Some(p) = state::proposal(&pre, proposal_id).unwrap() {
                prop_assert_eq!(p.state, ProposalState::Open, "{} closed twice", proposal_id);
            }
            let p = after.proposal(proposal_id);
            prop_assert_eq!(p.state, *state);
            prop_assert_eq!(p.closed_height, Some(ctx.height));
            let n = members.len() as u64;
            let count = |v: &[Address]| v.iter().filter(|a| members.contains(a)).count() as u64;
            let (yes, no) = (count(&p.approvals), count(&p.rejections));
            match p.state {
                ProposalState::Executed | ProposalState::Failed => {
                    prop_assert!(
                        params.passes(yes, n),
                        "{} {:?} with {} of {} approvals",
                        proposal_id,
                        state,
                        yes,
                        n
                    );
                    if p.state == ProposalState::Executed {
                        executed.push(proposal_id.clone());
                    }
                }
                ProposalState::Rejected => {
                    prop_assert!(!params.passes(yes, n));
                    prop_assert!(
                        !params.passes(n - no, n),
                        "{} rejected but could pass",
                        proposal_id
                    );
                }
                s => prop_assert!(false, "{} closed by a transaction as {:?}", proposal_id, s),
            }
        }
    }
    Ok(executed)
}
