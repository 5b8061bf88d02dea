"""Configuration: the typed model (:mod:`.model`), the YAML loader (:mod:`.load`), ``config check`` (:mod:`.cli`).

``from perimeter.config import Config, load_config`` is the public surface.
"""

from perimeter.config.load import ConfigError, load_config, load_section, parse_config
from perimeter.config.model import AliasConfig, Config, ProviderConfig, ServerConfig, TargetConfig
from perimeter.config.serving import check_serving, serving_problems

__all__ = ["AliasConfig", "Config", "ConfigError", "ProviderConfig", "ServerConfig", "TargetConfig", "check_serving",
           "load_config", "load_section", "parse_config", "serving_problems"]
