"""Helpers of the administration tests: workbooks made and edited as a person would."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
from flask.testing import FlaskClient


def edit_workbook(data: bytes, change: Callable[[Any], None]) -> bytes:
    """Open a workbook as a person would in Excel, change it, save it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_rows(data: bytes, sheet: str | None = None) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    book.close()
    return rows


def workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: FlaskClient, url: str, data: bytes, name: str = "file.xlsx") -> Any:
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
