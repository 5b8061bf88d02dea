"""Read the YAML config: ``${ENV}`` interpolation, validation, errors with file and key path.

A config error names the file, the key path and what is wrong, e.g.::

    examples/perimeter.yaml: models.chat.targets[0].provider: unknown provider 'vlm' (known: vllm, openai)

and the server refuses to start.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from perimeter.config.model import Config, PathError
from perimeter.providers.llamacpp.config import LlamaCppProviderConfig


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _interpolate(value: Any, path: tuple[Any, ...], missing: list[str]) -> Any:
    if isinstance(value, str):
        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(f"{_fmt_path(path)}: environment variable ${{{name}}} is not set")
            return ""

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _interpolate(v, (*path, k), missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, (*path, i), missing) for i, v in enumerate(value)]
    return value


def _fmt_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


def parse_config(data: Any, source: str = "<config>") -> Config:
    """Validate already-loaded YAML data; raise :class:`ConfigError` with file and key path."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with 'providers' and 'models'")
    missing: list[str] = []
    data = _interpolate(data, (), missing)
    if missing:
        raise ConfigError("\n".join(f"{source}: {m}" for m in missing))
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.endswith("Config")))
            ctx = err.get("ctx") or {}
            inner = ctx.get("error")
            if isinstance(inner, PathError):
                lines.append(f"{source}: {_fmt_path(inner.path)}: {inner.message}")
                continue
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling; see the README for the allowed keys)"
            elif err["type"] == "missing":
                msg = "required key is missing"
            lines.append(f"{source}: {_fmt_path(loc)}: {msg}")
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None
    cfg.source = source
    return cfg


def _read_yaml(path: str | os.PathLike[str] | None) -> tuple[Any, Path]:
    path = path or os.environ.get("PERIMETER_CONFIG")
    if not path:
        raise ConfigError("no config file: pass --config FILE or set PERIMETER_CONFIG")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None
    try:
        return yaml.safe_load(text), p
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML: {exc}") from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load the config from ``path``, else ``$PERIMETER_CONFIG``."""
    data, p = _read_yaml(path)
    cfg = parse_config(data, str(p))
    # Relative model paths are relative to the config file, so examples work from any cwd.
    for prov in cfg.providers:
        if isinstance(prov, LlamaCppProviderConfig) and not os.path.isabs(prov.model_path):
            candidate = (p.parent / prov.model_path).resolve()
            if candidate.exists() or not Path(prov.model_path).exists():
                prov.model_path = str(candidate)
    return cfg


def load_section(path: str | os.PathLike[str] | None, name: str) -> Any:
    """Only section ``name`` of the config, validated on its own.

    Tools that need one part of the config (``keys`` and ``audit`` need ``storage``) must not
    require what the rest of it references: a missing ``${PERIMETER_PRIVACY_SECRET}`` is the
    server's business, not the business of a command that lists keys.
    """
    data, p = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: the top level must be a mapping with 'providers' and 'models'")
    field = Config.model_fields[name]
    missing: list[str] = []
    section = _interpolate(data.get(name) or {}, (name,), missing)
    if missing:
        raise ConfigError("\n".join(f"{p}: {m}" for m in missing))
    model: Any = field.annotation
    try:
        return model.model_validate(section)
    except ValidationError as exc:
        lines = [f"{p}: {_fmt_path((name, *err['loc']))}: {err['msg']}" for err in exc.errors()]
        raise ConfigError("\n".join(lines)) from None
