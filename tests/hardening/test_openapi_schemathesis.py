"""Schemathesis against the running gateway: generated requests, valid and invalid, to every
operation of the published OpenAPI description; no 5xx and every response as documented."""

from __future__ import annotations

import asyncio
import copy
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
import yaml

from perimeter.api.openapi import spec
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

ADMIN = "admin-key-for-the-schemathesis-run"
#: Bounded: every operation gets this many generated cases, valid and invalid (the run takes ~1 minute).
MAX_EXAMPLES = int(os.environ.get("PERIMETER_SCHEMATHESIS_EXAMPLES", "10"))
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _pinned_models(doc: dict[str, Any], aliases: list[str]) -> dict[str, Any]:
    """The published description with ``model`` narrowed to this gateway's aliases, so valid
    cases reach the whole pipeline instead of stopping at an unknown alias."""
    out = copy.deepcopy(doc)
    schemas = out["components"]["schemas"]
    for name in ("ChatCompletionRequest", "CompletionRequest", "EmbeddingRequest", "MessagesRequest",
                 "CountTokensRequest", "ResponseRequest"):
        schemas[name]["properties"]["model"] = {"enum": aliases}
    return out


def test_published_description_is_openapi_3_1_and_covers_the_routes() -> None:
    from perimeter.app import ROUTES

    doc = spec()
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m != "parameters"}
    for method, path in ROUTES:
        if path.startswith(("/v1/", "/admin/")):
            assert (method, path) in documented, f"{method} {path} is served but not described"


async def test_schemathesis_finds_no_server_error_and_no_undocumented_response(
        upstream: FakeOpenAI, client: httpx.AsyncClient, tmp_path: Path) -> None:
    cfg = minimal_config([openai_provider("local", upstream.base_url)], {"chat": ["local"]},
                         server={"admin_key": ADMIN, "max_body_bytes": 65536},
                         storage={"data_dir": str(tmp_path / "data"), "flush_interval": 0.05})
    async with running_gateway(cfg) as gw:
        served = (await client.get(f"{gw.url}/openapi.json")).json()
        assert served == orjson.loads(orjson.dumps(spec()))  # dev mode serves the shipped file
        schema_file = tmp_path / "openapi.yaml"
        schema_file.write_text(yaml.safe_dump(_pinned_models(served, ["chat"])))
        # Model endpoints first, while the gateway is keyless (any bearer passes); then the admin
        # API, which creates keys (after which /v1 would rightly answer 401).
        v1 = await _schemathesis(schema_file, gw.url, "^/v1/", "Bearer any-value", tmp_path)
        assert len(upstream.requests) > 20, v1[-2000:]  # valid cases reached the upstream
        admin = await _schemathesis(schema_file, gw.url, "^/admin/", f"Bearer {ADMIN}", tmp_path)
        assert (await client.get(f"{gw.url}/health/ready")).status_code == 200
    print(v1[-800:], admin[-800:])


async def _schemathesis(schema_file: Path, url: str, paths: str, auth: str, cwd: Path) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", "run", str(schema_file), "--url", url,
        "--include-path-regex", paths, "--header", f"Authorization: {auth}", "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing", "--mode", "all", "--max-examples", str(MAX_EXAMPLES),
        "--seed", "12",
        "--no-shrink", "--workers", "2", "--request-timeout", "20", "--suppress-health-check", "all",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=cwd,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)})
    out, _ = await asyncio.wait_for(proc.communicate(), 240)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text[-6000:]
    assert "generated" in text
    return text
    print(text[-1500:])
