//! `yui credential …` and `yui consent …`: digital-resident credentials with
//! salted claims, and consent to read a subject's data.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use yui_cli::claims::ClaimsWallet;
use yui_cli::{Client, keyfile};
use yui_ledger::asset::DAY_MS;
use yui_ledger::{MerchantClass, Operation, Role};
use yui_proto::v1 as pb;

use yui_cli::cmd::{Signer, submit};
use yui_cli::render::{Output, date, print, short};

#[derive(Subcommand)]
pub(crate) enum CredentialCmd {
    /// Salt a claims file ({"name": value, …}) into a wallet file kept by the
    /// holder, and print the digest an issuer puts on chain.
    Digest {
        /// The claims, a JSON object.
        claims: PathBuf,
        /// Where to write the salted claims (personal data: keep it private).
        #[arg(long)]
        out: PathBuf,
    },
    /// Issue a credential (credential issuers).
    Issue {
        #[command(flatten)]
        s: Signer,
        /// Credential id (unique on the chain).
        id: String,
        /// The holder (address or key file).
        #[arg(long)]
        subject: String,
        /// digital_resident, resident, skill, qualification, …
        #[arg(long)]
        kind: String,
        /// Hex digest from `yui credential digest` (or the wallet file itself).
        #[arg(long)]
        digest: String,
        /// Days it stays valid from now.
        #[arg(long, default_value_t = 365)]
        valid_days: u64,
    },
    /// Suspend an active credential (its issuer).
    Suspend {
        #[command(flatten)]
        s: Signer,
        id: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Make a suspended credential active again (its issuer).
    Reinstate {
        #[command(flatten)]
        s: Signer,
        id: String,
    },
    /// Revoke a credential for good (its issuer).
    Revoke {
        #[command(flatten)]
        s: Signer,
        id: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Write a disclosure of one claim from the holder's wallet file, for a verifier.
    Disclose {
        /// The wallet file from `yui credential digest`.
        #[arg(long)]
        wallet: PathBuf,
        /// The claim to disclose.
        #[arg(long)]
        claim: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// A credential's standing (now or at a time), and a disclosed claim
    /// checked against its on-chain digest.
    Verify {
        id: String,
        /// A disclosure file from `yui credential disclose`.
        #[arg(long)]
        disclosure: Option<PathBuf>,
        /// Block time to judge at (ms since the epoch); default: now on chain.
        #[arg(long)]
        at_ms: Option<u64>,
    },
    /// A credential with its history.
    Show { id: String },
    /// A subject's credentials (the subject, an auditor, or a party with the
    /// subject's consent for "credentials" — whose access is recorded on chain first).
    List {
        /// The reader's key file.
        #[arg(long)]
        key: PathBuf,
        /// The subject (address or key file); default: the reader.
        #[arg(long)]
        subject: Option<String>,
        /// Why a party reads (recorded on chain, shown to the subject).
        #[arg(long, default_value = "verification")]
        purpose: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ConsentCmd {
    /// Let a party read your data of a scope ("credentials", "profile", …).
    Grant {
        #[command(flatten)]
        s: Signer,
        /// The party (address or key file).
        #[arg(long)]
        party: String,
        #[arg(long, default_value = "credentials")]
        scope: String,
        /// Days until it lapses; default: until revoked.
        #[arg(long)]
        days: Option<u64>,
    },
    /// Withdraw a consent.
    Revoke {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        party: String,
        #[arg(long, default_value = "credentials")]
        scope: String,
    },
    /// Record, as a party, that you read a subject's data (needs their consent).
    Access {
        #[command(flatten)]
        s: Signer,
        #[arg(long)]
        subject: String,
        #[arg(long, default_value = "credentials")]
        scope: String,
        #[arg(long)]
        purpose: String,
    },
    /// The consents you gave, with every access recorded under them.
    List {
        /// Your key file.
        #[arg(long)]
        key: PathBuf,
    },
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(p: &PathBuf) -> anyhow::Result<T> {
    let s = std::fs::read_to_string(p)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
    serde_json::from_str(&s).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
}

fn write_json(p: &PathBuf, v: &impl serde::Serialize) -> anyhow::Result<()> {
    let s = serde_json::to_string_pretty(v)?;
    std::fs::write(p, s).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))
}

/// A hex digest, or a wallet file holding one.
fn digest_arg(arg: &str) -> anyhow::Result<[u8; 32]> {
    let p = PathBuf::from(arg);
    let hexed = if p.is_file() {
        read_json::<ClaimsWallet>(&p)?.digest()?
    } else {
        hex::decode(arg)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("--digest must be 32 bytes of hex or a wallet file"))?
    };
    Ok(hexed)
}

pub(crate) fn parse_role(s: &str) -> anyhow::Result<Role> {
    Ok(match s.split_once(':') {
        None if s == "coordinator" => Role::Coordinator,
        None if s == "credential_issuer" => Role::CredentialIssuer,
        Some(("issuer", asset)) if !asset.is_empty() => Role::Issuer(asset.into()),
        Some(("merchant", class)) => {
            Role::Merchant(MerchantClass::parse(class).ok_or_else(|| {
                anyhow::anyhow!("merchant class must be small_local, large or public")
            })?)
        }
        _ => anyhow::bail!(
            "role must be coordinator, credential_issuer, issuer:<asset> or merchant:<class>"
        ),
    })
}

fn credential_json(c: &pb::Credential, standing: &str) -> serde_json::Value {
    json!({
        "id": c.id, "subject": hex::encode(&c.subject), "kind": c.kind,
        "issuer": hex::encode(&c.issuer), "valid_from_ms": c.valid_from_ms,
        "valid_until_ms": c.valid_until_ms, "claims_digest": hex::encode(&c.claims_digest),
        "status": c.status, "standing": standing,
        "history": c.history.iter().map(|h| json!({"action": h.action, "by": hex::encode(&h.by),
            "status": h.status, "reason": h.reason, "height": h.height, "time_ms": h.time_ms})).collect::<Vec<_>>(),
    })
}

fn credential_line(c: &pb::Credential, standing: &str) -> String {
    format!(
        "{:<20} {:<18} {:<10} subject {} issuer {} valid {} – {}",
        c.id,
        c.kind,
        standing,
        short(&c.subject),
        short(&c.issuer),
        date(c.valid_from_ms),
        date(c.valid_until_ms)
    )
}

pub(crate) async fn credential(c: &Client, out: Output, cmd: CredentialCmd) -> anyhow::Result<()> {
    let (s, op) = match cmd {
        // These need no node; `offline` runs them before connecting.
        CredentialCmd::Digest { .. } | CredentialCmd::Disclose { .. } => {
            return offline(out, &cmd).unwrap_or(Ok(()));
        }
        CredentialCmd::Issue {
            s,
            id,
            subject,
            kind,
            digest,
            valid_days,
        } => {
            let now = yui_cli::now_ms();
            let until = valid_days
                .checked_mul(DAY_MS)
                .and_then(|d| d.checked_add(now))
                .ok_or_else(|| anyhow::anyhow!("--valid-days is too large"))?;
            (
                s,
                Operation::IssueCredential {
                    credential_id: id,
                    subject: keyfile::address(&subject)?,
                    kind,
                    valid_from_ms: now,
                    valid_until_ms: until,
                    claims_digest: digest_arg(&digest)?,
                },
            )
        }
        CredentialCmd::Suspend { s, id, reason } => (
            s,
            Operation::SuspendCredential {
                credential_id: id,
                reason,
            },
        ),
        CredentialCmd::Reinstate { s, id } => {
            (s, Operation::ReinstateCredential { credential_id: id })
        }
        CredentialCmd::Revoke { s, id, reason } => (
            s,
            Operation::RevokeCredential {
                credential_id: id,
                reason,
            },
        ),
        CredentialCmd::Verify {
            id,
            disclosure,
            at_ms,
        } => {
            let shown: Option<yui_ledger::credential::Disclosure> = match &disclosure {
                Some(p) => Some(read_json(p)?),
                None => None,
            };
            let disclosure = shown.clone().map(|d| pb::Disclosure {
                name: d.name,
                value: d.value,
                salt: d.salt,
                leaves: d.leaves,
            });
            let claim = disclosure
                .as_ref()
                .map(|d| (d.name.clone(), d.value.clone()));
            let r = c
                .credentials
                .clone()
                .verify_credential(pb::VerifyCredentialRequest {
                    credential_id: id,
                    at_ms: at_ms.unwrap_or(0),
                    disclosure,
                })
                .await?
                .into_inner();
            let cred = r.credential.clone().unwrap_or_default();
            // Check the disclosure here too: a verifier need not take the
            // node's word for it, only the on-chain digest.
            let digest: [u8; 32] = cred.claims_digest.as_slice().try_into().unwrap_or_default();
            let local = match &shown {
                Some(d) => d.verify(&digest),
                None => Err("no disclosure".into()),
            };
            let claim_ok = r.claim_verified && local.is_ok();
            let claim_error = match (&local, r.claim_error.is_empty()) {
                (Err(e), true) if shown.is_some() => e.clone(),
                _ => r.claim_error.clone(),
            };
            let mut text = format!(
                "{}: {} at {} ({} credential of {}, issued by {})",
                cred.id,
                r.standing,
                yui_cli::render::date_s(r.at_ms),
                cred.kind,
                short(&cred.subject),
                short(&cred.issuer)
            );
            if let Some((name, value)) = &claim {
                text.push_str(&if claim_ok {
                    format!("\nclaim {name} = {value:?}: matches the credential's digest")
                } else {
                    format!("\nclaim {name} = {value:?}: DOES NOT MATCH: {claim_error}")
                });
            }
            print(
                out,
                json!({"credential": credential_json(&cred, &r.standing), "standing": r.standing,
                       "at_ms": r.at_ms, "valid": r.valid, "claim": claim.as_ref().map(|(n, v)| json!({"name": n, "value": v})),
                       "claim_verified": claim_ok, "claim_error": claim_error, "height": r.height}),
                text,
            );
            if !r.valid {
                anyhow::bail!("credential is {}", r.standing);
            }
            if claim.is_some() && !claim_ok {
                anyhow::bail!("the disclosed claim does not match: {claim_error}");
            }
            return Ok(());
        }
        CredentialCmd::Show { id } => {
            let r = c
                .credentials
                .clone()
                .get_credential(pb::GetCredentialRequest { credential_id: id })
                .await?
                .into_inner();
            let cred = r.credential.unwrap_or_default();
            let mut text = credential_line(&cred, &r.standing);
            text.push_str(&format!(
                "\n  claims digest {}",
                hex::encode(&cred.claims_digest)
            ));
            for h in &cred.history {
                text.push_str(&format!(
                    "\n  #{:<6} {:<10} → {:<10} by {} {}",
                    h.height,
                    h.action,
                    h.status,
                    short(&h.by),
                    h.reason
                ));
            }
            print(out, credential_json(&cred, &r.standing), text);
            return Ok(());
        }
        CredentialCmd::List {
            key,
            subject,
            purpose,
        } => {
            let reader = keyfile::read(&key)?;
            let subject = match subject {
                Some(s) => keyfile::address(&s)?,
                None => reader.address(),
            };
            if subject != reader.address() {
                // A party reads under consent: the access goes on chain first,
                // where the subject sees it.
                let r = c
                    .execute(
                        &reader,
                        Operation::RecordAccess {
                            subject,
                            scope: "credentials".into(),
                            purpose,
                        },
                    )
                    .await?;
                if !r.success {
                    anyhow::bail!("cannot record the access: {}", r.error);
                }
            }
            let r = c
                .credentials
                .clone()
                .list_credentials(pb::ListCredentialsRequest {
                    subject: subject.0.to_vec(),
                    auth: Some(c.read_auth(&reader, &subject)),
                })
                .await?
                .into_inner();
            let lines: Vec<String> = r
                .credentials
                .iter()
                .zip(&r.standings)
                .map(|(c, s)| credential_line(c, s))
                .collect();
            print(
                out,
                json!({"height": r.height, "credentials": r.credentials.iter().zip(&r.standings)
                    .map(|(c, s)| credential_json(c, s)).collect::<Vec<_>>()}),
                if lines.is_empty() {
                    "no credentials".into()
                } else {
                    lines.join("\n")
                },
            );
            return Ok(());
        }
    };
    submit(c, out, s, op).await
}

/// Credential commands that need no node: salting claims and disclosing one.
pub(crate) fn offline(out: Output, cmd: &CredentialCmd) -> Option<anyhow::Result<()>> {
    match cmd {
        CredentialCmd::Digest { claims, out: path } => Some((|| {
            let text = std::fs::read_to_string(claims)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", claims.display()))?;
            let w = yui_cli::claims::salt_claims(&text)?;
            write_json(path, &w)?;
            print(
                out,
                json!({"digest": w.digest, "claims": w.claims.len(), "wallet": path.display().to_string()}),
                format!(
                    "{}\n({} claims salted into {}; keep that file private — only the digest goes on chain)",
                    w.digest,
                    w.claims.len(),
                    path.display()
                ),
            );
            Ok(())
        })()),
        CredentialCmd::Disclose {
            wallet,
            claim,
            out: path,
        } => Some((|| {
            let w: ClaimsWallet = read_json(wallet)?;
            w.digest()?;
            let d = w.disclose(claim)?;
            write_json(path, &d)?;
            print(
                out,
                json!({"claim": d.name, "disclosure": path.display().to_string()}),
                format!(
                    "disclosure of '{}' written to {} (it reveals this claim only)",
                    d.name,
                    path.display()
                ),
            );
            Ok(())
        })()),
        _ => None,
    }
}

pub(crate) async fn consent(c: &Client, out: Output, cmd: ConsentCmd) -> anyhow::Result<()> {
    let (s, op) = match cmd {
        ConsentCmd::Grant {
            s,
            party,
            scope,
            days,
        } => {
            let expires_at_ms = match days {
                Some(d) => Some(
                    d.checked_mul(DAY_MS)
                        .and_then(|x| x.checked_add(yui_cli::now_ms()))
                        .ok_or_else(|| anyhow::anyhow!("--days is too large"))?,
                ),
                None => None,
            };
            (
                s,
                Operation::GrantConsent {
                    party: keyfile::address(&party)?,
                    scope,
                    expires_at_ms,
                },
            )
        }
        ConsentCmd::Revoke { s, party, scope } => (
            s,
            Operation::RevokeConsent {
                party: keyfile::address(&party)?,
                scope,
            },
        ),
        ConsentCmd::Access {
            s,
            subject,
            scope,
            purpose,
        } => (
            s,
            Operation::RecordAccess {
                subject: keyfile::address(&subject)?,
                scope,
                purpose,
            },
        ),
        ConsentCmd::List { key } => {
            let k = keyfile::read(&key)?;
            let me = k.address();
            let r = c
                .credentials
                .clone()
                .list_consents(pb::ListConsentsRequest {
                    subject: me.0.to_vec(),
                    auth: Some(c.read_auth(&k, &me)),
                })
                .await?
                .into_inner();
            let mut text = String::new();
            for x in &r.consents {
                text.push_str(&format!(
                    "{} may read '{}': {} ({} accesses)\n",
                    short(&x.party),
                    x.scope,
                    if x.active { "active" } else { "not active" },
                    x.access_count
                ));
                for a in &x.accesses {
                    text.push_str(&format!("    #{:<6} {}\n", a.height, a.purpose));
                }
            }
            print(
                out,
                json!({"height": r.height, "consents": r.consents.iter().map(|x| json!({
                    "party": hex::encode(&x.party), "scope": x.scope, "active": x.active,
                    "granted_at_ms": x.granted_at_ms, "expires_at_ms": x.expires_at_ms,
                    "revoked_at_ms": x.revoked_at_ms, "access_count": x.access_count,
                    "accesses": x.accesses.iter().map(|a| json!({"purpose": a.purpose, "height": a.height, "time_ms": a.time_ms})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>()}),
                if text.is_empty() {
                    "no consents".into()
                } else {
                    text.trim_end().to_string()
                },
            );
            return Ok(());
        }
    };
    submit(c, out, s, op).await
}
