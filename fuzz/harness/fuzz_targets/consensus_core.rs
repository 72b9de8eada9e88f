#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| yui_fuzz::core::consensus_core(data));
