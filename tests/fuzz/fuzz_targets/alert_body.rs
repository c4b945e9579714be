#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sipchat_fuzz::alert_body(data));
