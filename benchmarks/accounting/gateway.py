"""One gateway process for the benchmark: ``python -m benchmarks.accounting.gateway CFG PORT on|off``."""

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
    on = sys.argv[3] == "on"
    logging.basicConfig(level="WARNING", stream=sys.stderr)
    app = AccountedGateway(cfg) if on else Gateway(cfg)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), loop="uvloop", http="httptools", lifespan="on",
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
