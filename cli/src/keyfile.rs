//! Key files for the CLI: the same JSON as `yui-node` writes, mode 0600.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use yui_ledger::{Address, Keypair};

pub fn generate() -> anyhow::Result<Keypair> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(Keypair::from_seed(seed))
}

pub fn write(path: &Path, key: &Keypair) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot create key file {}: {e} (it must not exist yet)",
                path.display()
            )
        })?;
    f.write_all(key.to_json().as_bytes())?;
    Ok(())
}

pub fn read(path: &Path) -> anyhow::Result<Keypair> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read key file {}: {e} (make one with `yui keys generate`)",
            path.display()
        )
    })?;
    Keypair::from_json(&text).map_err(|e| anyhow::anyhow!("key file {}: {e}", path.display()))
}

/// An account given as 64 hex characters or as the path of a key file.
pub fn address(s: &str) -> anyhow::Result<Address> {
    if let Ok(a) = s.parse::<Address>() {
        return Ok(a);
    }
    let p = Path::new(s);
    if p.exists() {
        return Ok(read(p)?.address());
    }
    anyhow::bail!("'{s}' is neither an address (64 hex characters) nor a key file")
}
