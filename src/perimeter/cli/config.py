"""``perimeter config check``: validate a config without starting anything."""

from __future__ import annotations

import click
import orjson

from perimeter.config import ConfigError, check_serving, load_config


@click.group("config")
def config() -> None:
    """Validate a config file and print the resolved settings."""


@config.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--print", "print_", is_flag=True, help="Print the resolved config (secrets masked).")
def check(path: str | None, print_: bool) -> None:
    """Exit 0 if PATH (or $PERIMETER_CONFIG) would start a server, else print every problem.

    Runs exactly the checks `perimeter serve` runs before it starts (one code path)."""
    try:
        cfg = load_config(path)
        check_serving(cfg)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{cfg.source}: OK — {len(cfg.providers)} provider(s), {len(cfg.models)} model(s)")
    if print_:
        data = cfg.model_dump(mode="json")
        for p in data.get("providers", []):
            if p.get("api_key"):
                p["api_key"] = "***"
        if data.get("server", {}).get("admin_key"):
            data["server"]["admin_key"] = "***"
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
