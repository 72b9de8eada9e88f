#![no_main]

// libfuzzer-sys's panic hook aborts on every panic, even one caught by
// `catch_unwind`. yui-wasm-contracts catches wasmi's panics on purpose
// (hostile code is refused, not a crash), so this target restores the
// default hook once: a caught panic is then the contained refusal it is,
// and a panic that escapes the target still aborts (libfuzzer-sys aborts
// when `catch_unwind` around the target returns an error).
static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    DEFAULT_HOOK.call_once(|| drop(std::panic::take_hook()));
    yui_fuzz::contract::contract(data)
});
