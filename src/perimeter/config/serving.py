"""Whether a valid config can actually be served: the one check ``serve`` and ``config check`` share.

:func:`~perimeter.config.load.load_config` answers "is this a well-formed config?"; this
module answers "would the server start with it?" — production without an admin key, a
model file that is not there, an audit key that cannot be read.  ``perimeter config check``,
``perimeter serve`` (before uvicorn starts, so the message is not buried under a traceback)
and the gateway's own start-up all call :func:`check_serving`, so they can never disagree.
"""

from __future__ import annotations

from pathlib import Path

from perimeter.config.load import ConfigError
from perimeter.config.model import Config
from perimeter.providers.llamacpp.config import LlamaCppProviderConfig
from perimeter.store.audit_keys import config_problems as audit_key_problems

MIN_ADMIN_KEY = 16


def serving_problems(cfg: Config) -> list[str]:
    """Every reason the server would refuse to start with ``cfg`` (empty: it would start)."""
    problems: list[str] = []
    server = cfg.server
    if server.mode == "production":
        if not server.admin_key:
            problems.append(
                "server.admin_key: server.mode is 'production' but server.admin_key is not set: set it (e.g. "
                "admin_key: ${PERIMETER_ADMIN_KEY}) so keys can be managed and requests authenticated, "
                "or use mode: dev for local experiments")
        if not cfg.accounting.enabled:
            problems.append("accounting.enabled: false, which production mode does not allow "
                            "(no keys, no ledger, no audit log)")
    if server.admin_key is not None and len(server.admin_key) < MIN_ADMIN_KEY:
        problems.append(f"server.admin_key: too short: use at least {MIN_ADMIN_KEY} random characters")
    for i, p in enumerate(cfg.providers):
        if isinstance(p, LlamaCppProviderConfig) and not Path(p.model_path).is_file():
            problems.append(f"providers[{i}].model_path: llama.cpp model file not found: {p.model_path} "
                            "(run `make model` for the tiny test model, or point it at a GGUF file)")
    if cfg.accounting.enabled:
        problems.extend(audit_key_problems(cfg.storage))
        audit = cfg.storage.audit
        if server.mode == "production" and cfg.storage.is_postgres and not (audit.key or audit.key_file):
            problems.append(
                "storage.audit.key: replicas that share a PostgreSQL database chain one audit log and must "
                "share its key: set storage.audit.key (e.g. ${PERIMETER_AUDIT_KEY}, 16+ random characters) "
                "or storage.audit.key_file")
    return problems


def check_serving(cfg: Config) -> None:
    """Raise :class:`ConfigError` listing every problem :func:`serving_problems` finds."""
    problems = serving_problems(cfg)
    if problems:
        source = cfg.source or "<config>"
        raise ConfigError("\n".join(f"{source}: {p}" for p in problems))
