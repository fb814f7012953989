//! AFL++'s harness: `HELPDOCK_FUZZ_TARGET=NAME` picks the target
//! (scripts/fuzz.sh sets it).

fn main() {
    let name = std::env::var("HELPDOCK_FUZZ_TARGET").unwrap_or_default();
    let Some(target) = helpdock_fuzz::target(&name) else {
        let names: Vec<&str> = helpdock_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("set HELPDOCK_FUZZ_TARGET to one of: {}", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| target(data));
}
