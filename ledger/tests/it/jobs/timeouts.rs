//! Jobs that time out: refunded if nobody accepts by the deadline, released to the worker when a submission is not answered, retried when a holding cap blocks it.

use super::*;

#[test]
fn not_accepted_by_the_deadline_is_refunded_at_block_start() {
    let mut c = funded();
    let a = addr(&hana());
    let deadline = c.time_ms + 3 * DAY;
    c.ok(&hana(), post_op("j", COIN, REWARD, addr(&kita()), deadline));
    assert!(c.advance_to(deadline - 1).is_empty());
    assert_eq!(job(&c, "j").state, JobState::Posted);
    // A block at the deadline refunds before its transactions run, so an
    // acceptance in it finds the job expired.
    let stx = c.sign(&taro(), accept_op("j"));
    let out = c.block_at(deadline, &[stx]);
    assert_eq!(
        out.begin_events,
        vec![Event::JobExpired {
            job_id: "j".into(),
            poster: a,
            asset: COIN.into(),
            refunded: REWARD,
        }]
    );
    assert_eq!(
        out.receipts[0].error,
        Some(TxError::JobState {
            job: "j".into(),
            state: JobState::Expired,
            rule: Rule::JobNotPosted
        })
    );
    assert_eq!(c.balance(&a, COIN), 10_000);
    let j = job(&c, "j");
    assert_eq!(j.state, JobState::Expired);
    assert_eq!(j.history.last().unwrap().by, None);
    assert_eq!(j.history.last().unwrap().action, JobAction::Expire);
    assert_eq!(timers(&c), 0);
    assert_supply(&c, COIN);
}

#[test]
fn unanswered_submission_is_released_to_the_worker() {
    let mut c = funded();
    let (a, b) = (addr(&hana()), addr(&taro()));
    submitted(&mut c, "j");
    let due = job(&c, "j").timer_at.unwrap();
    assert!(c.advance_to(due - 1).is_empty());
    let ev = c.advance_to(due);
    assert_eq!(
        ev,
        vec![Event::JobAutoReleased {
            job_id: "j".into(),
            poster: a,
            worker: b,
            asset: COIN.into(),
            amount: REWARD,
        }]
    );
    assert_eq!(c.balance(&b, COIN), REWARD);
    let j = job(&c, "j");
    assert_eq!(j.state, JobState::AutoReleased);
    assert_eq!(j.history.last().unwrap().action, JobAction::AutoRelease);
    assert_eq!(
        rep(&c, &taro()),
        Reputation {
            jobs_completed: 1,
            ..Reputation::default()
        }
    );
    assert_eq!(timers(&c), 0);
    assert_supply(&c, COIN);
    let e = c.refuse(&hana(), approve_op("j", Some(1)));
    assert!(matches!(
        &e,
        TxError::JobState {
            state: JobState::AutoReleased,
            ..
        }
    ));
}

#[test]
fn an_approval_before_the_review_ends_stops_the_release() {
    let mut c = funded();
    submitted(&mut c, "j");
    let due = job(&c, "j").timer_at.unwrap();
    c.advance_to(due - 2 * BLOCK_MS);
    c.ok(&hana(), approve_op("j", Some(3)));
    assert!(c.advance_to(due + DAY).is_empty());
    assert_eq!(c.balance(&addr(&taro()), COIN), REWARD);
    assert_eq!(rep(&c, &taro()).jobs_completed, 1);
}

#[test]
fn many_timeouts_in_one_block_run_in_order() {
    let mut c = funded();
    let deadline = c.time_ms + DAY;
    let k = addr(&kita());
    let txs: Vec<_> = (0..5)
        .map(|i| {
            c.tx(
                &hana(),
                c.nonce(&addr(&hana())) + i,
                post_op(&format!("j{i}"), COIN, 10 + i, k, deadline + i),
            )
            .sign(&hana())
        })
        .collect();
    let out = c.block(&txs);
    assert!(out.receipts.iter().all(|r| r.error.is_none()));
    let ev = c.advance_to(deadline + 10);
    let ids: Vec<&str> = ev
        .iter()
        .map(|e| match e {
            Event::JobExpired { job_id, .. } => job_id.as_str(),
            _ => panic!("{e:?}"),
        })
        .collect();
    assert_eq!(ids, ["j0", "j1", "j2", "j3", "j4"]);
    assert_eq!(c.balance(&addr(&hana()), COIN), 10_000);
}

#[test]
fn escrowed_lots_keep_their_expiry() {
    // Rolling points expire 30 days after the holding last changed; in escrow
    // they keep the expiry they had, and expire to breakage on release.
    let mut c = Chain::new();
    let a = addr(&hana());
    c.grant(&hana(), ROLLING, 500);
    let deadline = c.time_ms + 40 * DAY;
    c.ok(&hana(), post_op("j", ROLLING, 200, addr(&kita()), deadline));
    let lot_expiry = job(&c, "j").escrow[0].expires_at.unwrap();
    assert!(lot_expiry < deadline);
    assert_supply(&c, ROLLING);
    let expired_before = c.asset(ROLLING).expired;
    let ev = c.advance_to(deadline);
    // Hana's own 300 expired at day 30; the escrow at the deadline.
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::Expired { account, amount: 200, .. } if *account == a
    )));
    assert!(matches!(
        ev.last(),
        Some(Event::JobExpired { refunded: 200, .. })
    ));
    assert_eq!(c.balance(&a, ROLLING), 0);
    assert_eq!(c.asset(ROLLING).expired, expired_before + 500);
    assert_eq!(c.balance(&breakage(), ROLLING), 500);
    assert_supply(&c, ROLLING);
}

#[test]
fn a_timeout_blocked_by_a_holding_cap_is_retried_later() {
    // A transferable asset with a holding cap.
    let mut g = genesis();
    g.assets[3].holding_cap = 1_000;
    let mut st = yui_ledger::MemState::default();
    let w = g.state_writes(&st);
    st.apply(&w);
    let mut c = Chain {
        state: st,
        height: 0,
        time_ms: T0,
    };
    c.grant(&hana(), ROLLING, 800);
    c.ok(&hana(), accept_free_post("j", 800));
    c.ok(&taro(), accept_op("j"));
    c.ok(&taro(), submit_op("j"));
    // Taro's holding fills up to the cap meanwhile.
    c.grant(&taro(), ROLLING, 900);
    let due = job(&c, "j").timer_at.unwrap();
    assert!(c.advance_to(due).is_empty());
    let j = job(&c, "j");
    assert_eq!(j.state, JobState::Submitted);
    assert_eq!(j.timer_at, Some(due + JOB_TIMEOUT_RETRY_MS));
    assert_eq!(timers(&c), 1);
    // Taro spends; the next try succeeds.
    c.ok(
        &taro(),
        Operation::Burn {
            asset: ROLLING.into(),
            amount: 900,
        },
    );
    let ev = c.advance_to(due + JOB_TIMEOUT_RETRY_MS);
    assert!(matches!(
        &ev[..],
        [Event::JobAutoReleased { amount: 800, .. }]
    ));
    assert_eq!(c.balance(&addr(&taro()), ROLLING), 800);
    assert_supply(&c, ROLLING);
}
