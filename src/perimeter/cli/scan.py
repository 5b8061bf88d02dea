"""``perimeter scan``: find sensitive data in text, a document on stdin, or a JSONL stream.

Output contract of ``--jsonl`` (public, keep stable): for every input line
``{"id": …, "text": …}`` one output line ``{"id": …, "entities": [{"type", "start", "end",
"text", "score"}]}`` where ``start``/``end`` are Python string (code point) offsets into ``text``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

import click
import orjson

from perimeter.privacy.entities import CANONICAL_TYPES, EXTRA_TYPES


def _scanner(types: str | None, no_ner: bool) -> Any:
    from perimeter.privacy.detect.scanner import Scanner

    wanted = None
    if types:
        wanted = {t.strip().upper() for t in types.split(",") if t.strip()}
    try:
        return Scanner(types=wanted, ner=not no_ner)
    except ValueError as exc:
        known = ", ".join((*CANONICAL_TYPES, *EXTRA_TYPES))
        raise click.BadParameter(f"{exc}; known types: {known}", param_hint="--types") from None


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
def scan(text: str | None, as_json: bool, jsonl: str | None, types: str | None, no_ner: bool) -> None:
    """Find sensitive data (RU + EN) in TEXT, or in stdin when TEXT is "-".

    \b
    perimeter scan "Паспорт 45 10 № 123456, ИНН 7707083893"
    echo "..." | perimeter scan - --json
    perimeter scan --jsonl docs.jsonl > findings.jsonl
    """
    scanner = _scanner(types, no_ner)
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
