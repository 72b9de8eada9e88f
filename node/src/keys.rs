//! Key files on disk, written with file mode 0600 so only the operator can
//! read them. The format is the ledger's (`Keypair::to_json`).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use yui_ledger::Keypair;

/// A new key from the operating system's randomness.
pub fn generate() -> anyhow::Result<Keypair> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(Keypair::from_seed(seed))
}

/// Writes a key file with mode 0600; refuses to overwrite.
pub fn write(path: &Path, key: &Keypair) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create key file {}: {e}", path.display()))?;
    f.write_all(key.to_json().as_bytes())?;
    Ok(())
}

pub fn read(path: &Path) -> anyhow::Result<Keypair> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read key file {}: {e}", path.display()))?;
    Keypair::from_json(&text).map_err(|e| anyhow::anyhow!("key file {}: {e}", path.display()))
}
