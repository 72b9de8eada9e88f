//! Microwork jobs over gRPC against a real node: the escrow's happy path, a
//! dispute, refusals of illegal steps, the public reads and the event stream.

use std::time::Duration;

use tokio_stream::StreamExt;
use yui_cli::{Client, now_ms};
use yui_ledger::crypto::sha256;
use yui_ledger::{Keypair, Operation};
use yui_proto::v1 as pb;
use yui_tests::{Node, People};

/// Signs and submits without `execute`'s wrapping, so a refusal's status shows.
async fn try_op(c: &Client, key: &Keypair, op: Operation) -> Result<pb::Receipt, tonic::Status> {
    let nonce = c.next_nonce(key).await?;
    let stx = c.sign(key, nonce, op).await?;
    let r = c.submit(&stx, true).await?;
    let rc = r.receipt.expect("committed within the wait");
    assert!(rc.success, "committed but failed: {}", rc.error);
    Ok(rc)
}

async fn job(c: &Client, id: &str) -> pb::Job {
    c.jobs
        .clone()
        .get_job(pb::GetJobRequest { job_id: id.into() })
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap()
}

async fn list(c: &Client, state: &str) -> Vec<String> {
    c.jobs
        .clone()
        .list_jobs(pb::ListJobsRequest {
            state: state.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .jobs
        .into_iter()
        .map(|j| j.id)
        .collect()
}

async fn reputation(c: &Client, k: &Keypair) -> pb::GetReputationResponse {
    c.jobs
        .clone()
        .get_reputation(pb::GetReputationRequest {
            address: k.address().0.to_vec(),
        })
        .await
        .unwrap()
        .into_inner()
}

fn post(id: &str, reward: u64, p: &People, what: &str) -> Operation {
    Operation::PostJob {
        job_id: id.into(),
        asset: "coin".into(),
        reward,
        coordinator: p.coord.address(),
        accept_deadline_ms: now_ms() + 3_600_000,
        required_credential: None,
        description_hash: sha256(what.as_bytes()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_escrow_dispute_and_stream_over_grpc() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();

    for (who, amount, r) in [(&p.hana, 10_000, "dep-j1"), (&p.taro, 5_000, "dep-j2")] {
        c.execute(
            &p.city,
            Operation::Charge {
                to: who.address(),
                asset: "coin".into(),
                amount,
                deposit_ref: r.into(),
                campaign: None,
            },
        )
        .await
        .unwrap();
    }

    // One stream follows the dog job, another every job.
    let mut dog_events = c
        .jobs
        .clone()
        .stream_job_events(pb::StreamJobEventsRequest {
            job_id: "dog".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut all_events = c
        .jobs
        .clone()
        .stream_job_events(pb::StreamJobEventsRequest::default())
        .await
        .unwrap()
        .into_inner();

    // Happy path: post → accept → submit → approve.
    let r = try_op(&c, &p.hana, post("dog", 500, &p, "walk my dog"))
        .await
        .unwrap();
    assert_eq!(r.events[0].kind, "job_posted");
    assert_eq!(list(&c, "").await, vec!["dog".to_string()]);
    assert_eq!(list(&c, "posted").await, vec!["dog".to_string()]);
    let j = job(&c, "dog").await;
    assert_eq!((j.state.as_str(), j.open, j.escrow), ("posted", true, 500));
    assert_eq!(j.description_hash, sha256(b"walk my dog").to_vec());

    try_op(
        &c,
        &p.taro,
        Operation::AcceptJob {
            job_id: "dog".into(),
        },
    )
    .await
    .unwrap();
    try_op(
        &c,
        &p.taro,
        Operation::SubmitJob {
            job_id: "dog".into(),
            proof_hash: sha256(b"photo of the walk"),
        },
    )
    .await
    .unwrap();
    assert_eq!(list(&c, "submitted").await, vec!["dog".to_string()]);
    try_op(
        &c,
        &p.hana,
        Operation::ApproveJob {
            job_id: "dog".into(),
            rating: Some(4),
        },
    )
    .await
    .unwrap();

    assert!(list(&c, "").await.is_empty(), "an approved job is not open");
    assert_eq!(list(&c, "approved").await, vec!["dog".to_string()]);
    let j = job(&c, "dog").await;
    assert_eq!((j.state.as_str(), j.open, j.escrow), ("approved", false, 0));
    assert_eq!(j.worker, p.taro.address().0.to_vec());
    assert_eq!(j.rating, 4);
    assert_eq!(j.proof_hash, sha256(b"photo of the walk").to_vec());
    let steps: Vec<(&str, &str)> = j
        .history
        .iter()
        .map(|h| (h.action.as_str(), h.state.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("post", "posted"),
            ("accept", "accepted"),
            ("submit", "submitted"),
            ("approve", "approved")
        ]
    );
    assert_eq!(j.history[1].by, p.taro.address().0.to_vec());
    assert!(j.history.windows(2).all(|w| w[0].height < w[1].height));
    let rep = reputation(&c, &p.taro).await;
    assert_eq!(
        (
            rep.jobs_completed,
            rep.rating_sum,
            rep.rating_count,
            rep.disputes_lost
        ),
        (1, 4, 1, 0)
    );
    assert_eq!(
        c.balance(&p.taro, &p.taro.address(), "coin").await.unwrap(),
        5_500
    );

    // An illegal transition: approving again.
    let e = try_op(
        &c,
        &p.hana,
        Operation::ApproveJob {
            job_id: "dog".into(),
            rating: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{e:?}");
    assert!(e.message().contains("job 'dog' is approved"), "{e:?}");

    // A dispute, split by the coordinator.
    try_op(&c, &p.taro, post("fence", 1_000, &p, "fix my fence"))
        .await
        .unwrap();
    let e = try_op(
        &c,
        &p.taro,
        Operation::AcceptJob {
            job_id: "fence".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied, "{e:?}");
    assert!(e.message().contains("its poster cannot accept it"), "{e:?}");
    for op in [
        Operation::AcceptJob {
            job_id: "fence".into(),
        },
        Operation::SubmitJob {
            job_id: "fence".into(),
            proof_hash: sha256(b"fence fixed"),
        },
    ] {
        try_op(&c, &p.hana, op).await.unwrap();
    }
    try_op(
        &c,
        &p.taro,
        Operation::DisputeJob {
            job_id: "fence".into(),
            reason_hash: sha256(b"still loose"),
        },
    )
    .await
    .unwrap();
    assert_eq!(list(&c, "").await, vec!["fence".to_string()]);
    let by_coord = c
        .jobs
        .clone()
        .list_jobs(pb::ListJobsRequest {
            state: "all".into(),
            coordinator: p.coord.address().0.to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_coord.jobs.len(), 2);
    let e = try_op(
        &c,
        &p.taro,
        Operation::ResolveJob {
            job_id: "fence".into(),
            to_worker: 0,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied, "{e:?}");
    assert!(
        e.message().contains("only its coordinator can resolve it"),
        "{e:?}"
    );
    try_op(
        &c,
        &p.coord,
        Operation::ResolveJob {
            job_id: "fence".into(),
            to_worker: 300,
        },
    )
    .await
    .unwrap();
    let j = job(&c, "fence").await;
    assert_eq!((j.state.as_str(), j.resolved_to_worker), ("resolved", 300));
    assert_eq!(j.disputed_by, p.taro.address().0.to_vec());
    assert_eq!(j.history.len(), 5);
    assert!(list(&c, "").await.is_empty());
    assert_eq!(reputation(&c, &p.hana).await.disputes_lost, 1);
    assert_eq!(reputation(&c, &p.taro).await.disputes_lost, 0);
    // Taro: 5,000 + 500 − 1,000 + 700.
    assert_eq!(
        c.balance(&p.taro, &p.taro.address(), "coin").await.unwrap(),
        5_200
    );

    // The streams delivered the events as the blocks committed.
    let mut kinds = Vec::new();
    while kinds.len() < 4 {
        let ev = tokio::time::timeout(Duration::from_secs(10), dog_events.next())
            .await
            .expect("dog event in time")
            .unwrap()
            .unwrap();
        assert_eq!(ev.job_id, "dog");
        kinds.push(ev.event.unwrap().kind);
    }
    assert_eq!(
        kinds,
        vec!["job_posted", "job_accepted", "job_submitted", "job_paid"]
    );
    let mut all = Vec::new();
    while all.len() < 9 {
        let ev = tokio::time::timeout(Duration::from_secs(10), all_events.next())
            .await
            .expect("job event in time")
            .unwrap()
            .unwrap();
        all.push((ev.job_id, ev.event.unwrap().kind));
    }
    assert_eq!(all[4], ("fence".to_string(), "job_posted".to_string()));
    assert_eq!(all[8], ("fence".to_string(), "job_resolved".to_string()));

    // Bad reads get clear statuses.
    let mut jobs = c.jobs.clone();
    let e = jobs
        .get_job(pb::GetJobRequest {
            job_id: "nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    let e = jobs
        .list_jobs(pb::ListJobsRequest {
            state: "finished".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(e.message().contains("unknown state 'finished'"));
    let e = jobs
        .list_jobs(pb::ListJobsRequest {
            limit: 101,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    let e = jobs
        .get_reputation(pb::GetReputationRequest {
            address: vec![1, 2, 3],
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(e.message().contains("address must be 32 bytes"));

    // Pagination: one job per page.
    let first = jobs
        .list_jobs(pb::ListJobsRequest {
            state: "all".into(),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.jobs.len(), 1);
    assert!(!first.next_page_token.is_empty());
    let second = jobs
        .list_jobs(pb::ListJobsRequest {
            state: "all".into(),
            limit: 1,
            page_token: first.next_page_token,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.jobs.len(), 1);
    assert_ne!(second.jobs[0].id, first.jobs[0].id);
    assert!(second.next_page_token.is_empty());
}
