from tests.accounting.backends import redis_prefix, storage

__all__ = ["redis_prefix", "storage"]
