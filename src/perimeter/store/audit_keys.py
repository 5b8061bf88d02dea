"""The audit log's keys, which live outside the database on purpose.

* the **chain key** (HMAC-SHA-256): without it no one can compute a valid entry, so whoever
  can write the database still cannot edit, insert or re-chain entries unnoticed;
* the **signing key** (Ed25519): signs checkpoints of the chain head; anyone holding only the
  public key can check them.

Both come from the config (``storage.audit``) or from files that are created on first use
with mode 0600 (the data directory 0700).  Verification never creates a key: a verifier
without the key is told so instead of silently checking nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from perimeter.store.config import StorageConfig


class AuditKeyError(Exception):
    """An audit key is missing, unreadable or malformed (the message names the file)."""


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def _create_private(path: Path, data: bytes) -> None:
    """Write a new 0600 file atomically: complete or absent, never half-written (replicas that
    start together race here); ``FileExistsError`` if another process won."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def public_key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(eq=False)
class AuditKeys:
    """The chain key, this process's signing key (if it signs) and the public keys it trusts."""

    chain_key: bytes
    signing_key: Ed25519PrivateKey | None = None
    trusted: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    # -- chain --------------------------------------------------------------------------------
    def mac(self, prev_hash: str, seq: int, event_id: str, ts_us: int, replica: str, event: str, data: str) -> str:
        msg = "|".join((prev_hash, str(seq), event_id, str(ts_us), replica, event, data)).encode()
        # hmac.digest: OpenSSL's one-shot HMAC, no Python HMAC object per entry (the same MAC).
        return hmac.digest(self.chain_key, msg, "sha256").hex()

    # -- checkpoints ----------------------------------------------------------------------------
    @property
    def signer_id(self) -> str | None:
        return public_key_id(self.signing_key.public_key()) if self.signing_key is not None else None

    def sign(self, message: bytes) -> str:
        if self.signing_key is None:
            raise AuditKeyError("no audit signing key loaded")
        return self.signing_key.sign(message).hex()

    def check_signature(self, key_id: str, message: bytes, signature: str) -> str | None:
        """``None`` if valid, else why not."""
        public = self.trusted.get(key_id)
        if public is None:
            return f"signed by an unknown key {key_id} (add its public key to storage.audit.trusted_keys)"
        try:
            public.verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return "bad signature"
        return None

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, storage: StorageConfig, *, create: bool) -> AuditKeys:
        """Keys for ``storage``; ``create`` makes missing key files (writers), verifiers pass False."""
        cfg = storage.audit
        data_dir = Path(storage.data_dir)
        chain_key = cfg.key.encode() if cfg.key else _chain_key_file(
            Path(cfg.key_file) if cfg.key_file else data_dir / "audit.key", create)
        signing_path = Path(cfg.signing_key_file) if cfg.signing_key_file else data_dir / "audit-signing.pem"
        signing = _signing_key(signing_path, create)
        trusted: dict[str, Ed25519PublicKey] = {}
        if signing is not None:
            trusted[public_key_id(signing.public_key())] = signing.public_key()
        for f in cfg.trusted_keys:
            pub = load_public_key(Path(f))
            trusted[public_key_id(pub)] = pub
        return cls(chain_key, signing, trusted)


def _chain_key_file(path: Path, create: bool) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise AuditKeyError(f"{path}: the audit chain key is missing (set storage.audit.key or key_file to the "
                                "key the gateway writes with)") from None
        text = secrets.token_hex(32)
        try:
            _create_private(path, text.encode() + b"\n")
        except FileExistsError:  # another process created it first: use theirs
            text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"{path}: cannot read the audit chain key: {exc}") from None
    if len(text) < 16:
        raise AuditKeyError(f"{path}: the audit chain key is too short (16+ characters)")
    return text.encode()


def _signing_key(path: Path, create: bool) -> Ed25519PrivateKey | None:
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            _create_private(path, pem)
            pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
            try:
                _create_private(path.with_suffix(".pub.pem"), pub)
            except FileExistsError:
                pass
            return key
        except FileExistsError:
            pem = path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"{path}: cannot read the audit signing key: {exc}") from None
    try:
        loaded = serialization.load_pem_private_key(pem, password=None)
    except ValueError as exc:
        raise AuditKeyError(f"{path}: not a PEM private key: {exc}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise AuditKeyError(f"{path}: the audit signing key must be an Ed25519 key")
    return loaded


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        pub = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise AuditKeyError(f"{path}: cannot load the public key: {exc}") from None
    if not isinstance(pub, Ed25519PublicKey):
        raise AuditKeyError(f"{path}: not an Ed25519 public key")
    return pub


def config_problems(storage: StorageConfig) -> list[str]:
    """What would stop a writer from loading its audit keys (without creating anything)."""
    cfg = storage.audit
    problems = []
    for name, value in (("key_file", cfg.key_file), ("signing_key_file", cfg.signing_key_file)):
        if value is not None and not Path(value).exists() and not Path(value).parent.is_dir():
            problems.append(f"storage.audit.{name}: {value}: its directory does not exist, so the key cannot be "
                            "created there")
    try:
        if cfg.key is None and cfg.key_file is not None and Path(cfg.key_file).exists():
            _chain_key_file(Path(cfg.key_file), create=False)
        if cfg.signing_key_file is not None and Path(cfg.signing_key_file).exists():
            _signing_key(Path(cfg.signing_key_file), create=False)
    except AuditKeyError as exc:
        problems.append(f"storage.audit: {exc}")
    for i, f in enumerate(cfg.trusted_keys):
        try:
            load_public_key(Path(f))
        except AuditKeyError as exc:
            problems.append(f"storage.audit.trusted_keys[{i}]: {exc}")
    return problems
