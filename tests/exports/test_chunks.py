"""The answers are read, scored and formatted a chunk of units at a time
(``ANSWER_CHUNK``): where the chunks end must not change a single cell."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from survey_app.exports import WorkbookKind
from survey_app.services import exports
from survey_app.services.exports import Target, export_workbook

from .conftest import ROUND, open_book


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = open_book(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.parametrize("target", [Target(WorkbookKind.PROVINCE), Target(WorkbookKind.LEAD, "STC")],
                         ids=["province", "lead"])
def test_where_the_chunks_end_changes_nothing(seeded: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              target: Target) -> None:
    monkeypatch.setattr(exports, "utcnow", lambda: datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    default = exports.ANSWER_CHUNK
    books = {}
    for size in (default, 1, 7):
        monkeypatch.setattr(exports, "ANSWER_CHUNK", size)
        path = tmp_path / f"{size}.xlsx"
        with seeded.app_context():
            export_workbook(None, ROUND, target, "vi", path, channel="cli")
        books[size] = _values(path)
    whole = books[default]
    # The demo's answers hold question scores, comments and appraisals, so every kind of cell is compared.
    cells = [v for rows in whole.values() for row in rows for v in row if v is not None]
    assert len(cells) > 1000
    assert books[1] == whole
    assert books[7] == whole
