"""One loaded llama.cpp model and its token loop: the blocking half of the llama.cpp provider.

Everything here runs in a worker thread, never on the event loop.  A llama.cpp context is
not thread-safe, so an :class:`Engine` is used by one thread at a time (the provider's pool
guarantees it).

We drive llama-cpp-python's token generator ourselves instead of calling its
``create_chat_completion``, because a gateway needs four things that call does not give:
a stop flag checked after every token (a client that disconnects must free the model at
once), exact token counts for streams, per-token logprobs without ``logits_all`` (which
would keep ``n_ctx × n_vocab`` floats, over a gigabyte for a 150k vocabulary), and streamed
and non-streamed output that are byte-for-byte the same for the same seed.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import io
import logging
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import llama_cpp
import numpy as np
from llama_cpp.llama_chat_format import Jinja2ChatFormatter
from llama_cpp.llama_grammar import LlamaGrammar

from perimeter.errors import ProviderError
from perimeter.providers.llamacpp.params import SamplingParams, invalid
from perimeter.providers.llamacpp.structured import (
    MARKER,
    CallParser,
    ContentSplitter,
    OutputPlan,
    check_grammar,
    render_tools,
    template_messages,
)

log = logging.getLogger("perimeter.providers.llamacpp.provider")

# ChatML: used when ``chat_format: chatml`` is configured for a GGUF without a template.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# (kind, ...) tuples sent from the worker thread to the event loop while generating:
#   ("prompt", n_prompt_tokens)            the prompt fits; generation starts
#   ("start", index)                       choice ``index`` begins
#   ("delta", index, text, logprob|None)   one generated token (text may be held back: "")
#   ("end", index, Generation)             choice ``index`` finished
#   ("call", index, k, ToolCall)           tool call ``k`` of choice ``index`` begins (its name is known)
#   ("args", index, k, text)               a fragment of tool call ``k``'s arguments
Event = tuple[Any, ...]
Emit = Callable[[Event], None]


@llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
def _llama_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    """Route llama.cpp's C-level log lines to Python logging instead of raw stderr."""
    msg = text.decode("utf-8", errors="replace").rstrip()
    if msg:
        log.log(logging.ERROR if level == 3 else logging.DEBUG, "llama.cpp: %s", msg)


llama_cpp.llama_log_set(_llama_log, ctypes.c_void_p(0))


@dataclass(slots=True)
class Generation:
    """One finished choice."""

    text: str
    completion_tokens: int
    finish_reason: str  # "stop" | "length" | "cancelled"
    logprobs: list[dict[str, Any]] = field(default_factory=list)
    # Character offset of each token in ``text`` (for the legacy completions logprobs).
    offsets: list[int] = field(default_factory=list)
    # OpenAI ``tool_calls`` entries (finish_reason ``tool_calls``), and the stop string that ended it.
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    stop: str | None = None


@dataclass(slots=True)
class RunResult:
    prompt_tokens: int
    generations: list[Generation]


def load_llama(model_path: str, *, n_ctx: int, n_threads: int | None, n_batch: int, seed: int | None,
               embedding: bool = False) -> llama_cpp.Llama:
    """Load a GGUF file (blocking: call it from a thread)."""
    path = Path(model_path)
    if not path.is_file():
        raise ProviderError(
            f"llama.cpp model file not found: {path} (run `make model` for the tiny test model, or set "
            "model_path to a GGUF file you downloaded)", status=503, retryable=True, kind="model_missing",
        )
    kwargs: dict[str, Any] = {
        "model_path": str(path), "n_ctx": n_ctx, "n_threads": n_threads, "n_threads_batch": n_threads,
        "n_batch": min(n_batch, n_ctx), "n_ubatch": min(n_batch, n_ctx), "logits_all": False,
        # verbose=False would dup2() the process's stdout/stderr to /dev/null while loading,
        # silencing every other thread; C logs go to ``_llama_log`` and Python prints are
        # captured below instead.
        "verbose": True,
    }
    if seed is not None:
        kwargs["seed"] = seed
    if embedding:
        kwargs.update(embedding=True, pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                      n_batch=n_ctx, n_ubatch=n_ctx)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
            llama = llama_cpp.Llama(**kwargs)
    except (ValueError, RuntimeError) as exc:
        raise ProviderError(f"llama.cpp could not load {path}: {exc}", status=503, retryable=True,
                            kind="model_load_failed") from exc
    finally:
        for line in captured.getvalue().splitlines():
            log.debug("llama-cpp-python: %s", line)
    llama.verbose = False  # no per-request prints to stderr
    return llama


class Engine:
    """A loaded model plus its chat template; used by one thread at a time."""

    def __init__(self, llama: llama_cpp.Llama, chat_format: str | None = None) -> None:
        self.llama = llama
        # llama.cpp may round the context up (to 256), but llama-cpp-python sizes its token
        # buffer to the n_ctx that was asked for: the smaller of the two is the real limit.
        self.n_ctx = min(llama.n_ctx(), int(llama.input_ids.shape[0]))
        self.n_vocab = llama.n_vocab()
        vocab = llama._model.vocab
        self._is_eog: Callable[[int], bool] = lambda tok: bool(llama_cpp.llama_vocab_is_eog(vocab, tok))
        model = llama._model
        eos_id, bos_id = llama.token_eos(), llama.token_bos()
        self.eos_text = model.token_get_text(eos_id) if eos_id != -1 else ""
        bos_text = model.token_get_text(bos_id) if bos_id != -1 else ""
        self.add_bos = bool(model.add_bos_token())
        template = self._pick_template(chat_format)
        self.chat_template = template
        # Qwen, Llama 3.1, Hermes, Mistral … templates render tools themselves.
        self.native_tools = bool(template) and "tools" in str(template)
        self._formatter = (
            Jinja2ChatFormatter(template=template, eos_token=self.eos_text, bos_token=bos_text)
            if template else None
        )
        self._rng = random.Random()

    def _pick_template(self, chat_format: str | None) -> str | None:
        if chat_format is None:
            return self.llama.metadata.get("tokenizer.chat_template")
        if chat_format == "chatml":
            return CHATML_TEMPLATE
        if "{{" in chat_format or "{%" in chat_format:
            return chat_format
        raise ProviderError(
            f"chat_format must be 'chatml' or a Jinja chat template, got {chat_format!r}",
            status=503, retryable=False, kind="config_error",
        )

    def close(self) -> None:
        self.llama.close()

    # ------------------------------------------------------------------ prompts
    def format_chat(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> str:
        """The prompt text: the GGUF's own chat template applied to ``messages`` (and ``tools``)."""
        if self._formatter is None:
            raise invalid("this GGUF has no tokenizer.chat_template; configure chat_format "
                          "(a Jinja chat template or 'chatml') for the provider", "messages")
        uses_tools = bool(tools) or any(m.get("tool_calls") or m["role"] == "tool" for m in messages)
        kwargs: dict[str, Any] = {}
        if uses_tools and self.native_tools:
            messages, kwargs = template_messages(messages), {"tools": tools or None}
        elif uses_tools:
            messages = render_tools(messages, tools)
        try:
            return self._formatter(messages=cast(Any, messages), **kwargs).prompt
        except ValueError as exc:  # the template's own raise_exception()
            raise invalid(f"the model's chat template rejected the messages: {exc}", "messages") from exc

    def tokenize(self, text: str, *, add_bos: bool, special: bool) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)

    def chat_tokens(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> list[int]:
        # The template writes BOS itself where the model wants it (as llama-cpp-python does).
        return self.tokenize(self.format_chat(messages, tools), add_bos=False, special=True)

    def completion_tokens(self, prompt: str) -> list[int]:
        return self.tokenize(prompt, add_bos=self.add_bos, special=True)

    def piece(self, token: int) -> bytes:
        return self.llama.detokenize([token])

    # ------------------------------------------------------------------ generation
    def run(self, prompts: list[list[int]], params: SamplingParams, n: int, cancel: threading.Event,
            emit: Emit | None, extra_stop: tuple[str, ...] = (), plan: OutputPlan | None = None) -> RunResult:
        """Generate ``n`` choices for each prompt, one after another (choice index = p*n + i).

        ``plan`` shapes the answer with a grammar: JSON output, or tool calls (:mod:`.structured`).
        """
        if plan is not None:
            check_grammar(self.llama, plan.grammar)
        for tokens in prompts:
            if len(tokens) >= self.n_ctx:
                raise invalid(
                    f"this model's context is {self.n_ctx} tokens and the prompt is {len(tokens)} tokens; "
                    "shorten the messages", "messages", "context_length_exceeded",
                )
        prompt_total = sum(len(t) for t in prompts)
        if emit is not None:
            emit(("prompt", prompt_total))
        stops = list(dict.fromkeys([*params.stop, *(s for s in extra_stop if s)]))
        out: list[Generation] = []
        for p, tokens in enumerate(prompts):
            for i in range(n):
                index = p * n + i
                seed = params.seed + i if params.seed is not None else None
                if emit is not None:
                    emit(("start", index))
                if plan is not None and plan.tools:
                    gen = self.generate_tools(tokens, params, stops, seed, cancel, emit, index, plan)
                else:
                    step = None if emit is None else _step_emitter(emit, index)
                    grammar = LlamaGrammar.from_string(plan.grammar, verbose=False) if plan is not None else None
                    gen = self.generate(tokens, params, stops, seed, cancel, step, grammar)
                out.append(gen)
                if emit is not None:
                    emit(("end", index, gen))
                if gen.finish_reason == "cancelled":
                    return RunResult(prompt_total, out)
        return RunResult(prompt_total, out)

    def generate(self, prompt: list[int], params: SamplingParams, stops: list[str], seed: int | None,
                 cancel: threading.Event, on_step: Callable[[str, dict[str, Any] | None], None] | None,
                 grammar: LlamaGrammar | None = None) -> Generation:
        """One choice: sample until EOS, a stop string, ``max_tokens``, the context end or cancel.

        With ``grammar`` only tokens that keep the text inside it are sampled (JSON output).
        """
        llama = self.llama
        budget = self.n_ctx - len(prompt)
        max_tokens = min(params.max_tokens or budget, budget)
        llama.set_seed(seed if seed is not None else self._rng.randrange(2**31))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        longest_stop = max((len(s) for s in stops), default=0)
        text = ""
        sent = 0  # characters of ``text`` already released to ``on_step``
        count = 0
        logprobs: list[dict[str, Any]] = []
        offsets: list[int] = []
        stopped_at: int | None = None
        matched: str | None = None
        if max_tokens <= 0:
            return Generation("", 0, "length")
        end = ["length"]
        for token in self._sampled(prompt, params, grammar, cancel, end):
            count += 1
            entry = self._logprob(token, params.top_logprobs) if params.logprobs else None
            if entry is not None:
                logprobs.append(entry)
            offsets.append(len(text))
            text += decoder.decode(self.piece(token))
            release_to = len(text)
            if stops:
                hits = [(i, s) for s in stops if (i := text.find(s, sent)) >= 0]
                if hits:
                    stopped_at, matched = min(hits)
                    release_to = stopped_at
                else:
                    release_to = len(text) - _held_back(text, stops, longest_stop)
            if on_step is not None:
                on_step(text[sent:release_to], entry)
            sent = release_to
            if stopped_at is not None:
                end[0] = "stop"
                break
            if count >= max_tokens:
                break
        finish = end[0]
        if stopped_at is None:
            text += decoder.decode(b"", final=True)
            if on_step is not None and len(text) > sent:
                on_step(text[sent:], None)
        else:
            text = text[:stopped_at]
        return Generation(text, count, finish, logprobs, offsets, stop=matched)

    def generate_tools(self, prompt: list[int], params: SamplingParams, stops: list[str], seed: int | None,
                       cancel: threading.Event, emit: Emit | None, index: int, plan: OutputPlan) -> Generation:
        """One choice that may call tools: content until ``<tool_call>`` (or only calls when one is
        forced), then calls constrained by the plan's grammar and parsed as they are generated.

        With a lazy plan the first phase samples freely; when the model writes the trigger, the
        generation starts again from the text before it, under the grammar (llama.cpp reuses the
        cached prompt, so only the new tokens are evaluated).
        """
        llama = self.llama
        max_tokens = min(params.max_tokens or self.n_ctx, self.n_ctx - len(prompt))
        llama.set_seed(seed if seed is not None else self._rng.randrange(2**31))
        splitter = None if plan.forced else ContentSplitter(stops)
        parser = CallParser()
        grammar = LlamaGrammar.from_string(plan.grammar, verbose=False) if plan.eager else None
        tokens, content, count, matched = prompt, "", 0, None

        def out(event: Event) -> None:
            if emit is not None:
                emit(event)

        def calls(text: str) -> None:
            for ev in parser.feed(text):
                out((ev[0], index, *ev[1:]))

        end = ["length"]
        while True:
            restart = False
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            for token in self._sampled(tokens, params, grammar, cancel, end):
                count += 1
                piece = decoder.decode(self.piece(token))
                if splitter is None:
                    calls(piece)
                else:
                    release, hit, rest = splitter.feed(piece)
                    if release:
                        content += release
                        out(("delta", index, release, None))
                    if hit is not None and hit != MARKER:
                        end[0], matched = "stop", hit
                        break
                    if hit == MARKER:
                        splitter = None
                        if grammar is None:  # lazy: from the trigger on, under the grammar
                            grammar = LlamaGrammar.from_string(plan.grammar, verbose=False)
                            tokens = prompt + self.tokenize(content, add_bos=False, special=False)
                            restart = True
                            break
                        calls(rest)
                if count >= max_tokens:
                    break
            if not restart or count >= max_tokens or len(tokens) >= self.n_ctx:
                break
        finish = end[0]
        if splitter is not None and matched is None:  # the answer was text: what was held is text too
            tail = splitter.flush()
            if tail:
                content += tail
                out(("delta", index, tail, None))
        if parser.calls and finish == "stop" and matched is None:
            finish = "tool_calls"
        return Generation(content, count, finish, tool_calls=[c.as_openai() for c in parser.calls], stop=matched)

    def _sampled(self, tokens: list[int], params: SamplingParams, grammar: LlamaGrammar | None,
                 cancel: threading.Event, end: list[str]) -> Iterator[int]:
        """Tokens sampled after ``tokens`` until cancelled or the model ends its turn; ``end[0]``
        becomes ``cancelled`` or ``stop`` then (the caller sets it for its own reasons too)."""
        for token in self.llama.generate(
            tokens, top_k=0, top_p=params.top_p, min_p=0.0, typical_p=1.0, temp=params.temperature,
            repeat_penalty=1.0, frequency_penalty=params.frequency_penalty,
            presence_penalty=params.presence_penalty, reset=True, grammar=grammar,
        ):
            if cancel.is_set():
                end[0] = "cancelled"
                return
            if self._is_eog(token):
                end[0] = "stop"
                return
            yield token

    def _logprob(self, token: int, top: int) -> dict[str, Any]:
        """OpenAI's ``logprobs.content`` entry for the token just sampled.

        Read from the logits of the position that was sampled (still in the context until the
        next decode), so ``logits_all`` is not needed.
        """
        ptr = llama_cpp.llama_get_logits_ith(self.llama.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).astype(np.float64)
        peak = logits.max()
        logz = peak + np.log(np.exp(logits - peak).sum())
        entry = self._token_entry(token, float(logits[token] - logz))
        if top > 0:
            best = np.argpartition(-logits, top)[:top] if top < self.n_vocab else np.arange(self.n_vocab)
            best = best[np.argsort(-logits[best])]
            entry["top_logprobs"] = [self._token_entry(int(t), float(logits[t] - logz)) for t in best]
        else:
            entry["top_logprobs"] = []
        return entry

    def _token_entry(self, token: int, logprob: float) -> dict[str, Any]:
        raw = self.piece(token)
        return {"token": raw.decode("utf-8", errors="replace"), "logprob": logprob, "bytes": list(raw)}

    # ------------------------------------------------------------------ embeddings
    def embed(self, inputs: list[str]) -> tuple[list[list[float]], int]:
        for i, text in enumerate(inputs):
            n = len(self.tokenize(text, add_bos=self.add_bos, special=False))
            if n > self.n_ctx:
                raise invalid(f"input[{i}] is {n} tokens; this model's context is {self.n_ctx} tokens",
                              "input", "context_length_exceeded")
        vectors, total = self.llama.embed(inputs, normalize=True, truncate=False, return_count=True)
        return [list(map(float, v)) for v in vectors], int(total)


def _step_emitter(emit: Emit, index: int) -> Callable[[str, dict[str, Any] | None], None]:
    def step(text: str, logprob: dict[str, Any] | None) -> None:
        emit(("delta", index, text, logprob))

    return step


def _held_back(text: str, stops: list[str], longest: int) -> int:
    """How many trailing characters could be the start of a stop string (so not sent yet)."""
    for k in range(min(longest - 1, len(text)), 0, -1):
        tail = text[-k:]
        if any(s.startswith(tail) for s in stops):
            return k
    return 0
