"""Run Microsoft Presidio on the corpus (inside its own venv, not the project's).

    python3 -m venv /tmp/presidio-venv && /tmp/presidio-venv/bin/pip install presidio-analyzer
    /tmp/presidio-venv/bin/python benchmarks/privacy/presidio_runner.py dev.jsonl preds.jsonl timing.json

Presidio needs a spaCy pipeline; no trained model may be downloaded here, so it gets a blank
English pipeline (tokenizer only).  That is Presidio's pattern recognizers (cards, IBAN,
e-mail, phone, IP, SSN, crypto, URLs…) without NER — it has no Russian recognizers at all.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

TYPE_MAP = {
    "PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS", "US_SSN": "US_SSN", "LOCATION": "ADDRESS",
    "DATE_TIME": "DATE_OF_BIRTH",
}


def engine() -> AnalyzerEngine:
    blank = Path("/tmp/presidio-blank-en")
    if not blank.exists():
        spacy.blank("en").to_disk(blank)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": str(blank)}],
        "ner_model_configuration": {"labels_to_ignore": ["O"]},
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def main() -> None:
    src, dst, timing = (Path(a) for a in sys.argv[1:4])
    analyzer = engine()
    analyzer.analyze("warm up 4111 1111 1111 1111", language="en")
    docs = [json.loads(line) for line in src.read_text("utf-8").splitlines() if line.strip()]
    per_doc: list[float] = []
    with dst.open("w", encoding="utf-8") as out:
        for d in docs:
            t = time.perf_counter()
            results = analyzer.analyze(d["text"], language="en")
            per_doc.append(time.perf_counter() - t)
            ents = [
                {"type": TYPE_MAP[r.entity_type], "start": r.start, "end": r.end, "score": r.score}
                for r in results if r.entity_type in TYPE_MAP
            ]
            out.write(json.dumps({"id": d["id"], "entities": ents}) + "\n")
    chars = sum(len(d["text"].encode("utf-8")) for d in docs)
    timing.write_text(json.dumps({
        "docs": len(docs), "p50_ms": statistics.median(per_doc) * 1000,
        "p95_ms": sorted(per_doc)[int(len(per_doc) * 0.95)] * 1000,
        "mb_per_s": chars / sum(per_doc) / 1e6,
    }))


if __name__ == "__main__":
    main()
