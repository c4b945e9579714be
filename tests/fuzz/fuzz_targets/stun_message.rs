#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sipchat_fuzz::stun_message(data));
