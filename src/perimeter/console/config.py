"""Console config (``console:``).

Example::

    console:
      enabled: true            # production: off unless set; dev: on whenever an admin key is set
      session_ttl: 28800       # seconds a login lasts
      cookie_secure: true      # behind a TLS-terminating proxy (default: Secure when served over https)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ConsoleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: ``None`` (default): on in dev mode, off in production mode until set to ``true``.
    enabled: bool | None = None
    #: Seconds a login lasts (the session cookie's lifetime).
    session_ttl: float = Field(8 * 3600.0, ge=60, le=7 * 86400)
    #: Mark the cookie ``Secure``; ``None``: when the request came over https.
    cookie_secure: bool | None = None
    #: Seconds between automatic refreshes of the overview (0 = off).
    refresh_seconds: int = Field(10, ge=0, le=3600)
    #: Failed logins allowed per client address per minute before it must wait.
    max_failed_logins: int = Field(10, ge=1, le=1000)

    def active(self, mode: str) -> bool:
        """Whether ``/ui`` is served in this server mode."""
        return self.enabled if self.enabled is not None else mode == "dev"
