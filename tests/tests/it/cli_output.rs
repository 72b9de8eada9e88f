//! The command line's output to a reader that has gone (`yui … | head`).

use std::process::{Command, Stdio};

use yui_tests::bin;

/// A closed pipe ends `yui` quietly with status 141, as a Unix tool stopped
/// by SIGPIPE does; the work done before the write (the key file) stays.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.json");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(bin("yui").unwrap())
        .args(["keys", "generate"])
        .arg(&key)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(key.exists(), "the key file was not written");
}
