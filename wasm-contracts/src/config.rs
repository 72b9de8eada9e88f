//! The one wasmi configuration every validation and every call uses.

use wasmi::{CompilationMode, Config, EnforcedLimits, StoreLimits, StoreLimitsBuilder};

use crate::limits;

/// The version of the execution rules: wasmi `=2.0.0` with
/// [`engine_config`], [`store_limits`], the host ABI and the limits of this
/// crate. The ledger records it with each deployed contract; anything that
/// could change a call's result or fuel gets a new version (a consensus
/// change), together with [`FUEL_TABLE_VERSION`](crate::FUEL_TABLE_VERSION)
/// for fuel costs.
pub const ENGINE_VERSION: u32 = 1;

/// The wasmi configuration of engine version 1.
///
/// - Fuel metering on, with wasmi's default per-operator costs (about one
///   unit per instruction) and its default per-byte costs for bulk memory
///   operations: a call's cost is counted, not timed.
/// - Eager compilation ([`CompilationMode::Eager`]): a module is validated
///   and translated in full when it is compiled, and translation is never
///   charged to a call. Under the default lazy translation the first call of
///   a function pays for translating it, so fuel would depend on what the
///   node's cache happened to hold.
/// - Floats off: a module with `f32`/`f64` types or instructions does not
///   validate (NaN payloads and rounding are where interpreters disagree).
///   The `deterministic` crate feature canonicalises NaNs as a second line.
/// - Only proposals `wasm32v1-none` code and simple toolchains use: MVP,
///   mutable globals, sign extension, multi-value and bulk memory. Reference
///   types (growable tables), tail calls, extended constants, multi-memory,
///   memory64, custom page sizes, wide arithmetic and SIMD are off.
/// - No start function: nothing runs at instantiation.
/// - wasmi's strict enforced limits ([`EnforcedLimits::strict`]): at most
///   one memory, 10,000 functions, 1,000 globals and data segments, 32
///   parameters and results, and a floor on average function size that
///   defeats modules built to be slow to compile.
/// - At most [`CALL_DEPTH_MAX`](limits::CALL_DEPTH_MAX) nested calls and a
///   value stack of [`VALUE_STACK_UNITS_MAX`](limits::VALUE_STACK_UNITS_MAX);
///   deeper is a `StackOverflow` trap. wasmi keeps its call stack on the
///   heap, so a contract's recursion never touches the node's own stack.
pub fn engine_config() -> Config {
    let mut config = Config::default();
    config
        .consume_fuel(true)
        .compilation_mode(CompilationMode::Eager)
        .floats(false)
        .allow_start_fn(false)
        .enforced_limits(EnforcedLimits::strict())
        .set_max_recursion_depth(limits::CALL_DEPTH_MAX)
        .set_max_stack_height(limits::VALUE_STACK_UNITS_MAX)
        .wasm_mutable_global(true)
        .wasm_sign_extension(true)
        .wasm_multi_value(true)
        .wasm_bulk_memory(true)
        .wasm_saturating_float_to_int(false)
        .wasm_reference_types(false)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .ignore_custom_sections(true);
    config
}

/// The same configuration with floats and start functions allowed, used
/// only to tell *why* a module failed under [`engine_config`].
pub(crate) fn permissive_config() -> Config {
    let mut config = engine_config();
    config.floats(true).allow_start_fn(true);
    config
}

/// The configuration with floats still off but start functions allowed.
pub(crate) fn start_allowed_config() -> Config {
    let mut config = engine_config();
    config.allow_start_fn(true);
    config
}

/// The per-instance resource limits of engine version 1.
///
/// At most one instance, one memory of [`MEMORY_BYTES_MAX`](limits::MEMORY_BYTES_MAX)
/// and one table of [`TABLE_ELEMENTS_MAX`](limits::TABLE_ELEMENTS_MAX).
/// A `memory.grow` past the limit *traps* (`trap_on_grow_failure`) and the
/// call fails with [`CallFailure::MemoryLimit`](crate::CallFailure::MemoryLimit)
/// rather than returning -1: a contract that asks for more memory than it
/// may have is broken, and a trap names the cause in the receipt instead
/// of leaving it to the contract's allocator.
pub fn store_limits() -> StoreLimits {
    StoreLimitsBuilder::new()
        .memory_size(limits::MEMORY_BYTES_MAX)
        .table_elements(limits::TABLE_ELEMENTS_MAX)
        .instances(1)
        .memories(1)
        .tables(1)
        .trap_on_grow_failure(true)
        .build()
}
