//! Running one method of a contract.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard, PoisonError};

use wasmi::errors::{ErrorKind, MemoryError, TableError};
use wasmi::{Engine, ExternType, Module, Store, TrapCode};

use crate::abi::{self, CallState, GuestFailure};
use crate::config::engine_config;
use crate::fuel::FUEL_TABLE;
use crate::host::{Event, Host, Mode};
use crate::validate::{code_hash, compile};
use crate::{CallFailure, CodeError, TrapKind, limits};

/// One call of a contract method.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The contract's code, as deployed.
    pub code: &'a [u8],
    /// SHA-256 of `code`; the key of the module cache.
    pub code_hash: [u8; 32],
    /// The exported function to run.
    pub method: &'a str,
    /// Bytes the contract reads with `input_read`.
    pub input: &'a [u8],
    /// Most fuel the call may burn; capped at
    /// [`FUEL_PER_CALL_MAX`](limits::FUEL_PER_CALL_MAX).
    pub fuel_limit: u64,
    /// Whether the call may change state.
    pub mode: Mode,
}

/// What a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutcome {
    /// The bytes the contract passed to `output` (empty if it never did),
    /// or why it failed.
    pub result: Result<Vec<u8>, CallFailure>,
    /// Fuel burnt, including [`FuelTable::call_base`](crate::FuelTable::call_base);
    /// equal to the (capped) limit when the call ran out. Failures found
    /// before anything runs (bad input, invalid code, unknown method) burn 0.
    pub fuel_used: u64,
    /// The events emitted, only if the call succeeded.
    pub events: Vec<Event>,
}

impl CallOutcome {
    fn failed(failure: CallFailure, fuel_used: u64) -> Self {
        Self {
            result: Err(failure),
            fuel_used,
            events: Vec::new(),
        }
    }
}

/// Runs contract calls, keeping compiled modules for reuse.
///
/// Which modules are cached never changes a result or a fuel count:
/// compilation is eager and never charged, so a call on a freshly compiled
/// module and one on a cached module burn the same fuel. Each call gets a
/// fresh instance (memory starts from the module's data segments); a
/// contract keeps state only through the host's storage.
///
/// `Runtime` is `Send + Sync`; calls may run on several threads at once.
pub struct Runtime {
    cache: Mutex<Cache>,
}

struct Cache {
    engine: Engine,
    /// Code bytes and modules compiled into `engine` so far.
    compiled_bytes: usize,
    compiled_modules: usize,
    modules: BTreeMap<[u8; 32], Cached>,
    tick: u64,
}

struct Cached {
    module: Module,
    last_used: u64,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with an empty cache.
    pub fn new() -> Self {
        Self {
            cache: Mutex::new(Cache {
                engine: Engine::new(&engine_config()),
                compiled_bytes: 0,
                compiled_modules: 0,
                modules: BTreeMap::new(),
                tick: 0,
            }),
        }
    }

    /// How many compiled modules are cached.
    pub fn cached_modules(&self) -> usize {
        self.lock().modules.len()
    }

    /// Runs `call.method` of `call.code` against `host`.
    ///
    /// Never panics: a panic in the host or in compiling and instantiating
    /// (a bug) is caught and reported as [`CallFailure::Internal`] with all
    /// fuel used. (A panic inside wasmi's executor itself cannot unwind and
    /// would abort the process; host functions catch their own.)
    pub fn call(&self, call: &Call<'_>, host: &mut dyn Host) -> CallOutcome {
        let fuel = call.fuel_limit.min(limits::FUEL_PER_CALL_MAX);
        match catch_unwind(AssertUnwindSafe(|| self.run(call, fuel, host))) {
            Ok(outcome) => outcome,
            Err(_) => CallOutcome::failed(CallFailure::Internal, fuel),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // A panic while holding the lock leaves the cache consistent (every
        // update is a single insert or removal), so a poisoned lock is used.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The compiled module for `code`, from the cache or compiled now.
    fn module(&self, code: &[u8], hash: [u8; 32]) -> Result<Module, CodeError> {
        let engine = {
            let mut cache = self.lock();
            cache.tick += 1;
            let tick = cache.tick;
            if let Some(cached) = cache.modules.get_mut(&hash) {
                cached.last_used = tick;
                return Ok(cached.module.clone());
            }
            cache.engine.clone()
        };
        if code_hash(code) != hash {
            return Err(CodeError::HashMismatch);
        }
        // Compiled outside the lock: other calls go on meanwhile.
        let (module, _) = compile(&engine, code)?;
        let mut cache = self.lock();
        if !Engine::same(&cache.engine, &engine) {
            return Ok(module);
        }
        cache.compiled_bytes = cache.compiled_bytes.saturating_add(code.len());
        cache.compiled_modules += 1;
        if cache.compiled_bytes > limits::ENGINE_RECYCLE_CODE_BYTES
            || cache.compiled_modules >= limits::ENGINE_RECYCLE_MODULES
        {
            // wasmi frees compiled code only with its engine: start a new
            // one; the old one goes when its last module and call are done.
            cache.engine = Engine::new(&engine_config());
            cache.modules.clear();
            cache.compiled_bytes = 0;
            cache.compiled_modules = 0;
            return Ok(module);
        }
        if cache.modules.len() >= limits::MODULE_CACHE_ENTRIES_MAX {
            let oldest = cache
                .modules
                .iter()
                .min_by_key(|(_, cached)| cached.last_used)
                .map(|(hash, _)| *hash);
            if let Some(oldest) = oldest {
                cache.modules.remove(&oldest);
            }
        }
        let last_used = cache.tick;
        let cached = Cached {
            module: module.clone(),
            last_used,
        };
        cache.modules.insert(hash, cached);
        Ok(module)
    }

    fn run(&self, call: &Call<'_>, fuel: u64, host: &mut dyn Host) -> CallOutcome {
        if call.input.len() > limits::INPUT_BYTES_MAX {
            return CallOutcome::failed(CallFailure::BadInput, 0);
        }
        let module = match self.module(call.code, call.code_hash) {
            Ok(module) => module,
            Err(error) => return CallOutcome::failed(CallFailure::InvalidCode(error), 0),
        };
        if !matches!(module.get_export(call.method), Some(ExternType::Func(_))) {
            return CallOutcome::failed(CallFailure::UnknownMethod, 0);
        }
        let Some(after_base) = fuel.checked_sub(FUEL_TABLE.call_base) else {
            return CallOutcome::failed(CallFailure::OutOfFuel, fuel);
        };
        let engine = module.engine().clone();
        let mut store = Store::new(&engine, CallState::new(host, call.mode, call.input));
        store.limiter(|state| &mut state.limits);
        if store.set_fuel(after_base).is_err() {
            return CallOutcome::failed(CallFailure::Internal, fuel);
        }
        let used = |store: &Store<CallState<'_>>| fuel - store.get_fuel().unwrap_or(0).min(fuel);
        let linker = match abi::linker(&engine) {
            Ok(linker) => linker,
            Err(_) => return CallOutcome::failed(CallFailure::Internal, fuel),
        };
        let instance = match linker.instantiate_and_start(&mut store, &module) {
            Ok(instance) => instance,
            Err(error) => {
                let failure = match failure(&error) {
                    CallFailure::Trap(_) => CallFailure::InvalidCode(CodeError::Instantiation),
                    other => other,
                };
                return finish_failed(failure, fuel, used(&store));
            }
        };
        let Some(memory) = instance.get_memory(&store, "memory") else {
            let failure = CallFailure::InvalidCode(CodeError::NoMemory);
            return CallOutcome::failed(failure, used(&store));
        };
        store.data_mut().memory = Some(memory);
        let function = match instance.get_typed_func::<(), ()>(&store, call.method) {
            Ok(function) => function,
            Err(_) => return CallOutcome::failed(CallFailure::UnknownMethod, used(&store)),
        };
        let result = function.call(&mut store, ());
        let fuel_used = used(&store);
        match result {
            Ok(()) => {
                let state = store.into_data();
                CallOutcome {
                    result: Ok(state.output),
                    fuel_used,
                    events: state.events,
                }
            }
            Err(error) => finish_failed(failure(&error), fuel, fuel_used),
        }
    }
}

/// A failed outcome; running out of fuel and an internal error always
/// report the whole limit.
fn finish_failed(failure: CallFailure, fuel: u64, used: u64) -> CallOutcome {
    let whole = matches!(failure, CallFailure::OutOfFuel | CallFailure::Internal);
    let fuel_used = if whole { fuel } else { used };
    CallOutcome::failed(failure, fuel_used)
}

/// The [`CallFailure`] for an error wasmi returned from a call.
fn failure(error: &wasmi::Error) -> CallFailure {
    if let Some(GuestFailure(failure)) = error.downcast_ref::<GuestFailure>() {
        return failure.clone();
    }
    if let Some(code) = error.as_trap_code() {
        return match code {
            TrapCode::OutOfFuel => CallFailure::OutOfFuel,
            TrapCode::StackOverflow => CallFailure::StackOverflow,
            TrapCode::GrowthOperationLimited | TrapCode::OutOfSystemMemory => {
                CallFailure::MemoryLimit
            }
            TrapCode::UnreachableCodeReached => CallFailure::Trap(TrapKind::Unreachable),
            TrapCode::MemoryOutOfBounds => CallFailure::Trap(TrapKind::MemoryOutOfBounds),
            TrapCode::IntegerDivisionByZero => CallFailure::Trap(TrapKind::DivisionByZero),
            TrapCode::IntegerOverflow => CallFailure::Trap(TrapKind::IntegerOverflow),
            TrapCode::BadSignature => CallFailure::Trap(TrapKind::IndirectCallMismatch),
            TrapCode::TableOutOfBounds | TrapCode::IndirectCallToNull => {
                CallFailure::Trap(TrapKind::UndefinedElement)
            }
            _ => CallFailure::Trap(TrapKind::Other),
        };
    }
    match error.kind() {
        ErrorKind::Memory(
            MemoryError::ResourceLimiterDeniedAllocation | MemoryError::OutOfSystemMemory,
        )
        | ErrorKind::Table(TableError::ResourceLimiterDeniedAllocation) => CallFailure::MemoryLimit,
        _ => CallFailure::Trap(TrapKind::Other),
    }
}
