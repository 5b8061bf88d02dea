"""``perimeter`` command line: serve | scan | route | bench | tco | keys | audit.

Subcommands are imported lazily, so ``perimeter --help`` and ``perimeter serve`` do not pay
for loading NLP models or plotting libraries that only ``scan`` or ``bench`` need.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from perimeter import __version__

# name -> (module, attribute, one-line help shown by ``perimeter --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("perimeter.cli.serve", "serve", "Run the gateway (OpenAI- and Anthropic-compatible HTTP API)."),
    "scan": ("perimeter.cli.scan", "scan", "Find sensitive data (RU + EN) in text or JSONL."),
    "route": ("perimeter.cli.route", "route", "Explain where a request would be routed, without calling a model."),
    "bench": ("perimeter.cli.bench", "bench", "Load-test an OpenAI-compatible endpoint (TTFT, ITL, throughput)."),
    "tco": ("perimeter.cli.tco", "tco", "Self-host vs API cost model and break-even volume."),
    "keys": ("perimeter.cli.keys", "keys", "Create, list, revoke and rotate virtual API keys."),
    "audit": ("perimeter.cli.audit", "audit", "Verify and export the tamper-evident audit log."),
    "config": ("perimeter.cli.config", "config", "Validate a config file and print the resolved settings."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr, help_text = spec
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):

                @click.command(cmd_name, help=help_text)
                def unavailable() -> None:
                    raise click.ClickException(f"'{cmd_name}' is not available in this build")

                return unavailable
            raise
        cmd = getattr(module, attr)
        assert isinstance(cmd, click.Command)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perimeter")
def cli() -> None:
    """Perimeter — self-hosted hybrid LLM gateway.

    Keeps sensitive data on-prem (or pseudonymized), sends hard non-sensitive work to the
    cloud, fails over between providers, and accounts and audits every request.
    """


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="perimeter")
