"""The OpenAI Responses API face: ``/v1/responses`` (create, stream, retrieve, delete, input items).

A Responses request is translated at the edge into the canonical chat body
(:mod:`.request`), so privacy, routing, fallback, the ledger and the audit log treat it
exactly like ``/v1/chat/completions``; the answer is translated back into a ``response``
object (:mod:`.response`) or the typed SSE event sequence (:mod:`.events`).  Stored responses
(``store``, ``previous_response_id``) live in the gateway's own database (:mod:`.handler`).
"""
