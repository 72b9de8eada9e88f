//! RocksDB's options for the store: the block cache, the memtables and
//! write-ahead log, and each column family's table options.

use rocksdb::Options;

use super::cf;

/// The default block cache (`[storage] block_cache_mib`): at 64 MiB a
/// 30-minute soak at 500 payments/s read the growing state tree back from
/// the file system and fell behind; at 256 MiB it kept up (BENCHMARKS.md).
pub const BLOCK_CACHE_BYTES: usize = 256 * 1024 * 1024;

/// The memtables of all column families together: past it RocksDB flushes
/// one. Without a total, each column family may hold two memtables of 64
/// MiB, and a node's memory kept rising for half an hour under a steady 500
/// payments/s as the quieter families' memtables slowly filled
/// (BENCHMARKS.md, the soak). The families' own sizes
/// (`memtable_bytes`) add up to less, so this is a bound that is
/// rarely reached: when it is, RocksDB flushes the family with the oldest
/// memtable, and again until under it, which under the total alone meant
/// every family flushed together, the small ones into files of a few
/// kilobytes (docs/bench/journal/3-2026-12-05-afternoon-to-late.md, "Why the rate falls").
pub const MEMTABLES_BYTES: usize = 168 * 1024 * 1024;

/// The write-ahead log kept before the families whose memtables hold its
/// oldest writes are flushed (the quiet ones, such as `metadata`, would
/// otherwise hold it forever).
pub const WAL_BYTES: u64 = 256 * 1024 * 1024;

/// A family's memtable: the state tree's nodes come at each write of the
/// tree (every `storage.tree_interval` heights), the most any family takes
/// at once (about 1 KB a payment since the last write); the families
/// written once per payment take a few hundred bytes each; the rest a few
/// bytes a block.
pub(super) fn memtable_bytes(name: &str) -> usize {
    let mib = match name {
        cf::TREE_NODES => 64,
        cf::STATE | cf::JMT_VALUES | cf::TX_INDEX | cf::RECEIPTS | cf::BLOCKS | cf::TREE_REDO => 8,
        _ => 4,
    };
    mib << 20
}

/// The size of an index or filter partition (RocksDB's
/// `metadata_block_size`): a block the cache keeps like any data block.
/// Every filter check first searches the top-level index of the file's
/// partitions; at 4 KiB that search was over half of the check in the
/// store bench's late blocks, at 32 KiB it takes 0.6 of what it took
/// (docs/bench/journal/5-2026-12-06-day-to-12-07-later.md, "Fewer walks for absent keys"). Still a small fraction
/// of a cache shard (1 MiB for a 64 MiB cache).
const METADATA_BLOCK_BYTES: usize = 32 * 1024;

/// The share of a memtable's bytes given to its bloom filter: 168 KiB for
/// an 8 MiB memtable of about 60,000 state records, some 20 bits each.
const MEMTABLE_BLOOM_RATIO: f64 = 0.02;

/// The families whose keys arrive in no order: state keys (each payment's
/// invoice), key hashes, transaction hashes, accounts.
const RANDOM_KEYED: [&str; 4] = [cf::STATE, cf::JMT_VALUES, cf::TX_INDEX, cf::ACCOUNT_INDEX];

/// A column family's options. Point reads (state records, tree nodes, the
/// transaction index, blocks by height) check a bloom filter first, so a
/// key that is absent — a new account, a fresh invoice — costs no disk
/// read; filters and indexes stay in the shared block cache.
///
/// Filters and indexes are partitioned into blocks of [`METADATA_BLOCK_BYTES`]
/// under a small top-level index, pinned in the cache. A whole-file filter
/// grows with the file's keys (10 bits each), and the block cache is split
/// into shards (64 of 4 MiB for 256 MiB) that cannot keep a block larger
/// than themselves: once the `state` family's one bottom file passed about
/// 3.4 million keys (a town's 3.4 millionth invoice), every read that missed
/// the state cache fetched and checksummed that file's 4 MiB filter from
/// the file system, and the devnet fell from about 2,000 to about 300
/// payments/s (docs/bench/journal/5-2026-12-06-day-to-12-07-later.md, "The filter that outgrew the cache").
pub(super) fn cf_options(name: &str, cache: &rocksdb::Cache) -> Options {
    let mut t = rocksdb::BlockBasedOptions::default();
    t.set_block_cache(cache);
    t.set_cache_index_and_filter_blocks(true);
    t.set_pin_l0_filter_and_index_blocks_in_cache(true);
    t.set_index_type(rocksdb::BlockBasedIndexType::TwoLevelIndexSearch);
    t.set_partition_filters(true);
    t.set_metadata_block_size(METADATA_BLOCK_BYTES);
    t.set_pin_top_level_index_and_filter(true);
    // The tree's values are read by seeking to the newest version at or
    // below a height, which whole-key filters cannot answer.
    let point_read = name != cf::JMT_VALUES && name != cf::JMT_STALE;
    if point_read {
        t.set_bloom_filter(10.0, false);
    }
    let mut o = Options::default();
    o.set_block_based_table_factory(&t);
    // The memtables too: a read of an absent key (each payment's invoice,
    // checked for "already paid?" on every node) otherwise walks each
    // memtable's skip list, whose nodes are mostly cold (docs/bench/journal/5-2026-12-06-day-to-12-07-later.md,
    // "Fewer walks for absent keys").
    if point_read {
        o.set_memtable_whole_key_filtering(true);
        o.set_memtable_prefix_bloom_ratio(MEMTABLE_BLOOM_RATIO);
    }
    o.set_write_buffer_size(memtable_bytes(name));
    o.set_level_compaction_dynamic_level_bytes(true);
    // Keyed at random, these families' level-0 files each overlap all of
    // level 1, so every level-0 compaction rewrites level 1 whole: waiting
    // for 8 files instead of 4 halves that rewriting, for a few more files
    // to look in on a read (behind bloom filters, but for `jmt_values`).
    // The store bench's last blocks cost 6 % less (docs/bench/journal/3-2026-12-05-afternoon-to-late.md,
    // "The state tree written every 16 heights").
    if RANDOM_KEYED.contains(&name) {
        o.set_level_zero_file_num_compaction_trigger(8);
    }
    o
}
