"""Load test: respondents and reviewers of the demo province against gunicorn on PostgreSQL.

Builds (once) a benchmark database with ``demo seed --units N --seed 1``,
starts the app and the floors (``benchmarks/floor_app.py``) under
``deploy/gunicorn.conf.py`` on free ports, and drives them with virtual users
of its own (threads speaking HTTP/1.1 with keep-alive):

- respondents (heads and editors of many units) open their unit, open a
  group page, then save a comment through the autosave endpoint every few
  seconds; one in twenty actions is a full "save draft" and one in fifty a
  "submit" (refused with 422 while the group is incomplete, as in real use);
- reviewers (one user in ten) open their home page, which sends them on to
  their dashboard (lead dashboard or province view), and follow it there.

Each phase runs ``--duration`` seconds with think times of 2–5 s, at each
number of users of ``--users``; then ``--saturate`` users with no think time;
then the floors, saturated with the same number of users. Users arrive spread
over the first ``--ramp`` seconds (0: all in the same instant, a burst), and
the round changes every ``--churn`` seconds (:class:`Churn`), so that the
dashboards count again as they do on a busy day. It prints throughput,
p50/p95/p99 (also per kind of request and per ten seconds), errors (5xx and
failed connections) and the workers' memory, and the ratio of saturated
throughput to the one-query floor.

    SURVEY_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/load.py --units 10000 --users 10,50,100 --duration 60

At small scale (to check the script): ``--units 0 --users 3 --duration 5 --saturate 3``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "benchmark-secret-key-0123456789-abcdef"
ROUND = "P06-DIEM-NGHEN"
GROUPS = ("legal", "infrastructure", "data", "security", "resources")
QUESTION = {"legal": "PL_01", "infrastructure": "HT_01", "data": "DL_01", "security": "AN_01",
            "resources": "NL_01"}


def prepare(server_url: str, units: int, name: str) -> str:
    """The benchmark database, migrated and seeded (kept between runs: seeding 10,000 units is slow)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.services.demo import seed_demo

    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server_url.rsplit("/", 1)[0] + "/" + name
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seed_demo(extra_units=units, seed=1)
        print(f"database {name}: seeded in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.execute(text("DELETE FROM login_throttles"))
        db.session.commit()
    with app.app_context():  # fresh planner statistics, as autovacuum would gather after a bulk load
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return url


class Churn:
    """Changes of the round at a steady pace, as submissions and decisions make them on a busy
    day: every ``every`` seconds one submitted group gets a new submission time (the database's
    triggers add a round change, so every dashboard must count again). A peak day of 10,000
    submissions over eight hours is one every three seconds."""

    def __init__(self, url: str, every: float) -> None:
        from sqlalchemy import create_engine

        self.every, self.changes = every, 0
        self.engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from sqlalchemy import text

        while not self.stop.wait(self.every):
            with self.engine.begin() as conn:
                conn.execute(text("UPDATE response_groups SET submitted_at = now() WHERE id = "
                                  "(SELECT id FROM response_groups WHERE status = 'submitted' "
                                  "ORDER BY random() LIMIT 1)"))
            self.changes += 1

    def __enter__(self) -> Churn:
        if self.every > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        self.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app_spec: str, url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = os.environ | {"SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": SECRET, "WEB_CONCURRENCY": str(workers),
                        "SURVEY_LOGIN_LOCK_AFTER": "1000000", "SURVEY_LOGIN_FREE_FAILURES": "1000000",
                        "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                             app_spec], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{app_spec} did not start")


def worker_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """Resident memory of gunicorn's workers (children of the master), in MB, summed."""
    total = 0
    for pid in Path("/proc").iterdir():
        if not pid.name.isdigit():
            continue
        try:
            status = (pid / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{proc.pid}$", status, re.M):
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            total += int(match.group(1)) if match else 0
    return total / 1024


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    windows: dict[int, list[float]] = field(default_factory=dict)  # ten-second window of the phase → latencies

    def add(self, seconds: float, ok: bool, kind: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.windows.setdefault(int((time.perf_counter() - seconds - self.started) // 10), []).append(seconds)
            self.errors += 0 if ok else 1
            self.by_kind.setdefault(kind, []).append(seconds)


def request_kind(method: str, path: str) -> str:
    """What a request is, for the per-kind figures: the slow path shows itself."""
    if path.endswith("/autosave"):
        return "autosave"
    if "/groups/" in path:
        return "group page" if method == "GET" else "save or submit"
    if "/units/" in path:
        return "unit home"
    if path.startswith("/review/"):
        return "dashboard"
    return "reviewer home" if path == "/" else path


class Client:
    """One virtual user's connection and cookies."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.location = ""  # of the last redirect
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.stats.add(time.perf_counter() - started, False, request_kind(method, path))
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, ""
        self.stats.add(time.perf_counter() - started, response.status < 500, request_kind(method, path))
        self.location = response.headers.get("Location", "")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    return match.group(1) if match else ""


def log_in(client: Client, username: str) -> None:
    """Log in before the phase starts, outside the figures (one scrypt hash per virtual user)."""
    stats, client.stats = client.stats, Stats()
    _status, page = client.call("GET", "/login")
    client.call("POST", "/login", {"csrf_token": csrf(page), "username": username, "password": PASSWORD})
    client.stats = stats


def arrive(rng: random.Random, ramp: float) -> None:
    """Wait for this user's arrival: users come in spread over the first ``ramp`` seconds."""
    time.sleep(rng.uniform(0, ramp))


def respondent(client: Client, username: str, unit: str, think: tuple[float, float], ramp: float,
               until: float) -> None:
    rng = random.Random(username)
    arrive(rng, ramp)
    while time.monotonic() < until:
        group = rng.choice(GROUPS)
        url = f"/rounds/{ROUND}/units/{unit}/groups/{group}"
        client.call("GET", f"/rounds/{ROUND}/units/{unit}")
        _status, page = client.call("GET", url)
        version = re.search(r'name="base_version"[^>]*value="(\d+)"', page)
        token, base = csrf(page), version.group(1) if version else "0"
        q = QUESTION[group]
        for _ in range(rng.randint(2, 5)):
            if time.monotonic() >= until:
                return
            time.sleep(rng.uniform(*think))
            form = {"csrf_token": token, "base_version": base, f"q_{q}-present": "1",
                    f"q_{q}-comment": f"Ghi chú {rng.randint(1, 10**6)}"}
            roll = rng.random()
            if roll < 0.02:
                client.call("POST", url, form | {"action": "submit"})
            elif roll < 0.07:
                client.call("POST", url, form | {"action": "save"})
            else:
                _status, reply = client.call("POST", url + "/autosave", form)
                found = re.search(r'"version":\s*(\d+)', reply)
                base = found.group(1) if found else base


def reviewer(client: Client, username: str, think: tuple[float, float], ramp: float, until: float) -> None:
    """Opens the home page, which sends a reviewer or coordinator on to the dashboard,
    and follows it there (the dashboard is what the reviewer waits for)."""
    rng = random.Random(username)
    arrive(rng, ramp)
    while time.monotonic() < until:
        status, _page = client.call("GET", "/")
        location = client.location
        if status in (302, 303) and location.startswith("/"):
            client.call("GET", location)
        time.sleep(rng.uniform(*think))


def floor(client: Client, path: str, until: float) -> None:
    while time.monotonic() < until:
        client.call("GET", path)


PASSWORD = ""
UNITS = ("VP-UBND", "CA-TINH", "STTTT", "STC", "SKHDT", "SNV", "STP", "SCT", "SNNPTNT", "STNMT", "SXD", "SGTVT",
         "SKHCN", "SVHTTDL", "SGDDT", "SYT", "SLDTBXH", "TTRA", "BDT", "BQLKKT", "UBND-TPAP", "UBND-TXBA",
         "UBND-TXPH", "UBND-TXTT", "UBND-HDL", "UBND-HTL", "UBND-HBS", "UBND-HNT", "UBND-HPR", "UBND-HLN",
         "UBND-HDP")
REVIEWERS = ("vpubnd-reviewer", "stttt-reviewer", "stc-reviewer", "skhdt-reviewer", "snv-reviewer",
             "catinh-coordinator", "vpubnd-coordinator")


def phase(port: int, users: int, seconds: float, think: tuple[float, float], floor_path: str | None = None,
          ramp: float = 0.0) -> Stats:
    stats = Stats()
    plans: list[tuple[Client, str, tuple[Any, ...]]] = []
    for i in range(users):
        client = Client(port, stats)
        if floor_path:
            plans.append((client, "floor", (floor_path,)))
        elif i % 10 == 9:
            username = REVIEWERS[i % len(REVIEWERS)]
            log_in(client, username)
            plans.append((client, "reviewer", (username, think, ramp)))
        else:
            unit = UNITS[i % len(UNITS)]
            role = "head" if (i // len(UNITS)) % 2 == 0 else "editor"
            username = f"{unit.lower().replace('-', '')}-{role}"
            log_in(client, username)
            plans.append((client, "respondent", (username, unit, think, ramp)))
    until = time.monotonic() + seconds
    kinds = {"floor": floor, "reviewer": reviewer, "respondent": respondent}
    threads = [threading.Thread(target=kinds[kind], args=(client, *extra, until)) for client, kind, extra in plans]
    started = stats.started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
    return stats


def report(label: str, stats: Stats, rss: float, changes: int = 0) -> float:
    lat = sorted(stats.latencies)
    if not lat:
        print(f"| {label} | 0 requests |")
        return 0.0
    q = statistics.quantiles(lat, n=100, method="inclusive")
    rate = len(lat) / stats.elapsed  # type: ignore[attr-defined]
    print(f"| {label} | {len(lat)} | {rate:.1f} | {q[49] * 1000:.0f} | {q[94] * 1000:.0f} | {q[98] * 1000:.0f} "
          f"| {stats.errors} | {rss:.0f} |", flush=True)
    if len(stats.by_kind) > 1:
        parts = []
        for kind, times in sorted(stats.by_kind.items()):
            times.sort()
            parts.append(f"{kind} n={len(times)} p50={times[len(times) // 2] * 1000:.0f} "
                         f"p95={times[min(len(times) - 1, int(len(times) * 0.95))] * 1000:.0f}")
        print(f"|  | by kind: {'; '.join(parts)} |||||||", flush=True)
        windows = [f"{10 * w}–{10 * w + 10} s {_p95(times) * 1000:.0f}" for w, times in sorted(stats.windows.items())]
        print(f"|  | p95 ms by ten seconds: {'; '.join(windows)}; changes of the round: {changes} |||||||",
              flush=True)
    return rate


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    global PASSWORD
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=10000)
    parser.add_argument("--users", default="10,50,100")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--saturate", type=int, default=50, help="users with no think time")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--database", default="bench_load")
    parser.add_argument("--churn", type=float, default=3.0,
                        help="seconds between changes of the round that dashboards count (0: none)")
    parser.add_argument("--ramp", type=float, default=5.0,
                        help="users arrive spread over this many seconds (0: all in the same instant)")
    args = parser.parse_args()
    server = os.environ.get("SURVEY_BENCH_POSTGRES_URL")
    if not server:
        raise SystemExit("Set SURVEY_BENCH_POSTGRES_URL (a PostgreSQL server URL; a database is created there).")
    sys.path.insert(0, str(ROOT))
    from survey_app.services.demo import DEMO_PASSWORD

    PASSWORD = DEMO_PASSWORD
    url = prepare(server, args.units, args.database)
    print(f"gunicorn: {args.workers} sync workers; think time 2–5 s; users arrive over {args.ramp:.0f} s; "
          f"a change of the round every {args.churn:g} s; {args.duration:.0f} s per phase\n")
    print("| phase | requests | req/s | p50 ms | p95 ms | p99 ms | errors | workers' RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    app, port = start("survey_app:create_app()", url, args.workers)
    try:
        for users in (int(u) for u in args.users.split(",")):
            with Churn(url, args.churn) as churn:
                stats = phase(port, users, args.duration, (2.0, 5.0), ramp=args.ramp)
            report(f"{users} users", stats, worker_rss_mb(app), churn.changes)
        with Churn(url, args.churn) as churn:
            stats = phase(port, args.saturate, args.duration, (0.0, 0.0))
        saturated = report(f"saturated, {args.saturate} users", stats, worker_rss_mb(app), churn.changes)
    finally:
        app.terminate()
        app.wait(timeout=30)
    floors, port = start("benchmarks.floor_app:create_floor_app()", url, args.workers)
    try:
        report("floor: bare endpoint", phase(port, args.saturate, args.duration, (0, 0), "/bare"),
               worker_rss_mb(floors))
        one_query = report("floor: one query", phase(port, args.saturate, args.duration, (0, 0), "/query"),
                           worker_rss_mb(floors))
    finally:
        floors.terminate()
        floors.wait(timeout=30)
    if one_query:
        print(f"\nsaturated app / one-query floor = {saturated / one_query:.1%}")


if __name__ == "__main__":
    main()
