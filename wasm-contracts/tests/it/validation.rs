//! What `validate` refuses, and what it records about good code.

use yui_wasm_contracts::{
    CodeError, ENGINE_VERSION, FUEL_TABLE_VERSION, code_hash, diagnose, limits, validate,
};

use crate::wasm;

const GOOD: &str = r#"(module
  (import "yui" "output" (func $output (param i32 i32)))
  (memory (export "memory") 1)
  (global (export "__heap_base") i32 (i32.const 1024))
  (func (export "zeta"))
  (func (export "alpha") (call $output (i32.const 0) (i32.const 0))))"#;

#[test]
fn good_code_is_described() {
    let code = wasm(GOOD);
    let info = validate(&code).unwrap();
    assert_eq!(info.code_hash, code_hash(&code));
    assert_eq!(info.methods, vec!["alpha".to_owned(), "zeta".to_owned()]);
    assert_eq!(info.size as usize, code.len());
    assert_eq!(info.engine_version, ENGINE_VERSION);
    assert_eq!(info.fuel_table_version, FUEL_TABLE_VERSION);
}

#[test]
fn invalid_bytes_are_refused_without_words() {
    assert_eq!(validate(b"not wasm at all"), Err(CodeError::Invalid));
    assert_eq!(validate(&[]), Err(CodeError::Invalid));
    // A function returning a value it never pushes.
    let code = wasm(
        r#"(module (memory (export "memory") 1) (func (export "f") (result i32) (i32.const 1) (drop)))"#,
    );
    assert_eq!(validate(&code), Err(CodeError::Invalid));
    // The reason is there for logs, but outside the error.
    assert!(diagnose(b"not wasm at all").is_some());
    assert!(diagnose(&wasm(GOOD)).is_none());
}

/// Found by fuzzing (`fuzz/corpus/contract`): a code section that declares
/// 1,025 bytes of bodies for no functions made wasmi 2.0.0's parser divide
/// by zero (a panic in `validate`, so in the block that uploads the code).
#[test]
fn a_code_section_without_functions_is_refused_not_a_panic() {
    let code = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0, 0x0a, 0x81, 0x08, 0x00,
    ];
    assert_eq!(validate(&code), Err(CodeError::Invalid));
    assert!(diagnose(&code).is_some());
    let mut longer = code.to_vec();
    longer.extend([0; 1025]);
    assert_eq!(validate(&longer), Err(CodeError::Invalid));
}

/// Found by fuzzing (`fuzz/README.md`, finding 4): an operator after a
/// function body's final `end` reached wasmi 2.0.0's translator with an
/// empty control stack, where a debug assertion stops it (`fuel_pos`) and a
/// build without debug assertions would go on. Yui refuses such code by a
/// rule of its own before wasmi sees it, so the verdict cannot depend on how
/// a validator's binary was built.
#[test]
fn operators_after_a_function_end_are_refused_by_yui_itself() {
    let good = wasm(r#"(module (memory (export "memory") 1) (func (export "f")))"#);
    // The code section: one body of 2 bytes (no locals, `end`).
    let section = [0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b];
    let at = good
        .windows(section.len())
        .position(|w| w == section)
        .expect("the code section");
    assert!(validate(&good).is_ok());
    for extra in [
        &[0x01][..],
        &[0x0b],
        &[0x41, 0x00, 0x1a],
        &[0x02, 0x40, 0x0b],
    ] {
        let mut code = good[..at].to_vec();
        let body = 2 + extra.len() as u8;
        code.extend([0x0a, body + 2, 0x01, body, 0x00, 0x0b]);
        code.extend(extra);
        code.extend(&good[at + section.len()..]);
        assert_eq!(validate(&code), Err(CodeError::Invalid), "{extra:02x?}");
        assert!(diagnose(&code).is_some());
    }
}

#[test]
fn floats_are_refused() {
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (func (export "f") (drop (f32.add (f32.const 1) (f32.const 2)))))"#,
    );
    assert_eq!(validate(&code), Err(CodeError::FloatsUsed));
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (func $g (param f64)) (func (export "f")))"#,
    );
    assert_eq!(validate(&code), Err(CodeError::FloatsUsed));
}

#[test]
fn start_functions_are_refused() {
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (func $s) (start $s) (func (export "f")))"#,
    );
    assert_eq!(validate(&code), Err(CodeError::StartFunction));
}

#[test]
fn unknown_imports_are_refused() {
    let code = wasm(
        r#"(module (import "env" "now" (func (result i64)))
        (memory (export "memory") 1) (func (export "f")))"#,
    );
    let expected = CodeError::UnknownImport {
        module: "env".into(),
        name: "now".into(),
    };
    assert_eq!(validate(&code), Err(expected));
    let code = wasm(
        r#"(module (import "yui" "random" (func (result i64)))
        (memory (export "memory") 1) (func (export "f")))"#,
    );
    assert!(matches!(
        validate(&code),
        Err(CodeError::UnknownImport { .. })
    ));
    // Importing memory, even from "yui", is not in the host table.
    let code = wasm(
        r#"(module (import "yui" "memory" (memory 1))
        (export "memory" (memory 0)) (func (export "f")))"#,
    );
    assert!(matches!(
        validate(&code),
        Err(CodeError::UnknownImport { .. })
    ));
    // Long names are cut, so the error stays small.
    let long = "x".repeat(1000);
    let code = wasm(&format!(
        r#"(module (import "{long}" "{long}" (func)) (memory (export "memory") 1))"#
    ));
    let Err(CodeError::UnknownImport { module, name }) = validate(&code) else {
        panic!("expected UnknownImport");
    };
    assert_eq!(module.len(), limits::NAME_IN_ERROR_BYTES_MAX);
    assert_eq!(name.len(), limits::NAME_IN_ERROR_BYTES_MAX);
}

#[test]
fn wrong_import_signatures_are_refused() {
    let code = wasm(
        r#"(module (import "yui" "input_len" (func (result i64)))
        (memory (export "memory") 1) (func (export "f")))"#,
    );
    let expected = CodeError::BadImportSignature {
        name: "input_len".into(),
    };
    assert_eq!(validate(&code), Err(expected));
}

#[test]
fn oversize_code_is_refused_before_parsing() {
    let code = vec![0u8; limits::CODE_BYTES_MAX + 1];
    let expected = CodeError::TooLarge {
        size: code.len() as u64,
        max: limits::CODE_BYTES_MAX as u64,
    };
    assert_eq!(validate(&code), Err(expected));
}

#[test]
fn memory_must_be_exported_and_bounded() {
    let hidden = wasm(r#"(module (memory 1) (func (export "f")))"#);
    assert_eq!(validate(&hidden), Err(CodeError::NoMemory));
    let none = wasm(r#"(module (func (export "f")))"#);
    assert_eq!(validate(&none), Err(CodeError::NoMemory));
    let renamed = wasm(r#"(module (memory (export "mem") 1) (func (export "f")))"#);
    assert_eq!(validate(&renamed), Err(CodeError::NoMemory));
    let big = wasm(r#"(module (memory (export "memory") 33) (func (export "f")))"#);
    let expected = CodeError::MemoryTooLarge { pages: 33, max: 32 };
    assert_eq!(validate(&big), Err(expected));
    let big_max = wasm(r#"(module (memory (export "memory") 1 100) (func (export "f")))"#);
    let expected = CodeError::MemoryTooLarge {
        pages: 100,
        max: 32,
    };
    assert_eq!(validate(&big_max), Err(expected));
    let two = wasm(r#"(module (memory (export "memory") 1) (memory 1))"#);
    assert_eq!(validate(&two), Err(CodeError::Invalid));
}

#[test]
fn exports_must_be_methods() {
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (func (export "f") (param i32)))"#,
    );
    let expected = CodeError::BadExportSignature { name: "f".into() };
    assert_eq!(validate(&code), Err(expected));
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (func (export "g") (result i32) (i32.const 0)))"#,
    );
    assert!(matches!(
        validate(&code),
        Err(CodeError::BadExportSignature { .. })
    ));
    let long = "m".repeat(limits::METHOD_NAME_LEN_MAX + 1);
    let code = wasm(&format!(
        r#"(module (memory (export "memory") 1) (func (export "{long}")))"#
    ));
    assert!(matches!(
        validate(&code),
        Err(CodeError::BadMethodName { .. })
    ));
    let many: String = (0..=limits::METHODS_MAX)
        .map(|i| format!(r#"(func (export "m{i}"))"#))
        .collect();
    let code = wasm(&format!(r#"(module (memory (export "memory") 1) {many})"#));
    assert!(matches!(
        validate(&code),
        Err(CodeError::TooManyMethods { .. })
    ));
}

#[test]
fn modules_that_cannot_instantiate_are_refused() {
    // A table far beyond the store's table limit.
    let code = wasm(
        r#"(module (memory (export "memory") 1) (table 100000 funcref)
        (func (export "f")))"#,
    );
    assert_eq!(validate(&code), Err(CodeError::Instantiation));
    // A data segment past the end of memory.
    let code = wasm(
        r#"(module (memory (export "memory") 1)
        (data (i32.const 65535) "ab") (func (export "f")))"#,
    );
    assert_eq!(validate(&code), Err(CodeError::Instantiation));
}

#[test]
fn error_codes_are_distinct_and_errors_round_trip() {
    let errors = [
        CodeError::TooLarge { size: 1, max: 0 },
        CodeError::Invalid,
        CodeError::FloatsUsed,
        CodeError::StartFunction,
        CodeError::UnknownImport {
            module: "a".into(),
            name: "b".into(),
        },
        CodeError::BadImportSignature { name: "c".into() },
        CodeError::NoMemory,
        CodeError::MemoryTooLarge { pages: 1, max: 0 },
        CodeError::BadExportSignature { name: "d".into() },
        CodeError::BadMethodName { name: "e".into() },
        CodeError::TooManyMethods { count: 1, max: 0 },
        CodeError::Instantiation,
        CodeError::HashMismatch,
    ];
    let mut codes: Vec<u32> = errors.iter().map(CodeError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
    for error in errors {
        let bytes = borsh::to_vec(&error).unwrap();
        assert_eq!(borsh::from_slice::<CodeError>(&bytes).unwrap(), error);
    }
}
