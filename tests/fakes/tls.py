"""A throwaway certificate authority for loopback HTTPS listeners.

Tests of the custom-CA path need a server whose chain ends at a root that no trust store on
the machine knows — exactly GigaChat's situation with the Russian Trusted Root CA.  ``trustme``
makes one in memory for each test session; the client is given its PEM file as ``ca_bundle``.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass
class CertAuthority:
    ca: trustme.CA
    ca_pem: Path  # what a provider's ca_bundle points at

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
        return ctx


def make_ca(directory: Path, name: str = "Perimeter Test Root CA") -> CertAuthority:
    ca = trustme.CA(organization_name=name)
    pem = directory / "test-root-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return CertAuthority(ca, pem)
