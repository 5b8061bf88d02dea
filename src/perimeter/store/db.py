"""One database connection used from one worker thread: SQLite (default) or PostgreSQL.

Why a thread and sync drivers: every database call is off the event loop (the hot path never
waits on it), SQLite has no async driver worth the name, and using one code path for both
backends keeps the SQL honest.  Statements are written with ``?`` placeholders; the PostgreSQL
dialect rewrites them to ``%s``.  Callers pass a function that receives a :class:`Tx` and runs
inside one transaction; if the connection broke, the next call reconnects.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from perimeter.store.audit_keys import AuditKeys, private_dir
from perimeter.store.config import StorageConfig

T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refused the write (down, disk full, locked)."""


#: Rows per multi-row INSERT on SQLite (x 29 ledger columns: far below its variable limit).
_SQLITE_CHUNK = 64

class Tx:
    """A cursor-like handle valid inside one :meth:`Database.run` call."""

    def __init__(self, conn: Any, postgres: bool, db: Database | None = None) -> None:
        self._conn = conn
        self.postgres = postgres
        self._db = db

    @property
    def audit_keys(self) -> AuditKeys:
        """The audit chain's keys for this database's config (they live outside the database)."""
        if self._db is None:
            raise RuntimeError("this transaction has no database config to find the audit keys by")
        return self._db.audit_keys()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.execute(self._sql(sql), tuple(params))
        if cur.description is None:
            return []
        return [tuple(r) for r in cur.fetchall()]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            with self._conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        else:
            self._conn.executemany(sql, rows)

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]], suffix: str = "") -> None:
        """Insert many rows fast: ``executemany`` on SQLite (a C loop), multi-row ``VALUES``
        statements on PostgreSQL (one round trip and one parse per few hundred rows instead
        of one per row)."""
        if not rows:
            return
        cols = ", ".join(columns)
        if not self.postgres:
            # Multi-row VALUES in chunks of 64, 32, …, 1 rows (a few statement texts, all in
            # sqlite3's statement cache), not executemany: that drops and re-takes the GIL around
            # every row's sqlite3_step, and each re-take waits for the event loop's thread to be
            # forced off the GIL (a hand-off per row, paid on both threads).  Same rows, same order.
            one = "(" + ", ".join("?" * len(columns)) + ")"
            i, n = 0, len(rows)
            size = _SQLITE_CHUNK
            while i < n:
                while size > n - i:
                    size //= 2
                chunk = rows[i : i + size]
                params = [v for r in chunk for v in r]
                self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * size)} {suffix}", params)
                i += size
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        per = max(1, 30_000 // len(columns))
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            params = [v for r in chunk for v in r]
            self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} {suffix}", params)

    def copy_rows(self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """Append rows that cannot conflict: ``COPY … FROM STDIN`` on PostgreSQL (measured ~10x
        less client CPU than multi-row ``INSERT`` and far less server parsing), ``executemany``
        on SQLite.  A duplicate key makes the whole transaction fail, so callers use
        :meth:`insert_rows` with ``ON CONFLICT`` for anything that may be a replay."""
        if not rows:
            return
        if not self.postgres:
            self.insert_rows(table, columns, rows)
            return
        with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            write = cp.write_row
            for r in rows:
                write(r)

    def script(self, sql: str) -> None:
        """Several statements separated by ``;`` (migrations)."""
        if self.postgres:
            self._conn.execute(sql)
        else:
            for stmt in sql.split(";"):
                if stmt.strip():
                    self._conn.execute(stmt)


def sqlite_path(cfg: StorageConfig) -> str:
    if cfg.database_url and cfg.database_url.startswith("sqlite:///"):
        return cfg.database_url.removeprefix("sqlite:///") or ":memory:"
    return str(Path(cfg.data_dir) / "perimeter.db")


class Database:
    """A connection owned by a single worker thread; ``await db.run(fn)`` runs ``fn(tx)`` there."""

    def __init__(self, cfg: StorageConfig) -> None:
        self.cfg = cfg
        self.postgres = cfg.is_postgres
        self._conn: Any = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="perimeter-db")
        self._lock = threading.Lock()
        self._audit_keys: AuditKeys | None = None

    def audit_keys(self, *, create: bool = True) -> AuditKeys:
        """The keys that chain and sign this database's audit log (files created on first use
        by writers; ``create=False`` for verifiers, which must never invent a key)."""
        if self._audit_keys is None:
            keys = AuditKeys.load(self.cfg, create=create)
            if not create:
                return keys
            self._audit_keys = keys
        return self._audit_keys

    @property
    def description(self) -> str:
        if self.postgres:
            url = self.cfg.database_url or ""
            return "postgresql " + url.split("@")[-1] + (f" schema={self.cfg.database_schema}" if self.cfg.database_schema else "")
        return f"sqlite {sqlite_path(self.cfg)}"

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> Any:
        if self.postgres:
            import psycopg

            pg: Any = psycopg.connect(self.cfg.database_url or "", autocommit=True, connect_timeout=3)
            schema = self.cfg.database_schema
            if schema:
                try:
                    pg.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema):
                    pass  # another replica created it at the same moment (IF NOT EXISTS is not atomic)
                pg.execute(f'SET search_path TO "{schema}"')
            return pg
        path = sqlite_path(self.cfg)
        if path != ":memory:":
            private_dir(Path(path).parent)
            # Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
            # database file's permissions, so nothing of the ledger is readable by others.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _run_sync(self, fn: Callable[[Tx], T], write: bool) -> T:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                conn = self._conn
                if self.postgres:
                    with conn.transaction():
                        return fn(Tx(conn, True, self))
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    out = fn(Tx(conn, False, self))
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return out
            except Exception as exc:
                if _is_unavailable(exc):
                    self._drop()
                    raise DatabaseUnavailable(f"{self.description}: {exc}".strip()) from exc
                raise

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def run_sync(self, fn: Callable[[Tx], T], *, write: bool = True) -> T:
        """Run ``fn`` in one transaction from synchronous code (CLI, startup)."""
        return self._pool.submit(self._run_sync, fn, write).result()

    async def run(self, fn: Callable[[Tx], T], *, write: bool = True) -> T:
        """Run ``fn`` in one transaction on the database thread without blocking the loop."""
        fut = self._pool.submit(self._run_sync, fn, write)
        return await asyncio.wrap_future(fut)

    def close(self) -> None:
        try:
            self._pool.submit(self._drop).result(timeout=10)
        except Exception:
            pass
        self._pool.shutdown(wait=True)


def _is_unavailable(exc: Exception) -> bool:
    """Errors that mean "try again later" rather than a bug in our SQL."""
    if isinstance(exc, sqlite3.OperationalError):
        msg = str(exc).lower()
        return any(s in msg for s in ("disk", "locked", "unable to open", "readonly", "i/o"))
    if isinstance(exc, sqlite3.DatabaseError) and "full" in str(exc).lower():
        return True
    if isinstance(exc, OSError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def instance_name() -> str:
    """Identifies this process in ledger rows and audit entries (host:pid)."""
    return f"{os.uname().nodename}:{os.getpid()}"
