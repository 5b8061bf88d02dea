"""The tool measures what the server really did: injected delays come back within a few percent."""

from __future__ import annotations

import statistics

from perimeter.bench.client import Target, chat_url
from perimeter.bench.metrics import summarize
from perimeter.bench.prompts import synthetic
from perimeter.bench.runner import Limits, Profile, Runner
from tests.bench.fake_server import Behaviour


def close(measured: float, expected: float, rel: float, slack: float) -> bool:
    return abs(measured - expected) <= rel * expected + slack


async def test_ttft_and_itl_match_injected_delays(serve) -> None:
    b = Behaviour(ttft=0.050, itl=0.010)
    url = await serve(b)
    runner = Runner(Target(chat_url(url), "m"), synthetic(32, 20), Profile("concurrent", 4),
                    Limits(max_requests=40))
    result = await runner.run()
    s = summarize(result)
    assert s["requests"]["ok"] == 40 and s["error_rate"] == 0
    # Against the injected delays.  On a loaded 2-core box the fake server's own sleeps overshoot
    # by a few ms, so these bounds are looser than the ones against the server's clock below.
    assert close(s["ttft"]["median"], 0.050, 0.10, 0.002), s["ttft"]
    assert close(s["itl"]["median"], 0.010, 0.05, 0.001), s["itl"]
    assert close(s["tpot"]["median"], 0.010, 0.05, 0.001), s["tpot"]
    assert close(s["latency"]["median"], 0.050 + 19 * 0.010, 0.05, 0.004), s["latency"]
    # ITL excludes the first token: 19 gaps per 20-token answer.
    assert s["itl"]["count"] == 40 * 19
    assert s["output_tokens"] == 40 * 20 and s["usage_reported"]
    # Against what the server actually did (its own clock): the client adds only a couple of ms
    # to TTFT (loopback + parsing) and reproduces the mean token gap within a few percent.
    server_ttft = statistics.median(first - arrived for arrived, first, _ in b.timings)
    assert 0 <= s["ttft"]["median"] - server_ttft < 0.008, (s["ttft"]["median"], server_ttft)
    server_gap = statistics.median((last - first) / 19 for _, first, last in b.timings)
    client_gap = statistics.median(sum(x.itl) / len(x.itl) for x in result.samples)
    assert close(client_gap, server_gap, 0.03, 0.0003), (client_gap, server_gap)


async def test_constant_rate_holds_against_a_slow_server(serve) -> None:
    # Each answer takes ~0.35 s, so ~7 requests are in flight: a closed-loop client would lag.
    b = Behaviour(ttft=0.30, itl=0.01, default_tokens=5)
    url = await serve(b)
    runner = Runner(Target(chat_url(url), "m"), synthetic(16, 5), Profile("constant", 20),
                    Limits(duration=2.5))
    result = await runner.run()
    s = summarize(result)
    assert s["requests"]["ok"] == 50, s["requests"]
    assert close(s["send_rate"], 20, 0.05, 0), s["send_rate"]
    assert close(s["requests_per_s"], 20, 0.05, 0), s["requests_per_s"]
    arrivals = sorted(b.arrivals)
    server_rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    assert close(server_rate, 20, 0.05, 0), server_rate
    assert s["send_lag"]["p90"] < 0.02
    assert s["mean_concurrency"] > 5


async def test_poisson_rate_averages_to_target_with_exponential_gaps(serve) -> None:
    url = await serve(Behaviour(ttft=0.005, itl=0.002, default_tokens=3))
    runner = Runner(Target(chat_url(url), "m"), synthetic(8, 3), Profile("poisson", 60),
                    Limits(duration=2.5, seed=7))
    result = await runner.run()
    s = summarize(result)
    sched = [x.scheduled for x in result.samples]
    sched_rate = (len(sched) - 1) / (sched[-1] - sched[0])
    assert close(s["send_rate"], sched_rate, 0.05, 0)
    assert close(sched_rate, 60, 0.25, 0)  # seeded draw, 150 arrivals
    gaps = [b - a for a, b in zip(sorted(x.start for x in result.samples)[:-1],
                                  sorted(x.start for x in result.samples)[1:], strict=True)]
    cv = statistics.pstdev(gaps) / statistics.mean(gaps)
    assert 0.7 < cv < 1.3, cv  # exponential gaps have CV 1; constant rate would be ~0


async def test_counts_chunks_when_server_reports_no_usage(serve) -> None:
    url = await serve(Behaviour(ttft=0.002, itl=0.001, mode="no_usage"))
    result = await Runner(Target(chat_url(url), "m"), synthetic(10, 9), Profile("synchronous"),
                          Limits(max_requests=3)).run()
    assert all(x.ok and x.output_tokens == 9 and not x.usage_reported for x in result.samples)
    # Input tokens fall back to the prompt-length estimate.
    assert all(x.input_tokens == 10 for x in result.samples)


async def test_warmup_and_cooldown_are_excluded(serve) -> None:
    url = await serve(Behaviour(ttft=0.02, itl=0.002, default_tokens=4))
    result = await Runner(Target(chat_url(url), "m"), synthetic(8, 4), Profile("synchronous"),
                          Limits(duration=1.5, warmup=0.4, cooldown=0.4)).run()
    phases = {x.phase for x in result.samples}
    assert phases == {"warmup", "measure", "cooldown"}
    lo, hi = result.window
    assert lo == 0.4 and abs(hi - (result.issue_stopped - 0.4)) < 1e-9
    measured = [x for x in result.samples if x.phase == "measure"]
    assert all(lo <= x.start <= hi for x in measured)
    s = summarize(result)
    assert s["requests"]["measured"] == len(measured) < len(result.samples)
    assert close(s["window_s"], 0.7, 0.1, 0.05)
