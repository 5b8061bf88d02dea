"""In-process llama.cpp provider (``type: llamacpp``): a GGUF model served on this machine.

Data sent here never leaves the host, so the provider is always ``on_prem``.  The model is
loaded once in :meth:`LlamaCppProvider.start` (in a thread: loading a real model takes
seconds).  A llama.cpp context is not thread-safe, so the provider keeps ``max_concurrency``
loaded instances in a pool; a request takes one, generates in a worker thread and gives it
back.  At most ``max_queue`` requests wait for an instance: one more is refused at once with
a 429 (``kind="queue_full"``, retryable) so the gateway can fall back instead of piling up.

Streaming passes tokens from the worker thread to the event loop through an
:class:`asyncio.Queue` (``call_soon_threadsafe``).  When the client goes away the async
generator is closed; its ``finally`` sets a stop flag that the token loop checks after every
token, so an abandoned generation frees the model within one token.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.base import ClientHeaders, Provider
from perimeter.providers.llamacpp.params import (
    ChatRequest,
    CompletionRequest,
    parse_chat,
    parse_completion,
    parse_embeddings,
)
from perimeter.providers.llamacpp.structured import OutputPlan, plan_output

if TYPE_CHECKING:
    from perimeter.providers.llamacpp.config import LlamaCppProviderConfig
    from perimeter.providers.llamacpp.engine import Emit, Engine, Event, RunResult

T = TypeVar("T")


class LlamaCppProvider(Provider):
    """Serve chat, text completions and (optionally) embeddings from a local GGUF file."""

    def __init__(self, cfg: LlamaCppProviderConfig) -> None:
        super().__init__(cfg.name, "on_prem", cfg.model or Path(cfg.model_path).stem)
        self.cfg = cfg
        self._engines: list[Engine] = []
        self._embedder: Engine | None = None
        self._idle: asyncio.Queue[Engine] | None = None
        self._embed_lock: asyncio.Lock | None = None
        self._waiting = 0
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._loaded = False

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Load ``max_concurrency`` instances (and the embedding one) off the event loop."""
        if self._loaded:
            return
        try:
            from perimeter.providers.llamacpp.engine import Engine, load_llama
        except ImportError as exc:
            from perimeter.providers.llamacpp.config import ENGINE_MISSING

            raise RuntimeError(f"provider '{self.name}': {ENGINE_MISSING} ({exc})") from exc

        cfg = self.cfg

        def load(embedding: bool) -> Engine:
            llama = load_llama(cfg.model_path, n_ctx=cfg.n_ctx, n_threads=cfg.n_threads, n_batch=cfg.n_batch,
                               seed=cfg.seed, embedding=embedding)
            try:
                return Engine(llama, None if embedding else cfg.chat_format)
            except BaseException:
                llama.close()
                raise

        engines: list[Engine] = []
        embedder: Engine | None = None
        try:
            for _ in range(cfg.max_concurrency):
                engines.append(await asyncio.to_thread(load, False))
            if cfg.embeddings:
                embedder = await asyncio.to_thread(load, True)
        except BaseException:
            for engine in engines:
                engine.close()
            raise
        workers = cfg.max_concurrency + (1 if embedder is not None else 0)
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix=f"llamacpp-{self.name}")
        self._idle = asyncio.Queue()
        for engine in engines:
            self._idle.put_nowait(engine)
        self._engines, self._embedder = engines, embedder
        self._embed_lock = asyncio.Lock()
        self._loaded = True

    async def aclose(self) -> None:
        self._loaded = False
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, True)  # let running generations finish
        for engine in self._engines:
            engine.close()
        if self._embedder is not None:
            self._embedder.close()
        self._engines, self._embedder = [], None

    def ready(self) -> bool:
        return self._loaded

    # ------------------------------------------------------------------ tokenizer
    # llama.cpp's tokenizer reads only the immutable vocabulary, so these are safe to call
    # while a generation runs; they are cheap for prompt-sized text (token accounting).
    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """The model's own tokens for ``text`` (no BOS added)."""
        return self._engine_for_tokenizer().tokenize(text, add_bos=False, special=special)

    def detokenize(self, tokens: list[int]) -> str:
        return self._engine_for_tokenizer().llama.detokenize(tokens).decode("utf-8", errors="replace")

    def format_chat(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> str:
        """The prompt the model sees: its chat template applied to OpenAI ``messages`` (and ``tools``)."""
        req = parse_chat({"messages": messages, "tools": tools})
        return self._engine_for_tokenizer().format_chat(req.messages, req.tools)

    async def count_tokens(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> int | None:
        """Exact: the model's own tokens of the prompt it would see (template and tools included)."""
        req = parse_chat(body)
        engine = self._engine_for_tokenizer()
        return len(engine.chat_tokens(req.messages, req.tools))

    def _engine_for_tokenizer(self) -> Engine:
        if not self._engines:
            raise _not_ready(self.name)
        return self._engines[0]

    # ------------------------------------------------------------------ chat
    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        req = parse_chat(body)
        plan = _plan(req)
        result = await self._run(lambda e, cancel: e.run([e.chat_tokens(req.messages, req.tools)], req.params,
                                                         req.n, cancel, None, (e.eos_text,), plan))
        choices = []
        for index, gen in enumerate(result.generations):
            message: dict[str, Any] = {"role": "assistant", "content": gen.text or None if gen.tool_calls else gen.text,
                                       "refusal": None}
            if gen.tool_calls:
                message["tool_calls"] = gen.tool_calls
            choice = {
                "index": index, "message": message,
                "logprobs": {"content": gen.logprobs, "refusal": None} if req.params.logprobs else None,
                "finish_reason": gen.finish_reason,
            }
            if gen.stop is not None:
                choice["stop_reason"] = gen.stop  # which stop string ended it (as vLLM reports)
            choices.append(choice)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": self._model(body), "choices": choices, "usage": _usage(result),
            "system_fingerprint": None,
        }

    async def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        req: ChatRequest = parse_chat(body)
        plan = _plan(req)
        base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": self._model(body), "system_fingerprint": None}
        usage_field = {"usage": None} if req.include_usage else {}
        prompt_tokens: int | None = None

        def chunk(choice: dict[str, Any]) -> dict[str, Any]:
            return {**base, "choices": [choice], **usage_field}

        async for event in self._stream(
            lambda e, cancel, emit: e.run([e.chat_tokens(req.messages, req.tools)], req.params, req.n, cancel, emit,
                                          (e.eos_text,), plan),
            with_prompt=True,
        ):
            kind = event[0]
            if kind == "prompt":
                prompt_tokens = event[1]
            elif kind == "start":
                first = chunk({"index": event[1], "delta": {"role": "assistant", "content": "", "refusal": None},
                               "logprobs": None, "finish_reason": None})
                if req.include_usage and prompt_tokens is not None and event[1] == 0:
                    # The prompt's size at once (Anthropic clients show it in message_start).
                    first["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": 0,
                                      "total_tokens": prompt_tokens}
                yield first
            elif kind == "call":
                _, index, k, call = event
                yield chunk({"index": index, "delta": {"tool_calls": [{
                    "index": k, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}]},
                    "logprobs": None, "finish_reason": None})
            elif kind == "args":
                _, index, k, fragment = event
                yield chunk({"index": index, "delta": {"tool_calls": [{"index": k, "function": {"arguments": fragment}}]},
                             "logprobs": None, "finish_reason": None})
            elif kind == "delta":
                _, index, text, lp = event
                if text or lp is not None:
                    logprobs = {"content": [lp] if lp is not None else [], "refusal": None} if req.params.logprobs else None
                    yield chunk({"index": index, "delta": {"content": text}, "logprobs": logprobs,
                                 "finish_reason": None})
            elif kind == "end":
                gen = event[2]
                end = chunk({"index": event[1], "delta": {}, "logprobs": None, "finish_reason": gen.finish_reason})
                if gen.stop is not None:
                    end["choices"][0]["stop_reason"] = gen.stop
                yield end
            elif kind == "done" and req.include_usage:
                yield {**base, "choices": [], "usage": _usage(event[1])}

    # ------------------------------------------------------------------ /v1/completions
    async def completions(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        req = parse_completion(body)
        result = await self._run(lambda e, cancel: e.run([e.completion_tokens(p) for p in req.prompts],
                                                         req.params, req.n, cancel, None))
        choices = []
        for index, gen in enumerate(result.generations):
            prefix = req.prompts[index // req.n] if req.echo else ""
            choices.append({
                "index": index, "text": prefix + gen.text, "finish_reason": gen.finish_reason,
                "logprobs": _legacy_logprobs(gen.logprobs, [len(prefix) + o for o in gen.offsets])
                if req.params.logprobs else None,
            })
        return {"id": f"cmpl-{uuid.uuid4().hex}", "object": "text_completion", "created": int(time.time()),
                "model": self._model(body), "choices": choices, "usage": _usage(result),
                "system_fingerprint": None}

    async def completions_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        req: CompletionRequest = parse_completion(body)
        base = {"id": f"cmpl-{uuid.uuid4().hex}", "object": "text_completion", "created": int(time.time()),
                "model": self._model(body), "system_fingerprint": None}
        offsets: dict[int, int] = {}
        async for event in self._stream(
            lambda e, cancel, emit: e.run([e.completion_tokens(p) for p in req.prompts], req.params, req.n,
                                          cancel, emit)
        ):
            kind = event[0]
            if kind == "start" and req.echo:
                prompt = req.prompts[event[1] // req.n]
                offsets[event[1]] = len(prompt)
                yield {**base, "choices": [{"index": event[1], "text": prompt, "logprobs": None,
                                            "finish_reason": None}]}
            elif kind == "delta":
                _, index, text, lp = event
                at = offsets.get(index, 0)
                offsets[index] = at + len(text)
                if text or lp is not None:
                    logprobs = _legacy_logprobs([lp], [at]) if lp is not None else None
                    yield {**base, "choices": [{"index": index, "text": text, "logprobs": logprobs,
                                                "finish_reason": None}]}
            elif kind == "end":
                yield {**base, "choices": [{"index": event[1], "text": "", "logprobs": None,
                                            "finish_reason": event[2].finish_reason}]}
            elif kind == "done" and req.include_usage:
                yield {**base, "choices": [], "usage": _usage(event[1])}

    # ------------------------------------------------------------------ /v1/embeddings
    async def embeddings(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        if not self.cfg.embeddings:
            raise ProviderError(
                f"provider '{self.name}' does not serve /v1/embeddings (set 'embeddings: true' in its config "
                "to load an embedding instance of the model)", status=400, retryable=False,
                kind="unsupported_endpoint",
            )
        req = parse_embeddings(body)
        embedder, lock = self._embedder, self._embed_lock
        if not self._loaded or embedder is None or lock is None or self._executor is None:
            raise _not_ready(self.name)
        if lock.locked() and self._waiting >= self.cfg.max_queue:
            raise _queue_full(self.name, self.cfg.max_concurrency, self.cfg.max_queue)
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            await lock.acquire()
        finally:
            self._waiting -= 1
        try:
            vectors, tokens = await loop.run_in_executor(self._executor, embedder.embed, req.inputs)
        except ProviderError:
            raise
        except Exception as exc:
            raise ProviderError(f"llama.cpp embedding failed: {exc}", status=500, kind="upstream_error") from exc
        finally:
            lock.release()
        data = []
        for i, v in enumerate(vectors):
            emb: Any = v
            if req.encoding_format == "base64":
                emb = base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode("ascii")
            data.append({"object": "embedding", "index": i, "embedding": emb})
        return {"object": "list", "data": data, "model": self._model(body),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}

    # ------------------------------------------------------------------ the pool
    def _model(self, body: dict[str, Any]) -> str:
        model = body.get("model")
        return model if isinstance(model, str) and model else (self.default_model or self.name)

    async def _acquire(self) -> Engine:
        """Take an idle instance, waiting in a bounded FIFO queue; 429 when the queue is full."""
        idle = self._idle
        if not self._loaded or idle is None:
            raise _not_ready(self.name)
        if self._waiting == 0 and not idle.empty():
            return idle.get_nowait()
        if self._waiting >= self.cfg.max_queue:
            raise _queue_full(self.name, self.cfg.max_concurrency, self.cfg.max_queue)
        self._waiting += 1
        try:
            async with asyncio.timeout(self.cfg.timeouts.first_byte):
                return await idle.get()
        except TimeoutError:
            raise ProviderError(
                f"llama.cpp provider '{self.name}': no free model instance within "
                f"{self.cfg.timeouts.first_byte:g}s (timeouts.first_byte)", status=504, kind="timeout",
            ) from None
        finally:
            self._waiting -= 1

    def _submit(self, engine: Engine, fn: Callable[[], T]) -> asyncio.Future[T]:
        """Run ``fn`` in a worker thread; ``engine`` goes back to the pool when the thread ends.

        The instance is released when the *thread* finishes, not when the awaiting task is
        cancelled: a cancelled request must not hand out an instance that is still busy.
        """
        loop = asyncio.get_running_loop()
        idle = self._idle
        executor = self._executor
        if executor is None or idle is None:
            raise _not_ready(self.name)

        def release(_: object) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed first: nothing to return to
                loop.call_soon_threadsafe(idle.put_nowait, engine)

        try:
            cfut = executor.submit(fn)
        except RuntimeError:  # executor shut down
            idle.put_nowait(engine)
            raise _not_ready(self.name) from None
        cfut.add_done_callback(release)
        return asyncio.wrap_future(cfut, loop=loop)

    async def _run(self, job: Callable[[Engine, threading.Event], RunResult]) -> RunResult:
        """Non-streaming: one job on one instance, bounded by ``timeouts.total``."""
        engine = await self._acquire()
        cancel = threading.Event()
        fut = self._submit(engine, lambda: job(engine, cancel))
        try:
            async with asyncio.timeout(self.cfg.timeouts.total):
                return await fut
        except TimeoutError:
            raise ProviderError(f"llama.cpp generation took longer than {self.cfg.timeouts.total:g}s "
                                "(timeouts.total)", status=504, kind="timeout") from None
        except ProviderError:
            raise
        except Exception as exc:
            raise ProviderError(f"llama.cpp generation failed: {exc}", status=500, kind="upstream_error") from exc
        finally:
            cancel.set()  # no-op when finished; stops the token loop when cancelled or timed out

    async def _stream(self, job: Callable[[Engine, threading.Event, Emit], RunResult], *,
                      with_prompt: bool = False) -> AsyncIterator[Event]:
        """Streaming: yield the worker's events as they come, then ``("done", RunResult)``.

        ``("prompt", n)`` events are passed on only ``with_prompt``.

        Failures before the first token raise :class:`ProviderError`; later ones
        :class:`StreamBroken`, as the provider interface requires.
        """
        engine = await self._acquire()
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[Event] = asyncio.Queue()
        cancel = threading.Event()

        def emit(event: Event) -> None:
            try:
                loop.call_soon_threadsafe(events.put_nowait, event)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                cancel.set()

        def work() -> None:
            try:
                emit(("done", job(engine, cancel, emit)))
            except BaseException as exc:
                emit(("error", exc))

        self._submit(engine, work)
        deadline = loop.time() + self.cfg.timeouts.total
        first_byte = loop.time() + self.cfg.timeouts.first_byte
        started = False
        try:
            while True:
                limit = deadline if started else min(deadline, first_byte)
                try:
                    async with asyncio.timeout_at(limit):
                        event = await events.get()
                except TimeoutError:
                    err = ProviderError if not started else StreamBroken
                    raise err("llama.cpp stream timed out", status=504, kind="timeout") from None
                kind = event[0]
                if kind == "error":
                    exc = event[1]
                    if isinstance(exc, ProviderError) and not started:
                        raise exc
                    if not started:
                        raise ProviderError(f"llama.cpp generation failed: {exc}", status=500,
                                            kind="upstream_error") from exc
                    raise StreamBroken(f"llama.cpp generation failed mid-stream: {exc}", status=500,
                                       kind="stream_broken") from exc
                if kind == "prompt":
                    if with_prompt:
                        yield event
                    continue
                started = True
                yield event
                if kind == "done":
                    return
        finally:
            cancel.set()  # the client went away (or we are done): stop the token loop


def _plan(req: ChatRequest) -> OutputPlan | None:
    """The grammar plan of a chat request: tools and/or JSON output (``None``: free text)."""
    if not req.tools and req.response_format is None:
        return None
    return plan_output(req.tools, req.forced, req.parallel, req.response_format)


def _usage(result: RunResult) -> dict[str, int]:
    completion = sum(g.completion_tokens for g in result.generations)
    return {"prompt_tokens": result.prompt_tokens, "completion_tokens": completion,
            "total_tokens": result.prompt_tokens + completion}


def _legacy_logprobs(entries: list[dict[str, Any]], offsets: list[int]) -> dict[str, Any]:
    """Chat-style logprob entries in the legacy ``/v1/completions`` shape."""
    return {
        "tokens": [e["token"] for e in entries],
        "token_logprobs": [e["logprob"] for e in entries],
        "top_logprobs": [{t["token"]: t["logprob"] for t in e["top_logprobs"]} for e in entries],
        "text_offset": offsets[: len(entries)],
    }


def _not_ready(name: str) -> ProviderError:
    return ProviderError(f"llama.cpp provider '{name}' is not ready (model not loaded)", status=503,
                         kind="not_ready")


def _queue_full(name: str, concurrency: int, queue: int) -> ProviderError:
    return ProviderError(
        f"llama.cpp provider '{name}' is at capacity: {concurrency} generation(s) running and {queue} "
        "waiting (max_concurrency / max_queue); retry shortly", status=429, retryable=True,
        retry_after=1.0, kind="queue_full", reflects_health=False,
    )

