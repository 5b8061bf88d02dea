"""TLS towards upstreams: always verified, optionally against the operator's own CA bundle.

Some vendors' chains end at a root that default trust stores do not carry (GigaChat's ends at
the Russian Trusted Root CA of the Ministry of Digital Development).  The answer is to trust
that root explicitly — never to switch verification off, which Perimeter has no setting for.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp

from perimeter.errors import ProviderError

#: The transport errors that mean "this certificate chain is not trusted here".
CERTIFICATE_ERRORS = (aiohttp.ClientConnectorCertificateError, aiohttp.ClientConnectorSSLError)


def certificate_error(provider: str, exc: aiohttp.ClientConnectorError) -> ProviderError:
    """A TLS failure, said so that the operator knows the fix (retryable: the alias falls back)."""
    return ProviderError(
        f"provider '{provider}': the TLS certificate of {exc.host} could not be verified ({exc}); if its chain "
        "ends at a root your system does not trust, set the provider's ca_bundle to that root", kind="tls_error")


def check_ca_bundle(path: str | None) -> str | None:
    """Config validator: the bundle must exist and hold at least one PEM certificate."""
    if path is None or path == "":
        return None
    if not Path(path).is_file():
        raise ValueError(f"CA bundle '{path}' does not exist (give the path of a PEM file with the root certificate)")
    try:
        client_context(path)
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(f"CA bundle '{path}' is not a readable PEM certificate file: {exc}") from None
    return path


def client_context(ca_bundle: str | None) -> ssl.SSLContext | None:
    """``None`` keeps the system trust store; a bundle is trusted *instead of* it (as the vendor SDKs do).

    Hostname checking and certificate verification stay on in both cases.
    """
    if not ca_bundle:
        return None
    ctx = ssl.create_default_context(cafile=ca_bundle)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx
