"""Keeping calls alive when upstreams fail: breaker, balancing, retries with backoff."""
