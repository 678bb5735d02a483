"""The quote export as JSON: the whole model (counts, matrices, quotes) for scripts.

The file is streamed: the skeleton is written piece by piece and each quote is one line of
compact JSON, so a 100k-quote export never holds one giant string. Keys come in a fixed order
and there is no time stamp unless asked for, so the same project always gives the same bytes.
Quote text is the exact coded span (pseudonymised if asked); offsets are code points into the
document text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from casecoder.export.atomic import atomic_open
from casecoder.export.quotes import COUNTING_NOTE, Matrix, Quote, QuoteExport, Theme

FORMAT_NAME = "casecoder-quotes"
FORMAT_VERSION = 1


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def quote_record(quote: Quote) -> dict[str, Any]:
    return {
        "coding": quote.guid, "code": quote.code, "level": quote.level,
        "document": quote.document, "case": quote.case or None,
        "attributes": quote.attributes, "sentence": quote.segment,
        "timestamp": quote.timestamp, "timestamp_text": quote.timestamp_text or None,
        "speaker": quote.speaker or None, "coder": quote.coder, "start": quote.start,
        "end": quote.end, "text": quote.text, "context_before": quote.context_before,
        "context_after": quote.context_after, "memo": quote.memo, "origin": quote.origin,
    }


def matrix_record(theme: Theme, matrix: Matrix) -> dict[str, Any]:
    rows = []
    for section in theme.sections:
        code = theme.export.show(section.code.path)
        cells = {label: {"codings": matrix.cell(section.code.id, value).codings,
                         "documents": matrix.cell(section.code.id, value).documents}
                 for value, label in zip(matrix.values, matrix.labels, strict=True)}
        row_total = matrix.row_totals.get(section.code.id)
        rows.append({"code": code, "cells": cells,
                     "total": {"codings": row_total.codings if row_total else 0,
                               "documents": row_total.documents if row_total else 0}})
    columns = {label: {"codings": matrix.column_totals[value].codings,
                       "documents": matrix.column_totals[value].documents}
               for value, label in zip(matrix.values, matrix.labels, strict=True)}
    return {"attribute": matrix.attribute, "values": list(matrix.labels), "rows": rows,
            "column_totals": columns,
            "total": {"codings": matrix.total.codings, "documents": matrix.total.documents}}


def write_json(export: QuoteExport, target: Path) -> int:
    """Write the JSON export atomically; returns the number of codings written."""
    with atomic_open(target, encoding="utf-8", newline="\n") as out:
        return _write(export, out)


def _write(export: QuoteExport, out: TextIO) -> int:
    head: dict[str, Any] = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "project": export.project_name,
        "coder": export.show(export.coder) if export.coder else None,
        "by": export.by, "context_sentences": export.options.context,
        "pseudonymised": export.pseudonymizer is not None, "counting": COUNTING_NOTE,
        "cite": export.citation.template,
    }
    if export.exported_at:
        head["exported_at"] = export.exported_at
    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {_dump(key)}: {_dump(value)},\n")
    out.write('  "themes": [')
    written = 0
    for t, theme in enumerate(export.themes()):
        out.write(",\n    {\n" if t else "\n    {\n")
        out.write(f'      "code": {_dump(theme.path)},\n')
        out.write(f'      "definition": {_dump(theme.definition)},\n')
        out.write(f'      "counts": {_dump(theme.counts.as_dict())},\n')
        out.write('      "matrices": [')
        out.write(",".join(f"\n        {_dump(matrix_record(theme, m))}"
                           for m in theme.matrices))
        out.write("\n      ],\n" if theme.matrices else "],\n")
        out.write('      "sections": [')
        for s, section in enumerate(theme.sections):
            out.write(",\n        {" if s else "\n        {")
            out.write(f'"code": {_dump(export.show(section.code.path))}, '
                      f'"label": {_dump(section.label)}, "level": {_dump(section.level)}, '
                      f'"definition": {_dump(export.show(section.code.description))}, '
                      f'"counts": {_dump(section.counts.as_dict())},\n')
            out.write('          "quotes": [')
            n = 0
            for n, quote in enumerate(theme.quotes(section.code), start=1):
                out.write(",\n            " if n > 1 else "\n            ")
                record = quote_record(quote)
                record["citation"] = export.cite(quote)  # the --cite line, as every format
                out.write(_dump(record))
            written += n
            out.write("\n          ]}" if n else "]}")
        out.write("\n      ]\n    }" if theme.sections else "]\n    }")
    out.write("\n  ]\n}\n")
    return written
