"""The HTTP surface: OpenAI- and Anthropic-compatible endpoints, admin, health, metrics."""
