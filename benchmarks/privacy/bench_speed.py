"""Scanner speed, next to Presidio on the same inputs in the same run.

    python benchmarks/privacy/bench_speed.py [--presidio /tmp/presidio-venv/bin/python]

1. Pattern/checksum stage throughput (MB/s of UTF-8) over the dev corpus concatenated into ~2 MB.
2. Full scan (patterns + names + NER fallback) of ~1 KB prompts built from the corpus:
   p50/p95 latency with cold caches (first time each text is seen, morphology cache cleared)
   and in steady state (same prompts again).
3. Presidio (blank spaCy pipeline, pattern recognizers) on the same prompts and a 200 KB slice.
Medians of several runs; the machine is shared, so compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from perimeter.privacy import Scanner, names_ru  # noqa: E402


def prompts_1kb(texts: list[str]) -> list[str]:
    out, cur = [], ""
    for t in texts:
        cur = f"{cur}\n\n{t}" if cur else t
        if len(cur.encode("utf-8")) >= 1000:
            out.append(cur)
            cur = ""
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presidio", default="/tmp/presidio-venv/bin/python")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    texts = [json.loads(x)["text"] for x in (HERE / "corpus" / "dev.jsonl").read_text("utf-8").splitlines() if x]
    big = "\n\n".join(texts)
    while len(big.encode("utf-8")) < 2_000_000:
        big += "\n\n" + big

    # A second input closer to real traffic: each labelled document diluted with PII-free prompts
    # and code (~1 sensitive document per 4 KB instead of one every ~150 bytes).
    negatives = [json.loads(x)["text"] for x in (HERE / "corpus" / "dev.jsonl").read_text("utf-8").splitlines()
                 if x and not json.loads(x)["entities"]]
    filler = "\n\n".join(negatives) + "\n\n" + Path(__file__).read_text("utf-8")
    mixed_parts = []
    for i, t in enumerate(texts):
        mixed_parts.append(t)
        start = (i * 997) % max(1, len(filler) - 4000)
        mixed_parts.append(filler[start:start + 4000])
    mixed = "\n\n".join(mixed_parts)
    while len(mixed.encode("utf-8")) < 2_000_000:
        mixed += "\n\n" + mixed

    patterns = Scanner(ner=False)
    for label, sample in (("PII-dense corpus", big), ("diluted (1 sensitive doc / 4 KB)", mixed)):
        mb = len(sample.encode("utf-8")) / 1e6
        rates = []
        for _ in range(args.runs):
            t = time.perf_counter()
            patterns.scan(sample)
            rates.append(mb / (time.perf_counter() - t))
        print(f"pattern/checksum stage, {label}: {statistics.median(rates):.1f} MB/s (median of {args.runs}, {mb:.1f} MB)")

    full = Scanner()
    full.warm_up()
    prompts = prompts_1kb(texts)
    names_ru.word_profile.cache_clear()
    names_ru._ner_spans.cache_clear()
    cold = []
    for p in prompts:
        t = time.perf_counter()
        full.scan(p)
        cold.append(time.perf_counter() - t)
    warm_p50 = []
    warm_all: list[float] = []
    for _ in range(args.runs):
        run = []
        for p in prompts:
            t = time.perf_counter()
            full.scan(p)
            run.append(time.perf_counter() - t)
        warm_p50.append(statistics.median(run))
        warm_all.extend(run)
    print(f"full scan of {len(prompts)} ~1 KB prompts: cold p50 {statistics.median(cold) * 1e3:.2f} ms, "
          f"p95 {pct(cold, 0.95) * 1e3:.2f} ms; steady p50 {statistics.median(warm_p50) * 1e3:.2f} ms, "
          f"p95 {pct(warm_all, 0.95) * 1e3:.2f} ms")

    if not Path(args.presidio).exists():
        print("presidio venv not found; skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "prompts.jsonl"
        src.write_text("".join(json.dumps({"id": i, "text": p}) + "\n" for i, p in enumerate(prompts)), "utf-8")
        timing = Path(tmp) / "timing.json"
        subprocess.run([args.presidio, str(HERE / "presidio_runner.py"), str(src), str(Path(tmp) / "o.jsonl"), str(timing)],
                       check=True, capture_output=True)
        pt = json.loads(timing.read_text())
        slice_ = big[:200_000]
        src.write_text(json.dumps({"id": 0, "text": slice_}) + "\n", "utf-8")
        subprocess.run([args.presidio, str(HERE / "presidio_runner.py"), str(src), str(Path(tmp) / "o.jsonl"), str(timing)],
                       check=True, capture_output=True)
        bulk = json.loads(timing.read_text())
    print(f"presidio (blank spaCy): 1 KB prompts p50 {pt['p50_ms']:.2f} ms, p95 {pt['p95_ms']:.2f} ms; "
          f"throughput {bulk['mb_per_s']:.2f} MB/s")


if __name__ == "__main__":
    main()
