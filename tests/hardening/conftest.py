"""The gateway tests' fixtures (loopback upstreams, an HTTP client) and the tiny GGUF model."""

from tests.gateway.conftest import client, upstream, upstream2
from tests.providers_llamacpp.conftest import tiny_model

__all__ = ["client", "tiny_model", "upstream", "upstream2"]
