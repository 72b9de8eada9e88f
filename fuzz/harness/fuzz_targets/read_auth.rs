#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| yui_fuzz::read_auth::read_auth(data));
