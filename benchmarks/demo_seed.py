"""Time ``demo seed --units 10000 --seed 1`` on a fresh database and report its size.

Runs on a temporary SQLite file, and on PostgreSQL too when
``SURVEY_BENCH_POSTGRES_URL`` names a server (a database ``survey_bench`` is
dropped and created there). Prints one line per engine; results go in
``docs/benchmarks.md``.

    .venv/bin/python benchmarks/demo_seed.py [--units 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit
from survey_app.services.demo import seed_demo


def run(database_url: str, units: int, seed: int) -> dict[str, float]:
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seed_demo(extra_units=units, seed=seed)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        seed_demo(extra_units=units, seed=seed)
        again = time.perf_counter() - started
        figures = {
            "seconds": seconds,
            "rerun_seconds": again,
            "units": db.session.scalar(select(func.count()).select_from(Unit)) or 0,
            "responses": db.session.scalar(select(func.count()).select_from(Response)) or 0,
            "answers": db.session.scalar(select(func.count()).select_from(Answer)) or 0,
        }
        if db.engine.dialect.name == "postgresql":
            figures["bytes"] = db.session.scalar(select(func.pg_database_size(func.current_database()))) or 0
        db.engine.dispose()
    return figures


def fresh_postgres(server_url: str) -> str:
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS survey_bench"))
        conn.execute(text("CREATE DATABASE survey_bench"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/survey_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"demo seed --units {args.units} --seed {args.seed} on {platform.node()} "
          f"({os.cpu_count()} cores, Python {platform.python_version()})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        figures = run(f"sqlite:///{path}", args.units, args.seed)
        figures["bytes"] = path.stat().st_size
        report("sqlite", figures)
    server = os.environ.get("SURVEY_BENCH_POSTGRES_URL")
    if server:
        report("postgresql", run(fresh_postgres(server), args.units, args.seed))
    else:
        print("postgresql: skipped (set SURVEY_BENCH_POSTGRES_URL=postgresql://user@host:5432/postgres)")


def report(engine: str, f: dict[str, float]) -> None:
    print(f"{engine:<10} seed {f['seconds']:6.1f} s   re-run (idempotent) {f['rerun_seconds']:5.1f} s   "
          f"{int(f['units'])} units, {int(f['responses'])} responses, {int(f['answers'])} answers   "
          f"database {f['bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
