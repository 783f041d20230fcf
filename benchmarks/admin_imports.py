"""Benchmark: the bank workbook round trip, and importing a province's units from Excel.

1. ``write_workbook`` then ``read_workbook`` of the shipped bank (the
   download and the upload an administrator does), best of ``--repeat``;
2. ``import_units`` of ``--units`` commune rows (one workbook, all or
   nothing, each unit audited) into a fresh SQLite database, once.

Run: ``.venv/bin/python benchmarks/admin_imports.py [--units N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import xlsxwriter


def units_workbook(count: int) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["code", "name_vi", "name_en", "kind"])
    for i in range(1, count + 1):
        ws.write_row(i, 0, [f"XA-{i:05d}", f"UBND xã Mẫu số {i}", f"Sample Commune {i}", "commune"])
    book.close()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from survey_app.questionnaires import bank_path, read_bank
    from survey_app.questionnaires.xlsx import read_workbook, write_workbook

    _bank, source, fingerprint = read_bank(bank_path())
    best_write = best_read = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        data = write_workbook(source)
        t1 = time.perf_counter()
        _b, _s, again = read_workbook(data)
        t2 = time.perf_counter()
        assert again == fingerprint
        best_write, best_read = min(best_write, t1 - t0), min(best_read, t2 - t1)
    print(f"bank workbook ({len(data) / 1024:.0f} KiB): write {best_write * 1000:.0f} ms, "
          f"read and validate {best_read * 1000:.0f} ms (best of {args.repeat})")

    from flask_migrate import upgrade

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.services.admin.units import import_units

    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "TESTING": True})
    app.instance_path = str(folder)
    workbook = units_workbook(args.units)
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        count = import_units(None, workbook)
        elapsed = time.perf_counter() - t0
        db.engine.dispose()
    print(f"import {count} units from a {len(workbook) / 1024:.0f} KiB workbook (SQLite): {elapsed:.1f} s")


if __name__ == "__main__":
    main()
