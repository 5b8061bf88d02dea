"""Run one real gateway replica with keys/ledger/audit attached: ``python -m tests.accounting.replica CFG PORT``.

Used by the multi-replica and kill-under-load tests.  ``perimeter.assembly.build`` attaches
accounting whenever the config enables it, so this is the plain gateway.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from perimeter.app import Gateway
from perimeter.config import load_config


def main() -> None:
    cfg = load_config(sys.argv[1])
    logging.basicConfig(level="WARNING", stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(Gateway(cfg), host="127.0.0.1", port=int(sys.argv[2]), loop="asyncio", http="httptools",
                lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
