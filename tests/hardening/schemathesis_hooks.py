"""Loaded by schemathesis (``SCHEMATHESIS_HOOKS``) in the subprocess the test starts.

CPython 3.11.7 can raise ``SystemError: AST constructor recursion depth mismatch`` from
``ast.parse`` deep in a stack (fixed in later CPython releases).  Hypothesis calls
``ast.parse`` only to *describe* lambdas in strategy reprs, so a description that cannot be
computed becomes ``<unknown>``, as hypothesis itself does for other parse failures.
"""

from __future__ import annotations

from typing import Any

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _describe_safely(f: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return str(_describe(f, *args, **kwargs))
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_safely
