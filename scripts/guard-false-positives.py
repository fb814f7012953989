#!/usr/bin/env python3
"""How often the secrets guard stops ordinary support text.

Runs every question of Banking77 (train) and CLINC150 (train, val and
out-of-scope) from ../shared/data through `helpdock guard` and prints how
many it would block, with the blocked ones. None of them holds a secret, so
every one blocked is a false positive.

    cargo build --release -p helpdock-cli && python3 scripts/guard-false-positives.py
"""

import csv
import json
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
data = root.parent / "shared" / "data"
texts = [row["text"] for row in csv.DictReader(open(data / "banking77" / "train.csv", encoding="utf-8"))]
for split in json.load(open(data / "clinc150" / "train_val.json", encoding="utf-8")).values():
    if isinstance(split, list):
        texts += [item[0] for item in split if isinstance(item, list) and item and isinstance(item[0], str)]
texts = [t.replace("\n", " ") for t in texts]
out = subprocess.run(
    [str(root / "target" / "release" / "helpdock"), "guard"],
    input="\n".join(texts) + "\n",
    capture_output=True,
    text=True,
    check=True,
).stdout.splitlines()
if len(out) != len(texts):
    sys.exit(f"expected {len(texts)} answers, got {len(out)}")
blocked = [(t, json.loads(o)["kinds"]) for t, o in zip(texts, out) if json.loads(o)["blocked"]]
for text, kinds in blocked:
    print(f"{kinds}: {text}")
print(f"{len(blocked)} of {len(texts)} ordinary questions blocked")
