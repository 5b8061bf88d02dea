"""Attach the optional stages (keys/ledger/audit, privacy, routing, inbound Anthropic) to a gateway.

Kept apart from :mod:`perimeter.app` so that the app module stays about HTTP and lifecycle,
and each optional stage is wired in exactly one place.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from perimeter.app import Gateway

log = logging.getLogger("perimeter")


async def attach_services(gw: Gateway) -> None:
    """Build and attach every configured stage; called once from the lifespan startup."""
    return None
