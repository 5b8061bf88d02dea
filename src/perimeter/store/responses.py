"""Stored ``/v1/responses`` results: what ``store: true`` keeps and ``previous_response_id`` reads.

Responses live in the gateway's own database (table ``responses``, migration 4), never at a
vendor: the native Responses adapter always sends ``store: false`` upstream.  Each row holds
one turn — its input items, its output items and the whole response object — and points at
the turn before it; :meth:`SQLResponseStore.chain` walks that list back in one recursive
query (SQLite and PostgreSQL both have ``WITH RECURSIVE``).

A row is written before the client receives the response, so the id it holds is usable at
once from any replica.  Owners are tenants (a team, else a key): another owner's response
reads as missing.  Old rows are purged after ``storage.responses_retention_days``.

:class:`MemoryResponseStore` serves keyless dev setups that run without a database
(``accounting.enabled: false``): same behaviour, gone on restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

import orjson

from perimeter.stages import StoredResponse
from perimeter.store.db import Database, DatabaseUnavailable, Tx

log = logging.getLogger("perimeter.store.responses")

_COLUMNS = "id, owner, created_at, alias, previous_id, input_items, output, response"
#: A conversation longer than this many turns is refused rather than walked forever.
MAX_CHAIN = 10_000


def _row(r: tuple[Any, ...]) -> StoredResponse:
    return StoredResponse(id=r[0], owner=r[1], created_at=float(r[2]), alias=r[3], previous_id=r[4],
                          input_items=orjson.loads(r[5]), output=orjson.loads(r[6]), response=orjson.loads(r[7]))


def _complete(rows: list[StoredResponse]) -> list[StoredResponse] | None:
    """The chain if it reaches its first turn unbroken, else ``None``."""
    if not rows or rows[0].previous_id is not None:
        return None
    return rows


class SQLResponseStore:
    """Implements :class:`perimeter.stages.ResponseStore` on the gateway's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, record: StoredResponse) -> None:
        values = (record.id, record.owner, record.created_at, record.alias, record.previous_id,
                  orjson.dumps(record.input_items).decode(), orjson.dumps(record.output).decode(),
                  orjson.dumps(record.response).decode())

        def insert(tx: Tx) -> None:
            tx.execute(f"INSERT INTO responses ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)

        await self.db.run(insert)

    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        def select(tx: Tx) -> list[tuple[Any, ...]]:
            return tx.execute(f"SELECT {_COLUMNS} FROM responses WHERE id = ? AND owner = ?", (response_id, owner))

        rows = await self.db.run(select, write=False)
        return _row(rows[0]) if rows else None

    async def chain(self, owner: str, response_id: str) -> list[StoredResponse] | None:
        sql = f"""
            WITH RECURSIVE chain (id, previous_id, depth) AS (
                SELECT id, previous_id, 0 FROM responses WHERE id = ? AND owner = ?
                UNION ALL
                SELECT r.id, r.previous_id, c.depth + 1 FROM responses r JOIN chain c ON r.id = c.previous_id
                WHERE r.owner = ? AND c.depth < {MAX_CHAIN}
            )
            SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))}
            FROM chain c JOIN responses r ON r.id = c.id ORDER BY c.depth DESC
        """

        def select(tx: Tx) -> list[tuple[Any, ...]]:
            return tx.execute(sql, (response_id, owner, owner))

        rows = await self.db.run(select, write=False)
        return _complete([_row(r) for r in rows])

    async def delete(self, owner: str, response_id: str) -> bool:
        def remove(tx: Tx) -> bool:
            found = tx.execute("SELECT 1 FROM responses WHERE id = ? AND owner = ?", (response_id, owner))
            if found:
                tx.execute("DELETE FROM responses WHERE id = ? AND owner = ?", (response_id, owner))
            return bool(found)

        return await self.db.run(remove)

    async def purge_forever(self, days: int) -> None:
        """Delete responses older than ``days``, hourly (a background task)."""
        while True:
            cutoff = time.time() - days * 86400

            def purge(tx: Tx, cutoff: float = cutoff) -> None:
                tx.execute("DELETE FROM responses WHERE created_at < ?", (cutoff,))

            try:
                await self.db.run(purge)
            except DatabaseUnavailable as exc:
                log.warning("stored responses purge skipped: %s", exc)
            await asyncio.sleep(3600)


class MemoryResponseStore:
    """The same store in memory, bounded (oldest evicted first): keyless dev setups only."""

    def __init__(self, max_items: int = 10_000) -> None:
        self._items: OrderedDict[str, StoredResponse] = OrderedDict()
        self._max = max_items

    async def save(self, record: StoredResponse) -> None:
        self._items[record.id] = record
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        rec = self._items.get(response_id)
        return rec if rec is not None and rec.owner == owner else None

    async def chain(self, owner: str, response_id: str) -> list[StoredResponse] | None:
        rows: list[StoredResponse] = []
        current: str | None = response_id
        while current is not None and len(rows) <= MAX_CHAIN:
            rec = await self.get(owner, current)
            if rec is None:
                return None
            rows.append(rec)
            current = rec.previous_id
        return _complete(rows[::-1])

    async def delete(self, owner: str, response_id: str) -> bool:
        if await self.get(owner, response_id) is None:
            return False
        del self._items[response_id]
        return True
