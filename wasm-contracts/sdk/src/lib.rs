//! Safe wrappers over Yui's contract host functions.
//!
//! A Yui contract is a `no_std` `cdylib` built for `wasm32v1-none`; each
//! `#[unsafe(no_mangle)] pub extern "C" fn name()` is a method. The host
//! functions are imported from module `"yui"` (their ABI is in the
//! `yui-wasm-contracts` crate docs and ADR 0005); this crate wraps each in a
//! safe function over slices and arrays, so contract code needs no `unsafe`.
//!
//! There is no allocator: inputs and values are read into buffers the
//! contract provides (on its 64 KiB stack), which keeps contracts small and
//! their fuel use predictable. [`codec`] reads and writes the few borsh
//! shapes contracts exchange without `alloc`.
//!
//! The crate also provides the panic handler: a panic executes `unreachable`,
//! and the call fails with `Trap(Unreachable)`. Contracts report expected
//! failures with [`abort`] and their own documented codes instead.
#![no_std]

pub mod codec;
pub mod refusal;

/// A 32-byte account address.
pub type Account = [u8; 32];

/// The caller a contract sees when governance calls it (`init` at
/// deployment, `migrate` at an upgrade, or any other method): the all-zero
/// address, for which no key can sign. A method only governance may call
/// checks `caller() == GOVERNANCE`.
pub const GOVERNANCE: Account = [0; 32];

/// The raw host imports. Every pointer passed must be valid for the length
/// given (or 32 bytes for accounts); the host checks bounds again and traps
/// rather than touch memory outside the instance.
mod sys {
    #[link(wasm_import_module = "yui")]
    unsafe extern "C" {
        pub fn input_len() -> i32;
        pub fn input_read(ptr: *mut u8);
        pub fn output(ptr: *const u8, len: i32);
        pub fn caller(ptr: *mut u8);
        pub fn contract_account(ptr: *mut u8);
        pub fn block_height() -> i64;
        pub fn block_time_ms() -> i64;
        pub fn storage_read(
            key_ptr: *const u8,
            key_len: i32,
            val_ptr: *mut u8,
            val_cap: i32,
        ) -> i32;
        pub fn storage_write(key_ptr: *const u8, key_len: i32, val_ptr: *const u8, val_len: i32);
        pub fn storage_remove(key_ptr: *const u8, key_len: i32);
        pub fn emit(topic_ptr: *const u8, topic_len: i32, data_ptr: *const u8, data_len: i32);
        pub fn has_credential(account_ptr: *const u8, kind_ptr: *const u8, kind_len: i32) -> i32;
        pub fn balance(account_ptr: *const u8, asset_ptr: *const u8, asset_len: i32) -> i64;
        pub fn transfer(
            to_ptr: *const u8,
            asset_ptr: *const u8,
            asset_len: i32,
            amount: i64,
        ) -> i32;
        pub fn grant(to_ptr: *const u8, asset_ptr: *const u8, asset_len: i32, amount: i64) -> i32;
        pub fn attached_len() -> i32;
        pub fn attached_read(ptr: *mut u8);
        pub fn abort(code: i32);
        pub fn contract_id_len() -> i32;
        pub fn contract_id_read(ptr: *mut u8);
    }
}

/// A slice length as the ABI's `i32`. Slices in a wasm32 contract are far
/// below 2 GiB; a larger one saturates and the host refuses it.
fn len(bytes: &[u8]) -> i32 {
    i32::try_from(bytes.len()).unwrap_or(i32::MAX)
}

/// Ends the call with `Aborted { code }`: nothing it wrote is kept.
pub fn abort(code: u32) -> ! {
    // SAFETY: `abort` takes no pointer; the host ends the call with a trap.
    unsafe { sys::abort(code.cast_signed()) };
    halt()
}

/// Stops execution; reached only if the host returned from `abort`.
fn halt() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    loop {}
}

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Reads the call input into `buf`; `None` if it does not fit.
pub fn input(buf: &mut [u8]) -> Option<&[u8]> {
    // SAFETY: no pointer is passed.
    let n = usize::try_from(unsafe { sys::input_len() }).ok()?;
    let dest = buf.get_mut(..n)?;
    // SAFETY: `dest` is writable for exactly `n` bytes, the input's length.
    unsafe { sys::input_read(dest.as_mut_ptr()) };
    Some(dest)
}

/// Sets the call's output (the last call wins).
pub fn output(bytes: &[u8]) {
    // SAFETY: `bytes` is readable for its length.
    unsafe { sys::output(bytes.as_ptr(), len(bytes)) }
}

/// The account that signed the transaction or asked the query.
pub fn caller() -> Account {
    let mut account = [0; 32];
    // SAFETY: `account` is writable for the 32 bytes the host writes.
    unsafe { sys::caller(account.as_mut_ptr()) };
    account
}

/// The contract's own account.
pub fn contract_account() -> Account {
    let mut account = [0; 32];
    // SAFETY: `account` is writable for the 32 bytes the host writes.
    unsafe { sys::contract_account(account.as_mut_ptr()) };
    account
}

/// The contract's id, as governance named it, copied into `buf` (ids are
/// at most 64 bytes, the ledger's limit); returns the part of `buf` it fills.
pub fn contract_id(buf: &mut [u8; 64]) -> &[u8] {
    // SAFETY: no pointer is passed.
    let n = unsafe { sys::contract_id_len() }.max(0) as usize;
    let n = n.min(buf.len());
    // SAFETY: the host writes the id, at most 64 bytes (the ledger's limit
    // on identifiers), and `buf` holds 64.
    unsafe { sys::contract_id_read(buf.as_mut_ptr()) };
    &buf[..n]
}

/// Height of the block being executed.
pub fn block_height() -> u64 {
    // SAFETY: no pointer is passed.
    unsafe { sys::block_height() }.cast_unsigned()
}

/// Time of the block being executed, from its header, in milliseconds.
pub fn block_time_ms() -> u64 {
    // SAFETY: no pointer is passed.
    unsafe { sys::block_time_ms() }.cast_unsigned()
}

/// Reads `key` into `buf`: `None` if absent, else the value's full length
/// (only `min(length, buf.len())` bytes are copied).
pub fn storage_read(key: &[u8], buf: &mut [u8]) -> Option<usize> {
    // SAFETY: `key` is readable and `buf` writable for their lengths; the
    // host copies at most `buf.len()` bytes.
    let n = unsafe { sys::storage_read(key.as_ptr(), len(key), buf.as_mut_ptr(), len(buf)) };
    usize::try_from(n).ok()
}

/// Reads `key` into `buf`, returning exactly the value; `None` if absent or
/// larger than `buf`.
pub fn storage_get<'b>(key: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let n = storage_read(key, buf)?;
    buf.get(..n)
}

/// Whether `key` is present (copies nothing).
pub fn storage_has(key: &[u8]) -> bool {
    storage_read(key, &mut []).is_some()
}

/// Sets `key` to `value` in the contract's storage.
pub fn storage_write(key: &[u8], value: &[u8]) {
    // SAFETY: `key` and `value` are readable for their lengths.
    unsafe { sys::storage_write(key.as_ptr(), len(key), value.as_ptr(), len(value)) }
}

/// Removes `key` from the contract's storage.
pub fn storage_remove(key: &[u8]) {
    // SAFETY: `key` is readable for its length.
    unsafe { sys::storage_remove(key.as_ptr(), len(key)) }
}

/// Emits an event, kept only if the call succeeds.
pub fn emit(topic: &[u8], data: &[u8]) {
    // SAFETY: `topic` and `data` are readable for their lengths.
    unsafe { sys::emit(topic.as_ptr(), len(topic), data.as_ptr(), len(data)) }
}

/// Whether `account` holds a valid credential of `kind`.
pub fn has_credential(account: &Account, kind: &str) -> bool {
    let kind = kind.as_bytes();
    // SAFETY: `account` is readable for 32 bytes and `kind` for its length.
    unsafe { sys::has_credential(account.as_ptr(), kind.as_ptr(), len(kind)) == 1 }
}

/// `account`'s spendable balance of `asset`.
pub fn balance(account: &Account, asset: &str) -> u64 {
    let asset = asset.as_bytes();
    // SAFETY: `account` is readable for 32 bytes and `asset` for its length.
    unsafe { sys::balance(account.as_ptr(), asset.as_ptr(), len(asset)) }.cast_unsigned()
}

/// A host result: 0 is success, anything else a [`refusal`] code.
fn refusal_code(code: i32) -> Result<(), u32> {
    match code {
        0 => Ok(()),
        other => Err(other.cast_unsigned()),
    }
}

/// Pays `amount` of `asset` from the contract's own account to `to`; on
/// refusal, the ledger's [`refusal`] code.
pub fn transfer(to: &Account, asset: &str, amount: u64) -> Result<(), u32> {
    let asset = asset.as_bytes();
    let amount = amount.cast_signed();
    // SAFETY: `to` is readable for 32 bytes and `asset` for its length.
    refusal_code(unsafe { sys::transfer(to.as_ptr(), asset.as_ptr(), len(asset), amount) })
}

/// Mints `amount` of `asset` to `to` from the budget governance allotted the
/// contract; on refusal, the ledger's [`refusal`] code.
pub fn grant(to: &Account, asset: &str, amount: u64) -> Result<(), u32> {
    let asset = asset.as_bytes();
    let amount = amount.cast_signed();
    // SAFETY: `to` is readable for 32 bytes and `asset` for its length.
    refusal_code(unsafe { sys::grant(to.as_ptr(), asset.as_ptr(), len(asset), amount) })
}

/// Reads the value attached to the call (borsh `Vec<(String, u64)>`, read
/// with [`codec::Attachments`]) into `buf`; `None` if it does not fit. The
/// ledger moved the value into the contract's account before the call, and
/// takes the move back if the call fails.
pub fn attached(buf: &mut [u8]) -> Option<&[u8]> {
    // SAFETY: no pointer is passed.
    let n = usize::try_from(unsafe { sys::attached_len() }).ok()?;
    let dest = buf.get_mut(..n)?;
    // SAFETY: `dest` is writable for exactly `n` bytes, the attached length.
    unsafe { sys::attached_read(dest.as_mut_ptr()) };
    Some(dest)
}
