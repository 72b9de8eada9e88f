//! The host functions a contract imports from module `"yui"`.
//!
//! Every function follows the same order, so which failure a bad call gets
//! is fixed: (1) a state change in a query fails with `ReadOnly`; (2) lengths
//! are checked against their limits (`LimitExceeded`); (3) the fuel is
//! charged (`OutOfFuel`); (4) guest memory is read (`MemoryOutOfBounds`);
//! (5) the host is asked. Pointers and lengths are `i32`s read as unsigned;
//! any range outside the instance's memory traps, nothing panics.

use core::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wasmi::errors::{HostError as WasmiHostError, MemoryError};
use wasmi::{Caller, Engine, Error, Linker, Memory, StoreLimits, ValType};

use crate::fuel::{FUEL_TABLE as T, cost};
use crate::host::{Event, Host, Mode};
use crate::limits;
use crate::{CallFailure, HostError, LimitKind, TrapKind};

/// The module name every contract import must use.
pub const IMPORT_MODULE: &str = "yui";

use ValType::{I32, I64};

/// Name, parameter types and result types of each host function.
pub(crate) const HOST_FUNCTIONS: &[(&str, &[ValType], &[ValType])] = &[
    ("input_len", &[], &[I32]),
    ("input_read", &[I32], &[]),
    ("output", &[I32, I32], &[]),
    ("caller", &[I32], &[]),
    ("contract_account", &[I32], &[]),
    ("block_height", &[], &[I64]),
    ("block_time_ms", &[], &[I64]),
    ("storage_read", &[I32, I32, I32, I32], &[I32]),
    ("storage_write", &[I32, I32, I32, I32], &[]),
    ("storage_remove", &[I32, I32], &[]),
    ("emit", &[I32, I32, I32, I32], &[]),
    ("has_credential", &[I32, I32, I32], &[I32]),
    ("balance", &[I32, I32, I32], &[I64]),
    ("transfer", &[I32, I32, I32, I64], &[I32]),
    ("grant", &[I32, I32, I32, I64], &[I32]),
    ("attached_len", &[], &[I32]),
    ("attached_read", &[I32], &[]),
    ("abort", &[I32], &[]),
    ("contract_id_len", &[], &[I32]),
    ("contract_id_read", &[I32], &[]),
];

/// Everything one call's host functions work with; the store's data.
pub(crate) struct CallState<'a> {
    host: &'a mut dyn Host,
    mode: Mode,
    input: &'a [u8],
    /// The instance's exported memory, set right after instantiation.
    pub(crate) memory: Option<Memory>,
    pub(crate) limits: StoreLimits,
    pub(crate) output: Vec<u8>,
    pub(crate) events: Vec<Event>,
    storage_writes: u32,
    value_moves: u32,
    attached: Option<Vec<u8>>,
}

impl<'a> CallState<'a> {
    pub(crate) fn new(host: &'a mut dyn Host, mode: Mode, input: &'a [u8]) -> Self {
        Self {
            host,
            mode,
            input,
            memory: None,
            limits: crate::config::store_limits(),
            output: Vec::new(),
            events: Vec::new(),
            storage_writes: 0,
            value_moves: 0,
            attached: None,
        }
    }
}

/// A [`CallFailure`] raised inside a host function, carried through wasmi
/// as its host error and taken out again when the call returns.
#[derive(Debug)]
pub(crate) struct GuestFailure(pub(crate) CallFailure);

impl fmt::Display for GuestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl WasmiHostError for GuestFailure {}

type Ctx<'c, 'a> = Caller<'c, CallState<'a>>;

fn fail(failure: CallFailure) -> Error {
    Error::host(GuestFailure(failure))
}

fn limit(what: LimitKind) -> Error {
    fail(CallFailure::LimitExceeded { what })
}

fn out_of_bounds() -> Error {
    fail(CallFailure::Trap(TrapKind::MemoryOutOfBounds))
}

/// Fails with `ReadOnly` when the call is a query.
fn writable(caller: &Ctx<'_, '_>) -> Result<(), Error> {
    match caller.data().mode {
        Mode::Execute => Ok(()),
        Mode::Query => Err(fail(CallFailure::Host(HostError::ReadOnly))),
    }
}

/// A guest length, checked against `max`.
fn length(len: i32, max: usize, what: LimitKind) -> Result<usize, Error> {
    let len = usize::try_from(len.cast_unsigned()).unwrap_or(usize::MAX);
    if len > max { Err(limit(what)) } else { Ok(len) }
}

/// Takes `fuel` from the call; running out leaves it at zero and fails.
fn charge(caller: &mut Ctx<'_, '_>, fuel: u64) -> Result<(), Error> {
    let left = caller.get_fuel()?;
    match left.checked_sub(fuel) {
        Some(rest) => caller.set_fuel(rest),
        None => {
            caller.set_fuel(0)?;
            Err(fail(CallFailure::OutOfFuel))
        }
    }
}

fn memory(caller: &Ctx<'_, '_>) -> Result<Memory, Error> {
    caller
        .data()
        .memory
        .ok_or_else(|| fail(CallFailure::Internal))
}

fn offset(ptr: i32) -> usize {
    usize::try_from(ptr.cast_unsigned()).unwrap_or(usize::MAX)
}

fn mem_error(error: MemoryError) -> Error {
    match error {
        MemoryError::OutOfBoundsAccess => out_of_bounds(),
        _ => fail(CallFailure::Trap(TrapKind::Other)),
    }
}

fn read(caller: &Ctx<'_, '_>, ptr: i32, len: usize) -> Result<Vec<u8>, Error> {
    let mut buffer = vec![0; len];
    memory(caller)?
        .read(caller, offset(ptr), &mut buffer)
        .map_err(mem_error)?;
    Ok(buffer)
}

fn read_account(caller: &Ctx<'_, '_>, ptr: i32) -> Result<[u8; 32], Error> {
    let mut account = [0; 32];
    memory(caller)?
        .read(caller, offset(ptr), &mut account)
        .map_err(mem_error)?;
    Ok(account)
}

fn write(caller: &mut Ctx<'_, '_>, ptr: i32, bytes: &[u8]) -> Result<(), Error> {
    memory(caller)?
        .write(caller, offset(ptr), bytes)
        .map_err(mem_error)
}

fn len_i32(len: usize, what: LimitKind) -> Result<i32, Error> {
    i32::try_from(len).map_err(|_| limit(what))
}

fn host_result<V>(result: Result<V, HostError>) -> Result<V, Error> {
    result.map_err(|e| fail(CallFailure::Host(e)))
}

fn input_len(mut caller: Ctx<'_, '_>) -> Result<i32, Error> {
    charge(&mut caller, T.host_call_base)?;
    // The runtime refused inputs over `INPUT_BYTES_MAX` before the call.
    i32::try_from(caller.data().input.len()).map_err(|_| fail(CallFailure::BadInput))
}

fn input_read(mut caller: Ctx<'_, '_>, ptr: i32) -> Result<(), Error> {
    let input = caller.data().input;
    charge(
        &mut caller,
        cost(T.host_call_base, input.len(), T.copy_byte),
    )?;
    write(&mut caller, ptr, input)
}

fn contract_id_len(mut caller: Ctx<'_, '_>) -> Result<i32, Error> {
    charge(&mut caller, T.host_call_base)?;
    // Contract ids are 1 to 64 bytes (the ledger's identifier limit).
    i32::try_from(caller.data().host.contract_id().len()).map_err(|_| fail(CallFailure::BadInput))
}

fn contract_id_read(mut caller: Ctx<'_, '_>, ptr: i32) -> Result<(), Error> {
    let id = caller.data().host.contract_id();
    charge(&mut caller, cost(T.host_call_base, id.len(), T.copy_byte))?;
    write(&mut caller, ptr, &id)
}

fn output(mut caller: Ctx<'_, '_>, ptr: i32, len: i32) -> Result<(), Error> {
    let len = length(len, limits::OUTPUT_BYTES_MAX, LimitKind::Output)?;
    charge(&mut caller, cost(T.host_call_base, len, T.copy_byte))?;
    let bytes = read(&caller, ptr, len)?;
    caller.data_mut().output = bytes;
    Ok(())
}

fn account_out(mut caller: Ctx<'_, '_>, ptr: i32, account: [u8; 32]) -> Result<(), Error> {
    charge(&mut caller, cost(T.host_call_base, 32, T.copy_byte))?;
    write(&mut caller, ptr, &account)
}

fn caller_account(caller: Ctx<'_, '_>, ptr: i32) -> Result<(), Error> {
    let account = caller.data().host.caller();
    account_out(caller, ptr, account)
}

fn contract_account(caller: Ctx<'_, '_>, ptr: i32) -> Result<(), Error> {
    let account = caller.data().host.contract_account();
    account_out(caller, ptr, account)
}

fn block_height(mut caller: Ctx<'_, '_>) -> Result<i64, Error> {
    charge(&mut caller, T.host_call_base)?;
    Ok(caller.data().host.block_height().cast_signed())
}

fn block_time_ms(mut caller: Ctx<'_, '_>) -> Result<i64, Error> {
    charge(&mut caller, T.host_call_base)?;
    Ok(caller.data().host.block_time_ms().cast_signed())
}

fn storage_read(
    mut caller: Ctx<'_, '_>,
    key_ptr: i32,
    key_len: i32,
    val_ptr: i32,
    val_cap: i32,
) -> Result<i32, Error> {
    let key_len = length(
        key_len,
        limits::STORAGE_KEY_BYTES_MAX,
        LimitKind::StorageKey,
    )?;
    let base = T.host_call_base.saturating_add(T.storage_read_base);
    charge(&mut caller, cost(base, key_len, T.copy_byte))?;
    let key = read(&caller, key_ptr, key_len)?;
    let Some(value) = host_result(caller.data_mut().host.storage_read(&key))? else {
        return Ok(-1);
    };
    let cap = usize::try_from(val_cap.cast_unsigned()).unwrap_or(usize::MAX);
    let copied = value.len().min(cap);
    let fuel = cost(0, value.len(), T.storage_read_byte);
    charge(&mut caller, cost(fuel, copied, T.copy_byte))?;
    write(
        &mut caller,
        val_ptr,
        value.get(..copied).unwrap_or_default(),
    )?;
    len_i32(value.len(), LimitKind::StorageValue)
}

/// Counts one storage change against the per-call limit.
fn count_storage_write(caller: &mut Ctx<'_, '_>) -> Result<(), Error> {
    let state = caller.data_mut();
    if state.storage_writes >= limits::STORAGE_WRITES_PER_CALL_MAX {
        return Err(limit(LimitKind::StorageWrites));
    }
    state.storage_writes += 1;
    Ok(())
}

fn storage_write(
    mut caller: Ctx<'_, '_>,
    key_ptr: i32,
    key_len: i32,
    val_ptr: i32,
    val_len: i32,
) -> Result<(), Error> {
    writable(&caller)?;
    let key_len = length(
        key_len,
        limits::STORAGE_KEY_BYTES_MAX,
        LimitKind::StorageKey,
    )?;
    let val_len = length(
        val_len,
        limits::STORAGE_VALUE_BYTES_MAX,
        LimitKind::StorageValue,
    )?;
    count_storage_write(&mut caller)?;
    let base = T.host_call_base.saturating_add(T.storage_write_base);
    let per_byte = T.copy_byte.saturating_add(T.storage_write_byte);
    charge(&mut caller, cost(base, key_len + val_len, per_byte))?;
    let key = read(&caller, key_ptr, key_len)?;
    let value = read(&caller, val_ptr, val_len)?;
    host_result(caller.data_mut().host.storage_write(&key, &value))
}

fn storage_remove(mut caller: Ctx<'_, '_>, key_ptr: i32, key_len: i32) -> Result<(), Error> {
    writable(&caller)?;
    let key_len = length(
        key_len,
        limits::STORAGE_KEY_BYTES_MAX,
        LimitKind::StorageKey,
    )?;
    count_storage_write(&mut caller)?;
    let base = T.host_call_base.saturating_add(T.storage_remove_base);
    charge(&mut caller, cost(base, key_len, T.copy_byte))?;
    let key = read(&caller, key_ptr, key_len)?;
    host_result(caller.data_mut().host.storage_remove(&key))
}

fn emit(
    mut caller: Ctx<'_, '_>,
    topic_ptr: i32,
    topic_len: i32,
    data_ptr: i32,
    data_len: i32,
) -> Result<(), Error> {
    writable(&caller)?;
    let topic_len = length(
        topic_len,
        limits::EVENT_TOPIC_BYTES_MAX,
        LimitKind::EventSize,
    )?;
    let data_len = length(data_len, limits::EVENT_BYTES_MAX, LimitKind::EventSize)?;
    if caller.data().events.len() >= limits::EVENTS_PER_CALL_MAX {
        return Err(limit(LimitKind::Events));
    }
    let base = T.host_call_base.saturating_add(T.emit_base);
    let per_byte = T.copy_byte.saturating_add(T.emit_byte);
    charge(&mut caller, cost(base, topic_len + data_len, per_byte))?;
    let topic = read(&caller, topic_ptr, topic_len)?;
    let data = read(&caller, data_ptr, data_len)?;
    caller.data_mut().events.push(Event { topic, data });
    Ok(())
}

fn has_credential(
    mut caller: Ctx<'_, '_>,
    account_ptr: i32,
    kind_ptr: i32,
    kind_len: i32,
) -> Result<i32, Error> {
    let max = limits::CREDENTIAL_KIND_BYTES_MAX;
    let kind_len = length(kind_len, max, LimitKind::CredentialKind)?;
    let base = T.host_call_base.saturating_add(T.credential_base);
    charge(&mut caller, cost(base, 32 + kind_len, T.copy_byte))?;
    let account = read_account(&caller, account_ptr)?;
    let kind = read(&caller, kind_ptr, kind_len)?;
    let held = host_result(caller.data_mut().host.has_credential(&account, &kind))?;
    Ok(i32::from(held))
}

fn balance(
    mut caller: Ctx<'_, '_>,
    account_ptr: i32,
    asset_ptr: i32,
    asset_len: i32,
) -> Result<i64, Error> {
    let asset_len = length(
        asset_len,
        limits::ASSET_NAME_BYTES_MAX,
        LimitKind::AssetName,
    )?;
    let base = T.host_call_base.saturating_add(T.balance_base);
    charge(&mut caller, cost(base, 32 + asset_len, T.copy_byte))?;
    let account = read_account(&caller, account_ptr)?;
    let asset = read(&caller, asset_ptr, asset_len)?;
    let amount = host_result(caller.data_mut().host.balance(&account, &asset))?;
    Ok(amount.cast_signed())
}

/// Which value-moving host function is being called.
#[derive(Clone, Copy)]
enum Movement {
    Transfer,
    Grant,
}

/// `transfer` and `grant`: 0 on success, the ledger's refusal code (as
/// `u32` bits) when a rule refuses, and a failed call for anything else.
fn move_value(
    mut caller: Ctx<'_, '_>,
    movement: Movement,
    to_ptr: i32,
    asset_ptr: i32,
    asset_len: i32,
    amount: i64,
) -> Result<i32, Error> {
    writable(&caller)?;
    let asset_len = length(
        asset_len,
        limits::ASSET_NAME_BYTES_MAX,
        LimitKind::AssetName,
    )?;
    let state = caller.data_mut();
    if state.value_moves >= limits::VALUE_MOVES_PER_CALL_MAX {
        return Err(limit(LimitKind::ValueMoves));
    }
    state.value_moves += 1;
    let extra = match movement {
        Movement::Transfer => T.transfer_base,
        Movement::Grant => T.grant_base,
    };
    let base = T.host_call_base.saturating_add(extra);
    charge(&mut caller, cost(base, 32 + asset_len, T.copy_byte))?;
    let to = read_account(&caller, to_ptr)?;
    let asset = read(&caller, asset_ptr, asset_len)?;
    let amount = amount.cast_unsigned();
    let host = &mut caller.data_mut().host;
    let result = match movement {
        Movement::Transfer => host.transfer(&to, &asset, amount),
        Movement::Grant => host.grant(&to, &asset, amount),
    };
    match result {
        Ok(()) => Ok(0),
        Err(HostError::Refused { code }) => Ok(code.get().cast_signed()),
        Err(other) => Err(fail(CallFailure::Host(other))),
    }
}

fn transfer(
    caller: Ctx<'_, '_>,
    to_ptr: i32,
    asset_ptr: i32,
    asset_len: i32,
    amount: i64,
) -> Result<i32, Error> {
    move_value(
        caller,
        Movement::Transfer,
        to_ptr,
        asset_ptr,
        asset_len,
        amount,
    )
}

fn grant(
    caller: Ctx<'_, '_>,
    to_ptr: i32,
    asset_ptr: i32,
    asset_len: i32,
    amount: i64,
) -> Result<i32, Error> {
    move_value(
        caller,
        Movement::Grant,
        to_ptr,
        asset_ptr,
        asset_len,
        amount,
    )
}

/// The attached value, asked of the host once per call.
fn attached<'s>(caller: &'s mut Ctx<'_, '_>) -> Result<&'s [u8], Error> {
    let state = caller.data_mut();
    if state.attached.is_none() {
        let bytes = state.host.attached();
        if bytes.len() > limits::ATTACHED_BYTES_MAX {
            return Err(limit(LimitKind::Attached));
        }
        state.attached = Some(bytes);
    }
    Ok(state.attached.as_deref().unwrap_or_default())
}

fn attached_len(mut caller: Ctx<'_, '_>) -> Result<i32, Error> {
    charge(&mut caller, T.host_call_base)?;
    let len = attached(&mut caller)?.len();
    len_i32(len, LimitKind::Attached)
}

fn attached_read(mut caller: Ctx<'_, '_>, ptr: i32) -> Result<(), Error> {
    let bytes = attached(&mut caller)?.to_vec();
    charge(
        &mut caller,
        cost(T.host_call_base, bytes.len(), T.copy_byte),
    )?;
    write(&mut caller, ptr, &bytes)
}

fn abort(_caller: Ctx<'_, '_>, code: i32) -> Result<(), Error> {
    Err(fail(CallFailure::Aborted {
        code: code.cast_unsigned(),
    }))
}

/// Runs a host function, turning a panic (a bug in the host or here) into
/// [`CallFailure::Internal`]. This must happen inside the host function:
/// wasmi's executor cannot unwind, so a panic escaping into it aborts the
/// process.
fn guard<R>(body: impl FnOnce() -> Result<R, Error>) -> Result<R, Error> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| Err(fail(CallFailure::Internal)))
}

/// Defines the host function `$name` as `$function`, under [`guard`].
macro_rules! define {
    ($linker:ident, $name:literal, $function:ident ($($arg:ident: $ty:ty),*)) => {
        $linker.func_wrap(
            IMPORT_MODULE,
            $name,
            |caller: Ctx<'_, 'a>, $($arg: $ty),*| guard(move || $function(caller, $($arg),*)),
        )?
    };
}

/// A linker holding every host function of [`HOST_FUNCTIONS`].
///
/// It is built per call because its data type borrows that call's host;
/// building it is a few small allocations.
pub(crate) fn linker<'a>(engine: &Engine) -> Result<Linker<CallState<'a>>, Error> {
    let mut linker = Linker::new(engine);
    define!(linker, "input_len", input_len());
    define!(linker, "input_read", input_read(ptr: i32));
    define!(linker, "output", output(ptr: i32, len: i32));
    define!(linker, "caller", caller_account(ptr: i32));
    define!(linker, "contract_account", contract_account(ptr: i32));
    define!(linker, "block_height", block_height());
    define!(linker, "block_time_ms", block_time_ms());
    define!(linker, "storage_read", storage_read(k: i32, kl: i32, v: i32, vc: i32));
    define!(linker, "storage_write", storage_write(k: i32, kl: i32, v: i32, vl: i32));
    define!(linker, "storage_remove", storage_remove(k: i32, kl: i32));
    define!(linker, "emit", emit(t: i32, tl: i32, d: i32, dl: i32));
    define!(linker, "has_credential", has_credential(a: i32, k: i32, kl: i32));
    define!(linker, "balance", balance(a: i32, s: i32, sl: i32));
    define!(linker, "transfer", transfer(to: i32, s: i32, sl: i32, amount: i64));
    define!(linker, "grant", grant(to: i32, s: i32, sl: i32, amount: i64));
    define!(linker, "attached_len", attached_len());
    define!(linker, "attached_read", attached_read(ptr: i32));
    define!(linker, "abort", abort(code: i32));
    define!(linker, "contract_id_len", contract_id_len());
    define!(linker, "contract_id_read", contract_id_read(ptr: i32));
    Ok(linker)
}
