//! What host functions cost, in the same fuel wasmi burns for instructions.
//!
//! wasmi charges about one unit per executed instruction (its default
//! operator costs, pinned with its version). Host functions do work the
//! interpreter cannot see — a state read, a write that every validator
//! stores, bytes copied across the boundary — so each one charges a base
//! cost plus a cost per byte from the caller's fuel, before it does the work.
//! Running out inside a host function is [`OutOfFuel`](crate::CallFailure::OutOfFuel)
//! exactly as in WebAssembly code.
//!
//! The table is consensus: a new table gets a new [`FUEL_TABLE_VERSION`].

/// The version of [`FUEL_TABLE`]; recorded with each deployed contract.
pub const FUEL_TABLE_VERSION: u32 = 1;

/// Fuel costs of entering a contract and of each host function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuelTable {
    /// Charged once per call before the instance is created.
    pub call_base: u64,
    /// Charged by every host function.
    pub host_call_base: u64,
    /// Per byte copied between the contract's memory and the host (input,
    /// output, keys, values, names, attached value).
    pub copy_byte: u64,
    /// Extra for `storage_read`.
    pub storage_read_base: u64,
    /// Per byte of the stored value read (its full length, even when the
    /// contract's buffer takes less).
    pub storage_read_byte: u64,
    /// Extra for `storage_write`.
    pub storage_write_base: u64,
    /// Per byte of key and value written: every validator stores them.
    pub storage_write_byte: u64,
    /// Extra for `storage_remove`.
    pub storage_remove_base: u64,
    /// Extra for `emit`.
    pub emit_base: u64,
    /// Per byte of topic and data emitted: they go into the receipt.
    pub emit_byte: u64,
    /// Extra for `has_credential`.
    pub credential_base: u64,
    /// Extra for `balance`.
    pub balance_base: u64,
    /// Extra for `transfer`.
    pub transfer_base: u64,
    /// Extra for `grant`.
    pub grant_base: u64,
}

/// Version 1 of the fuel table.
pub const FUEL_TABLE: FuelTable = FuelTable {
    call_base: 10_000,
    host_call_base: 50,
    copy_byte: 1,
    storage_read_base: 1_000,
    storage_read_byte: 1,
    storage_write_base: 5_000,
    storage_write_byte: 10,
    storage_remove_base: 2_000,
    emit_base: 1_000,
    emit_byte: 5,
    credential_base: 1_000,
    balance_base: 1_000,
    transfer_base: 5_000,
    grant_base: 5_000,
};

/// `base + bytes × per_byte`, saturating: a saturated cost is simply more
/// than any call can pay.
pub(crate) fn cost(base: u64, bytes: usize, per_byte: u64) -> u64 {
    let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
    base.saturating_add(bytes.saturating_mul(per_byte))
}
