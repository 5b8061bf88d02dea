"""``perimeter route``: show where a request would go and why, without calling any model.

The request is scanned exactly as the gateway scans it (the same privacy stage, built by the
same assembly function, with the same policy): a request the gateway keeps on-prem or refuses
is shown kept on-prem or refused here too.  ``--entity`` adds simulated findings on top.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

import click
import orjson

from perimeter.config import Config, ConfigError, load_config
from perimeter.context import Endpoint, Principal, RequestContext
from perimeter.errors import GatewayError

if TYPE_CHECKING:
    from perimeter.routing.router import HybridRouter
    from perimeter.stages import RouteDecision


def _load_request(path: str) -> dict[str, Any]:
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
        data = orjson.loads(raw)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise click.ClickException(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a JSON object (an OpenAI request body)")
    return data


def build_context(data: dict[str, Any], entities: tuple[str, ...], headers: tuple[str, ...],
                  key_id: str | None, stream: bool | None) -> RequestContext:
    """A request file is an OpenAI body, or ``{"body": ..., "headers": ..., "entity_counts": ...}``."""
    body = data.get("body") if isinstance(data.get("body"), dict) else data
    assert isinstance(body, dict)
    hdrs = {str(k).lower(): str(v) for k, v in (data.get("headers") or {}).items()} if "body" in data else {}
    for h in headers:
        name, sep, value = h.partition(":")
        if not sep:
            raise click.BadParameter(f"'{h}' is not 'name: value'", param_hint="--header")
        hdrs[name.strip().lower()] = value.strip()
    counts: dict[str, int] = dict(data.get("entity_counts") or {}) if "body" in data else {}
    for e in entities:
        counts[e] = counts.get(e, 0) + 1
    alias = body.get("model")
    if not isinstance(alias, str):
        raise click.ClickException("the request has no 'model' (the alias to route)")
    endpoint: Endpoint = "completions" if "prompt" in body else (
        "embeddings" if "input" in body and "messages" not in body else "chat")
    ctx = RequestContext(
        request_id="explain", endpoint=endpoint, alias=alias, body=body, headers=hdrs,
        stream=bool(body.get("stream")) if stream is None else stream,
        principal=Principal(key_id=key_id) if key_id else None,
    )
    ctx.entity_counts = counts
    ctx.require_on_prem = bool(data.get("require_on_prem")) or bool(counts)
    ctx.conversation_id = data.get("conversation_id") if isinstance(data.get("conversation_id"), str) else None
    return ctx


@click.command("route")
@click.argument("request_file", metavar="REQUEST.json")
@click.option("--explain", is_flag=True, help="Print the full decision trail.")
@click.option("--config", "config_path", metavar="FILE", help="Config file (default: $PERIMETER_CONFIG).")
@click.option("--entity", "entities", multiple=True, metavar="TYPE",
              help="Treat the request as carrying this entity type under the 'local' action (repeatable).")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Add a request header (repeatable).")
@click.option("--down", multiple=True, metavar="PROVIDER", help="Treat this provider as unhealthy (repeatable).")
@click.option("--budget-spent", is_flag=True, help="Treat the caller's cloud budget as spent.")
@click.option("--key-id", default=None, help="Caller key id (scopes conversation stickiness).")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
def route(request_file: str, explain: bool, config_path: str | None, entities: tuple[str, ...],
          headers: tuple[str, ...], down: tuple[str, ...], budget_spent: bool, key_id: str | None,
          as_json: bool) -> None:
    """Show where REQUEST.json would be routed and why, without calling any model.

    REQUEST.json is an OpenAI request body ("-" reads stdin), or an envelope
    {"body": {...}, "headers": {...}, "entity_counts": {"RU_PASSPORT": 1}}.
    """
    from perimeter.routing.router import HybridRouter

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    ctx = build_context(_load_request(request_file), entities, headers, key_id, None)
    unhealthy = set(down)
    try:
        router = HybridRouter(config, lambda p: p not in unhealthy,
                              cloud_budget_left=(lambda _ctx: False) if budget_spent else None)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        decision = asyncio.run(_scan_and_decide(config, ctx, router))
    except GatewayError as exc:
        if as_json:
            click.echo(orjson.dumps({"error": exc.body()["error"], "status": exc.status, "privacy": _privacy(ctx),
                                     "trail": ctx.route_trail}, option=orjson.OPT_INDENT_2).decode())
        else:
            click.echo(f"refused: HTTP {exc.status} {exc.code}: {exc.message}")
            if explain:
                click.echo(f"privacy: {_privacy_line(ctx)}")
        sys.exit(2)
    targets: list[dict[str, Any]] = [
        {"providers": list(t.providers), "model": t.model,
         "location": sorted({config.provider(p).location for p in t.providers}),
         "jurisdiction": sorted({config.provider(p).jurisdiction or "unknown" for p in t.providers})}
        for t in decision.targets
    ]
    if as_json:
        out = {"alias": ctx.alias, "reason": decision.reason, "targets": targets, "trail": decision.trail,
               "cascade": decision.cascade is not None, "privacy": _privacy(ctx)}
        click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
        return
    first = targets[0] if targets else None
    where = f"{'|'.join(first['providers'])} ({', '.join(first['location'])})" if first else "nothing"
    click.echo(f"alias {ctx.alias} -> {where}   reason: {decision.reason}")
    if explain:
        click.echo(f"privacy: {_privacy_line(ctx)}")
        click.echo("decision trail:")
        for i, step in enumerate(decision.trail, 1):
            click.echo(f"  {i}. {step}")
        click.echo("fallback chain:")
        for i, t in enumerate(targets, 1):
            model = f" model={t['model']}" if t["model"] else ""
            click.echo(f"  {i}. {'|'.join(t['providers'])} [{', '.join(t['location'])}; "
                       f"{', '.join(t['jurisdiction'])}]{model}")
        if decision.cascade is not None:
            click.echo("cascade: the local answer is checked and escalated to the cloud chain if it fails, refuses "
                       f"or its mean token logprob < {decision.cascade.min_confidence}")


async def _scan_and_decide(config: Config, ctx: RequestContext, router: HybridRouter) -> RouteDecision:
    """The gateway's privacy stage (inspect), then the routing decision."""
    from perimeter.assembly import build_privacy_stage

    closers: list[Any] = []
    stage = await build_privacy_stage(config, closers)
    try:
        if stage is not None:
            simulated, forced = dict(ctx.entity_counts), ctx.require_on_prem
            await stage.inspect(ctx)
            for name, n in simulated.items():
                ctx.entity_counts[name] = ctx.entity_counts.get(name, 0) + n
            ctx.require_on_prem = ctx.require_on_prem or forced
        _residency(config, ctx)
        return await router.decide(ctx)
    finally:
        for close in closers:
            await close()


def _privacy(ctx: RequestContext) -> dict[str, Any]:
    return {"entities": dict(sorted(ctx.entity_counts.items())), "action": ctx.privacy_action,
            "on_prem_only": ctx.require_on_prem}


def _privacy_line(ctx: RequestContext) -> str:
    found = ", ".join(f"{t}={n}" for t, n in sorted(ctx.entity_counts.items())) or "nothing sensitive found"
    action = ctx.privacy_action or "not scanned"
    where = "; only on-prem providers may serve it" if ctx.require_on_prem else ""
    return f"{found} (action: {action}){where}"


def _residency(config: Any, ctx: RequestContext) -> None:
    """Where the alias's residency policy lets these (local) entity types go besides on-prem."""
    from perimeter.privacy.residency import clouds_for_local, compile_rules

    alias = config.models.get(ctx.alias)
    if alias is None or not ctx.require_on_prem or not ctx.entity_counts:
        return
    policy = config.privacy.merged(alias.privacy)
    ctx.residency_allows = clouds_for_local(compile_rules(policy.residency), ctx.entity_counts)
