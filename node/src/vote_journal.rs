//! The vote journal: every vote this node signed or received, in arrival
//! order, for an operator investigating a fork or a stall and for the crash
//! loop's checker (`yui-bench crashloop`), which reads every node's journal
//! and looks for one validator naming two blocks at one step. Off unless
//! `[consensus] vote_journal = true`.
//!
//! Format (`<data_dir>/votes.journal`): records of a `u32` little-endian
//! length followed by that many bytes, the borsh encoding of an [`Entry`].
//! Each record is one `write` to the file; a crash may cut the last one
//! short, and [`read`] stops there. At [`FILE_MAX`] bytes the file turns
//! over: it becomes `votes.journal.1` (dropping the one before) and a new
//! file begins, so the journal holds one to two files' worth of the most
//! recent votes.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};
use yui_consensus::Vote;

/// Size at which the journal file turns over.
pub const FILE_MAX: u64 = 64 << 20;

/// The journal file's name in the data folder.
pub const FILE_NAME: &str = "votes.journal";

/// A record longer than this is not one this module wrote.
const RECORD_MAX: u32 = 4_096;

/// Where a journalled vote came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(use_discriminant = true)]
#[repr(u8)]
pub enum Source {
    /// Signed by this node's validator key and sent.
    Signed = 0,
    /// Received from a peer, its signature verified against the validator
    /// set this node held then.
    Received = 1,
}

/// One journalled vote.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Entry {
    pub source: Source,
    pub vote: Vote,
}

/// The journal being written.
pub struct VoteJournal {
    path: PathBuf,
    file: File,
    len: u64,
    max: u64,
}

impl VoteJournal {
    /// Opens (or creates) the journal in `dir` to append to it.
    pub fn open(dir: &Path) -> io::Result<Self> {
        Self::open_with_max(dir, FILE_MAX)
    }

    fn open_with_max(dir: &Path, max: u64) -> io::Result<Self> {
        let path = dir.join(FILE_NAME);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            path,
            file,
            len,
            max,
        })
    }

    /// Appends one vote as one `write`.
    pub fn append(&mut self, source: Source, vote: &Vote) -> io::Result<()> {
        if self.len >= self.max {
            let older = self.path.with_extension("journal.1");
            std::fs::rename(&self.path, older)?;
            self.file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            self.len = 0;
        }
        let body = borsh::to_vec(&Entry {
            source,
            vote: vote.clone(),
        })?;
        let mut rec = Vec::with_capacity(4 + body.len());
        rec.extend_from_slice(&(body.len() as u32).to_le_bytes());
        rec.extend_from_slice(&body);
        self.file.write_all(&rec)?;
        self.len += rec.len() as u64;
        Ok(())
    }
}

/// What [`read`] found in a journal.
#[derive(Debug, Default)]
pub struct Contents {
    /// Older file first, each in the order written.
    pub entries: Vec<Entry>,
    /// Records cut short or unreadable at a file's end (a crash while
    /// writing leaves at most one per file).
    pub torn: usize,
}

/// Reads the journal in `dir` (both files, older first). A missing journal
/// reads as empty.
pub fn read(dir: &Path) -> io::Result<Contents> {
    let mut out = Contents::default();
    let path = dir.join(FILE_NAME);
    for p in [path.with_extension("journal.1"), path] {
        let mut bytes = Vec::new();
        match File::open(&p) {
            Ok(mut f) => f.read_to_end(&mut bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let entry = rest
                .split_first_chunk::<4>()
                .map(|(n, tail)| (u32::from_le_bytes(*n), tail))
                .filter(|(n, tail)| *n <= RECORD_MAX && tail.len() >= *n as usize)
                .and_then(|(n, tail)| {
                    let (body, after) = tail.split_at(n as usize);
                    Entry::try_from_slice(body).ok().map(|e| (e, after))
                });
            match entry {
                Some((e, after)) => {
                    out.entries.push(e);
                    rest = after;
                }
                None => {
                    out.torn += 1;
                    break;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yui_consensus::VoteKind;

    fn vote(height: u64, byte: u8) -> Vote {
        Vote {
            kind: VoteKind::Prevote,
            height,
            round: 0,
            block_hash: Some([byte; 32]),
            validator: 2,
            signature: [byte; 64],
        }
    }

    #[test]
    fn reads_back_in_order_and_stops_at_a_torn_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut j = VoteJournal::open(dir.path()).expect("open");
        j.append(Source::Signed, &vote(1, 1)).expect("append");
        j.append(Source::Received, &vote(2, 2)).expect("append");
        drop(j);
        // A crash in the middle of a third record.
        let path = dir.path().join(FILE_NAME);
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(&[90, 0, 0, 0, 1, 2]).expect("write");
        let c = read(dir.path()).expect("read");
        assert_eq!(c.torn, 1);
        assert_eq!(
            c.entries,
            vec![
                Entry {
                    source: Source::Signed,
                    vote: vote(1, 1)
                },
                Entry {
                    source: Source::Received,
                    vote: vote(2, 2)
                }
            ]
        );
    }

    #[test]
    fn turns_over_keeping_the_previous_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut j = VoteJournal::open_with_max(dir.path(), 300).expect("open");
        for h in 1..=10 {
            j.append(Source::Received, &vote(h, h as u8))
                .expect("append");
        }
        let c = read(dir.path()).expect("read");
        assert_eq!(c.torn, 0);
        let heights: Vec<u64> = c.entries.iter().map(|e| e.vote.height).collect();
        // Records are 4 + 1 + 114 bytes: a file takes three before it
        // reaches 300, the next turns it over; older files are gone.
        assert_eq!(heights, vec![7, 8, 9, 10]);
        assert!(std::fs::metadata(dir.path().join("votes.journal.1")).is_ok());
    }

    #[test]
    fn a_missing_journal_reads_as_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = read(dir.path()).expect("read");
        assert!(c.entries.is_empty() && c.torn == 0);
    }
}
