//! Deciding whether code may be deployed, once, when governance approves it.
//!
//! Validation is a pure function of the bytes: every validator reaches the
//! same verdict, and the verdict is a typed [`CodeError`], never wasmi's
//! message. The runtime runs the same checks again when it compiles a
//! module it has not cached, so code that slipped past (an old chain, a bug)
//! still cannot run unchecked.

use std::panic::{AssertUnwindSafe, catch_unwind};

use borsh::{BorshDeserialize, BorshSerialize};
use sha2::{Digest, Sha256};
use wasmi::{Engine, ExternType, Module, Store};

use crate::abi::{self, CallState, HOST_FUNCTIONS, IMPORT_MODULE};
use crate::config::{engine_config, permissive_config, start_allowed_config};
use crate::host::{Mode, NullHost};
use crate::{CodeError, ENGINE_VERSION, FUEL_TABLE_VERSION, limits};

/// What the ledger records about deployed code.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CodeInfo {
    /// SHA-256 of the code bytes.
    pub code_hash: [u8; 32],
    /// The exported function names, sorted: the contract's methods.
    pub methods: Vec<String>,
    /// Size of the code, in bytes.
    pub size: u32,
    /// The [`ENGINE_VERSION`] the code was validated for.
    pub engine_version: u32,
    /// The [`FUEL_TABLE_VERSION`] its calls are charged by.
    pub fuel_table_version: u32,
}

/// Checks that `code` is a contract this engine will run, in this order:
/// size; parses and validates under [`engine_config`] (if not: floats,
/// a start function, or otherwise invalid); imports only host functions of
/// module `"yui"` with their exact signatures; exported functions are
/// `() -> ()` with method names of 1 to [`METHOD_NAME_LEN_MAX`](limits::METHOD_NAME_LEN_MAX)
/// bytes, at most [`METHODS_MAX`](limits::METHODS_MAX) of them; exports its
/// memory as `"memory"`, of at most [`MEMORY_PAGES_MAX`](limits::MEMORY_PAGES_MAX)
/// pages initially and, if declared, at most; instantiates within
/// [`store_limits`](crate::store_limits) (no code runs).
pub fn validate(code: &[u8]) -> Result<CodeInfo, CodeError> {
    let engine = Engine::new(&engine_config());
    let (module, info) = compile(&engine, code)?;
    check_instantiates(&engine, &module)?;
    Ok(info)
}

/// wasmi's own reason for refusing `code` as [`CodeError::Invalid`], for
/// logs and developers only: its wording is not part of consensus.
pub fn diagnose(code: &[u8]) -> Option<String> {
    let engine = Engine::new(&engine_config());
    match parse(&engine, code) {
        Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => Some("wasmi panicked while parsing this code".into()),
    }
}

/// Parses `code` on `engine`; `None` if wasmi panicked. wasmi 2.0.0's parser
/// panics on some malformed code (a code section that declares bytes of
/// function bodies but no functions divides by zero; found by fuzzing,
/// `fuzz/`). A panic is a pure function of the bytes, like every verdict
/// here, so callers refuse such code as [`CodeError::Invalid`] instead of
/// letting the panic stop the node executing the block.
fn parse(engine: &Engine, code: &[u8]) -> Option<Result<Module, wasmi::Error>> {
    catch_unwind(AssertUnwindSafe(|| Module::new(engine, code))).ok()
}

/// SHA-256 of `code`.
pub fn code_hash(code: &[u8]) -> [u8; 32] {
    Sha256::digest(code).into()
}

/// Compiles `code` on `engine` and checks its imports and exports.
pub(crate) fn compile(engine: &Engine, code: &[u8]) -> Result<(Module, CodeInfo), CodeError> {
    if code.len() > limits::CODE_BYTES_MAX {
        return Err(CodeError::TooLarge {
            size: u64::try_from(code.len()).unwrap_or(u64::MAX),
            max: limits::CODE_BYTES_MAX as u64,
        });
    }
    if !bodies_end_at_their_end(code) {
        return Err(CodeError::Invalid);
    }
    let module = match parse(engine, code) {
        Some(Ok(module)) => module,
        Some(Err(_)) => return Err(classify(code)),
        None => return Err(CodeError::Invalid),
    };
    check_imports(&module)?;
    let methods = check_exports(&module)?;
    let info = CodeInfo {
        code_hash: code_hash(code),
        methods,
        size: u32::try_from(code.len()).unwrap_or(u32::MAX),
        engine_version: ENGINE_VERSION,
        fuel_table_version: FUEL_TABLE_VERSION,
    };
    Ok((module, info))
}

/// Yui's own rule, checked before wasmi parses the code: every function
/// body ends with the `end` that closes it (no operator after it), and every
/// body and section parses. wasmi 2.0.0 translates an operator after the
/// final `end` before its validator refuses the body, and its translator
/// then stops at a debug assertion (finding 4 in `fuzz/README.md`); a build
/// without debug assertions would go on. Refusing such code here keeps the
/// verdict the same however a validator's binary was built. Malformed bytes
/// are refused here as they are by wasmi, as [`CodeError::Invalid`].
fn bodies_end_at_their_end(code: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(code) {
        let Ok(payload) = payload else {
            return false;
        };
        let Payload::CodeSectionEntry(body) = payload else {
            continue;
        };
        let Ok(mut reader) = body.get_operators_reader() else {
            return false;
        };
        // The function's own block is open from the start.
        let mut depth: u64 = 1;
        while !reader.eof() {
            if depth == 0 {
                return false;
            }
            match reader.read() {
                Ok(
                    Operator::Block { .. }
                    | Operator::Loop { .. }
                    | Operator::If { .. }
                    | Operator::Try { .. }
                    | Operator::TryTable { .. },
                ) => depth += 1,
                Ok(Operator::End | Operator::Delegate { .. }) => depth -= 1,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    }
    true
}

/// Why `code` failed under [`engine_config`]: the two configurations that
/// each relax one rule tell floats and start functions from the rest.
fn classify(code: &[u8]) -> CodeError {
    if !matches!(parse(&Engine::new(&permissive_config()), code), Some(Ok(_))) {
        return CodeError::Invalid;
    }
    if !matches!(
        parse(&Engine::new(&start_allowed_config()), code),
        Some(Ok(_))
    ) {
        return CodeError::FloatsUsed;
    }
    CodeError::StartFunction
}

/// Cuts a name to [`NAME_IN_ERROR_BYTES_MAX`](limits::NAME_IN_ERROR_BYTES_MAX)
/// bytes on a character boundary, so an error stays small.
fn bounded(name: &str) -> String {
    let mut end = name.len().min(limits::NAME_IN_ERROR_BYTES_MAX);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.get(..end).unwrap_or_default().to_owned()
}

fn check_imports(module: &Module) -> Result<(), CodeError> {
    for import in module.imports() {
        let unknown = || CodeError::UnknownImport {
            module: bounded(import.module()),
            name: bounded(import.name()),
        };
        if import.module() != IMPORT_MODULE {
            return Err(unknown());
        }
        let Some((_, params, results)) = HOST_FUNCTIONS
            .iter()
            .find(|(name, _, _)| *name == import.name())
        else {
            return Err(unknown());
        };
        match import.ty() {
            ExternType::Func(ty) if ty.params() == *params && ty.results() == *results => {}
            ExternType::Func(_) => {
                return Err(CodeError::BadImportSignature {
                    name: bounded(import.name()),
                });
            }
            _ => return Err(unknown()),
        }
    }
    Ok(())
}

/// Checks the exports and returns the sorted method names.
fn check_exports(module: &Module) -> Result<Vec<String>, CodeError> {
    let mut methods = Vec::new();
    let mut memory = false;
    for export in module.exports() {
        let name = export.name();
        match export.ty() {
            ExternType::Func(ty) => {
                if !ty.params().is_empty() || !ty.results().is_empty() {
                    let name = bounded(name);
                    return Err(CodeError::BadExportSignature { name });
                }
                if name.is_empty() || name.len() > limits::METHOD_NAME_LEN_MAX {
                    let name = bounded(name);
                    return Err(CodeError::BadMethodName { name });
                }
                methods.push(name.to_owned());
            }
            ExternType::Memory(ty) if name == "memory" => {
                let max = limits::MEMORY_PAGES_MAX;
                let pages = ty.maximum().unwrap_or(0).max(ty.minimum());
                if pages > max {
                    return Err(CodeError::MemoryTooLarge { pages, max });
                }
                memory = true;
            }
            // Globals such as `__heap_base`, tables and other names for the
            // memory are harmless: no host function uses them.
            _ => {}
        }
    }
    if !memory {
        return Err(CodeError::NoMemory);
    }
    if methods.len() > limits::METHODS_MAX {
        return Err(CodeError::TooManyMethods {
            count: u32::try_from(methods.len()).unwrap_or(u32::MAX),
            max: limits::METHODS_MAX as u32,
        });
    }
    methods.sort();
    Ok(methods)
}

/// Instantiates `module` under the store limits with a host that holds
/// nothing. With start functions refused, no contract code runs.
fn check_instantiates(engine: &Engine, module: &Module) -> Result<(), CodeError> {
    let mut host = NullHost;
    let mut store = Store::new(engine, CallState::new(&mut host, Mode::Query, &[]));
    store.limiter(|state| &mut state.limits);
    store
        .set_fuel(limits::FUEL_PER_CALL_MAX)
        .map_err(|_| CodeError::Instantiation)?;
    let linker = abi::linker(engine).map_err(|_| CodeError::Instantiation)?;
    linker
        .instantiate_and_start(&mut store, module)
        .map_err(|_| CodeError::Instantiation)?;
    Ok(())
}
