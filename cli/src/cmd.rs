//! What the command modules share: the signer's flags and submitting a
//! signed operation with its receipt rendered.

use std::path::{Path, PathBuf};

use serde_json::json;
use yui_ledger::{Address, Keypair, Operation};

use crate::render::{Output, event_text, print, receipt_json};
use crate::{Client, keyfile};

#[derive(clap::Args)]
pub struct Signer {
    /// Key file of the signer.
    #[arg(long)]
    pub key: PathBuf,
    /// Nonce to use (default: the account's next).
    #[arg(long)]
    pub nonce: Option<u64>,
    /// Return once admitted, without waiting for the commit.
    #[arg(long)]
    pub no_wait: bool,
}

/// The reader's key and the account read: its own, or `account` (an auditor's read).
pub fn reader(key: &Path, account: Option<&str>) -> anyhow::Result<(Keypair, Address)> {
    let k = keyfile::read(key)?;
    let who = match account {
        Some(a) => keyfile::address(a)?,
        None => k.address(),
    };
    Ok((k, who))
}

/// Signs `op` with the signer's key and submits it; prints the receipt.
pub async fn submit(c: &Client, out: Output, s: Signer, op: Operation) -> anyhow::Result<()> {
    let key = keyfile::read(&s.key)?;
    let nonce = match s.nonce {
        Some(n) => n,
        None => c.next_nonce(&key).await?,
    };
    let stx = c.sign(&key, nonce, op).await?;
    let r = c.submit(&stx, !s.no_wait).await?;
    let hash = hex::encode(&r.tx_hash);
    match r.receipt {
        Some(rc) => {
            let text = format!(
                "{} {} at height {}{}",
                if rc.success { "committed" } else { "FAILED" },
                hash,
                rc.height,
                if rc.success {
                    rc.events
                        .iter()
                        .map(event_text)
                        .collect::<Vec<_>>()
                        .join("")
                } else {
                    format!(": {}", rc.error)
                }
            );
            print(
                out,
                json!({"tx_hash": hash, "committed": true, "receipt": receipt_json(&rc)}),
                text,
            );
            if !rc.success {
                anyhow::bail!(
                    "the transaction was committed but its operation failed: {}",
                    rc.error
                );
            }
        }
        None => print(
            out,
            json!({"tx_hash": hash, "committed": false}),
            format!("admitted {hash}; follow it with `yui tx {hash}`"),
        ),
    }
    Ok(())
}
