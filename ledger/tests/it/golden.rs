//! Golden bytes of everything validators and auditors must agree on: one
//! signed transaction of every operation (and every governance action), one
//! receipt of every event and of every refusal, every rule code, the main
//! state records and a block header — each as its exact borsh bytes and
//! SHA-256, compared with `ledger/tests/golden/consensus-bytes.txt`.
//!
//! A difference is a format change: if it is deliberate, record it in
//! `docs/adr/0004-consensus-critical-bytes.md` and regenerate the file with
//! `YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger golden`. Coverage is checked
//! from the encoding itself: borsh writes an enum's variant as its index, so
//! the samples of each enum must use every index from 0 up, and the next
//! index must be refused as an unknown variant. A new variant without a
//! sample fails here.

use std::collections::BTreeSet;

use borsh::{BorshDeserialize, BorshSerialize};
use yui_ledger::contract::{Budget, Contract, ContractStatus};
use yui_ledger::credential::{
    Access, Consent, Credential, CredentialAction, CredentialStatus, CredentialStep,
};
use yui_ledger::crypto::sha256;
use yui_ledger::error::{Rule, TxError};
use yui_ledger::governance::{Proposal, ProposalState};
use yui_ledger::state::{Account, Holding, Job, JobAction, JobState, JobStep, Lot, Role};
use yui_ledger::{Event, MerchantClass, Operation, SignedTransaction};

use crate::golden_samples::*;

fn golden_path() -> std::path::PathBuf {
    crate::manifest_dir().join("tests/golden/consensus-bytes.txt")
}

/// The first byte of an enum value's encoding: its variant index.
fn tag<T: BorshSerialize>(v: &T) -> u8 {
    borsh::to_vec(v).expect("encodes")[0]
}

/// The number of variants of a borsh enum, read from the decoder: the
/// smallest index it refuses as an unknown variant.
fn variant_count<T: BorshDeserialize>() -> u8 {
    (0..=255u8)
        .find(|n| {
            matches!(borsh::from_slice::<T>(&[*n]),
                Err(e) if e.to_string().contains("Unexpected variant tag"))
        })
        .expect("an enum with fewer than 256 variants")
}

/// Asserts that `samples` use every variant of `T` at least once.
fn covers_every_variant<T: BorshSerialize + BorshDeserialize>(what: &str, samples: &[T]) {
    let used: BTreeSet<u8> = samples.iter().map(tag).collect();
    let all: BTreeSet<u8> = (0..variant_count::<T>()).collect();
    let missing: Vec<u8> = all.difference(&used).copied().collect();
    assert!(
        missing.is_empty(),
        "{what}: no golden sample of variant index {missing:?}; add one"
    );
}

/// Every rule code, found by decoding each index until the decoder refuses.
fn rules() -> Vec<Rule> {
    (0..variant_count::<Rule>())
        .map(|i| borsh::from_slice(&[i]).expect("a rule index decodes"))
        .collect()
}

/// State records, one of each main kind.
fn records() -> Vec<(String, Vec<u8>)> {
    let step = JobStep {
        action: JobAction::Post,
        by: Some(a(20)),
        state: JobState::Posted,
        height: 3,
        at_ms: 1_767_225_600_000,
    };
    let job = Job {
        id: s("walk-dog-1"),
        poster: a(20),
        asset: s("yui"),
        reward: 500,
        coordinator: a(13),
        accept_deadline_ms: 1_767_830_400_000,
        required_credential: Some(s("digital_resident")),
        description_hash: [14; 32],
        state: JobState::Posted,
        worker: None,
        escrow: vec![Lot {
            amount: 500,
            expires_at: None,
        }],
        proof_hash: None,
        rating: None,
        cancel_consent: false,
        disputed_by: None,
        reason_hash: None,
        resolved_to_worker: None,
        timer_at: Some(1_767_830_400_000),
        posted_at_ms: 1_767_225_600_000,
        accepted_at_ms: None,
        submitted_at_ms: None,
        closed_at_ms: None,
        history: vec![step],
    };
    let credential = Credential {
        id: s("dr-emma-2026"),
        subject: a(17),
        kind: s("digital_resident"),
        issuer: a(1),
        valid_from_ms: 1_767_225_600_000,
        valid_until_ms: 1_798_761_600_000,
        claims_digest: [18; 32],
        status: CredentialStatus::Active,
        history: vec![CredentialStep {
            action: CredentialAction::Issue,
            by: a(1),
            status: CredentialStatus::Active,
            reason: String::new(),
            height: 4,
            at_ms: 1_767_225_600_000,
        }],
    };
    let consent = Consent {
        subject: a(17),
        party: a(19),
        scope: s("credentials"),
        granted_at_ms: 1_767_225_600_000,
        expires_at_ms: None,
        revoked_at_ms: None,
        access_count: 1,
        accesses: vec![Access {
            purpose: s("job matching"),
            height: 5,
            at_ms: 1_767_225_601_000,
        }],
    };
    let proposal = Proposal {
        id: s("add-higashi"),
        proposer: a(1),
        action: gov_actions()[0].clone(),
        expires_at_ms: 1_767_830_400_000,
        created_height: 40,
        created_ms: 1_767_225_600_000,
        approvals: vec![a(1), a(2), a(3)],
        rejections: vec![],
        state: ProposalState::Executed,
        closed_height: Some(42),
        closed_ms: Some(1_767_225_700_000),
        failure: None,
    };
    let contract = Contract {
        id: s("cleanup-day"),
        code_hash: [40; 32],
        code_size: 4_855,
        methods: vec![s("attended"), s("init"), s("record"), s("stats")],
        engine_version: 1,
        fuel_table_version: 1,
        account: a(42),
        assets: vec![s("coin")],
        budget: vec![Budget {
            asset: s("yui-point"),
            allotted: 50_000,
            granted: 300,
        }],
        status: ContractStatus::Active,
        proposal_id: s("deploy-cleanup-day"),
        deployed_height: 60,
        deployed_ms: 1_767_225_600_000,
        upgraded_height: None,
        calls: 4,
        fuel_used: 123_456,
    };
    vec![
        (
            s("account"),
            borsh::to_vec(&Account {
                nonce: 3,
                roles: vec![Role::Merchant(MerchantClass::SmallLocal)],
                name: s("sakura-bakery"),
            })
            .expect("encodes"),
        ),
        (
            s("holding"),
            borsh::to_vec(&Holding {
                lots: vec![
                    Lot {
                        amount: 300,
                        expires_at: Some(1_782_777_600_000),
                    },
                    Lot {
                        amount: 9_700,
                        expires_at: None,
                    },
                ],
                last_change_ms: 1_767_225_600_000,
            })
            .expect("encodes"),
        ),
        (s("job"), borsh::to_vec(&job).expect("encodes")),
        (
            s("credential"),
            borsh::to_vec(&credential).expect("encodes"),
        ),
        (s("consent"), borsh::to_vec(&consent).expect("encodes")),
        (s("proposal"), borsh::to_vec(&proposal).expect("encodes")),
        (s("contract"), borsh::to_vec(&contract).expect("encodes")),
    ]
}

/// Every golden entry as `name hex-bytes sha256`, in a fixed order.
fn entries() -> Vec<String> {
    let mut out = Vec::new();
    let mut put = |name: String, bytes: Vec<u8>| {
        out.push(format!(
            "{name} {} {}",
            hex::encode(&bytes),
            hex::encode(sha256(&bytes))
        ));
    };
    for (i, op) in operations().into_iter().enumerate() {
        let name = match &op {
            Operation::Propose { action, .. } => format!("tx/propose/{}", action.name()),
            other => format!("tx/{}", other.name()),
        };
        let stx = signed(op, i as u64);
        put(format!("{name}/sign-bytes"), stx.tx.sign_bytes());
        put(name, stx.to_bytes());
    }
    for (i, e) in events().into_iter().enumerate() {
        let name = format!("receipt/event/{}", e.name());
        put(
            name,
            borsh::to_vec(&receipt(i as u32, None, vec![e])).expect("encodes"),
        );
    }
    for (i, e) in errors().into_iter().enumerate() {
        let name = format!("receipt/error/{i:02}");
        put(
            name,
            borsh::to_vec(&receipt(i as u32, Some(e), vec![])).expect("encodes"),
        );
    }
    for r in rules() {
        put(format!("rule/{r:?}"), borsh::to_vec(&r).expect("encodes"));
    }
    for (name, bytes) in records() {
        put(format!("state/{name}"), bytes);
    }
    let h = header();
    put(s("block/header"), borsh::to_vec(&h).expect("encodes"));
    put(s("block/hash"), h.hash().to_vec());
    out
}

#[test]
fn every_enum_of_the_consensus_bytes_has_a_golden_sample() {
    covers_every_variant("Operation", &operations());
    covers_every_variant("GovAction", &gov_actions());
    covers_every_variant("Event", &events());
    covers_every_variant("TxError", &errors());
    covers_every_variant(
        "MintSource",
        &events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Minted { source, .. } => Some(source),
                _ => None,
            })
            .collect::<Vec<_>>(),
    );
    // Rules are listed by decoding every index, so all of them are pinned.
    assert!(rules().len() > 50);
}

#[test]
fn consensus_bytes_match_the_golden_file() {
    let got = entries().join("\n") + "\n";
    if std::env::var_os("YUI_BLESS_GOLDEN").is_some() {
        std::fs::write(golden_path(), &got).expect("writes the golden file");
        return;
    }
    let want = std::fs::read_to_string(golden_path()).expect(
        "the golden file exists (YUI_BLESS_GOLDEN=1 cargo test -p yui-ledger golden writes it)",
    );
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), want.lines().collect());
    for (g, w) in got_lines.iter().zip(&want_lines) {
        let name = g.split(' ').next().unwrap_or_default();
        assert_eq!(
            g, w,
            "the consensus bytes of {name} changed: a format change (see the module docs)"
        );
    }
    assert_eq!(
        got_lines.len(),
        want_lines.len(),
        "golden entries were added or removed: a format change (see the module docs)"
    );
}

#[test]
fn every_operation_round_trips_through_its_json_form() {
    // The JSON form is what `yui submit` reads and the API's operation_json
    // shows: every operation has one, and it names the same operation.
    for op in operations() {
        let json = serde_json::to_string(&op).expect("serialises");
        let back: Operation = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, op, "{json}");
    }
}

#[test]
fn every_golden_transaction_decodes_and_verifies() {
    for (i, op) in operations().into_iter().enumerate() {
        let stx = signed(op, i as u64);
        let back = SignedTransaction::from_bytes(&stx.to_bytes()).expect("decodes");
        assert_eq!(back, stx);
        back.check_stateless("yui-golden")
            .expect("shape and signature hold");
    }
}

#[test]
fn every_refusal_renders_text_without_changing_its_bytes() {
    for e in errors() {
        let text = e.to_string();
        assert!(!text.is_empty());
        let bytes = borsh::to_vec(&e).expect("encodes");
        // The words are not in the bytes: a refusal is a code and its fields.
        // Every word of five letters or more in the rendering that is not
        // part of a sample's own data must be absent from the encoding.
        let data = "yui-golden other gold spring coin voucher bank payout cleanup \
                    point digital_resident walk-dog credentials job_review_days block_size \
                    nowhere cleanup-day init";
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 5 && !data.contains(w))
            .collect();
        assert!(text.contains(' '), "{text}");
        for w in words {
            assert!(
                !bytes.windows(w.len()).any(|x| x == w.as_bytes()),
                "{text}: the encoding holds the word '{w}'"
            );
        }
        assert_eq!(borsh::from_slice::<TxError>(&bytes).expect("decodes"), e);
    }
}

/// Every refusal has a distinct, stable code for clients and metrics.
#[test]
fn every_refusal_has_a_distinct_stable_code() {
    let mut seen = BTreeSet::new();
    for e in errors() {
        let code = e.code();
        assert!(
            code.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'),
            "{code}"
        );
        assert!(seen.insert(code.clone()), "{code} names two refusals");
    }
    for r in rules() {
        let code = TxError::Malformed(r).code();
        assert!(code.starts_with("malformed."), "{code}");
        assert!(seen.insert(code.clone()) || code == "malformed.zero_amount");
    }
    assert_eq!(
        TxError::Malformed(Rule::ReceiverCannotSign).code(),
        "malformed.receiver_cannot_sign"
    );
    assert_eq!(
        TxError::Insufficient {
            asset: "coin".into(),
            have: 1,
            need: 2
        }
        .code(),
        "insufficient"
    );
}
