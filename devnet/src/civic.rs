//! The devnet story's civic scenes: a digital resident's credential with
//! salted claims, consent and its access record, a revocation, and the
//! consortium voting a fifth validator in and one out.

use std::time::Duration;

use yui_cli::{Client, now_ms};
use yui_ledger::Operation;
use yui_ledger::asset::DAY_MS;
use yui_ledger::governance::GovAction;
use yui_proto::v1 as pb;

use crate::story::job_step as act;
use crate::town::Town;

/// The id of Emma's digital-resident credential.
pub const EMMA_CREDENTIAL: &str = "dr-emma-2026";

/// Shows that an operation is refused, with the ledger's reason.
pub async fn refused(
    c: &Client,
    town: &Town,
    title: &str,
    who: &str,
    op: Operation,
) -> anyhow::Result<()> {
    println!("   {title}");
    match c.execute(town.key(who), op).await {
        Err(e) => {
            // The node's reason, without the transport's wrapping.
            let why = match e.downcast_ref::<tonic::Status>() {
                Some(st) => st.message().to_string(),
                None => e.to_string(),
            };
            println!("   → refused: {}", why.lines().next().unwrap_or_default());
            Ok(())
        }
        Ok(_) => anyhow::bail!("'{title}' was accepted but must be refused"),
    }
}

async fn verify(
    c: &Client,
    at_ms: u64,
    disclosure: Option<pb::Disclosure>,
) -> anyhow::Result<pb::VerifyCredentialResponse> {
    Ok(c.credentials
        .clone()
        .verify_credential(pb::VerifyCredentialRequest {
            credential_id: EMMA_CREDENTIAL.into(),
            at_ms,
            disclosure,
        })
        .await?
        .into_inner())
}

/// The city issues Emma a digital-resident credential; she proves one claim
/// to a coordinator, who reads her credentials under her consent.
pub async fn credential_scene(c: &Client, town: &Town, n: u32) -> anyhow::Result<()> {
    let a = |n: &str| town.key(n).address();
    println!("{n}. Digital residents: Emma's e-residency credential.");
    let wallet = yui_cli::claims::salt_claims(
        r#"{"name": "Emma Larsen", "country": "DK", "e_residency_card": "YUI-DR-000187"}"#,
    )?;
    println!(
        "   Emma's wallet salts her 3 claims; only their digest goes on chain: {}…",
        &wallet.digest[..16]
    );
    let now = now_ms();
    act(
        c,
        town,
        "The city (a credential issuer) issues her a digital_resident credential, valid a year.",
        "city",
        Operation::IssueCredential {
            credential_id: EMMA_CREDENTIAL.into(),
            subject: a("emma"),
            kind: "digital_resident".into(),
            valid_from_ms: now,
            valid_until_ms: now + 365 * DAY_MS,
            claims_digest: wallet.digest()?,
        },
    )
    .await?;
    let d = wallet.disclose("country")?;
    let shown = pb::Disclosure {
        name: d.name.clone(),
        value: d.value.clone(),
        salt: d.salt.clone(),
        leaves: d.leaves.clone(),
    };
    let r = verify(c, 0, Some(shown.clone())).await?;
    println!(
        "   Emma shows coord-kita one claim, country = {:?}: credential {}, claim {}.",
        d.value,
        r.standing,
        if r.claim_verified {
            "matches the digest"
        } else {
            "DOES NOT MATCH"
        }
    );
    if !r.valid || !r.claim_verified {
        anyhow::bail!(
            "Emma's credential or claim did not verify: {}",
            r.claim_error
        );
    }
    let mut lie = shown;
    lie.value = "JP".into();
    let r = verify(c, 0, Some(lie)).await?;
    println!(
        "   The same claim with another value (\"JP\") is caught: {}",
        r.claim_error
    );
    if r.claim_verified {
        anyhow::bail!("a changed claim verified");
    }
    act(
        c,
        town,
        "Emma lets coord-kita read her credentials.",
        "emma",
        Operation::GrantConsent {
            party: a("coord-kita"),
            scope: "credentials".into(),
            expires_at_ms: None,
        },
    )
    .await?;
    act(
        c,
        town,
        "coord-kita records why it reads them (on chain, for Emma to see), then reads.",
        "coord-kita",
        Operation::RecordAccess {
            subject: a("emma"),
            scope: "credentials".into(),
            purpose: "matching Emma with local jobs".into(),
        },
    )
    .await?;
    let list = c
        .credentials
        .clone()
        .list_credentials(pb::ListCredentialsRequest {
            subject: a("emma").0.to_vec(),
            auth: Some(c.read_auth(town.key("coord-kita"), &a("emma"))),
        })
        .await?
        .into_inner();
    for (cr, st) in list.credentials.iter().zip(&list.standings) {
        println!("      {} {} ({st})", cr.id, cr.kind);
    }
    let consents = c
        .credentials
        .clone()
        .list_consents(pb::ListConsentsRequest {
            subject: a("emma").0.to_vec(),
            auth: Some(c.read_auth(town.key("emma"), &a("emma"))),
        })
        .await?
        .into_inner();
    for x in &consents.consents {
        println!(
            "   Emma sees: {} may read '{}', {} access(es): {}",
            town.name_of(&x.party),
            x.scope,
            x.access_count,
            x.accesses
                .iter()
                .map(|a| format!("\"{}\" at block {}", a.purpose, a.height))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// The city revokes Emma's credential; its standing before and after.
pub async fn revocation_scene(c: &Client, town: &Town, n: u32) -> anyhow::Result<()> {
    println!("{n}. Emma's e-residency ends: the city revokes her credential.");
    let before = c.status().await?.last_block_time_ms;
    act(
        c,
        town,
        "The city revokes it.",
        "city",
        Operation::RevokeCredential {
            credential_id: EMMA_CREDENTIAL.into(),
            reason: "e-residency ended at the holder's request".into(),
        },
    )
    .await?;
    let then = verify(c, before, None).await?;
    let now = verify(c, 0, None).await?;
    println!(
        "   Standing at {} ms (before): {}; now: {}.",
        before, then.standing, now.standing
    );
    if then.standing != "active" || now.standing != "revoked" {
        anyhow::bail!("unexpected standings {} / {}", then.standing, now.standing);
    }
    Ok(())
}

async fn wait_height(c: &Client, h: u64) -> anyhow::Result<()> {
    for _ in 0..600 {
        if c.status().await?.height >= h {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the chain did not reach height {h} within 60 s")
}

/// Who signed the certificate of the latest block, by name.
async fn signers(c: &Client, town: &Town) -> anyhow::Result<(u64, Vec<String>)> {
    let st = c.status().await?;
    let b = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: st.height,
            ..Default::default()
        })
        .await?
        .into_inner();
    let cert = b.certificate.unwrap_or_default();
    // The set that certified this block is the one the node names now,
    // unless it changed at the very next height (not the case here).
    let names = cert
        .signatures
        .iter()
        .map(|s| {
            st.validators
                .get(s.validator as usize)
                .map_or("?".into(), |v| town.name_of(&v.public_key))
        })
        .collect();
    Ok((st.height, names))
}

async fn validators_line(c: &Client, town: &Town) -> anyhow::Result<String> {
    let st = c.status().await?;
    Ok(st
        .validators
        .iter()
        .map(|v| town.name_of(&v.public_key))
        .collect::<Vec<_>>()
        .join(", "))
}

/// A proposal passes by vote and carries out its action.
pub(crate) async fn pass(
    c: &Client,
    town: &Town,
    id: &str,
    action: GovAction,
    voters: &[&str],
) -> anyhow::Result<()> {
    act(
        c,
        town,
        &format!("The city proposes: {}.", action.describe()),
        "city",
        Operation::Propose {
            proposal_id: id.into(),
            action,
            expires_at_ms: now_ms() + DAY_MS,
        },
    )
    .await?;
    for v in voters {
        act(
            c,
            town,
            &format!("{v} approves."),
            v,
            Operation::Vote {
                proposal_id: id.into(),
                approve: true,
            },
        )
        .await?;
    }
    let p = c
        .governance
        .clone()
        .get_proposal(pb::GetProposalRequest {
            proposal_id: id.into(),
        })
        .await?
        .into_inner()
        .proposal
        .unwrap_or_default();
    if p.state != "executed" {
        anyhow::bail!("proposal {id} is {}: {}", p.state, p.outcome);
    }
    Ok(())
}

/// The consortium votes coord-higashi in as a fifth validator, then
/// coord-minami out; the network keeps committing throughout.
pub async fn governance_scene(c: &Client, town: &Town, n: u32) -> anyhow::Result<()> {
    let a = |n: &str| town.key(n).address();
    let g = c
        .governance
        .clone()
        .get_governance(pb::GetGovernanceRequest {})
        .await?
        .into_inner();
    println!(
        "{n}. Governance: {} consortium members; a proposal needs {} approvals (more than two thirds).",
        g.members.len(),
        g.approvals_needed
    );
    println!("   Validators now: {}.", validators_line(c, town).await?);
    let join_at = c.status().await?.height + 6;
    pass(
        c,
        town,
        "add-coord-higashi",
        GovAction::AddValidator {
            name: "coord-higashi".into(),
            public_key: a("coord-higashi"),
            power: 1,
            effective_height: join_at,
        },
        &["chamber", "coord-kita"],
    )
    .await?;
    println!("   Waiting for height {join_at}, when the set changes…");
    wait_height(c, join_at + 1).await?;
    println!("   Validators now: {}.", validators_line(c, town).await?);
    let (h, who) = signers(c, town).await?;
    println!("   Block {h} is certified by {}.", who.join(", "));
    if !who.iter().any(|w| w == "coord-higashi") {
        // Its precommit may have come after the quorum; look at the next blocks.
        let (mut seen, mut last) = (false, h);
        for _ in 0..20 {
            wait_height(c, last + 1).await?;
            let (h2, who2) = signers(c, town).await?;
            last = h2;
            if who2.iter().any(|w| w == "coord-higashi") {
                println!("   Block {h2} is certified by {}.", who2.join(", "));
                seen = true;
                break;
            }
        }
        if !seen {
            anyhow::bail!("coord-higashi has not signed a block since it joined");
        }
    }
    let leave_at = c.status().await?.height + 6;
    pass(
        c,
        town,
        "remove-coord-minami",
        GovAction::RemoveValidator {
            public_key: a("coord-minami"),
            effective_height: leave_at,
        },
        &["chamber", "coord-kita"],
    )
    .await?;
    println!("   Waiting for height {leave_at}…");
    wait_height(c, leave_at + 3).await?;
    println!("   Validators now: {}.", validators_line(c, town).await?);
    let (h, who) = signers(c, town).await?;
    println!(
        "   The network keeps committing: block {h} is certified by {}.",
        who.join(", ")
    );
    Ok(())
}
