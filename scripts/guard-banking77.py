#!/usr/bin/env python3
"""False positives of the secrets guard on real questions (Banking77).

Every question of Banking77's train.csv is a real customer-support message
with no secret in it, so every one the guard blocks is a false positive.
The script feeds them all through `helpdock guard` and prints how many were
blocked, by kind, with the CSV line numbers of the blocked ones (the guard
never echoes text, and neither does this report). Unofficial-link warnings
do not block and are counted separately.

    python3 scripts/guard-banking77.py [--data ../shared/data/banking77] [--official-domain example.com]

Needs `cargo build --release -p helpdock-cli` (the script runs it). The data
set is read from ../shared at run time and never copied into the repo.
Exits 1 if anything was blocked.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "banking77"))
    ap.add_argument("--official-domain", action="append", default=[], help="repeatable")
    args = ap.parse_args()

    # (CSV line number, text); line 1 is the header. Questions are one line
    # each, so a line of stdin is a question.
    questions = []
    with open(os.path.join(args.data, "train.csv"), newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for row in reader:
            questions.append((reader.line_num, " ".join(row["text"].split())))

    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "helpdock-cli"], cwd=ROOT, check=True)
    helpdock = os.path.join(ROOT, "target", "release", "helpdock")
    command = [helpdock, "guard"] + [a for d in args.official_domain for a in ("--official-domain", d)]
    stdin = "".join(text + "\n" for _, text in questions)
    out = subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
    results = [json.loads(line) for line in out.stdout.splitlines()]
    if len(results) != len(questions):
        sys.exit(f"expected {len(questions)} result lines, got {len(results)}")

    blocked = collections.defaultdict(list)
    warned = collections.defaultdict(list)
    for (line, _), result in zip(questions, results):
        for kind in result["kinds"]:
            (blocked if result["blocked"] and kind != "unofficial_link" else warned)[kind].append(line)
    n_blocked = sum(r["blocked"] for r in results)
    print(f"{len(questions)} questions, {n_blocked} blocked ({100 * n_blocked / len(questions):.2f}%)")
    for title, table in (("blocked", blocked), ("warned (not blocked)", warned)):
        for kind, lines in sorted(table.items()):
            print(f"  {title} {kind}: {len(lines)}  lines {', '.join(map(str, lines))}")
    sys.exit(1 if n_blocked else 0)


if __name__ == "__main__":
    main()
