"""Run one real gateway replica with keys/ledger/audit attached: ``python -m tests.accounting.replica CFG PORT``.

Used by the multi-replica and kill-under-load tests.  ``perimeter.services.attach_services``
may already attach accounting; :func:`attach_accounting` is idempotent, so this works either way.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from perimeter.accounting.wiring import attach_accounting
from perimeter.app import Gateway
from perimeter.config import load_config


class AccountedGateway(Gateway):
    async def startup(self) -> None:
        await super().startup()
        await attach_accounting(self)


def main() -> None:
    cfg = load_config(sys.argv[1])
    logging.basicConfig(level="WARNING", stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(AccountedGateway(cfg), host="127.0.0.1", port=int(sys.argv[2]), loop="asyncio", http="httptools",
                lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
