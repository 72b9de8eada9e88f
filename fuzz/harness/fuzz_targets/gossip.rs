#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| yui_fuzz::node::gossip(data));
