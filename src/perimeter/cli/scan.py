"""``perimeter scan``: find sensitive data in text, a document on stdin, or a JSONL stream.

Output contract of ``--jsonl`` (public, keep stable): for every input line
``{"id": …, "text": …}`` one output line ``{"id": …, "entities": [{"type", "start", "end",
"text", "score"}]}`` where ``start``/``end`` are Python string (code point) offsets into ``text``.

``--eval GOLD.jsonl`` scores the scanner on a labelled corpus (format and metrics in
:mod:`perimeter.privacy.evaluation`); ``--config`` adds the config's known-value dictionaries.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

import click
import orjson

from perimeter.privacy.entities import CANONICAL_TYPES, EXTRA_TYPES


def _scanner(types: str | None, no_ner: bool, config_path: str | None = None, no_tagger: bool = False) -> Any:
    from perimeter.privacy.detect.scanner import Scanner

    wanted = None
    if types:
        wanted = {t.strip().upper() for t in types.split(",") if t.strip()}
    known = None
    tagger = not no_tagger
    if config_path is not None:
        from perimeter.config import ConfigError, load_config
        from perimeter.privacy.guard import known_values

        try:
            privacy = load_config(config_path).privacy
            known = known_values(privacy)
            tagger = tagger and privacy.tagger
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        return Scanner(types=wanted, ner=not no_ner, known=known, tagger=tagger)
    except ValueError as exc:
        valid = ", ".join((*CANONICAL_TYPES, *EXTRA_TYPES))
        raise click.BadParameter(f"{exc}; known types: {valid}", param_hint="--types") from None


def _records(stream: IO[bytes], source: str) -> Iterator[tuple[int, Any, str]]:
    for lineno, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise click.ClickException(f"{source}:{lineno}: not valid JSON ({exc})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise click.ClickException(f'{source}:{lineno}: expected an object like {{"id": ..., "text": "..."}}')
        yield lineno, record.get("id"), record["text"]


def _scan_jsonl(scanner: Any, path: str) -> None:
    stream: IO[bytes]
    if path == "-":
        stream, source, total = sys.stdin.buffer, "<stdin>", 0
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
        source = path
        import os

        total = os.fstat(stream.fileno()).st_size
    out = sys.stdout.buffer
    show = sys.stderr.isatty()
    try:
        if show:
            bar: Any
            with click.progressbar(length=total or None, label="scanning", file=sys.stderr) as bar:  # type: ignore[arg-type,var-annotated]
                for _lineno, doc_id, text in _records(stream, source):
                    _emit(out, scanner, doc_id, text)
                    bar.update(len(text.encode("utf-8")) if total else 1)
        else:
            for _lineno, doc_id, text in _records(stream, source):
                _emit(out, scanner, doc_id, text)
    finally:
        out.flush()
        if path != "-":
            stream.close()


def _emit(out: IO[bytes], scanner: Any, doc_id: Any, text: str) -> None:
    entities = [e.to_json() for e in scanner.scan(text)]
    out.write(orjson.dumps({"id": doc_id, "entities": entities}) + b"\n")


@click.command("scan")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for the document.")
@click.option(
    "--jsonl", "jsonl", metavar="[FILE]", is_flag=False, flag_value="-", default=None,
    help='Read lines {"id", "text"} from FILE (or stdin) and write {"id", "entities"} lines.',
)
@click.option("--types", default=None, help="Comma-separated entity types to report (default: all canonical).")
@click.option("--no-ner", is_flag=True, help="Patterns and checksums only: no person names, no model load.")
@click.option("--no-tagger", is_flag=True, help="The rules without the learned name/address tagger (faster, less recall).")
@click.option("--eval", "gold", metavar="GOLD.jsonl", default=None,
              help="Score the scanner on labelled documents (strict/overlap P/R/F1, leak rate, false alarms).")
@click.option("--verbose", "-v", is_flag=True, help="With --eval: list every leak, miss and false positive.")
@click.option("--config", "config_path", metavar="FILE", default=None,
              help="Also find the known values of this config's privacy section.")
def scan(text: str | None, as_json: bool, jsonl: str | None, types: str | None, no_ner: bool, no_tagger: bool,
         gold: str | None, verbose: bool, config_path: str | None) -> None:
    """Find sensitive data (RU + EN) in TEXT, or in stdin when TEXT is "-".

    \b
    perimeter scan "Паспорт 45 10 № 123456, ИНН 7707083893"
    echo "..." | perimeter scan - --json
    perimeter scan --jsonl docs.jsonl > findings.jsonl
    perimeter scan --eval gold.jsonl [-v] [--json]
    """
    scanner = _scanner(types, no_ner, config_path, no_tagger)
    if gold is not None:
        _evaluate(scanner, gold, as_json, verbose)
        return
    if jsonl is not None:
        if text is not None and jsonl == "-":
            jsonl = text  # ``perimeter scan --jsonl FILE`` with the file given positionally
        _scan_jsonl(scanner, jsonl)
        return
    if text is None:
        raise click.UsageError('give the text to scan, "-" for stdin, or --jsonl [FILE]')
    if text == "-":
        text = sys.stdin.read()
    entities = scanner.scan(text)
    if as_json:
        payload = {"entities": [e.to_json() for e in entities]}
        click.echo(orjson.dumps(payload).decode())
        return
    if not entities:
        click.echo("no sensitive data found")
        return
    width = max(len(e.type) for e in entities)
    for e in entities:
        click.echo(f"{e.type:<{width}}  {e.start:>5}-{e.end:<5}  {e.score:.2f}  {e.text!r}")
    counts: dict[str, int] = {}
    for e in entities:
        counts[e.type] = counts.get(e.type, 0) + 1
    click.echo("; ".join(f"{k}: {v}" for k, v in sorted(counts.items())), err=True)


def _evaluate(scanner: Any, path: str, as_json: bool, verbose: bool) -> None:
    from perimeter.privacy.evaluation import GoldError, Span, parse_gold, render, score

    try:
        with open(path, "rb") as f:
            docs = parse_gold(f, path)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except GoldError as exc:
        raise click.ClickException(str(exc)) from None
    if not docs:
        raise click.ClickException(f"{path}: no documents")
    if hasattr(scanner, "warm_up"):
        scanner.warm_up()
    preds = {d.id: [Span(e.type, e.start, e.end) for e in scanner.scan(d.text)] for d in docs}
    # Types the gold file labels, plus what the scanner reports, are scored; a type the scanner
    # was told not to report would only count as misses.
    report = score(docs, preds, types=None if scanner.types is None else scanner.types | _gold_types(docs))
    if as_json:
        click.echo(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render(report, path, verbose))


def _gold_types(docs: Any) -> set[str]:
    return {e.type for d in docs for e in d.entities}
