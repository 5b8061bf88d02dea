"""One gateway process for the benchmark: ``python -m benchmarks.accounting.gateway CFG PORT``.

Keys/ledger/audit are built by ``perimeter.assembly.build``; the OFF side sets
``accounting.enabled: false``.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from perimeter.app import create_app
from perimeter.config import load_config


def main() -> None:
    cfg = load_config(sys.argv[1])
    logging.basicConfig(level="WARNING", stream=sys.stderr)
    uvicorn.run(create_app(cfg), host="127.0.0.1", port=int(sys.argv[2]), loop="uvloop", http="httptools",
                lifespan="on", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
