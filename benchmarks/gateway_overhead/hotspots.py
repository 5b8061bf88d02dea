"""Profile Perimeter's hot path under saturation with py-spy and list the hot spots.

Starts the same nginx mock and a one-worker Perimeter as bench.py, drives it with
``wrk -t2 -c64`` and records it with ``py-spy record --format raw`` (collapsed stacks), then
prints the functions with the most self time and the most inclusive time, with file:line, so
that a slow stage can be named precisely.  py-spy comes from PyPI into a throwaway venv::

    python3 -m venv /tmp/bench-envs/pyspy && /tmp/bench-envs/pyspy/bin/pip install py-spy
    .venv/bin/python benchmarks/gateway_overhead/hotspots.py --mode json [--scenario pii]

Output: the report on stdout and ``results/profile-<mode>-<scenario>.txt`` plus the raw
collapsed stacks (load them into speedscope or flamegraph.pl).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from stages import cpu_between, shares, thread_cpu

from bench import HERE, Bench, log, parse_args

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def short(frame: str) -> str:
    """``func (/long/path/site-packages/pkg/mod.py:12)`` → ``func (pkg/mod.py:12)``."""
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("/site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    line = f":{m.group('line')}" if m.group("line") else ""
    return f"{m.group('func')} ({path}{line})"


def no_line(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


def summarise(raw: str, top: int) -> str:
    self_t: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [no_line(short(f)) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += n
        self_t[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    if total == 0:
        return "no samples (is py-spy allowed to ptrace? run as root or with CAP_SYS_PTRACE)"
    out = [f"{total} samples", "", f"Top {top} by self time (where the CPU actually is):"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_t.most_common(top)]
    out += ["", f"Top {top} by inclusive time (function and everything it calls):"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in incl.most_common(top)]
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--mode", choices=("json", "sse"), default="json")
    p.add_argument("--scenario", choices=("off", "onprem", "pii-dev", "pii"), default="pii",
                   help="what to profile (bench.py's scenarios; default: PII → cloud, production)")
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    p.add_argument("--py-spy", default="/tmp/bench-envs/pyspy/bin/py-spy")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--all-threads", action="store_true",
                   help="sample every thread (default: only the thread holding the GIL, i.e. what limits "
                        "one worker's throughput; idle pool threads otherwise show up as 'busy')")
    a = p.parse_args()
    if not Path(a.py_spy).exists():
        log(f"{a.py_spy} not found; install: python3 -m venv /tmp/bench-envs/pyspy && "
            "/tmp/bench-envs/pyspy/bin/pip install py-spy")
        return 2
    b = Bench(parse_args(["--no-peers"]))
    try:
        b.start_nginx()
        b.start_perimeter(1, a.scenario)
        b.wait_started()
        target = b.targets[-1]
        if target.kind != "perimeter" or target.proc is None:
            log("Perimeter did not start")
            return 1
        b.wrk(target, a.mode, 2, 16)  # warm-up
        raw_path = b.work / "stacks.txt"
        env = {**os.environ, "WRK_BODY_FILE": str(b.body_file(target, a.mode))}
        headers = [x for k, v in target.headers(a.mode).items() for x in ("-H", f"{k}: {v}")]
        load = subprocess.Popen(["wrk", "-t2", "-c64", f"-d{a.seconds + 3:g}s", "--timeout", "5s",
                                 "-s", str(HERE / "post.lua"), *headers, target.url(a.mode)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1)
        cpu0 = thread_cpu(target.proc.pid)
        spy = subprocess.run([a.py_spy, "record", "--pid", str(target.proc.pid), "--format", "raw", "--threads",
                              "--rate", str(a.rate), "--duration", f"{a.seconds:g}", "--output", str(raw_path),
                              *([] if a.all_threads else ["--gil"])],
                             capture_output=True, text=True, timeout=a.seconds + 60)
        per_thread = cpu_between(cpu0, thread_cpu(target.proc.pid))
        wrk_out, _ = load.communicate(timeout=a.seconds + 60)
        if spy.returncode != 0 or not raw_path.exists():
            log(f"py-spy failed: {spy.stderr[-800:]}")
            return 1
        raw = raw_path.read_text()
        m = re.search(r"WRK_JSON (\{.*\})", wrk_out)
        head = (f"Perimeter 1 worker, scenario {a.scenario}, {a.mode}, "
                f"wrk -t2 -c64 while py-spy sampled {a.seconds:g}s at {a.rate}/s"
                f"{'' if a.all_threads else ' (GIL holder only)'}\n"
                f"wrk: {m.group(1) if m else wrk_out[-300:]}\n")
        by_stage = ", ".join(f"{k} {100 * v:.0f}%" for k, v in shares(raw, per_thread).items())
        report = head + f"CPU by stage (each thread's CPU split by its samples): {by_stage}\n\n" + summarise(raw, a.top)
        out = HERE / "results"
        out.mkdir(exist_ok=True)
        name = f"profile-{a.mode}-{a.scenario}"
        (out / f"{name}.txt").write_text(report + "\n")
        (out / f"{name}.stacks").write_text(raw)
        print(report)
        return 0
    finally:
        b.stop_all()
        shutil.rmtree(b.work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
