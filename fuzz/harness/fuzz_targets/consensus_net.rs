#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| yui_fuzz::net_core::consensus_net(data));
