#!/usr/bin/env bash
# Coverage-guided fuzzing with AFL++ (afl.rs, stable Rust) of every parser
# Helpdock reads others' bytes with: scripts/fuzz.sh [SECONDS] [TARGET…]
# (SECONDS per target, default 60; all targets by default). Installs
# cargo-afl (which builds AFL++ from its bundled source) when missing.
#
# A crash is copied to crates/helpdock-fuzz/regressions/TARGET/, where the
# test command replays it (with the corpora) until it is fixed and after;
# AFL++'s own output stays in target/fuzz/TARGET/. The last line sums up.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${1:-60}
shift || true
fuzz=crates/helpdock-fuzz
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(ls "$fuzz/corpus"); fi

if ! command -v cargo-afl >/dev/null; then
  cargo install cargo-afl --locked --version 0.18.2
fi
cargo afl build --release -p helpdock-fuzz --features afl --target-dir target/afl
harness=target/afl/release/helpdock-fuzz

# Headless, on a machine whose core dumps and CPU governor AFL++ does not
# manage (a container): it is told to go on regardless.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
total_crashes=0
for t in "${targets[@]}"; do
  [ -d "$fuzz/corpus/$t" ] || { echo "fuzz: no target '$t' (see $fuzz/corpus/)" >&2; exit 2; }
  out=target/fuzz/$t
  rm -rf "$out" && mkdir -p target/fuzz
  HELPDOCK_FUZZ_TARGET=$t cargo afl fuzz -V "$seconds" -i "$fuzz/corpus/$t" -o "$out" -- "$harness" \
    > "target/fuzz-$t.log" 2>&1 || { echo "fuzz: afl-fuzz failed for $t (target/fuzz-$t.log)" >&2; exit 1; }
  stats=$out/default/fuzzer_stats
  stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=0
  for c in "$out"/default/crashes/id:*; do
    [ -e "$c" ] || continue
    mkdir -p "$fuzz/regressions/$t"
    cp "$c" "$fuzz/regressions/$t/crash-$(sha256sum "$c" | cut -c1-16)"
    crashes=$((crashes + 1))
  done
  total_crashes=$((total_crashes + crashes))
  printf 'fuzz %-14s %4ss  %10s execs  %6s paths  %s%% edges  %s crashes  %s hangs\n' "$t" "$(stat run_time)" \
    "$(stat execs_done)" "$(stat corpus_count)" "$(stat bitmap_cvg | tr -d '%')" "$crashes" "$(stat saved_hangs)"
done
if [ "$total_crashes" -gt 0 ]; then
  echo "fuzz: $total_crashes crash(es) copied to $fuzz/regressions/; replay one with:"
  echo "  cargo run -p helpdock-fuzz --example replay -- TARGET FILE"
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${seconds}s each, no crash"
