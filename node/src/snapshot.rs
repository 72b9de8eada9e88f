//! State snapshots: a new node starts from the state of a trusted height
//! instead of executing every block since genesis.
//!
//! `yui-node snapshot export` (node stopped) writes the state at the node's
//! last committed height N: every record of the `state` column family, block
//! N with its commit certificate, the validator set that certified it and
//! the genesis document. `yui-node snapshot import` checks the file's
//! checksum, the genesis, that block N's hash is the hash the operator trusts
//! (obtained out of band), that the certificate carries more than two thirds
//! of the power of the set whose hash the header names, and that the records
//! rebuild a state tree whose root is the header's `state_root`. Only then is
//! anything written, in one synced batch; blocks below N stay absent (the
//! store's base height).
//!
//! File format, version 1 (`docs/encoding.md`, "Snapshot files"), all
//! integers little-endian:
//! - magic `YUI-SNAP` (8 bytes), format version (u32);
//! - header length (u32, at most [`HEADER_BYTES_MAX`]) and the header,
//!   borsh [`SnapshotHeader`];
//! - the records in strictly increasing key order, each the byte 1, the key
//!   and the value (each a u32 length and its bytes, i.e. borsh `Vec<u8>`);
//!   then the byte 0 and the number of records (u64);
//! - SHA-256 of every byte before it (32 bytes).
//!
//! Nothing read from a snapshot file can panic the process: lengths are
//! bounded before anything is allocated, and every check fails with its own
//! [`SnapshotError`].

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};
use jmt::{KeyHash, OwnedValue, Version};
use sha2::{Digest, Sha256};
use yui_consensus::CommitCertificate;
use yui_ledger::commitment::{NodePlace, NodeRead, TreeNode, TreeRead};
use yui_ledger::state::keys;
use yui_ledger::{Block, Genesis, Hash, MemState, WriteSet, commitment};

use crate::config::Config;
use crate::storage::{Imported, Store, StoreError};

/// The first bytes of every snapshot file.
pub const MAGIC: [u8; 8] = *b"YUI-SNAP";
/// The format this node writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Largest header (block N with its transactions, certificate, genesis).
pub const HEADER_BYTES_MAX: u32 = 64 << 20;
/// Largest state key.
pub const KEY_BYTES_MAX: u32 = 64 << 10;
/// Largest state value.
pub const VALUE_BYTES_MAX: u32 = 64 << 20;
/// Records between two progress reports.
pub const PROGRESS_EVERY: u64 = 100_000;

const TAG_END: u8 = 0;
const TAG_RECORD: u8 = 1;
const CHECKSUM_BYTES: u64 = 32;
const PREAMBLE_BYTES: u64 = 12;

/// What a snapshot says about its height, before the records.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SnapshotHeader {
    /// N: the height of the block and of the state.
    pub height: u64,
    /// The chain's genesis document (JSON), as the exporting node holds it.
    pub genesis_json: String,
    /// Block N.
    pub block: Block,
    /// Its commit certificate.
    pub certificate: CommitCertificate,
    /// The `V` record of the state after block N − 1 (borsh validator
    /// infos): the set that decided N, whose hash is the header's
    /// `validators_hash`.
    pub validators: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{0}")]
    Home(String),
    #[error(
        "the database {} is in use by another process (a running yui-node?): stop the node first",
        .0.display()
    )]
    Locked(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("nothing to export: {0}")]
    Nothing(String),
    #[error("{} is not a Yui snapshot file (no YUI-SNAP header)", .0.display())]
    NotASnapshot(PathBuf),
    #[error(
        "snapshot format version {0} is not supported: this yui-node reads version {FORMAT_VERSION}"
    )]
    Version(u32),
    #[error(
        "the snapshot file is corrupted: the SHA-256 it carries ({carried}) is not that of its content ({computed})"
    )]
    Checksum { carried: String, computed: String },
    #[error("the snapshot file is malformed: {0}")]
    Malformed(String),
    #[error(
        "the snapshot is of another chain: its genesis hash is {snapshot}, {}'s is {local}",
        home_genesis.display()
    )]
    WrongGenesis {
        snapshot: String,
        local: String,
        home_genesis: PathBuf,
    },
    #[error(
        "block {height} in the snapshot has hash {found}, not the trusted hash {trusted}: refusing it"
    )]
    UntrustedBlock {
        height: u64,
        found: String,
        trusted: String,
    },
    #[error("the snapshot's validator set does not certify block {height}: {reason}")]
    Validators { height: u64, reason: String },
    #[error("the commit certificate of block {height} does not verify: {reason}")]
    Certificate { height: u64, reason: String },
    #[error(
        "the snapshot's state records do not hash to block {height}'s state root (rebuilt {computed}, header {expected}): a record was altered, added or removed"
    )]
    StateRoot {
        height: u64,
        computed: String,
        expected: String,
    },
    #[error(
        "{} already holds blocks up to height {height}: import only into a home freshly made by `yui-node init`",
        home.display()
    )]
    NotEmpty { home: PathBuf, height: u64 },
}

type Result<T> = std::result::Result<T, SnapshotError>;

fn io(path: &Path) -> impl Fn(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What `export` wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub height: u64,
    pub block_hash: Hash,
    pub state_root: Hash,
    pub records: u64,
    pub bytes: u64,
    /// SHA-256 of the whole file, as `sha256sum` shows it.
    pub file_sha256: Hash,
}

/// What `import` made the head.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub height: u64,
    pub block_hash: Hash,
    pub state_root: Hash,
    pub records: u64,
}

/// A node's home as the snapshot commands see it.
struct Home {
    db: PathBuf,
    genesis_path: PathBuf,
}

impl Home {
    fn load(home: &Path) -> Result<Self> {
        let (cfg, base) = Config::load(&home.join("config.toml"))
            .map_err(|e| SnapshotError::Home(e.to_string()))?;
        Ok(Self {
            db: base.join(&cfg.node.data_dir).join("db"),
            genesis_path: base.join(&cfg.node.genesis_file),
        })
    }
}

/// Opens the store, saying so plainly when a running node holds its lock.
fn open_store(db: &Path) -> Result<Store> {
    Store::open(db).map_err(|e| match &e {
        StoreError::Db(d) if d.to_string().to_lowercase().contains("lock") => {
            SnapshotError::Locked(db.to_path_buf())
        }
        _ => e.into(),
    })
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn write_bytes(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(b.len()).map_err(|_| std::io::Error::other("record too large"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(b)
}

/// Writes the state at the node's last committed height to `out`. The node
/// must be stopped: its database is opened, and locked, here.
pub fn export(home: &Path, out: &Path, progress: &mut dyn FnMut(u64)) -> Result<ExportSummary> {
    let h = Home::load(home)?;
    if !h.db.exists() {
        return Err(SnapshotError::Nothing(format!(
            "no database at {}: the node has never started",
            h.db.display()
        )));
    }
    if out.exists() {
        return Err(SnapshotError::Home(format!(
            "{} exists: choose another --out or remove it",
            out.display()
        )));
    }
    let store = open_store(&h.db)?;
    let n = store.last_height()?.unwrap_or(0);
    if n == 0 {
        return Err(SnapshotError::Nothing(
            "the node has committed no block yet".into(),
        ));
    }
    let missing = |what: &str| SnapshotError::Store(StoreError::Invalid(what.to_string()));
    let block = store
        .block(n)?
        .ok_or_else(|| missing(&format!("block {n} is missing from the store")))?;
    let certificate = store
        .certificate(n)?
        .ok_or_else(|| missing(&format!("the certificate of block {n} is missing")))?;
    let genesis_json = store
        .genesis_json()?
        .ok_or_else(|| missing("the store holds no genesis"))?;
    let validators = if n - 1 < store.base_height()? {
        store.base_validators()?
    } else {
        let kh = commitment::key_hash(&keys::validators());
        store
            .tree_value(n - 1, &kh)
            .map_err(|e| missing(&format!("state tree read failed: {e}")))?
    }
    .ok_or_else(|| missing(&format!("no validator set recorded before block {n}")))?;
    let root = commitment::root(&store, n)
        .map_err(|e| missing(&e))?
        .ok_or_else(|| missing(&format!("no state tree at height {n}")))?;
    if root != block.header.state_root {
        return Err(missing(&format!(
            "the stored state tree's root at {n} is not block {n}'s state root"
        )));
    }
    let header = SnapshotHeader {
        height: n,
        genesis_json,
        block,
        certificate,
        validators,
    };

    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = File::create(&partial).map_err(io(&partial))?;
    let mut w = Hashing {
        inner: BufWriter::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let mut records = 0u64;
    let written = (|| -> std::io::Result<()> {
        w.write_all(&MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        write_bytes(&mut w, &borsh::to_vec(&header)?)?;
        for item in store.state_records().map_err(std::io::Error::other)? {
            let (k, v) = item.map_err(std::io::Error::other)?;
            w.write_all(&[TAG_RECORD])?;
            write_bytes(&mut w, &k)?;
            write_bytes(&mut w, &v)?;
            records += 1;
            if records.is_multiple_of(PROGRESS_EVERY) {
                progress(records);
            }
        }
        w.write_all(&[TAG_END])?;
        w.write_all(&records.to_le_bytes())?;
        let checksum: Hash = w.hasher.clone().finalize().into();
        w.write_all(&checksum)?;
        w.flush()?;
        w.inner.get_ref().sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(io(&partial)(e));
    }
    std::fs::rename(&partial, out).map_err(io(out))?;
    Ok(ExportSummary {
        height: n,
        block_hash: header.block.hash(),
        state_root: header.block.header.state_root,
        records,
        bytes: w.bytes,
        file_sha256: w.hasher.finalize().into(),
    })
}

fn read_exact(r: &mut impl Read, buf: &mut [u8], what: &str) -> Result<()> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            SnapshotError::Malformed(format!("the file ends inside {what}"))
        }
        _ => SnapshotError::Malformed(format!("reading {what}: {e}")),
    })
}

fn read_u32(r: &mut impl Read, what: &str) -> Result<u32> {
    let mut b = [0u8; 4];
    read_exact(r, &mut b, what)?;
    Ok(u32::from_le_bytes(b))
}

/// A u32 length and that many bytes, the length checked before allocating.
fn read_bytes(r: &mut impl Read, max: u32, what: &str) -> Result<Vec<u8>> {
    let len = read_u32(r, what)?;
    if len > max {
        return Err(SnapshotError::Malformed(format!(
            "{what} of {len} bytes exceeds the limit of {max}"
        )));
    }
    let mut v = vec![0u8; len as usize];
    read_exact(r, &mut v, what)?;
    Ok(v)
}

/// Checks the magic, the version and the trailing SHA-256; returns the
/// length of what the checksum covers.
fn check_file(path: &Path) -> Result<u64> {
    let mut f = File::open(path).map_err(io(path))?;
    let len = f.metadata().map_err(io(path))?.len();
    let mut pre = [0u8; PREAMBLE_BYTES as usize];
    if len < PREAMBLE_BYTES || f.read_exact(&mut pre).is_err() || pre[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot(path.to_path_buf()));
    }
    let version = u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]]);
    if version != FORMAT_VERSION {
        return Err(SnapshotError::Version(version));
    }
    if len < PREAMBLE_BYTES + CHECKSUM_BYTES {
        return Err(SnapshotError::Malformed("the file is truncated".into()));
    }
    let covered = len - CHECKSUM_BYTES;
    let mut hasher = Sha256::new();
    hasher.update(pre);
    let mut r = BufReader::with_capacity(1 << 20, (&mut f).take(covered - PREAMBLE_BYTES));
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let k = r.read(&mut buf).map_err(io(path))?;
        if k == 0 {
            break;
        }
        hasher.update(&buf[..k]);
    }
    let mut carried = [0u8; 32];
    f.read_exact(&mut carried).map_err(io(path))?;
    let computed: Hash = hasher.finalize().into();
    if computed != carried {
        return Err(SnapshotError::Checksum {
            carried: hex::encode(carried),
            computed: hex::encode(computed),
        });
    }
    Ok(covered)
}

/// The validator set and checks that make block N trusted.
fn verify_header(
    header: &SnapshotHeader,
    local: &Genesis,
    genesis_path: &Path,
    trust_hash: &Hash,
) -> Result<()> {
    let block = &header.block;
    let n = block.header.height;
    if header.height != n || n == 0 {
        return Err(SnapshotError::Malformed(format!(
            "the header says height {}, its block is of height {n}",
            header.height
        )));
    }
    let g = Genesis::from_json(&header.genesis_json)
        .map_err(|e| SnapshotError::Malformed(format!("its genesis: {e}")))?;
    if g.hash() != local.hash() {
        return Err(SnapshotError::WrongGenesis {
            snapshot: hex::encode(g.hash()),
            local: hex::encode(local.hash()),
            home_genesis: genesis_path.to_path_buf(),
        });
    }
    if block.hash() != *trust_hash {
        return Err(SnapshotError::UntrustedBlock {
            height: n,
            found: hex::encode(block.hash()),
            trusted: hex::encode(trust_hash),
        });
    }
    if block.header.chain_id != local.chain_id || !block.tx_root_matches() {
        return Err(SnapshotError::Malformed(format!(
            "block {n}'s chain id or transaction root is wrong"
        )));
    }
    let mut mem = MemState::default();
    mem.insert(keys::validators(), header.validators.clone());
    let v = crate::chain::validators_in(&mem).map_err(|e| SnapshotError::Validators {
        height: n,
        reason: e.to_string(),
    })?;
    if v.hash != block.header.validators_hash {
        return Err(SnapshotError::Validators {
            height: n,
            reason: format!(
                "its hash is {}, the header's validators_hash is {}",
                hex::encode(v.hash),
                hex::encode(block.header.validators_hash)
            ),
        });
    }
    let cert = &header.certificate;
    let named = if cert.height != n || cert.block_hash != block.hash() {
        Err(format!(
            "it names height {} and block {}",
            cert.height,
            hex::encode(cert.block_hash)
        ))
    } else {
        cert.verify(&local.chain_id, &v.set)
            .map_err(|e| e.to_string())
    };
    named.map_err(|reason| SnapshotError::Certificate { height: n, reason })
}

/// Reads the records, in strictly increasing key order, and the end mark.
fn read_records(r: &mut impl Read, progress: &mut dyn FnMut(u64)) -> Result<WriteSet> {
    let mut out = WriteSet::new();
    let mut n = 0u64;
    loop {
        let mut tag = [0u8; 1];
        read_exact(r, &mut tag, "the records")?;
        match tag[0] {
            TAG_END => {
                let mut c = [0u8; 8];
                read_exact(r, &mut c, "the record count")?;
                let count = u64::from_le_bytes(c);
                if count != n {
                    return Err(SnapshotError::Malformed(format!(
                        "it announces {count} records and holds {n}"
                    )));
                }
                return Ok(out);
            }
            TAG_RECORD => {
                let key = read_bytes(r, KEY_BYTES_MAX, "a state key")?;
                if key.is_empty() || out.last_key_value().is_some_and(|(k, _)| *k >= key) {
                    return Err(SnapshotError::Malformed(format!(
                        "record {n} is empty or out of key order"
                    )));
                }
                let value = read_bytes(r, VALUE_BYTES_MAX, "a state value")?;
                out.insert(key, Some(value));
                n += 1;
                if n.is_multiple_of(PROGRESS_EVERY) {
                    progress(n);
                }
            }
            t => {
                return Err(SnapshotError::Malformed(format!(
                    "unknown entry tag {t} after record {n}"
                )));
            }
        }
    }
}

/// A tree reader for building a whole tree at one version: the tree before
/// it is empty.
struct EmptyBefore(Version);

impl NodeRead for EmptyBefore {
    fn node(
        &self,
        at: &NodePlace,
    ) -> std::result::Result<Option<std::sync::Arc<TreeNode>>, String> {
        let root = *at == NodePlace::root(self.0);
        Ok(root.then(|| std::sync::Arc::new(TreeNode::Null)))
    }
}

impl TreeRead for EmptyBefore {
    fn value(&self, _: Version, _: &KeyHash) -> std::result::Result<Option<OwnedValue>, String> {
        Ok(None)
    }
}

/// Verifies a snapshot file and makes it the head of the node in `home`,
/// which must hold no block. Nothing is written unless every check passes.
pub fn import(
    home: &Path,
    file: &Path,
    trust_hash: &Hash,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary> {
    let h = Home::load(home)?;
    let genesis_json = std::fs::read_to_string(&h.genesis_path).map_err(io(&h.genesis_path))?;
    let local = Genesis::from_json(&genesis_json)
        .map_err(|e| SnapshotError::Home(format!("genesis {}: {e}", h.genesis_path.display())))?;
    // A home that holds blocks is refused before the file is read.
    let existing = if h.db.exists() {
        let store = open_store(&h.db)?;
        if let Some(last) = store.last_height()?.filter(|l| *l > 0) {
            return Err(SnapshotError::NotEmpty {
                home: home.to_path_buf(),
                height: last,
            });
        }
        Some(store)
    } else {
        None
    };
    let covered = check_file(file)?;
    let f = File::open(file).map_err(io(file))?;
    let mut r = BufReader::with_capacity(1 << 20, f.take(covered));
    let mut pre = [0u8; PREAMBLE_BYTES as usize];
    read_exact(&mut r, &mut pre, "the preamble")?;
    let header_bytes = read_bytes(&mut r, HEADER_BYTES_MAX, "the header")?;
    let header: SnapshotHeader = borsh::from_slice(&header_bytes)
        .map_err(|e| SnapshotError::Malformed(format!("its header: {e}")))?;
    drop(header_bytes);
    verify_header(&header, &local, &h.genesis_path, trust_hash)?;
    let n = header.height;
    let records = read_records(&mut r, progress)?;
    let mut rest = [0u8; 1];
    if r.read(&mut rest).map_err(io(file))? != 0 {
        return Err(SnapshotError::Malformed(
            "bytes follow the record count".into(),
        ));
    }
    let (root, tree) =
        commitment::update(&EmptyBefore(n - 1), &records, n).map_err(SnapshotError::Malformed)?;
    let expected = header.block.header.state_root;
    if root != expected {
        return Err(SnapshotError::StateRoot {
            height: n,
            computed: hex::encode(root),
            expected: hex::encode(expected),
        });
    }
    let store = match existing {
        Some(s) => s,
        None => open_store(&h.db)?,
    };
    store.import_snapshot(&Imported {
        genesis_json: &genesis_json,
        block: &header.block,
        certificate: &header.certificate,
        records: &records,
        tree: &tree,
        validators_record: &header.validators,
    })?;
    Ok(ImportSummary {
        height: n,
        block_hash: header.block.hash(),
        state_root: expected,
        records: records.len() as u64,
    })
}

/// The NOT_FOUND message for a block this store does not hold.
pub fn absent_block(store: &Store, height: u64, head: u64) -> String {
    match store.base_height() {
        Ok(base) if height < base => format!(
            "no block at height {height}: this node started from a snapshot of height {base} \
             and holds no earlier block; ask a node that keeps the whole chain"
        ),
        _ => format!("no block at height {height}; the latest is {head}"),
    }
}

/// `yui-node snapshot …`
#[derive(Debug, clap::Subcommand)]
pub enum SnapshotCmd {
    /// Write the state at the node's last committed height, with that block,
    /// its certificate and the genesis, to a file. The node must be stopped.
    Export {
        /// The node's folder.
        #[arg(long)]
        home: PathBuf,
        /// The snapshot file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a snapshot and make it the head of a freshly initialised home,
    /// which then syncs the following blocks from its peers.
    Import {
        /// The new node's folder (`yui-node init`, never started with blocks).
        #[arg(long)]
        home: PathBuf,
        /// The snapshot file.
        #[arg(long)]
        file: PathBuf,
        /// The hash (hex) of the snapshot's block, learned from an operator
        /// you trust, e.g. from `yui --node … block <height>`.
        #[arg(long)]
        trust_hash: String,
    },
}

/// Runs a snapshot command, reporting on stdout (progress on stderr).
pub fn run(cmd: SnapshotCmd) -> anyhow::Result<()> {
    let mut progress = |n: u64| eprintln!("… {n} records");
    match cmd {
        SnapshotCmd::Export { home, out } => {
            let s = export(&home, &out, &mut progress)?;
            println!("snapshot written to {}", out.display());
            println!("height: {}", s.height);
            println!("block_hash: {}", hex::encode(s.block_hash));
            println!("state_root: {}", hex::encode(s.state_root));
            println!("records: {}", s.records);
            println!("bytes: {}", s.bytes);
            println!("file_sha256: {}", hex::encode(s.file_sha256));
        }
        SnapshotCmd::Import {
            home,
            file,
            trust_hash,
        } => {
            let trust: Hash = hex::decode(trust_hash.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| anyhow::anyhow!("--trust-hash must be 64 hex characters"))?;
            let s = import(&home, &file, &trust, &mut progress)?;
            println!("snapshot verified and imported into {}", home.display());
            println!("height: {}", s.height);
            println!("block_hash: {}", hex::encode(s.block_hash));
            println!("state_root: {}", hex::encode(s.state_root));
            println!("records: {}", s.records);
            println!(
                "start it with: yui-node start --home {} (it syncs from height {} on; \
                 it holds no block below {})",
                home.display(),
                s.height + 1,
                s.height
            );
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
