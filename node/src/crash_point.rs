//! Crash points: `YUI_CRASH_AT=<point>@<height>` in a node's environment
//! makes it stop dead at that point of that height — `abort`: no destructor
//! runs, nothing is flushed or closed, as under SIGKILL. The crash loop
//! (`yui-bench crashloop`) uses them to kill a node inside a commit and
//! between persisting a signed vote and sending it, instants a signal from
//! outside hits only by luck. Unset, a point costs one read of a static.

use std::str::FromStr;
use std::sync::OnceLock;

/// The environment variable that arms a crash point.
pub const ENV: &str = "YUI_CRASH_AT";

/// Where a node can be made to crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// The block is executed and certified; nothing of it is written yet.
    CommitBeforeWrite,
    /// The block's batch is on disk; the node's head, mempool and the
    /// submitters waiting for it have not heard yet.
    CommitAfterWrite,
    /// The signer state naming a new vote or proposal is on disk; the
    /// message itself has not been sent.
    PersistBeforeSend,
}

impl Point {
    pub const ALL: [Point; 3] = [
        Point::CommitBeforeWrite,
        Point::CommitAfterWrite,
        Point::PersistBeforeSend,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Point::CommitBeforeWrite => "commit-before-write",
            Point::CommitAfterWrite => "commit-after-write",
            Point::PersistBeforeSend => "persist-before-send",
        }
    }
}

impl FromStr for Point {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Point::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Point::ALL.iter().map(|p| p.name()).collect();
                format!("unknown crash point '{s}' (one of {})", names.join(", "))
            })
    }
}

/// Parses `<point>@<height>`.
pub fn parse(s: &str) -> Result<(Point, u64), String> {
    let (p, h) = s
        .split_once('@')
        .ok_or_else(|| format!("{ENV}={s}: expected <point>@<height>"))?;
    let h = h
        .parse::<u64>()
        .map_err(|e| format!("{ENV}={s}: height: {e}"))?;
    Ok((p.parse()?, h))
}

static ARMED: OnceLock<Option<(Point, u64)>> = OnceLock::new();

/// Reads [`ENV`] once, at start; a malformed value is an error, so a typo
/// does not silently run a crash test without its crash.
pub fn arm_from_env() -> Result<Option<(Point, u64)>, String> {
    let armed = match std::env::var(ENV) {
        Ok(v) => Some(parse(&v)?),
        Err(_) => None,
    };
    Ok(*ARMED.get_or_init(|| armed))
}

/// Aborts the process if this point of this height is the armed one.
pub fn reach(point: Point, height: u64) {
    if let Some(Some((p, h))) = ARMED.get()
        && *p == point
        && *h == height
    {
        eprintln!("crash point {} at height {height}: aborting", point.name());
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_points_and_heights() {
        assert_eq!(
            parse("commit-after-write@42"),
            Ok((Point::CommitAfterWrite, 42))
        );
        for p in Point::ALL {
            assert_eq!(parse(&format!("{}@7", p.name())), Ok((p, 7)));
        }
        assert!(parse("commit-after-write").is_err());
        assert!(parse("commit@1").is_err_and(|e| e.contains("persist-before-send")));
        assert!(parse("persist-before-send@x").is_err());
    }
}
