"""Benchmark: the review pages of a province of 10,000 units.

Migrates a fresh database, runs ``demo seed --units N --seed S`` (the 31 demo
units plus N generated communes, about 70 % of them with answers), then times
three pages as their users open them, through the app's test client (so the
time is the server's: routing, access decisions, queries and rendering, no
network):

1. the province view of the Provincial Police's coordinator (all units × all
   scopes, progress per lead agency, units to call in, recurrent bottlenecks,
   every proposal);
2. the lead dashboard of the DIC's reviewer (units × infrastructure, data and
   security);
3. the top bottlenecks of the data group (share per question and heatmap).

Each page is requested once to warm up, then ``--repeat`` times; the median is
printed with the number of SQL statements per request.

Run: ``.venv/bin/python benchmarks/dashboards.py [--database URL] [--units N] [--seed S] [--repeat R]``.
Without ``--database`` a SQLite file in a temporary folder is used. A
PostgreSQL database is wiped first (its ``public`` schema is dropped): give it
one of its own. After seeding, the database's statistics are refreshed
(``ANALYZE``), as autovacuum would do on a server. ``--reuse`` times a database
seeded by an earlier run (with ``--database``) without wiping it (seeding
10,000 units takes minutes). Results are recorded in ``docs/benchmarks.md`` ("Review pages").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey_app import create_app
from survey_app.extensions import db
from survey_app.services.review import counted

ROUND = "P06-DIEM-NGHEN"
PAGES = (
    ("province view", "catinh-coordinator", f"/review/rounds/{ROUND}/province"),
    ("lead dashboard (DIC)", "stttt-reviewer", f"/review/rounds/{ROUND}"),
    ("top bottlenecks (data)", "stttt-reviewer", f"/review/rounds/{ROUND}/scopes/data/bottlenecks"),
)


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="time the database as it is (seeded earlier)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-dashboards-")
    url = args.database or f"sqlite:///{folder}/bench.sqlite3"
    if url.startswith("postgres") and not args.reuse:
        reset_postgres(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "TWO_FACTOR": False})
    app.instance_path = folder
    from flask_migrate import upgrade

    from survey_app.services.demo import DEMO_PASSWORD, seed_demo

    with app.app_context():
        upgrade()
        if not args.reuse:
            started = time.perf_counter()
            seed_demo(extra_units=args.units, seed=args.seed)
            print(f"seeded {args.units} extra units in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        engine = db.engine
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    print(f"{'page':28} {'counts':8} {'median':>9} {'min':>9} {'max':>9} {'queries':>8} {'bytes':>9}")
    for name, username, path in PAGES:
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
        response = client.get(path)  # warm-up
        assert response.status_code == 200, (path, response.status_code)
        # "afresh": the round counted for the request (the first view after a change);
        # "kept": what this process counted under the round's unchanged stamp.
        for counts in ("afresh", "kept"):
            times = []
            for _ in range(args.repeat):
                if counts == "afresh":
                    counted.forget()
                before = statements[0]
                t0 = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - t0)
                queries = statements[0] - before
            print(f"{name:28} {counts:8} {statistics.median(times) * 1000:8.0f}ms {min(times) * 1000:8.0f}ms "
                  f"{max(times) * 1000:8.0f}ms {queries:8d} {len(response.data):9d}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
