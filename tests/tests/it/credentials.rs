//! Credentials, consent and single-member governance over gRPC against a
//! real node: salted claims checked against the chain, status changes and
//! standing at a time, who may read a subject's credentials, the access
//! record, a proposal passing with its event stream, and bad input.

use std::time::Duration;

use tokio_stream::StreamExt;
use tonic::Code;
use yui_cli::Client;
use yui_ledger::asset::DAY_MS;
use yui_ledger::governance::GovAction;
use yui_ledger::{Keypair, Operation};
use yui_proto::v1 as pb;
use yui_tests::{Node, People};

async fn ok(c: &Client, key: &Keypair, op: Operation) -> pb::Receipt {
    let r = c.execute(key, op).await.unwrap();
    assert!(r.success, "{}", r.error);
    r
}

/// The refusal's gRPC status (admission dry-runs the operation).
async fn refused(c: &Client, key: &Keypair, op: Operation) -> tonic::Status {
    let nonce = c.next_nonce(key).await.unwrap();
    let stx = c.sign(key, nonce, op).await.unwrap();
    match c.submit(&stx, true).await {
        Err(st) => st,
        Ok(r) => panic!("accepted: {:?}", r.receipt),
    }
}

async fn verify(
    c: &Client,
    id: &str,
    at_ms: u64,
    d: Option<pb::Disclosure>,
) -> Result<pb::VerifyCredentialResponse, tonic::Status> {
    c.credentials
        .clone()
        .verify_credential(pb::VerifyCredentialRequest {
            credential_id: id.into(),
            at_ms,
            disclosure: d,
        })
        .await
        .map(|r| r.into_inner())
}

async fn list_creds(
    c: &Client,
    reader: &Keypair,
    subject: &Keypair,
) -> Result<pb::ListCredentialsResponse, tonic::Status> {
    c.credentials
        .clone()
        .list_credentials(pb::ListCredentialsRequest {
            subject: subject.address().0.to_vec(),
            auth: Some(c.read_auth(reader, &subject.address())),
        })
        .await
        .map(|r| r.into_inner())
}

fn to_pb(d: &yui_ledger::credential::Disclosure) -> pb::Disclosure {
    pb::Disclosure {
        name: d.name.clone(),
        value: d.value.clone(),
        salt: d.salt.clone(),
        leaves: d.leaves.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_consent_and_governance_over_grpc() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    let t0 = c.status().await.unwrap().last_block_time_ms;

    // Hana's claims stay with her; the city puts their digest on chain.
    let wallet =
        yui_cli::claims::salt_claims(r#"{"name": "Hana Sato", "district": "kita"}"#).unwrap();
    let now = yui_cli::now_ms();
    let r = ok(
        &c,
        &p.city,
        Operation::IssueCredential {
            credential_id: "res-hana".into(),
            subject: p.hana.address(),
            kind: "resident".into(),
            valid_from_ms: now,
            valid_until_ms: now + 365 * DAY_MS,
            claims_digest: wallet.digest().unwrap(),
        },
    )
    .await;
    assert_eq!(r.events[0].kind, "credential_issued");
    assert_eq!(r.events[0].detail, "resident");
    // Only credential issuers issue.
    let st = refused(
        &c,
        &p.hana,
        Operation::IssueCredential {
            credential_id: "fake".into(),
            subject: p.hana.address(),
            kind: "resident".into(),
            valid_from_ms: now,
            valid_until_ms: now + DAY_MS,
            claims_digest: [0; 32],
        },
    )
    .await;
    assert_eq!(st.code(), Code::PermissionDenied, "{st:?}");

    // A disclosed claim checks against the digest; a changed one does not.
    let d = wallet.disclose("district").unwrap();
    let v = verify(&c, "res-hana", 0, Some(to_pb(&d))).await.unwrap();
    assert_eq!(v.standing, "active");
    assert!(v.valid && v.claim_verified, "{}", v.claim_error);
    let mut lie = to_pb(&d);
    lie.value = "minami".into();
    let v = verify(&c, "res-hana", 0, Some(lie)).await.unwrap();
    assert!(!v.claim_verified);
    assert!(v.claim_error.contains("not among"), "{}", v.claim_error);
    let mut bad_salt = to_pb(&d);
    bad_salt.salt = "zz".into();
    let v = verify(&c, "res-hana", 0, Some(bad_salt)).await.unwrap();
    assert!(v.claim_error.contains("salt"), "{}", v.claim_error);
    // Before it was issued it did not exist.
    let v = verify(&c, "res-hana", t0.saturating_sub(1), None)
        .await
        .unwrap();
    assert_eq!(v.standing, "not_issued");
    assert!(!v.valid);

    // Suspend, then reinstate: the standing follows, and the past is kept.
    ok(
        &c,
        &p.city,
        Operation::SuspendCredential {
            credential_id: "res-hana".into(),
            reason: "address check".into(),
        },
    )
    .await;
    let suspended_at = c.status().await.unwrap().last_block_time_ms;
    assert_eq!(
        verify(&c, "res-hana", 0, None).await.unwrap().standing,
        "suspended"
    );
    let st = refused(
        &c,
        &p.city,
        Operation::SuspendCredential {
            credential_id: "res-hana".into(),
            reason: String::new(),
        },
    )
    .await;
    assert_eq!(st.code(), Code::FailedPrecondition, "{st:?}");
    assert!(st.message().contains("suspended"), "{}", st.message());
    ok(
        &c,
        &p.city,
        Operation::ReinstateCredential {
            credential_id: "res-hana".into(),
        },
    )
    .await;
    assert_eq!(
        verify(&c, "res-hana", 0, None).await.unwrap().standing,
        "active"
    );
    assert_eq!(
        verify(&c, "res-hana", suspended_at, None)
            .await
            .unwrap()
            .standing,
        "suspended"
    );
    let got = c
        .credentials
        .clone()
        .get_credential(pb::GetCredentialRequest {
            credential_id: "res-hana".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let actions: Vec<&str> = got
        .credential
        .as_ref()
        .unwrap()
        .history
        .iter()
        .map(|h| h.action.as_str())
        .collect();
    assert_eq!(actions, ["issue", "suspend", "reinstate"]);

    // Reading Hana's credentials: Hana and auditors yes, Taro only with consent.
    assert_eq!(
        list_creds(&c, &p.hana, &p.hana).await.unwrap().credentials[0].id,
        "res-hana"
    );
    assert!(list_creds(&c, &p.auditor, &p.hana).await.is_ok());
    let st = list_creds(&c, &p.taro, &p.hana).await.unwrap_err();
    assert_eq!(st.code(), Code::PermissionDenied);
    let st = refused(
        &c,
        &p.taro,
        Operation::RecordAccess {
            subject: p.hana.address(),
            scope: "credentials".into(),
            purpose: "curious".into(),
        },
    )
    .await;
    assert_eq!(st.code(), Code::PermissionDenied, "{st:?}");
    ok(
        &c,
        &p.hana,
        Operation::GrantConsent {
            party: p.taro.address(),
            scope: "credentials".into(),
            expires_at_ms: None,
        },
    )
    .await;
    ok(
        &c,
        &p.taro,
        Operation::RecordAccess {
            subject: p.hana.address(),
            scope: "credentials".into(),
            purpose: "checking residency for a neighbourhood job".into(),
        },
    )
    .await;
    assert_eq!(
        list_creds(&c, &p.taro, &p.hana).await.unwrap().standings,
        ["active"]
    );
    let consents = c
        .credentials
        .clone()
        .list_consents(pb::ListConsentsRequest {
            subject: p.hana.address().0.to_vec(),
            auth: Some(c.read_auth(&p.hana, &p.hana.address())),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(consents.consents.len(), 1);
    let k = &consents.consents[0];
    assert!(k.active);
    assert_eq!(k.party, p.taro.address().0.to_vec());
    assert_eq!(k.access_count, 1);
    assert_eq!(
        k.accesses[0].purpose,
        "checking residency for a neighbourhood job"
    );
    // Consents belong to their subject.
    let st = c
        .credentials
        .clone()
        .list_consents(pb::ListConsentsRequest {
            subject: p.hana.address().0.to_vec(),
            auth: Some(c.read_auth(&p.taro, &p.hana.address())),
        })
        .await
        .unwrap_err();
    assert_eq!(st.code(), Code::PermissionDenied);
    ok(
        &c,
        &p.hana,
        Operation::RevokeConsent {
            party: p.taro.address(),
            scope: "credentials".into(),
        },
    )
    .await;
    assert_eq!(
        list_creds(&c, &p.taro, &p.hana).await.unwrap_err().code(),
        Code::PermissionDenied
    );

    // Revocation is final.
    ok(
        &c,
        &p.city,
        Operation::RevokeCredential {
            credential_id: "res-hana".into(),
            reason: "moved away".into(),
        },
    )
    .await;
    let v = verify(&c, "res-hana", 0, None).await.unwrap();
    assert_eq!(v.standing, "revoked");
    assert!(!v.valid);
    let st = refused(
        &c,
        &p.city,
        Operation::ReinstateCredential {
            credential_id: "res-hana".into(),
        },
    )
    .await;
    assert_eq!(st.code(), Code::FailedPrecondition);
    assert!(st.message().contains("revoked"), "{}", st.message());

    // Bad input: precise errors.
    for (id, code) in [
        ("", Code::InvalidArgument),
        (&"x".repeat(65)[..], Code::InvalidArgument),
        ("nobody", Code::NotFound),
    ] {
        assert_eq!(verify(&c, id, 0, None).await.unwrap_err().code(), code);
    }
    let mut huge = to_pb(&d);
    huge.leaves = vec!["00".repeat(32); 300];
    assert_eq!(
        verify(&c, "res-hana", 0, Some(huge))
            .await
            .unwrap_err()
            .code(),
        Code::InvalidArgument
    );
    // Malformed operations are refused at submission, before any block.
    let mut bad_asset = yui_ledger::AssetClass {
        id: "gold".into(),
        kind: yui_ledger::AssetKind::Point,
        issuers: vec![],
        transferable: false,
        spendable_at: yui_ledger::SpendScope::Anyone,
        redeemable: false,
        redeem_fee_bps: 20_000,
        fee_account: p.city.address(),
        holding_cap: 0,
        expiry: yui_ledger::ExpiryPolicy::None,
        breakage_account: p.breakage.address(),
        pay_priority: 0,
        required_credential: None,
    };
    for op in [
        Operation::IssueCredential {
            credential_id: "backwards".into(),
            subject: p.hana.address(),
            kind: "resident".into(),
            valid_from_ms: now + DAY_MS,
            valid_until_ms: now,
            claims_digest: [0; 32],
        },
        Operation::GrantConsent {
            party: p.taro.address(),
            scope: String::new(),
            expires_at_ms: None,
        },
        Operation::Propose {
            proposal_id: "bad-asset".into(),
            action: GovAction::DefineAsset {
                class: bad_asset.clone(),
            },
            expires_at_ms: yui_cli::now_ms() + DAY_MS,
        },
        Operation::RecordAccess {
            subject: p.hana.address(),
            scope: "credentials".into(),
            purpose: "x".repeat(300),
        },
    ] {
        let st = refused(&c, &p.city, op).await;
        assert_eq!(st.code(), Code::InvalidArgument, "{st:?}");
    }
    bad_asset.redeem_fee_bps = 0;
    assert_eq!(bad_asset.validate(), Ok(()));
    let st = c
        .credentials
        .clone()
        .list_credentials(pb::ListCredentialsRequest {
            subject: vec![1; 31],
            auth: None,
        })
        .await
        .unwrap_err();
    assert_eq!(st.code(), Code::InvalidArgument);

    // Governance with one member (the city): a proposal passes at once and
    // the stream shows it; others cannot propose.
    let mut events = c
        .governance
        .clone()
        .stream_governance_events(pb::StreamGovernanceEventsRequest::default())
        .await
        .unwrap()
        .into_inner();
    let st = refused(
        &c,
        &p.hana,
        Operation::Propose {
            proposal_id: "p1".into(),
            action: GovAction::SetParam {
                name: "job_review_days".into(),
                value: 3,
            },
            expires_at_ms: yui_cli::now_ms() + DAY_MS,
        },
    )
    .await;
    assert_eq!(st.code(), Code::PermissionDenied, "{st:?}");
    assert!(st.message().contains("not a consortium member"));
    ok(
        &c,
        &p.city,
        Operation::Propose {
            proposal_id: "p1".into(),
            action: GovAction::SetParam {
                name: "job_review_days".into(),
                value: 3,
            },
            expires_at_ms: yui_cli::now_ms() + DAY_MS,
        },
    )
    .await;
    let mut kinds = Vec::new();
    while kinds.len() < 4 {
        let ev = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("governance events within 10 s")
            .unwrap()
            .unwrap();
        kinds.push(ev.event.unwrap().kind);
    }
    assert_eq!(
        kinds,
        [
            "proposal_created",
            "proposal_voted",
            "param_changed",
            "proposal_closed"
        ]
    );
    let g = c
        .governance
        .clone()
        .get_governance(pb::GetGovernanceRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(g.members, [p.city.address().0.to_vec()]);
    assert_eq!(g.approvals_needed, 1);
    let review = g
        .params
        .iter()
        .find(|x| x.name == "job_review_days")
        .unwrap();
    assert_eq!(review.value, 3);
    let prop = c
        .governance
        .clone()
        .get_proposal(pb::GetProposalRequest {
            proposal_id: "p1".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .proposal
        .unwrap();
    assert_eq!(prop.state, "executed");
    assert_eq!(prop.action, "set_param");
    // An out-of-range parameter is refused when proposed.
    let st = refused(
        &c,
        &p.city,
        Operation::Propose {
            proposal_id: "p2".into(),
            action: GovAction::SetParam {
                name: "job_review_days".into(),
                value: 0,
            },
            expires_at_ms: yui_cli::now_ms() + DAY_MS,
        },
    )
    .await;
    assert_eq!(st.code(), Code::FailedPrecondition, "{st:?}");
    let list = c
        .governance
        .clone()
        .list_proposals(pb::ListProposalsRequest {
            state: "executed".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.proposals.len(), 1);
    for (req, code) in [
        (
            pb::ListProposalsRequest {
                state: "bogus".into(),
                ..Default::default()
            },
            Code::InvalidArgument,
        ),
        (
            pb::ListProposalsRequest {
                limit: 101,
                ..Default::default()
            },
            Code::InvalidArgument,
        ),
        (
            pb::ListProposalsRequest {
                page_token: vec![b'z'],
                ..Default::default()
            },
            Code::InvalidArgument,
        ),
    ] {
        assert_eq!(
            c.governance
                .clone()
                .list_proposals(req)
                .await
                .unwrap_err()
                .code(),
            code
        );
    }
    assert_eq!(
        c.governance
            .clone()
            .get_proposal(pb::GetProposalRequest {
                proposal_id: "none".into()
            })
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
}

/// Runs the `yui` CLI against `node`; returns (success, stdout + stderr).
fn yui(node: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(yui_tests::bin("yui").unwrap())
        .args(["--node", node])
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_salts_issues_discloses_verifies_and_proposes() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    node.client().await.unwrap();
    let at = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
    yui_cli::keyfile::write(&dir.path().join("city.json"), &p.city).unwrap();
    std::fs::write(
        at("claims.json"),
        r#"{"name": "Taro Sato", "district": "minami"}"#,
    )
    .unwrap();
    let ep = node.endpoint.as_str();

    let (ok, out) = yui(
        ep,
        &[
            "credential",
            "digest",
            &at("claims.json"),
            "--out",
            &at("wallet.json"),
        ],
    );
    assert!(ok, "{out}");
    // The wallet file holds the claims; the digest printed is what goes on chain.
    let wallet = std::fs::read_to_string(at("wallet.json")).unwrap();
    assert!(wallet.contains("minami"));
    let digest = out.lines().next().unwrap().to_string();
    assert_eq!(digest.len(), 64, "{out}");
    let (ok, out) = yui(
        ep,
        &[
            "credential",
            "issue",
            "--key",
            &at("city.json"),
            "res-taro",
            "--subject",
            &p.taro.address().to_hex(),
            "--kind",
            "resident",
            "--digest",
            &at("wallet.json"),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("credential_issued"), "{out}");
    let (ok, out) = yui(
        ep,
        &[
            "credential",
            "disclose",
            "--wallet",
            &at("wallet.json"),
            "--claim",
            "district",
            "--out",
            &at("district.json"),
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = yui(
        ep,
        &[
            "credential",
            "verify",
            "res-taro",
            "--disclosure",
            &at("district.json"),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("matches the credential's digest"), "{out}");
    // The chain holds the digest, never the value.
    let (ok, out) = yui(ep, &["--output", "json", "credential", "show", "res-taro"]);
    assert!(ok, "{out}");
    assert!(out.contains(&digest) && !out.contains("minami"), "{out}");
    // A changed value fails, and the command says so with a failing status.
    let tampered = std::fs::read_to_string(at("district.json"))
        .unwrap()
        .replace("minami", "kita");
    std::fs::write(at("district.json"), tampered).unwrap();
    let (ok, out) = yui(
        ep,
        &[
            "credential",
            "verify",
            "res-taro",
            "--disclosure",
            &at("district.json"),
        ],
    );
    assert!(!ok);
    assert!(out.contains("DOES NOT MATCH"), "{out}");

    // The city, the only member, proposes and so passes a parameter change.
    let (ok, out) = yui(
        ep,
        &[
            "gov",
            "propose",
            "--key",
            &at("city.json"),
            "--id",
            "review-5",
            "set-param",
            "--name",
            "job_review_days",
            "--value",
            "5",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("param_changed"), "{out}");
    let (ok, out) = yui(ep, &["--output", "json", "gov", "show", "review-5"]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["state"], "executed");
    let (ok, out) = yui(ep, &["--output", "json", "gov", "status"]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["params"]["job_review_days"], 5);
    // A bad role name is refused before anything is signed.
    let (ok, out) = yui(
        ep,
        &[
            "gov",
            "propose",
            "--key",
            &at("city.json"),
            "--id",
            "bad",
            "grant-role",
            "--account",
            &p.taro.address().to_hex(),
            "--role",
            "mayor",
        ],
    );
    assert!(!ok);
    assert!(out.contains("role must be"), "{out}");
}
