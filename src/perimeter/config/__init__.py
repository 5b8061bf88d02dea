"""Configuration: the typed model (:mod:`.model`), the YAML loader (:mod:`.load`), ``config check`` (:mod:`.cli`).

``from perimeter.config import Config, load_config`` is the public surface.
"""

from perimeter.config.load import ConfigError, load_config, parse_config
from perimeter.config.model import AliasConfig, Config, ProviderConfig, ServerConfig, TargetConfig

__all__ = ["AliasConfig", "Config", "ConfigError", "ProviderConfig", "ServerConfig", "TargetConfig", "load_config",
           "parse_config"]
