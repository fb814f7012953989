#!/usr/bin/env python3
"""How often the bot answers what it should not, and what that costs.

Report (the default) asks, through `helpdock ask` and `helpdock chat`:

- the starter pack, in English and Chinese, the questions of
  tests/quality/: off-topic ones (small talk and other domains) that should
  get no article, and on-topic paraphrases of its articles (tab, the right
  article) that should. The Helpdock team wrote both sets; nothing was tuned
  on them;
- CLINC150's validation split (in scope) and its out-of-scope validation
  questions, asked of a pack of 150 articles built from K training
  questions per intent.

    python3 scripts/quality-off-topic.py [--k 10] [--seed 150]
    python3 scripts/quality-off-topic.py --fit     # refit CALIBRATION

`--fit` fits the logistic model behind `confident` (see
crates/helpdock-core/src/search.rs) on validation questions only: Banking77
(a seeded split, 7 intents left out of the pack) and CLINC150's *training*
split (10 questions per intent in the pack, 30 others asked, 15 intents left
out) with its out-of-scope training questions. Nothing the report asks is
part of the fit.

Needs `cargo build --release -p helpdock-cli` (the script runs it) and the
starter pack built by scripts/build.sh (dist/starter.hdpk). The public sets
are read from ../shared/data at run time and never copied into the repo.
"""
import argparse
import collections
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
HELPDOCK = os.path.join(ROOT, "target", "release", "helpdock")
FEATURES = ["coverage", "margin", "strength", "evidence"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=10, help="questions per intent in the CLINC150 pack")
    ap.add_argument("--seed", type=int, default=150)
    ap.add_argument("--pack", default=os.path.join(ROOT, "dist", "starter.hdpk"))
    ap.add_argument("--fit", action="store_true", help="fit the confidence model and print its coefficients")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "helpdock-cli"], cwd=ROOT, check=True)
    if args.fit:
        return fit(args)

    for locale in ["en", "zh-CN"]:
        off = read_set(f"off-topic.{locale}.txt")
        on = read_set(f"on-topic.{locale}.txt")
        asked = [(q, None) for q, _ in off] + on
        results = ask(args.pack, asked, locale)
        bot = [first_action(args.pack, q, locale) for q, _ in asked]
        print(f"starter pack, {locale}: {len(off)} off-topic, {len(on)} on-topic questions")
        report(results[: len(off)], results[len(off):], on)
        answered_off = sum(kind == "answer" for kind in bot[: len(off)])
        kinds = collections.Counter(bot[: len(off)])
        print(f"  bot, off-topic   answered with an article {answered_off / len(off):.3f}  ({format_counts(kinds)})")
        answered_on = sum(kind == "answer" for kind in bot[len(off):])
        print(f"  bot, on-topic    answered with an article {answered_on / len(on):.3f}  "
              f"({format_counts(collections.Counter(bot[len(off):]))})")

    clinc = json.load(open(os.path.join(DATA, "clinc150", "train_val.json"), encoding="utf-8"))
    rng = random.Random(args.seed)
    by_intent = collections.defaultdict(list)
    for text, intent in clinc["train"]:
        by_intent[intent].append(text)
    articles = []
    for intent in sorted(by_intent):
        examples = by_intent[intent][:]
        rng.shuffle(examples)
        articles.append(article(intent, examples[: args.k]))
    tests = [(text, intent) for text, intent in clinc["val"]]
    oos = [(text, None) for text, _ in clinc["oos_val"]]
    results = ask_pack(articles, tests + oos)
    print(f"CLINC150 validation, {args.k} questions per article, seed {args.seed}: "
          f"{len(articles)} articles, {len(tests)} in scope, {len(oos)} out of scope")
    report(results[len(tests):], results[: len(tests)], tests)


def read_set(name):
    rows = []
    with open(os.path.join(ROOT, "tests", "quality", name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                question, _, intent = line.partition("\t")
                rows.append((question, intent or None))
    return rows


def article(intent, questions):
    return {"id": intent, "title": intent.replace("_", " "), "questions": questions}


def ask(pack, asked, locale=None):
    cmd = [HELPDOCK, "ask", "--pack", pack, "--top", "3", "--explain"] + (["--locale", locale] if locale else [])
    queries = "".join(q.replace("\n", " ") + "\n" for q, _ in asked)
    out = subprocess.run(cmd, input=queries, capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == len(asked), (len(out), len(asked))
    return [dict(json.loads(line), intent=intent) for line, (_, intent) in zip(out, asked)]


def ask_pack(articles, asked):
    with tempfile.TemporaryDirectory() as tmp:
        content, pack = os.path.join(tmp, "content.json"), os.path.join(tmp, "content.hdpk")
        with open(content, "w", encoding="utf-8") as f:
            json.dump({"locale": "en", "articles": articles}, f)
        subprocess.run([HELPDOCK, "pack", "build", content, "-o", pack], check=True, stdout=subprocess.DEVNULL)
        return ask(pack, asked)


def first_action(pack, question, locale):
    """What the bot does first with `question` in a new conversation,
    after any notice or warning: answer, clarify, dont_know, small_talk…"""
    out = subprocess.run([HELPDOCK, "chat", "--pack", pack, "--locale", locale], input=question + "\n",
                         capture_output=True, text=True, check=True).stdout
    kinds = [a["kind"] for a in json.loads(out.splitlines()[0])["actions"]]
    return next((k for k in kinds if k not in ("notice", "warning")), "none")


def right(r):
    return bool(r["intent"]) and bool(r["answers"]) and r["answers"][0]["id"] == r["intent"]


def report(off, on, on_asked):
    confident_off = sum(r["confident"] for r in off)
    print(f"  engine, off-topic confident {confident_off / max(len(off), 1):.3f}")
    n = len(on)
    top1 = sum(right(r) for r in on)
    confident = sum(r["confident"] for r in on)
    confident_right = sum(r["confident"] and right(r) for r in on)
    print(f"  engine, on-topic  top-1 {top1 / n:.3f}, confident {confident / n:.3f}, "
          f"right when confident {confident_right / max(confident, 1):.3f}, confident and right {confident_right / n:.3f}")


def format_counts(counter):
    return ", ".join(f"{k} {v}" for k, v in counter.most_common())


def features(r):
    return [r["why"][name] for name in FEATURES]


def fit(args):
    """Logistic regression of "the first answer is right" on FEATURES, by
    Newton's method, over validation questions of Banking77 and CLINC150."""
    rows = []
    rng = random.Random(args.seed)
    # Banking77: 10 questions per intent in the pack, 7 intents left out.
    by_intent = collections.defaultdict(list)
    with open(os.path.join(DATA, "banking77", "train.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_intent[row["category"].replace("?", "")].append(row["text"].strip())
    rows += split_and_ask(by_intent, rng, unknown=7, asked_per_intent=None, extra_oos=[])
    # CLINC150's training split: 10 in the pack, 30 asked, 15 intents left
    # out, and its out-of-scope training questions.
    clinc = json.load(open(os.path.join(DATA, "clinc150", "train_val.json"), encoding="utf-8"))
    by_intent = collections.defaultdict(list)
    for text, intent in clinc["train"]:
        by_intent[intent].append(text)
    rows += split_and_ask(by_intent, rng, unknown=15, asked_per_intent=30,
                          extra_oos=[text for text, _ in clinc["oos_train"]])

    xs = [[1.0] + features(r) for r in rows if r["answers"]]
    ys = [1.0 if right(r) else 0.0 for r in rows if r["answers"]]
    w = newton(xs, ys)
    loss = -sum(y * math.log(max(p, 1e-9)) + (1 - y) * math.log(max(1 - p, 1e-9))
                for y, p in zip(ys, (sigmoid(dot(w, x)) for x in xs))) / len(xs)
    print(f"fitted on {len(xs)} questions ({sum(ys):.0f} answered right first), log loss {loss:.4f}")
    print("const CALIBRATION: [f32; 5] = [" + ", ".join(f"{v:.3f}" for v in w) + "];")


def split_and_ask(by_intent, rng, unknown, asked_per_intent, extra_oos):
    left_out = set(rng.sample(sorted(by_intent), unknown))
    articles, asked = [], []
    for intent in sorted(by_intent):
        examples = by_intent[intent][:]
        rng.shuffle(examples)
        if intent in left_out:
            asked += [(q, None) for q in examples[:asked_per_intent]]
            continue
        articles.append(article(intent, examples[:10]))
        asked += [(q, intent) for q in examples[10:][:asked_per_intent]]
    asked += [(q, None) for q in extra_oos]
    return ask_pack(articles, asked)


def dot(w, x):
    return sum(a * b for a, b in zip(w, x))


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def newton(xs, ys, iterations=25):
    d = len(xs[0])
    w = [0.0] * d
    for _ in range(iterations):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y in zip(xs, ys):
            p = sigmoid(dot(w, x))
            for i in range(d):
                grad[i] += (p - y) * x[i]
                for j in range(d):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(d):
            hess[i][i] += 1e-6
        w = [a - b for a, b in zip(w, solve(hess, grad))]
    return w


def solve(a, b):
    """Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


if __name__ == "__main__":
    sys.exit(main())
