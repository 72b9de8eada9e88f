//! Every bound a contract runs under, each a named constant with its unit last.
//!
//! These numbers are part of consensus: a call that one validator runs to the
//! end and another stops must not exist. Changing any of them changes which
//! calls succeed, so it is done only together with a new
//! [`ENGINE_VERSION`](crate::ENGINE_VERSION) (see `docs/adr/0005-contracts-wasmi.md`).

/// Largest WebAssembly module governance may deploy.
pub const CODE_BYTES_MAX: usize = 512 * 1024;

/// Size of one WebAssembly memory page.
pub const MEMORY_PAGE_BYTES: usize = 64 * 1024;

/// Largest linear memory of one instance, in pages (2 MiB).
pub const MEMORY_PAGES_MAX: u64 = 32;

/// Largest linear memory of one instance, in bytes.
pub const MEMORY_BYTES_MAX: usize = 2 * 1024 * 1024;

/// Largest function table of one instance, in elements.
pub const TABLE_ELEMENTS_MAX: usize = 4_096;

/// Deepest chain of nested WebAssembly calls; one more is `StackOverflow`.
pub const CALL_DEPTH_MAX: usize = 1_024;

/// Largest value stack of one call, in wasmi's stack units (its own default).
pub const VALUE_STACK_UNITS_MAX: usize = 1_000_000;

/// Most exported functions (methods) one contract may have.
pub const METHODS_MAX: usize = 64;

/// Longest method name, in bytes.
pub const METHOD_NAME_LEN_MAX: usize = 64;

/// Longest import or export name kept in a [`CodeError`](crate::CodeError), in bytes.
pub const NAME_IN_ERROR_BYTES_MAX: usize = 64;

/// Largest call input, in bytes.
pub const INPUT_BYTES_MAX: usize = 16 * 1024;

/// Largest call output, in bytes.
pub const OUTPUT_BYTES_MAX: usize = 16 * 1024;

/// Longest storage key, in bytes.
pub const STORAGE_KEY_BYTES_MAX: usize = 128;

/// Largest storage value, in bytes.
pub const STORAGE_VALUE_BYTES_MAX: usize = 16 * 1024;

/// Most storage writes and removals in one call.
pub const STORAGE_WRITES_PER_CALL_MAX: u32 = 64;

/// Most events one call may emit.
pub const EVENTS_PER_CALL_MAX: usize = 16;

/// Longest event topic, in bytes.
pub const EVENT_TOPIC_BYTES_MAX: usize = 32;

/// Largest event data, in bytes.
pub const EVENT_BYTES_MAX: usize = 1_024;

/// Most transfers and grants in one call.
pub const VALUE_MOVES_PER_CALL_MAX: u32 = 16;

/// Longest asset name passed to `balance`, `transfer` or `grant`, in bytes
/// (the ledger's own identifier limit).
pub const ASSET_NAME_BYTES_MAX: usize = 64;

/// Longest credential kind passed to `has_credential`, in bytes.
pub const CREDENTIAL_KIND_BYTES_MAX: usize = 64;

/// Largest description of attached value a host may hand over, in bytes.
pub const ATTACHED_BYTES_MAX: usize = 4 * 1024;

/// Most fuel one call may burn, whatever limit the caller asks for.
pub const FUEL_PER_CALL_MAX: u64 = 10_000_000;

/// Most compiled modules a [`Runtime`](crate::Runtime) keeps.
pub const MODULE_CACHE_ENTRIES_MAX: usize = 64;

/// Code bytes compiled into one wasmi engine before the runtime starts a
/// fresh engine: wasmi's code map only grows, so a long-lived node would
/// otherwise keep every module it ever compiled.
pub const ENGINE_RECYCLE_CODE_BYTES: usize = 16 * 1024 * 1024;

/// Modules compiled into one wasmi engine before the runtime starts a fresh
/// one, however small they are: what an engine keeps per compiled module
/// (translated functions, deduplicated function types) is not in
/// proportion to the code's bytes, and fuzzing grew a runtime past 2 GB on
/// small modules while the byte bound alone was never reached
/// (`fuzz/README.md`, finding 3).
pub const ENGINE_RECYCLE_MODULES: usize = 1_024;
