"""Per-request cost of the load test's requests, in one process: wall time, CPU time and SQL statements.

The load test (``benchmarks/load.py``) says how fast the whole runs; this says what each
kind of request costs, so that a change can be judged request by request without the
noise of a machine shared by the clients, gunicorn and PostgreSQL. It uses the database
``load.py`` built (``--database``, seeded with the 10,000-unit demo), the Flask test
client in this process (no HTTP, no gunicorn), one user at a time:

- a respondent's unit home, group page and autosave (a new comment each time: every
  autosave stores), as ``load.py``'s respondents do;
- a lead reviewer's and a coordinator's dashboard (the round unchanged: kept boards);
- the floors, in the same run: ``/healthz`` (a bare endpoint through the app's own
  request handling: headers, access line) and one trivial query on the app's engine.

CPU is this process's time (the app's Python, psycopg's included); PostgreSQL's own
work shows in the statements' count and in the wall time. Each figure is the median of
``--rounds`` rounds of ``--repeat`` requests, the kinds taken in turn within a round.

    SURVEY_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/requests.py --database bench_load
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUND = "P06-DIEM-NGHEN"
SECRET = "benchmark-secret-key-0123456789-abcdef"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="bench_load", help="built by benchmarks/load.py")
    parser.add_argument("--unit", default="STP")
    parser.add_argument("--group", default="legal")
    parser.add_argument("--question", default="PL_01")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", metavar="KIND", help="instead: cProfile --repeat requests of one kind "
                        "(unit home, group page, autosave, …) and print where their time goes")
    args = parser.parse_args()
    server = os.environ.get("SURVEY_BENCH_POSTGRES_URL")
    if not server:
        raise SystemExit("Set SURVEY_BENCH_POSTGRES_URL (the PostgreSQL server load.py built its database on).")
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event, text

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.services.demo import DEMO_PASSWORD

    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": server.rsplit("/", 1)[0] + "/" + args.database,
                      "LOGIN_LOCK_AFTER": 10**6, "LOGIN_FREE_FAILURES": 10**6})
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_a, **_k: statements.__setitem__(0, statements[0] + 1))

    def client(username: str) -> Any:
        c = app.test_client()
        page = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None
        reply = c.post("/login", data={"csrf_token": token.group(1), "username": username, "password": DEMO_PASSWORD})
        assert reply.status_code in (302, 303), f"{username} could not log in"
        return c

    unit = args.unit
    respondent = client(f"{unit.lower().replace('-', '')}-editor")
    group_url = f"/rounds/{ROUND}/units/{unit}/groups/{args.group}"
    page = respondent.get(group_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    version = re.search(r'name="base_version"[^>]*value="(\d+)"', page)
    assert token is not None and version is not None, "the group page has no form (is the group still open?)"
    form = {"csrf_token": token.group(1), "base_version": version.group(1), f"q_{args.question}-present": "1"}
    serial = [0]

    def autosave() -> Any:
        serial[0] += 1
        comment = {f"q_{args.question}-comment": f"Ghi chú {serial[0]}"}
        reply = respondent.post(group_url + "/autosave", data=form | comment)
        assert reply.status_code == 200 and reply.json["ok"], reply.get_data(as_text=True)[:300]
        form["base_version"] = str(reply.json["version"])
        return reply

    def dashboard_of(username: str) -> Callable[[], Any]:
        c = client(username)
        where = c.get("/").headers["Location"]
        return lambda: c.get(where)

    def one_query() -> None:
        with app.app_context():
            db.session.execute(text("SELECT 1")).scalar()
            db.session.remove()

    anonymous = app.test_client()
    kinds: dict[str, Callable[[], Any]] = {
        "unit home": lambda: respondent.get(f"/rounds/{ROUND}/units/{unit}"),
        "group page": lambda: respondent.get(group_url),
        "autosave": autosave,
        "lead dashboard (DIC)": dashboard_of("stttt-reviewer"),
        "province view (Police)": dashboard_of("catinh-coordinator"),
        "floor: /healthz": lambda: anonymous.get("/healthz"),
        "floor: one query": one_query,
    }
    figures: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in kinds}
    for request in kinds.values():  # warm: caches, boards, the connection pool
        for _ in range(3):
            request()
    if args.profile:
        profile(kinds[args.profile], args.repeat)
        return
    for _ in range(args.rounds):
        for kind, request in kinds.items():
            statements[0] = 0
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.repeat):
                reply = request()
                assert reply is None or reply.status_code == 200, (kind, reply.status_code)
            figures[kind].append(((time.perf_counter() - wall) / args.repeat * 1000,
                                  (time.process_time() - cpu) / args.repeat * 1000, statements[0] / args.repeat))
    print(f"database {args.database}; {args.rounds} rounds of {args.repeat} requests; medians\n")
    print("| request | wall ms | CPU ms | statements |")
    print("|---|---|---|---|")
    for kind, rows in figures.items():
        wall, cpu, count = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"| {kind} | {wall:.1f} | {cpu:.1f} | {count:.1f} |")


def profile(request: Callable[[], Any], repeat: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        request()
    profiler.disable()
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
