"""Fixtures for the workbook tests: the demo province, and reading a workbook back."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from openpyxl.worksheet.worksheet import Worksheet

ROUND = "P06-DIEM-NGHEN"


@pytest.fixture
def seeded(demo: Flask) -> Flask:
    """The demo province (units, users, routing, the open round P06-DIEM-NGHEN)."""
    return demo


def open_book(source: bytes | Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(source) if isinstance(source, bytes) else source)


def rows(ws: Worksheet, first: int) -> Iterator[tuple[Any, ...]]:
    """The sheet's values from 1-based row ``first`` on."""
    yield from ws.iter_rows(min_row=first, values_only=True)


def header_index(ws: Worksheet, row: int) -> dict[str, int]:
    """Column (0-based) of each label in 1-based header ``row`` (first occurrence)."""
    out: dict[str, int] = {}
    for i, cell in enumerate(ws[row]):
        if isinstance(cell.value, str) and cell.value not in out:
            out[cell.value] = i
    return out
