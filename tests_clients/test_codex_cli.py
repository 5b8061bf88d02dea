"""The Codex CLI (``codex exec``, the npm package) against the gateway's ``/v1/responses``.

Not part of ``make test``: the CLI is a ~420 MB npm download, so ``make test-codex`` installs it
(once, into ~/.cache/perimeter/codex) and runs this module with ``PERIMETER_CODEX`` pointing at
it.  The upstream is the loopback OpenAI fake behind the gateway's Responses → chat translation:
its model first asks Codex to run a shell command, then reports what the command printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

CODEX = os.environ.get("PERIMETER_CODEX", "")


def run_shell_once(body: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The fake model's plan: run ``echo`` through Codex's exec tool, then answer."""
    if (body.get("messages") or [{}])[-1].get("role") == "tool":
        return None
    names = [t["function"]["name"] for t in body.get("tools") or ()]
    assert "exec_command" in names, names
    args = {"cmd": "echo perimeter-codex-ok"}
    return {"id": "call_codex_1", "type": "function", "function": {"name": "exec_command",
                                                                   "arguments": json.dumps(args)}}


async def test_codex_exec_runs_a_tool_round_trip_through_the_gateway(tmp_path: Path) -> None:
    assert CODEX and shutil.which(CODEX), "set PERIMETER_CODEX to the codex binary (make test-codex does)"
    async with FakeOpenAI(name="up", call=run_shell_once) as up:
        cfg = minimal_config([openai_provider("up", up.base_url)], {"agent": ["up"]}, privacy={"enabled": False},
                             storage={"data_dir": str(tmp_path / "data")})
        async with running_gateway(cfg) as gw:
            home, work = tmp_path / "codex-home", tmp_path / "work"
            home.mkdir()
            work.mkdir()
            (home / "config.toml").write_text(
                'model = "agent"\nmodel_provider = "perimeter"\n[model_providers.perimeter]\nname = "Perimeter"\n'
                f'base_url = "{gw.base_url}"\nwire_api = "responses"\nenv_key = "PERIMETER_API_KEY"\n')
            env = {**os.environ, "CODEX_HOME": str(home), "PERIMETER_API_KEY": "dev"}
            proc = await asyncio.create_subprocess_exec(
                CODEX, "exec", "--skip-git-repo-check", "-s", "danger-full-access", "say hi", cwd=work, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 240)
    text = out.decode() + err.decode()
    assert proc.returncode == 0, text[-3000:]
    assert "tool said:" in text and "perimeter-codex-ok" in text, text[-3000:]
    first, second = up.requests[0], up.requests[-1]
    assert first["stream"] is True and any(m["role"] == "developer" for m in first["messages"])
    tool_result = second["messages"][-1]
    assert tool_result["role"] == "tool" and "perimeter-codex-ok" in str(tool_result["content"])
