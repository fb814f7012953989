//! Runs one target on files: `cargo run -p helpdock-fuzz --example replay --
//! TARGET FILE…` (a crash AFL++ found, to debug it with a backtrace).

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_default();
    let Some(target) = helpdock_fuzz::target(&name) else {
        let names: Vec<&str> = helpdock_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: replay TARGET FILE…   (targets: {})", names.join(", "));
        std::process::exit(2);
    };
    for file in args {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        target(&data);
        println!("{file}: ok");
    }
}
