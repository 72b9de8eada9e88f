//! The block archive `yui audit fetch` writes and `yui audit replay
//! --archive` reads (`docs/archive.md`): the genesis and every block with
//! its certificate, as the node served their bytes.
//!
//! ```text
//! "YUIARCH1"                                   8 bytes
//! borsh(ArchiveHeader { chain_id, genesis_json, blocks })
//! borsh(Record { height, block, certificate })  `blocks` times, heights 1, 2, …
//! ```
//!
//! Reading trusts no length: each is bounded, nothing is allocated before
//! its bytes have been read, and a short, damaged or over-long archive is an
//! error naming the block (never a panic).

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};

use super::verify::RawBlock;

/// The first bytes of an archive (the `1` is the format's version).
pub const MAGIC: &[u8; 8] = b"YUIARCH1";

/// Bounds on the lengths an archive may state; a longer one is damage.
const CHAIN_ID_BYTES_MAX: u64 = 1024;
const GENESIS_BYTES_MAX: u64 = 64 << 20;
const BLOCK_BYTES_MAX: u64 = 64 << 20;
const CERTIFICATE_BYTES_MAX: u64 = 1 << 20;

/// What an archive holds besides its blocks.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ArchiveHeader {
    /// The chain's id (the genesis names it too; both must agree).
    pub chain_id: String,
    /// The genesis as the node served it (`Chain.GetGenesis`).
    pub genesis_json: String,
    /// How many blocks follow: heights 1 to `blocks`.
    pub blocks: u64,
}

/// One block of an archive, as borsh writes it.
#[derive(BorshSerialize)]
struct Record<'a> {
    height: u64,
    block: &'a [u8],
    certificate: &'a [u8],
}

/// Writes an archive: the header, then [`ArchiveWriter::push`] each block
/// in order, then [`ArchiveWriter::finish`].
pub struct ArchiveWriter<W: Write> {
    w: W,
    blocks: u64,
    written: u64,
}

impl<W: Write> ArchiveWriter<W> {
    pub fn new(mut w: W, header: &ArchiveHeader) -> io::Result<Self> {
        w.write_all(MAGIC)?;
        borsh::to_writer(&mut w, header)?;
        Ok(Self {
            w,
            blocks: header.blocks,
            written: 0,
        })
    }

    /// Appends the next block (height: one more than the last).
    pub fn push(&mut self, raw: &RawBlock) -> io::Result<()> {
        if self.written >= self.blocks {
            return Err(io::Error::other(format!(
                "the archive's header promises {} blocks",
                self.blocks
            )));
        }
        self.written += 1;
        let record = Record {
            height: self.written,
            block: &raw.block,
            certificate: &raw.certificate,
        };
        borsh::to_writer(&mut self.w, &record)
    }

    /// Checks that every block the header promised was written.
    pub fn finish(self) -> io::Result<W> {
        if self.written != self.blocks {
            return Err(io::Error::other(format!(
                "{} of the {} blocks the header promises were written",
                self.written, self.blocks
            )));
        }
        Ok(self.w)
    }
}

/// Reads an archive: the header at once, then the blocks as an iterator
/// that yields an error (and then ends) at the first damage.
pub struct ArchiveReader<R: Read> {
    r: R,
    header: ArchiveHeader,
    read: u64,
    failed: bool,
}

impl ArchiveReader<BufReader<File>> {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let f = File::open(path)
            .map_err(|e| anyhow::anyhow!("cannot open the archive {}: {e}", path.display()))?;
        Self::new(BufReader::with_capacity(1 << 20, f))
    }
}

impl<R: Read> ArchiveReader<R> {
    pub fn new(mut r: R) -> anyhow::Result<Self> {
        let not_archive = || anyhow::anyhow!("not a Yui block archive (no YUIARCH1 header)");
        let magic = read_n(&mut r, MAGIC.len() as u64)?;
        if magic != MAGIC {
            return Err(not_archive());
        }
        let bad = |what: &str| anyhow::anyhow!("the archive's header is damaged: {what}");
        let chain_id =
            read_string(&mut r, CHAIN_ID_BYTES_MAX).map_err(|e| bad(&format!("chain id: {e}")))?;
        let genesis_json =
            read_string(&mut r, GENESIS_BYTES_MAX).map_err(|e| bad(&format!("genesis: {e}")))?;
        let blocks = read_u64(&mut r).map_err(|e| bad(&format!("block count: {e}")))?;
        if blocks == 0 && !read_n(&mut r, 1)?.is_empty() {
            anyhow::bail!("the archive has bytes after its header, which promises no block");
        }
        Ok(Self {
            r,
            header: ArchiveHeader {
                chain_id,
                genesis_json,
                blocks,
            },
            read: 0,
            failed: false,
        })
    }

    pub fn header(&self) -> &ArchiveHeader {
        &self.header
    }

    fn record(&mut self) -> anyhow::Result<RawBlock> {
        let (height, total) = (self.read + 1, self.header.blocks);
        let damaged = |what: String| {
            anyhow::anyhow!(
                "the archive is damaged or truncated at block {height} of {total}: {what}"
            )
        };
        let first = read_n(&mut self.r, 8).map_err(|e| damaged(e.to_string()))?;
        if first.is_empty() {
            anyhow::bail!(
                "the archive is truncated: it ends after block {} of {total}",
                height - 1
            );
        }
        let stated =
            read_u64(&mut first.as_slice()).map_err(|e| damaged(format!("height: {e}")))?;
        if stated != height {
            return Err(damaged(format!("the record says height {stated}")));
        }
        let block = read_vec(&mut self.r, BLOCK_BYTES_MAX)
            .map_err(|e| damaged(format!("block bytes: {e}")))?;
        let certificate = read_vec(&mut self.r, CERTIFICATE_BYTES_MAX)
            .map_err(|e| damaged(format!("certificate bytes: {e}")))?;
        self.read = height;
        if height == total {
            let more = read_n(&mut self.r, 1).map_err(|e| damaged(e.to_string()))?;
            if !more.is_empty() {
                anyhow::bail!("the archive has bytes after its last block {total}");
            }
        }
        Ok(RawBlock { block, certificate })
    }
}

impl<R: Read> Iterator for ArchiveReader<R> {
    type Item = anyhow::Result<RawBlock>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.read >= self.header.blocks {
            return None;
        }
        let r = self.record();
        self.failed = r.is_err();
        Some(r)
    }
}

/// Up to `n` bytes: fewer only at the end of the input. Memory grows with
/// the bytes actually read, never with `n`.
fn read_n(r: &mut impl Read, n: u64) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    r.take(n).read_to_end(&mut v)?;
    Ok(v)
}

fn read_exact_n(r: &mut impl Read, n: u64) -> io::Result<Vec<u8>> {
    let v = read_n(r, n)?;
    if (v.len() as u64) < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the file ends {} bytes into {n}", v.len()),
        ));
    }
    Ok(v)
}

fn read_u64(r: &mut impl Read) -> io::Result<u64> {
    let b = read_exact_n(r, 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(&b);
    Ok(u64::from_le_bytes(a))
}

/// A borsh `Vec<u8>`: a little-endian u32 length, then the bytes.
fn read_vec(r: &mut impl Read, max: u64) -> io::Result<Vec<u8>> {
    let b = read_exact_n(r, 4)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(&b);
    let len = u64::from(u32::from_le_bytes(a));
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a length of {len} bytes, over the {max} allowed"),
        ));
    }
    read_exact_n(r, len)
}

/// A borsh `String`: [`read_vec`], in UTF-8.
fn read_string(r: &mut impl Read, max: u64) -> io::Result<String> {
    String::from_utf8(read_vec(r, max)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}

/// A file written beside its destination and renamed onto it once complete:
/// the destination is never a partial archive. Removed if not committed.
pub struct PartialFile {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl PartialFile {
    pub fn create(dest: &Path) -> anyhow::Result<(Self, File)> {
        let name = dest
            .file_name()
            .ok_or_else(|| anyhow::anyhow!("{} names no file", dest.display()))?;
        let tmp = dest.with_file_name(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            std::process::id()
        ));
        let f = File::create(&tmp)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", tmp.display()))?;
        Ok((
            Self {
                tmp,
                dest: dest.to_path_buf(),
                committed: false,
            },
            f,
        ))
    }

    /// Syncs the file to disk and renames it onto the destination.
    pub fn commit(mut self, f: File) -> anyhow::Result<()> {
        f.sync_all()?;
        drop(f);
        std::fs::rename(&self.tmp, &self.dest)
            .map_err(|e| anyhow::anyhow!("cannot rename onto {}: {e}", self.dest.display()))?;
        self.committed = true;
        // The rename itself is durable once the folder is synced (best effort).
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
