"""``perimeter bench`` end to end: files written, sweep, compare, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from perimeter.cli.bench import bench
from tests.bench.fake_server import Behaviour, ServerThread


def invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(bench, list(args), catch_exceptions=False)
    return res.exit_code, res.output


@pytest.fixture
def server():
    with ServerThread(Behaviour(ttft=0.01, itl=0.002, default_tokens=8)) as s:
        yield s


def test_run_writes_json_with_all_samples_and_offline_html(server: ServerThread, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code, text = invoke("run", "--url", server.url, "-m", "m", "-c", "2", "-n", "6", "--output-tokens", "5",
                        "--slo", "ttft=1ms", "-o", str(out), "-q")
    assert code == 0, text
    doc = orjson.loads(out.read_bytes())
    run = doc["runs"][0]
    assert len(run["samples"]) == 6 and all(s["output_tokens"] == 5 for s in run["samples"])
    assert run["summary"]["label"] == "concurrency 2"
    # ttft=1ms cannot be met with a 10 ms injected TTFT: goodput is zero while throughput is not.
    assert run["summary"]["goodput_requests_per_s"] == 0 and run["summary"]["requests_per_s"] > 0
    html = out.with_suffix(".html").read_text()
    assert "<svg" in html and "TTFT distribution" in html
    assert "<script" not in html and "http://" not in html.replace(server.url, "").replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert "TTFT p50" in text


def test_sweep_finds_saturation_and_compare_reads_two_files(tmp_path: Path) -> None:
    with ServerThread(Behaviour(ttft=0.02, itl=0.002, default_tokens=4)) as s:
        a = tmp_path / "a.json"
        code, text = invoke("sweep", "--url", s.url, "-m", "m", "--levels", "1,2,4", "-n", "8",
                            "--output-tokens", "4", "-o", str(a), "-q")
        assert code == 0, text
        b = tmp_path / "b.json"
        code, _ = invoke("run", "--url", s.url, "-m", "m", "-c", "1", "-n", "4", "--output-tokens", "4",
                         "-o", str(b), "-q")
        assert code == 0
    doc = orjson.loads(a.read_bytes())
    levels = [r["summary"]["level"] for r in doc["runs"]]
    assert levels[:2] == [1.0, 2.0]
    tputs = [r["summary"]["output_tokens_per_s"] for r in doc["runs"]]
    assert doc["saturation"]["index"] == tputs.index(max(tputs))
    assert "saturation point" in text
    html = a.with_suffix(".html").read_text()
    assert "Latency vs load" in html and "Throughput vs concurrency" in html
    code, text = invoke("compare", str(a), str(b))
    assert code == 0, text
    assert "output tokens/s" in text and "TTFT p90 ms" in text and "%" in text


def test_jsonl_prompts_are_sent(server: ServerThread, tmp_path: Path) -> None:
    p = tmp_path / "p.jsonl"
    p.write_text('{"prompt": "hello", "max_tokens": 3}\n{"messages": [{"role": "user", "content": "x"}]}\n')
    out = tmp_path / "r.json"
    code, text = invoke("run", "--url", server.url, "-m", "m", "-n", "4", "--prompts", str(p),
                        "--output-tokens", "2", "-o", str(out), "-q")
    assert code == 0, text
    toks = [s["output_tokens"] for s in orjson.loads(out.read_bytes())["runs"][0]["samples"]]
    assert toks == [3, 2, 3, 2]


def test_bad_prompt_file_names_the_line(server: ServerThread, tmp_path: Path) -> None:
    p = tmp_path / "p.jsonl"
    p.write_text('{"prompt": "ok"}\n{"nope": 1}\n')
    code, text = invoke("run", "--url", server.url, "-m", "m", "-n", "1", "--prompts", str(p), "-q")
    assert code != 0 and "p.jsonl:2" in text


def test_bad_slo_is_a_usage_error(server: ServerThread) -> None:
    code, text = invoke("run", "--url", server.url, "-m", "m", "-n", "1", "--slo", "ttft=fast")
    assert code == 2 and "--slo" in text


def test_unreachable_endpoint_stops_early_with_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code, text = invoke("run", "--url", "http://127.0.0.1:9/v1", "-m", "m", "-c", "4", "-d", "20",
                        "-o", str(out), "-q")
    assert code == 2
    assert "cannot reach" in text and "no request succeeded" in text
    doc = orjson.loads(out.read_bytes())
    assert doc["runs"][0]["summary"]["stop_reason"] == "fatal error"
    assert doc["runs"][0]["summary"]["errors_by_kind"].get("connect", 0) >= 1
    assert len(doc["runs"][0]["samples"]) < 50  # stopped early, did not hammer for 20 s


@pytest.mark.parametrize(("behaviour", "kind", "message"), [
    (Behaviour(api_key="right"), "auth", "Incorrect API key"),
    (Behaviour(mode="json"), "not_sse", "not text/event-stream"),
])
def test_fatal_server_answers(tmp_path: Path, behaviour: Behaviour, kind: str, message: str) -> None:
    out = tmp_path / "r.json"
    with ServerThread(behaviour) as s:
        code, text = invoke("run", "--url", s.url, "-m", "m", "--api-key", "wrong", "-d", "10", "-o", str(out),
                            "-q")
    assert code == 2 and message in text
    summary = orjson.loads(out.read_bytes())["runs"][0]["summary"]
    assert summary["errors_by_kind"] == {kind: summary["requests"]["errors"]}


@pytest.mark.parametrize(("mode", "kind"), [("malformed", "malformed"), ("truncate", "truncated"),
                                             ("error500", "server_error")])
def test_broken_streams_are_counted_as_errors(tmp_path: Path, mode: str, kind: str) -> None:
    out = tmp_path / "r.json"
    with ServerThread(Behaviour(ttft=0.001, itl=0.001, mode=mode)) as s:
        code, _ = invoke("run", "--url", s.url, "-m", "m", "-n", "3", "--output-tokens", "6", "-o", str(out), "-q")
    summary = orjson.loads(out.read_bytes())["runs"][0]["summary"]
    assert summary["errors_by_kind"] == {kind: 3}
    assert summary["error_rate"] == 1.0
    assert code == 2  # nothing succeeded: the command fails


def test_no_stream_mode_works_against_json_servers(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    with ServerThread(Behaviour(mode="json")) as s:
        code, text = invoke("run", "--url", s.url, "-m", "m", "-n", "2", "--no-stream", "-o", str(out), "-q")
    assert code == 0, text
    summary = orjson.loads(out.read_bytes())["runs"][0]["summary"]
    assert summary["requests"]["ok"] == 2 and summary["ttft"]["median"] == summary["latency"]["median"]


def test_help_explains_subcommands() -> None:
    code, text = invoke("--help")
    assert code == 0
    for sub in ("run", "sweep", "compare", "report"):
        assert sub in text


def test_auto_rate_sweep_starts_from_the_synchronous_rate(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    with ServerThread(Behaviour(ttft=0.02, itl=0.002, default_tokens=4)) as s:
        code, text = invoke("sweep", "--url", s.url, "-m", "m", "-p", "constant", "-d", "0.8",
                            "--max-level", "60", "--min-gain", "0", "--output-tokens", "4", "-o", str(out), "-q")
    assert code == 0, text
    runs = [r["summary"] for r in orjson.loads(out.read_bytes())["runs"]]
    assert runs[0]["profile"] == "synchronous"
    assert runs[1]["profile"] == "constant"
    assert abs(runs[1]["level"] - runs[0]["requests_per_s"]) < 1e-9  # first rate = what synchronous achieved
    if len(runs) > 2:
        assert abs(runs[2]["level"] - 2 * runs[1]["level"]) < 1e-9
