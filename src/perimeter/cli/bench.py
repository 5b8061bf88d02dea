"""``perimeter bench``: run | sweep | compare | report.

``bench`` is a click group: ``run`` measures one load profile, ``sweep`` raises the load until
throughput saturates, ``compare`` puts two or more result files side by side, ``report``
re-draws the HTML from a results file.  Ctrl-C during ``run``/``sweep`` stops issuing,
abandons in-flight requests, saves what finished (``"interrupted": true``) and exits 130; a
second Ctrl-C kills the process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from perimeter.bench import report, results
from perimeter.bench.client import Target, chat_url
from perimeter.bench.metrics import SLO, parse_slo, summarize
from perimeter.bench.prompts import Prompt, PromptError, cycle, load_jsonl, synthetic
from perimeter.bench.runner import Limits, Profile, Runner, RunResult
from perimeter.bench.sweep import SweepPlan, run_sweep

EXIT_INTERRUPTED = 130
EXIT_FATAL = 2


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.option("--url", required=True, envvar="PERIMETER_BENCH_URL",
                     help="Endpoint base URL (http://host:8000, .../v1 or .../v1/chat/completions)."),
        click.option("--model", "-m", required=True, help="Model name sent in each request."),
        click.option("--api-key", envvar=["PERIMETER_BENCH_API_KEY", "OPENAI_API_KEY"], default=None,
                     help="Bearer token (env PERIMETER_BENCH_API_KEY or OPENAI_API_KEY)."),
        click.option("--duration", "-d", type=float, default=None,
                     help="Seconds to issue requests (per level in a sweep). Default 30 unless --requests."),
        click.option("--requests", "-n", "max_requests", type=int, default=None,
                     help="Stop after issuing this many requests (per level)."),
        click.option("--warmup", type=float, default=0.0, show_default=True,
                     help="Exclude requests started in the first N seconds."),
        click.option("--cooldown", type=float, default=0.0, show_default=True,
                     help="Exclude requests started in the last N seconds of issuing."),
        click.option("--input-tokens", type=int, default=256, show_default=True,
                     help="Synthetic prompt length (approximate, see docs)."),
        click.option("--output-tokens", type=int, default=128, show_default=True,
                     help="max_tokens for synthetic prompts (and JSONL rows without one)."),
        click.option("--prompts", "prompt_file", type=click.Path(dir_okay=False), default=None,
                     help="JSONL of real prompts ({'messages': [...]} or {'prompt': '...'} per line)."),
        click.option("--ignore-eos", is_flag=True,
                     help="Send ignore_eos=true (vLLM) so every answer has exactly --output-tokens."),
        click.option("--extra-body", default=None, help="JSON object merged into every request body."),
        click.option("--no-stream", is_flag=True, help="Non-streaming requests (TTFT = end-to-end)."),
        click.option("--slo", default=None, help="Goodput targets, e.g. ttft=200ms,tpot=50ms,e2el=5s."),
        click.option("--timeout", type=float, default=300.0, show_default=True, help="Per-request timeout (s)."),
        click.option("--max-in-flight", type=int, default=None,
                     help="Open-loop profiles: cap on requests in flight (default: none)."),
        click.option("--seed", type=int, default=0, show_default=True),
        click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
                     help="Results JSON (default perimeter-bench-<time>.json)."),
        click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None,
                     help="HTML report (default: next to the JSON)."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def bench() -> None:
    """Load-test an OpenAI-compatible endpoint (TTFT, ITL, TPOT, throughput, goodput).

    \b
      perimeter bench run   --url http://localhost:8000 -m MODEL --concurrency 8 -d 60
      perimeter bench run   --url ... -m MODEL --profile poisson --rate 4 -d 60 --slo ttft=500ms
      perimeter bench sweep --url ... -m MODEL -d 30 --warmup 5     (find the saturation point)
      perimeter bench compare before.json after.json
      perimeter bench report results.json -o report.html

    Each run writes every request sample to JSON and a self-contained HTML report.
    """


def _build(kw: dict[str, Any]) -> tuple[Target, Callable[[], Any], dict[str, Any], SLO]:
    try:
        slo = parse_slo(kw["slo"])
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--slo") from exc
    extra: dict[str, Any] = {}
    if kw["extra_body"]:
        try:
            extra = orjson.loads(kw["extra_body"])
        except orjson.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--extra-body") from exc
        if not isinstance(extra, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--extra-body")
    if kw["ignore_eos"]:
        extra["ignore_eos"] = True
    target = Target(url=chat_url(kw["url"]), model=kw["model"], api_key=kw["api_key"],
                    stream=not kw["no_stream"], extra_body=extra, timeout=kw["timeout"])
    prompt_list: list[Prompt] | None = None
    if kw["prompt_file"]:
        try:
            prompt_list = load_jsonl(kw["prompt_file"], default_max_tokens=kw["output_tokens"])
        except PromptError as exc:
            raise click.ClickException(str(exc)) from exc
        pinfo = {"source": str(kw["prompt_file"]), "count": len(prompt_list)}
    else:
        if kw["input_tokens"] < 1 or kw["output_tokens"] < 1:
            raise click.BadParameter("token targets must be >= 1", param_hint="--input-tokens/--output-tokens")
        pinfo = {"source": "synthetic", "input_tokens": kw["input_tokens"], "output_tokens": kw["output_tokens"]}

    def make_prompts() -> Any:
        if prompt_list is not None:
            return cycle(prompt_list)
        return synthetic(kw["input_tokens"], kw["output_tokens"], seed=kw["seed"])

    return target, make_prompts, pinfo, slo


def _limits(kw: dict[str, Any]) -> Limits:
    duration = kw["duration"]
    if duration is None and kw["max_requests"] is None:
        duration = 30.0
    for name in ("duration", "max_requests"):
        v = duration if name == "duration" else kw[name]
        if v is not None and v <= 0:
            raise click.BadParameter("must be > 0", param_hint=f"--{name.replace('max_', '')}")
    if duration is not None and kw["warmup"] + kw["cooldown"] >= duration:
        raise click.BadParameter("warm-up + cool-down must be shorter than --duration", param_hint="--warmup")
    return Limits(duration=duration, max_requests=kw["max_requests"], warmup=kw["warmup"],
                  cooldown=kw["cooldown"], max_in_flight=kw["max_in_flight"], seed=kw["seed"])


class _Session:
    """Owns the current runner, the SIGINT handler and the progress display for one command."""

    def __init__(self, kw: dict[str, Any], target: Target, make_prompts: Callable[[], Any], limits: Limits):
        self.kw, self.target, self.make_prompts, self.limits = kw, target, make_prompts, limits
        self.console = Console(stderr=True)
        self.runner: Runner | None = None
        self.interrupted = False

    def _on_sigint(self) -> None:
        loop = asyncio.get_running_loop()
        self.interrupted = True
        if self.runner is not None:
            self.runner.stop("interrupted")
        self.console.print("[yellow]Interrupted: saving partial results (Ctrl-C again to abort)[/]")
        loop.remove_signal_handler(signal.SIGINT)

    async def run_level(self, profile: Profile) -> RunResult:
        lim = self.limits
        runner = Runner(self.target, self.make_prompts(), profile, lim)
        self.runner = runner
        if self.interrupted:
            runner.stop("interrupted")
        total = lim.max_requests if lim.duration is None else lim.duration
        unit = "req" if lim.duration is None else "s"
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stats]}"),
                      TimeElapsedColumn(), console=self.console, disable=self.kw["quiet"],
                      transient=False) as bar:
            task = bar.add_task(profile.label(), total=total, stats="")
            job = asyncio.create_task(runner.run())
            while not job.done():
                await asyncio.wait({job}, timeout=0.2)
                p = runner.progress
                done = p.issued if unit == "req" else min(runner.elapsed, lim.duration or 0)
                rate = p.output_tokens / runner.elapsed if runner.elapsed else 0.0
                bar.update(task, completed=done, stats=(
                    f"ok {p.done - p.errors}  err {p.errors}  in-flight {p.in_flight}  {rate:,.0f} tok/s"))
            return job.result()

    async def main(self, body: Callable[[_Session], Any]) -> Any:
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self._on_sigint)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
        try:
            return await body(self)
        finally:
            try:
                loop.remove_signal_handler(signal.SIGINT)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass


def _paths(kw: dict[str, Any]) -> tuple[Path, Path]:
    out = Path(kw["output"] or f"perimeter-bench-{dt.datetime.now():%Y%m%d-%H%M%S}.json")
    html = Path(kw["html_path"]) if kw["html_path"] else out.with_suffix(".html")
    return out, html


def _stdout() -> Console:
    """Wide enough for the summary table when the output goes to a file or a pipe."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def _finish(doc: dict[str, Any], kw: dict[str, Any], runs: list[RunResult], note: str | None = None) -> None:
    out, html = _paths(kw)
    results.save(doc, out)
    html.write_text(report.render(doc), encoding="utf-8")
    console = _stdout()
    print_table(console, [r["summary"] for r in doc["runs"]])
    if note:
        console.print(note)
    console.print(f"results: {out}\nreport:  {html}")
    fatal = next((r.fatal_message for r in runs if r.fatal_message), None)
    if fatal:
        Console(stderr=True).print(f"[red]Error:[/] {fatal}\nStopped early: no request succeeded.")
        sys.exit(EXIT_FATAL)
    if not doc["interrupted"] and not any(r["summary"]["requests"]["ok"] for r in doc["runs"]):
        first = next((r["summary"]["first_error"] for r in doc["runs"] if r["summary"]["first_error"]), None)
        Console(stderr=True).print(f"[red]Error:[/] no request succeeded. First error: {first}")
        sys.exit(EXIT_FATAL)
    if doc["interrupted"]:
        Console(stderr=True).print("[yellow]Run interrupted: partial results saved.[/]")
        sys.exit(EXIT_INTERRUPTED)


def print_table(console: Console, summaries: list[dict[str, Any]]) -> None:
    t = Table(title="perimeter bench", show_lines=False)
    for col in ("load", "ok", "err %", "req/s", "out tok/s", "TTFT p50", "TTFT p99", "ITL p50",
                "TPOT p50", "E2E p90", "goodput/s"):
        t.add_column(col, justify="left" if col == "load" else "right")
    for s in summaries:
        t.add_row(s["label"], str(s["requests"]["ok"]), f"{s['error_rate']:.1%}", f"{s['requests_per_s']:.2f}",
                  f"{s['output_tokens_per_s']:.1f}", _ms(s["ttft"].get("median")), _ms(s["ttft"].get("p99")),
                  _ms(s["itl"].get("median")), _ms(s["tpot"].get("median")), _ms(s["latency"].get("p90")),
                  f"{s['goodput_requests_per_s']:.2f}")
    console.print(t)


def _ms(v: float | None) -> str:
    return "–" if v is None or math.isnan(v) else f"{v * 1000:.1f} ms"


def _target_info(target: Target) -> dict[str, Any]:
    return {"url": target.url, "model": target.model, "stream": target.stream, "extra_body": target.extra_body}


@bench.command("run")
@click.option("--profile", "-p", type=click.Choice(["synchronous", "concurrent", "constant", "poisson"]),
              default=None, help="Load shape (default: concurrent with --concurrency, constant with --rate, "
              "else synchronous).")
@click.option("--concurrency", "-c", type=int, default=None, help="Concurrent requests (concurrent profile).")
@click.option("--rate", "-r", type=float, default=None, help="Requests/s (constant and poisson profiles).")
@_common
def run_cmd(profile: str | None, concurrency: int | None, rate: float | None, **kw: Any) -> None:
    """Measure one load profile."""
    if profile is None:
        profile = "concurrent" if concurrency else ("constant" if rate else "synchronous")
    if profile == "concurrent" and not concurrency:
        raise click.BadParameter("the concurrent profile needs --concurrency N", param_hint="--concurrency")
    if profile in ("constant", "poisson") and not rate:
        raise click.BadParameter(f"the {profile} profile needs --rate R", param_hint="--rate")
    if (concurrency is not None and concurrency < 1) or (rate is not None and rate <= 0):
        raise click.BadParameter("must be positive", param_hint="--concurrency/--rate")
    value = float(concurrency or 1) if profile in ("synchronous", "concurrent") else float(rate or 0)
    target, make_prompts, pinfo, slo = _build(kw)
    limits = _limits(kw)
    session = _Session(kw, target, make_prompts, limits)

    async def body(s: _Session) -> RunResult:
        return await s.run_level(Profile(profile, value))  # type: ignore[arg-type]

    result: RunResult = asyncio.run(session.main(body))
    doc = results.build([result], slo=slo, target=_target_info(target), prompts=pinfo, mode="run")
    _finish(doc, kw, [result])


@bench.command("sweep")
@click.option("--profile", "-p", type=click.Choice(["concurrent", "constant", "poisson"]), default="concurrent",
              show_default=True, help="Raise concurrency (1, 2, 4, ...) or the request rate.")
@click.option("--levels", default=None, help="Explicit levels, e.g. 1,4,16,64 (default: doubling).")
@click.option("--max-level", type=float, default=256, show_default=True, help="Stop doubling here.")
@click.option("--start-rate", type=float, default=None,
              help="First rate of an auto rate sweep (default: what a synchronous run achieves).")
@click.option("--min-gain", type=float, default=0.10, show_default=True,
              help="Saturated when a level adds less than this fraction of output tokens/s.")
@click.option("--max-error-rate", type=float, default=0.05, show_default=True)
@_common
def sweep_cmd(profile: str, levels: str | None, max_level: float, start_rate: float | None, min_gain: float,
              max_error_rate: float, **kw: Any) -> None:
    """Raise the load level by level until throughput stops growing (the saturation point)."""
    try:
        lv = tuple(float(x) for x in levels.split(",")) if levels else None
    except ValueError as exc:
        raise click.BadParameter("comma-separated numbers, e.g. 1,2,4,8", param_hint="--levels") from exc
    if lv and any(v <= 0 for v in lv):
        raise click.BadParameter("levels must be positive", param_hint="--levels")
    plan = SweepPlan(kind=profile, levels=lv, max_level=max_level, min_gain=min_gain,  # type: ignore[arg-type]
                     max_error_rate=max_error_rate, start=start_rate)
    target, make_prompts, pinfo, slo = _build(kw)
    session = _Session(kw, target, make_prompts, _limits(kw))
    out_console = Console(stderr=True)

    def on_level(s: dict[str, Any]) -> None:
        if not kw["quiet"]:
            out_console.print(f"  {s['label']}: {s['output_tokens_per_s']:.1f} out tok/s, "
                              f"{s['requests_per_s']:.2f} req/s, TTFT p90 {_ms(s['ttft'].get('p90'))}, "
                              f"errors {s['error_rate']:.1%}")

    async def body(s: _Session) -> tuple[list[RunResult], dict[str, Any] | None, str]:
        return await run_sweep(plan, slo, s.run_level, on_level=on_level)

    runs, sat, reason = asyncio.run(session.main(body))
    doc = results.build(runs, slo=slo, target=_target_info(target), prompts=pinfo, saturation=sat, mode="sweep")
    doc["sweep_stop_reason"] = reason
    note = f"sweep stopped: {reason}"
    if sat:
        note += (f"\nsaturation point: {sat['label']} — {sat['output_tokens_per_s']:.1f} output tokens/s, "
                 f"{sat['requests_per_s']:.2f} req/s")
    _finish(doc, kw, runs, note)


@bench.command("compare")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def compare_cmd(files: tuple[str, ...]) -> None:
    """Compare result files: headline metrics side by side, change vs the first file."""
    if len(files) < 2:
        raise click.UsageError("give at least two results files")
    try:
        docs = [results.load(f) for f in files]
        heads = [results.best_run(d) for d in docs]
    except results.ResultsError as exc:
        raise click.ClickException(str(exc)) from exc
    console = _stdout()
    console.print(compare_table(files, heads))


# (label, getter, higher is better)
METRICS: list[tuple[str, Callable[[dict[str, Any]], float | None], bool]] = [
    ("requests/s", lambda s: s["requests_per_s"], True),
    ("output tokens/s", lambda s: s["output_tokens_per_s"], True),
    ("goodput req/s", lambda s: s["goodput_requests_per_s"], True),
    ("error rate", lambda s: s["error_rate"], False),
    ("TTFT median ms", lambda s: _g(s, "ttft", "median"), False),
    ("TTFT p90 ms", lambda s: _g(s, "ttft", "p90"), False),
    ("TTFT p99 ms", lambda s: _g(s, "ttft", "p99"), False),
    ("ITL median ms", lambda s: _g(s, "itl", "median"), False),
    ("ITL p99 ms", lambda s: _g(s, "itl", "p99"), False),
    ("TPOT median ms", lambda s: _g(s, "tpot", "median"), False),
    ("E2E median ms", lambda s: _g(s, "latency", "median"), False),
    ("E2E p90 ms", lambda s: _g(s, "latency", "p90"), False),
]


def _g(s: dict[str, Any], metric: str, q: str) -> float | None:
    v = s[metric].get(q)
    return None if v is None else v * 1000


def compare_table(files: tuple[str, ...], heads: list[dict[str, Any]]) -> Table:
    t = Table(title="perimeter bench compare (Δ vs first file; green = better)")
    t.add_column("metric")
    for i, f in enumerate(files):
        t.add_column(f"{Path(f).name}\n{heads[i]['label']}", justify="right")
    for name, get, higher in METRICS:
        base = get(heads[0])
        row = [name]
        for i, h in enumerate(heads):
            v = get(h)
            cell = "–" if v is None else (f"{v:.1%}" if name == "error rate" else f"{v:,.2f}")
            if i and v is not None and base not in (None, 0):
                delta = (v - base) / base  # type: ignore[operator]
                better = (delta > 0) == higher
                color = "green" if better and abs(delta) > 0.005 else ("red" if abs(delta) > 0.005 else "white")
                cell += f" [{color}]({delta:+.1%})[/]"
            row.append(cell)
        t.add_row(*row)
    return t


@bench.command("report")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="HTML path (default: FILE with .html).")
def report_cmd(file: str, output: str | None) -> None:
    """Re-draw the HTML report (and print the summary) from a results JSON file."""
    try:
        doc = results.load(file)
    except results.ResultsError as exc:
        raise click.ClickException(str(exc)) from exc
    out = Path(output) if output else Path(file).with_suffix(".html")
    out.write_text(report.render(doc), encoding="utf-8")
    print_table(_stdout(), [r["summary"] for r in doc["runs"]])
    click.echo(f"report: {out}")


__all__ = ["bench", "summarize"]
