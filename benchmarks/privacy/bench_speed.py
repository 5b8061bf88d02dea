r"""Scanner speed, next to Presidio on the same inputs in the same run.

    python benchmarks/privacy/bench_speed.py [--presidio /tmp/presidio-venv/bin/python]
        [--runs 5] [--no-hyperscan] [--src DIR] [--skip-full]

1. Pattern/checksum stage throughput (MB/s of UTF-8) on four ~3 MB inputs: the dev corpus
   concatenated (PII-dense: a value every ~150 bytes), the same documents diluted with
   PII-free prompts and code, and two PII-free inputs (this repository's Python source, and
   its docs as prose).  Each is timed next to a trivial ``re.finditer(r"\d{6}")`` over the
   same text in the same run, which shows how fast the machine is at that moment: the ratio
   is what to compare between runs.  Wall-clock and CPU time are both reported; on the shared
   2-core machine CPU time varies much less.
2. Full scan (patterns + names + NER fallback) of ~1 KB prompts built from the corpus:
   p50/p95 latency with cold caches (first time each text is seen, morphology cache cleared)
   and in steady state (same prompts again).
3. Presidio (blank spaCy pipeline, pattern recognizers) on the same prompts and a 200 KB slice.

``--no-hyperscan`` measures the pure-Python path; ``--src DIR`` imports ``perimeter`` from DIR
(for example ``git archive <commit> src | tar -x -C DIR``) to compare with an older version.
Medians of several runs; the machine is shared, so compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if "--src" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1])
else:
    sys.path.insert(0, str(ROOT / "src"))

from perimeter.privacy import Scanner  # noqa: E402
from perimeter.privacy.detect import names_ru  # noqa: E402

_BASELINE = re.compile(r"\d{6}")


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


def grow(text: str, size: int = 2_000_000) -> str:
    while len(text.encode("utf-8")) < size:
        text += "\n\n" + text
    return text


def throughput(label: str, sample: str, scanner: Scanner, runs: int) -> None:
    """Median MB/s of ``scanner.scan`` and of the trivial baseline, interleaved run by run."""
    mb = len(sample.encode("utf-8")) / 1e6
    wall, cpu, base_wall, base_cpu = [], [], [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        scanner.scan(sample)
        wall.append(mb / (time.perf_counter() - t))
        cpu.append(mb / (time.process_time() - c))
        t, c = time.perf_counter(), time.process_time()
        sum(1 for _ in _BASELINE.finditer(sample))
        base_wall.append(mb / (time.perf_counter() - t))
        base_cpu.append(mb / (time.process_time() - c))
    w, c, bw, bc = (statistics.median(x) for x in (wall, cpu, base_wall, base_cpu))
    print(f"pattern/checksum stage, {label} ({mb:.1f} MB): wall {w:.1f} MB/s (runs {min(wall):.1f}-{max(wall):.1f}), "
          f"cpu {c:.1f} MB/s; baseline re.finditer(\\d{{6}}) wall {bw:.1f} / cpu {bc:.1f} MB/s; "
          f"ratio to baseline wall {w / bw:.2f} / cpu {c / bc:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presidio", default="/tmp/presidio-venv/bin/python")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-hyperscan", action="store_true", help="time the pure-Python trigger path")
    ap.add_argument("--src", help="import perimeter from this directory instead of ./src")
    ap.add_argument("--skip-full", action="store_true", help="pattern stage only (no models, no Presidio)")
    args = ap.parse_args()
    try:
        from perimeter.privacy.detect import literals
    except ImportError:  # an older version without the one-pass trigger words
        print("hyperscan: not used by this version")
    else:
        if args.no_hyperscan:
            literals.use_hyperscan(False)
        print(f"hyperscan: {'on' if literals.available() else 'off'}")
    texts = [json.loads(x)["text"] for x in (HERE / "corpus" / "dev.jsonl").read_text("utf-8").splitlines() if x]
    big = grow("\n\n".join(texts))

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
    mixed = grow("\n\n".join(mixed_parts))
    # Most real traffic carries no PII at all: code and prose.
    code = grow("\n\n".join(p.read_text("utf-8") for p in sorted((ROOT / "src").rglob("*.py"))))
    prose = grow("\n\n".join(p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md"))))

    patterns = Scanner(ner=False)
    for label, sample in (("PII-dense corpus", big), ("diluted (1 sensitive doc / 4 KB)", mixed),
                          ("PII-free code", code), ("PII-free prose (docs)", prose)):
        throughput(label, sample, patterns, args.runs)
    if args.skip_full:
        return

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
