"""Time the province workbook at national scale, against the XlsxWriter floor.

Three cases, each measured in its own process (so its peak memory is its own):

- ``db-200`` and ``db-10000``: ``demo seed --units N --seed 1`` on a temporary
  SQLite file, then ``export_workbook`` of the province (reading, scoring the
  questions, building; its peak memory is taken right after it); then the
  round is read again and the build alone is timed;
- ``synthetic``: a province of generated units answering the shipped bank,
  600,000 answers, built straight from plain data (no database).

For each, the floor is XlsxWriter in constant-memory mode writing the same
number of cells, with no formatting, in the same kind of rows. Prints one line
per case; figures go in ``docs/benchmarks.md``.

    .venv/bin/python benchmarks/export.py [--cases db-200,db-10000,synthetic] [--answers 600000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import xlsxwriter


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(cells: int, strings: int, chars: int, columns: int, path: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) for XlsxWriter (constant memory, no formats) to write the same
    cells: as many, as many of them strings, of the same average length, ``columns`` a row."""
    text = ("Đã ban hành, đang áp dụng; " * 40)[:max(1, round(chars / max(strings, 1)))]
    started, cpu = time.perf_counter(), time.process_time()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    row = col = 0
    owed = 0
    for i in range(cells):
        owed += strings
        if owed >= cells:
            owed -= cells
            ws.write_string(row, col, text)
        else:
            ws.write_number(row, col, i * 0.25)
        col += 1
        if col == columns:
            row, col = row + 1, 0
    wb.close()
    return time.perf_counter() - started, time.process_time() - cpu


def synthetic(answers: int, seed: int) -> dict[str, float]:
    """A province answering the shipped bank, built straight from plain data."""
    from survey_app.exports import (
        AnswerCell,
        AnswerShape,
        ScopeState,
        UnitLine,
        WorkbookData,
        WorkbookKind,
        build_workbook,
    )
    from survey_app.questionnaires import bank_path, load_bank
    from survey_app.services.export_scopes import scopes_of

    bank = load_bank(bank_path())
    scopes = scopes_of(bank, [], "vi")
    questions = [q for s in scopes for q in s.questions]
    rng = random.Random(seed)
    per_unit = len(questions)
    units = -(-answers // per_unit)
    lines, cells = [], {}
    made = 0
    for i in range(units):
        code = f"XA-{i:05d}"
        band = rng.choice(["red", "yellow", "green"])
        states = {s.code: ScopeState("submitted", round(rng.uniform(20, 100), 2), band, None, rng.randint(0, 4),
                                     datetime(2024, 5, 2, tzinfo=UTC), "Thủ trưởng")
                  for s in scopes}
        lines.append(UnitLine(code, f"UBND xã Mẫu số {i}", "UBND cấp xã", states, rng.random(), "yellow", 1.0))
        row = {}
        for q in questions:
            if made >= answers:
                break
            made += 1
            score = rng.random() if q.scored else None
            if q.shape is AnswerShape.RATIO:
                a, b = rng.randint(0, 50), rng.randint(50, 100)
                row[q.code] = AnswerCell(f"{a} / {b}", a / b, score=score)
            elif q.shape is AnswerShape.NUMBER:
                row[q.code] = AnswerCell(number=float(rng.randint(0, 5000)), score=score)
            elif q.shape is AnswerShape.DATE:
                row[q.code] = AnswerCell(day=date(2024, 3, rng.randint(1, 28)), score=score)
            else:
                label = rng.choice(q.options).label if q.options else "Đơn vị đã triển khai theo kế hoạch"
                row[q.code] = AnswerCell(label, score=score, comment="Đã có văn bản" if rng.random() < 0.1 else "")
        cells[code] = row
    data = WorkbookData(WorkbookKind.PROVINCE, "vi", "T", "Toàn tỉnh", "SYN", "Đợt tổng hợp", date(2024, 4, 22),
                        date(2024, 5, 31), date(2024, 4, 22), bank.code, bank.version, bank.title.vi, "-",
                        (0.8, 0.5), scopes, (), tuple(lines), cells, (), datetime.now(UTC), "benchmark")
    out = Path(tempfile.mkdtemp()) / "synthetic.xlsx"
    started, cpu = time.perf_counter(), time.process_time()
    stats = build_workbook(data, out)
    seconds = time.perf_counter() - started
    return {"answers": made, "units": units, "build_s": seconds, "build_cpu_s": time.process_time() - cpu,
            "cells": stats.cells, "strings": stats.strings, "chars": stats.string_chars, "peak_mb": peak_mb(),
            "bytes": out.stat().st_size}


def seed_database(units: int, seed: int, work: Path) -> None:
    """``demo seed --units N`` into a new SQLite file (in its own process, so that the
    export's peak memory is not the seed's)."""
    from flask_migrate import upgrade

    from survey_app import create_app
    from survey_app.services.demo import seed_demo

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"})
    with app.app_context():
        upgrade()
        seed_demo(extra_units=max(units - 31, 0), seed=seed)


def from_database(work: Path) -> dict[str, float]:
    """The province workbook of the seeded database, through the service, then the build alone."""
    from sqlalchemy import func, select

    from survey_app import create_app
    from survey_app.exports import WorkbookKind, build_workbook
    from survey_app.extensions import db
    from survey_app.models import Answer, Round
    from survey_app.services.demo import ROUND_CODE
    from survey_app.services.exports import Target, export_workbook, workbook_data

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"})
    with app.app_context():
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        db.session.remove()
        before = peak_mb()
        started, cpu = time.perf_counter(), time.process_time()
        result = export_workbook(None, ROUND_CODE, Target(WorkbookKind.PROVINCE), "vi", work / "province.xlsx",
                                 channel="benchmark")
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
        export_peak = peak_mb()  # the export's own: what follows reads the round again
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND_CODE))
        started = time.perf_counter()
        data = workbook_data(rnd, WorkbookKind.PROVINCE, None, "vi", "benchmark", datetime.now(UTC))
        read = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        build_workbook(data, work / "again.xlsx")
        build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"answers": answers, "units": result.units, "total_s": total, "total_cpu_s": total_cpu, "read_s": read,
            "build_s": build, "build_cpu_s": build_cpu,
            "cells": result.stats.cells, "strings": result.stats.strings, "chars": result.stats.string_chars,
            "peak_mb": export_peak, "peak_before_mb": before,
            "bytes": (work / "province.xlsx").stat().st_size}


def child(case: str, answers: int, seed: int) -> None:
    if case == "synthetic":
        figures = synthetic(answers, seed)
    else:
        work = Path(tempfile.mkdtemp())
        subprocess.run([sys.executable, __file__, "--seed-db", f"{case.split('-')[1]},{work}", "--seed", str(seed)],
                       check=True, capture_output=True)
        figures = from_database(work)
    print(json.dumps(figures))


def floor_child(cells: int, strings: int, chars: int, columns: int) -> None:
    seconds, cpu = floor(cells, strings, chars, columns, Path(tempfile.mkdtemp()) / "floor.xlsx")
    print(json.dumps({"floor_s": seconds, "floor_cpu_s": cpu, "peak_mb": peak_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="db-200,db-10000,synthetic")
    parser.add_argument("--answers", type=int, default=600_000, help="answers of the synthetic case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--floor", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seed-db", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_db:
        units, work = args.seed_db.split(",", 1)
        seed_database(int(units), args.seed, Path(work))
        return
    if args.child:
        child(args.child, args.answers, args.seed)
        return
    if args.floor:
        cells, strings, chars, columns = (int(x) for x in args.floor.split(","))
        floor_child(cells, strings, chars, columns)
        return
    for case in args.cases.split(","):
        run = [sys.executable, __file__, "--child", case, "--answers", str(args.answers), "--seed", str(args.seed)]
        figures = json.loads(subprocess.run(run, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        shape = f"{int(figures['cells'])},{int(figures['strings'])},{int(figures['chars'])},60"
        base = [sys.executable, __file__, "--floor", shape]
        low = json.loads(subprocess.run(base, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        timed = figures.get("total_s", figures["build_s"])
        timed_cpu = figures.get("total_cpu_s", figures["build_cpu_s"])
        print(f"{case:<10} units {figures['units']:>6} answers {figures['answers']:>7} cells {figures['cells']:>8} "
              f"| total {timed:6.2f} s wall, {timed_cpu:6.2f} s CPU"
              + (f" (read {figures['read_s']:.2f} s, build {figures['build_s']:.2f} s wall "
                 f"{figures['build_cpu_s']:.2f} s CPU)" if "read_s" in figures else "")
              + f" | peak {figures['peak_mb']:.0f} MB"
              f" | floor {low['floor_s']:.2f} s wall {low['floor_cpu_s']:.2f} s CPU,"
              f" {low['peak_mb']:.0f} MB | build/floor CPU {figures['build_cpu_s'] / low['floor_cpu_s']:.2f}x,"
              f" total/floor CPU {timed_cpu / low['floor_cpu_s']:.2f}x | {figures['bytes'] / 1e6:.1f} MB file",
              flush=True)


if __name__ == "__main__":
    main()
