//! Starting a `yui-node` process on its folder, shared by `yui-devnet up`
//! and `yui-bench crash` (which restarts a node it killed).

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Starts `node start --home HOME` with its output in HOME/node.log (a
/// fresh log, or appended to the old one) and writes HOME/pid. The node
/// gets its own process group: it outlives the command that started it,
/// and a Ctrl-C in the terminal does not reach it. Returns the pid.
pub fn start_node(node: &Path, home: &Path, append_log: bool) -> anyhow::Result<u32> {
    start_node_with(node, home, append_log, &[])
}

/// [`start_node`] with these environment variables set for the node (a
/// crash point, for the crash loop).
pub fn start_node_with(
    node: &Path,
    home: &Path,
    append_log: bool,
    env: &[(&str, String)],
) -> anyhow::Result<u32> {
    let log = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(append_log)
        .truncate(!append_log)
        .open(home.join("node.log"))?;
    let child = Command::new(node)
        .args(["start", "--home"])
        .arg(home)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .process_group(0)
        .spawn()?;
    std::fs::write(home.join("pid"), child.id().to_string())?;
    Ok(child.id())
}
