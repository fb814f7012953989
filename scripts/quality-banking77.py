#!/usr/bin/env python3
"""Answer quality on Banking77, through the `helpdock ask` interface.

Each of the 77 intents becomes one article whose `questions` are K of its
examples (random, fixed seed); every other example is asked, and we count
how often the right article comes first (top-1) or in the first three
(top-3), and how good the engine's own `confident` judgement is.

    python3 scripts/quality-banking77.py [--k 10] [--seed 77] [--unknown 7] [--data ../shared/data/banking77]

`--unknown N` leaves N intents (chosen by the seed) out of the pack
entirely: their questions have no right answer, and a good engine is not
confident about them. The model behind `confident` is fitted by
scripts/quality-off-topic.py --fit.

Needs `cargo build --release -p helpdock-cli` (the script runs it). The data
set is read from ../shared at run time and never copied into the repo.
"""
import argparse
import collections
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=10, help="examples per intent given to the pack")
    ap.add_argument("--seed", type=int, default=77)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "banking77"))
    ap.add_argument("--unknown", type=int, default=7, help="intents left out of the pack (out-of-scope questions)")
    ap.add_argument("--dump", help="write per-question results (JSON lines) here")
    args = ap.parse_args()

    by_intent = collections.defaultdict(list)
    with open(os.path.join(args.data, "train.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_intent[row["category"]].append(row["text"].strip())

    rng = random.Random(args.seed)
    unknown = set(rng.sample(sorted(by_intent), args.unknown))
    articles, tests, out_of_scope = [], [], []
    for label in sorted(by_intent):
        if label in unknown:
            out_of_scope.extend(by_intent[label])
            continue
        examples = by_intent[label][:]
        intent = label.replace("?", "")  # one label ends in "?", which ids may not contain
        rng.shuffle(examples)
        given, held_out = examples[: args.k], examples[args.k :]
        articles.append({"id": intent, "title": intent.replace("_", " "), "questions": given})
        tests.extend((q, intent) for q in held_out)

    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "helpdock-cli"], cwd=ROOT, check=True)
    helpdock = os.path.join(ROOT, "target", "release", "helpdock")
    with tempfile.TemporaryDirectory() as tmp:
        content = os.path.join(tmp, "banking77.json")
        pack = os.path.join(tmp, "banking77.hdpk")
        with open(content, "w", encoding="utf-8") as f:
            json.dump({"locale": "en", "articles": articles}, f)
        subprocess.run([helpdock, "pack", "build", content, "-o", pack], check=True, stdout=subprocess.DEVNULL)
        asked = tests + [(q, None) for q in out_of_scope]
        queries = "".join(q.replace("\n", " ") + "\n" for q, _ in asked)
        out = subprocess.run([helpdock, "ask", "--pack", pack, "--top", "3", "--explain"], input=queries,
                             capture_output=True, text=True, check=True).stdout.splitlines()

    assert len(out) == len(asked), (len(out), len(asked))
    results = [json.loads(line) for line in out]
    oos = results[len(tests):]
    out = out[: len(tests)]
    top1 = top3 = confident = confident_right = 0
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    for line, (query, intent) in zip(out, tests):
        r = json.loads(line)
        ids = [a["id"] for a in r["answers"]]
        right1 = bool(ids) and ids[0] == intent
        top1 += right1
        top3 += intent in ids[:3]
        if r["confident"]:
            confident += 1
            confident_right += right1
        if dump:
            dump.write(json.dumps({"query": query, "intent": intent, "answers": r["answers"], "confident": r["confident"]}) + "\n")
    n = len(tests)
    print(f"Banking77, {args.k} questions per article, seed {args.seed}: {len(articles)} articles, {n} held-out questions")
    print(f"top-1 accuracy   {top1 / n:.4f}")
    print(f"top-3 accuracy   {top3 / n:.4f}")
    print(f"confident        {confident / n:.4f} of questions; right when confident {confident_right / max(confident, 1):.4f}")
    print(f"not confident    right anyway {(top1 - confident_right) / max(n - confident, 1):.4f}")
    if oos:
        false_alarms = sum(r["confident"] for r in oos)
        print(f"out of scope     {len(oos)} questions of {len(unknown)} intents without an article; confident on {false_alarms / len(oos):.4f}")


if __name__ == "__main__":
    sys.exit(main())
