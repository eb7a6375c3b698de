#![no_main]
// Harness logic lives in ferret::fuzzing so the stable `fuzz_smoke` test runs it too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ferret::fuzzing::report_read(data);
});
