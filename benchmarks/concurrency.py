"""Many people editing the same groups at once, under gunicorn on PostgreSQL.

Starts gunicorn with several workers on a free port over a fresh database,
then runs clients (five per unit by default) that for ``--seconds`` keep
writing comments on the questions of shared groups, some questions their
own, some shared with the other clients of their unit, by autosave and by
"Save draft", exactly as the page does: they post every field they see,
take the version and the merged blocks (``theirs_html``) of each answer, and
reload the page after a conflict.

Then it compares the database with what each client was told:

- *silently replaced*: a stored change whose writer had not seen the value
  it replaced (the revision's old comment is not what that client's page
  showed when it posted);
- *lost*: a save acknowledged to a client whose value never reached the
  database;
- *server errors*: any answer of 500 or more other than a "busy" 503.

All three must be 0. Run (figures go in docs/benchmarks.md)::

    createdb -h 127.0.0.1 -U postgres bench_concurrency
    .venv/bin/python benchmarks/concurrency.py \\
        --url postgresql://postgres@127.0.0.1:5432/bench_concurrency --seconds 60

The database's ``public`` schema is wiped first.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-2024"
ROUND = "P06-DIEM-NGHEN"
GROUPS = ("legal", "data")
#: Questions every department sees in each group, whose comments the clients write.
QUESTIONS = {"legal": ("PL-01", "PL-03", "PL-04", "PL-06", "PL-07", "PL-09", "PL-10", "PL-10a"),
             "data": ("DL-01", "DL-02", "DL-03", "DL-04", "DL-05", "DL-06")}


# The database


def prepare(url: str, units: int, per_unit: int) -> list[tuple[str, str]]:
    """Migrate a wiped database, load the bank and the demo province, empty
    the chosen units' answers and give each of them ``per_unit`` editors.

    Returns (unit code, username) for every client.
    """
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, select, text
    from werkzeug.security import generate_password_hash

    from survey_app import create_app
    from survey_app.config import database_uri
    from survey_app.extensions import db
    from survey_app.models import Membership, Unit, UnitKind, User
    from survey_app.services.demo import seed_demo

    engine = create_engine(database_uri(url, "/nowhere"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "load-test"})
    clients: list[tuple[str, str]] = []
    with app.app_context():
        upgrade()
        seed_demo()
        chosen = list(db.session.scalars(select(Unit).where(Unit.kind == UnitKind.DEPARTMENT.value)
                                         .order_by(Unit.sort_order).limit(units)))
        assert len(chosen) == units, f"the demo has only {len(chosen)} departments"
        ids = [u.id for u in chosen]
        db.session.execute(text(
            "DELETE FROM responses WHERE unit_id = ANY(:ids)"), {"ids": ids})
        # One round of PBKDF2 instead of scrypt: the run is about saves, and 50
        # scrypt checks at login cost seconds of the server's CPU before the clock starts.
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        for unit in chosen:
            for i in range(per_unit):
                username = f"load-{unit.code.lower()}-{i}"
                user = User(username=username, full_name=f"Tải {unit.code} {i}", password_hash=password_hash,
                            locale="vi")
                user.memberships.append(Membership(unit=unit, role="editor"))
                db.session.add(user)
                clients.append((unit.code, username))
        db.session.commit()
        db.engine.dispose()
    return clients


# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": "load-test-secret-key-0123456789"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "--log-level", "warning", "survey_app:create_app()"],
        cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn stopped at start") from None
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# A browser, reduced to what the group page needs


class FormReader(HTMLParser):
    """The named fields of a form as a browser would post them (no files)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "option" and self._select is not None:
            self._select[1].append((attrs.get("value") or "", "selected" in attrs))
            return
        name = attrs.get("name")
        if not name or "disabled" in attrs:
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind in ("radio", "checkbox") else "")))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            self.fields.append((self._textarea[0], text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            self.fields.append((name, next((v for v, sel in options if sel), options[0][0] if options else "")))
            self._select = None


def read_fields(html: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.fields:
        out.setdefault(name, []).append(value)
    return out


def group_form(html: str) -> dict[str, list[str]]:
    start = html.index('id="group-form"')
    return read_fields(html[html.rindex("<form", 0, start):html.index("</form>", start)])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def comment_field(code: str) -> str:
    return "q_" + code.replace("-", "_") + "-comment"


@dataclass
class Post:
    """One save a client sent: what its page showed, and what it changed."""

    username: str
    unit: str
    group: str
    question: str
    token: str
    seen: dict[str, str | None]  # question code → the comment the page showed
    acknowledged: bool = False


@dataclass
class Tally:
    posts: list[Post] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.statuses[what] += 1


class Client:
    def __init__(self, base: str, unit: str, username: str, index: int, tally: Tally, rng: random.Random) -> None:
        self.base, self.unit, self.username, self.index = base, unit, username, index
        self.tally, self.rng = tally, rng
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        self.pages: dict[str, dict[str, list[str]]] = {}
        self.sent = 0

    def request(self, path: str, data: dict[str, list[str]] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def login(self) -> None:
        _status, html = self.request("/login")
        token = read_fields(html)["csrf_token"]
        status, _ = self.request("/login", {"csrf_token": token, "username": [self.username],
                                            "password": [PASSWORD]})
        assert status == 302, f"login of {self.username} answered {status}"

    def url(self, group: str) -> str:
        return f"/rounds/{ROUND}/units/{self.unit}/groups/{group}"

    def load(self, group: str) -> None:
        status, html = self.request(self.url(group))
        if status != 200:
            self.error(f"GET {group}: {status}")
            return
        self.pages[group] = group_form(html)

    def error(self, what: str) -> None:
        with self.tally.lock:
            self.tally.server_errors.append(f"{self.username}: {what}")

    def seen(self, group: str) -> dict[str, str | None]:
        page = self.pages[group]
        return {code: (page.get(comment_field(code), [""])[0].strip() or None) for code in QUESTIONS[group]}

    def step(self) -> None:
        group = self.rng.choice(GROUPS)
        if group not in self.pages:
            self.load(group)
            if group not in self.pages:
                return
        own = QUESTIONS[group][self.index % 5::5]  # a question or two of its own...
        shared = QUESTIONS[group][:2]  # ...and two every client of the unit writes
        question = self.rng.choice(own + shared)
        self.sent += 1
        token = f"{self.username}#{self.sent}"
        page = self.pages[group]
        post = Post(self.username, self.unit, group, question, token, self.seen(group))
        page[comment_field(question)] = [token]
        with self.tally.lock:
            self.tally.posts.append(post)
        if self.rng.random() < 0.8:
            self.autosave(group, post)
        else:
            self.save_draft(group, post)

    def autosave(self, group: str, post: Post) -> None:
        status, text = self.request(self.url(group) + "/autosave", self.pages[group])
        self.tally.count(f"autosave {status}")
        if status >= 500 and status != 503:
            self.error(f"autosave {status}: {text[:200]}")
        try:
            body = json.loads(text)
        except ValueError:
            body = {}
        if status == 200 and body.get("ok"):
            post.acknowledged = True
            page = self.pages[group]
            page["base_version"] = [str(body["version"])]
            for code, block in body.get("theirs_html", {}).items():
                prefix = "q_" + code.replace("-", "_") + "-"
                for name in [n for n in page if n.startswith(prefix)]:
                    del page[name]
                page.update(read_fields(block))
        else:  # a conflict, or busy: start again from what is stored
            self.load(group)

    def save_draft(self, group: str, post: Post) -> None:
        status, text = self.request(self.url(group), {**self.pages[group], "action": ["save"]})
        self.tally.count(f"save {status}")
        if status >= 500 and status != 503:
            self.error(f"save {status}: {text[:200]}")
        post.acknowledged = status == 302
        self.load(group)


def run_clients(base: str, logins: list[tuple[str, str]], seconds: float, seed: int) -> Tally:
    tally = Tally()
    per_unit: Counter[str] = Counter()
    clients = []
    for i, (unit, username) in enumerate(logins):
        clients.append(Client(base, unit, username, per_unit[unit], tally, random.Random(f"{seed}:{i}")))
        per_unit[unit] += 1
    with ThreadPoolExecutor(max_workers=10) as pool:  # as people arrive: several at a time
        list(pool.map(Client.login, clients))
    deadline = time.monotonic() + seconds

    def work(c: Client) -> None:
        while time.monotonic() < deadline:
            try:
                c.step()
            except OSError as exc:  # a dropped connection is a server failure too
                c.error(f"connection: {exc}")

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


# The verdict


@dataclass
class Report:
    seconds: float
    clients: int
    posts: int
    acknowledged: int
    revisions: int
    silently_replaced: list[str]
    lost: list[str]
    server_errors: list[str]
    statuses: dict[str, int]

    def summary(self) -> str:
        return (f"{self.clients} clients, {self.seconds:.0f} s: {self.posts} saves sent, {self.acknowledged} "
                f"acknowledged, {self.revisions} changes stored; silently replaced {len(self.silently_replaced)}, "
                f"lost {len(self.lost)}, server errors {len(self.server_errors)}; answers {dict(self.statuses)}")


def verify(url: str, tally: Tally, seconds: float, clients: int) -> Report:
    from sqlalchemy import create_engine, text

    from survey_app.config import database_uri

    engine = create_engine(database_uri(url, "/nowhere"))
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT u.username, r.response_group_id, r.group_version, q.code, r.old_comment, r.new_comment "
            "FROM answer_revisions r JOIN answers a ON a.id = r.answer_id "
            "JOIN bank_questions q ON q.id = a.question_id JOIN users u ON u.id = r.changed_by_id "
            "WHERE u.username LIKE 'load-%' ORDER BY r.id")).all()
    engine.dispose()
    by_token = {p.token: p for p in tally.posts}
    saves: dict[tuple[str, int, int], list[Any]] = {}
    for row in rows:
        saves.setdefault((row.username, row.response_group_id, row.group_version), []).append(row)
    replaced: list[str] = []
    stored_tokens: set[str] = set()
    for changes in saves.values():
        post = next((by_token[r.new_comment] for r in changes if r.new_comment in by_token), None)
        for r in changes:
            if post is None or r.code not in post.seen:
                replaced.append(f"{r.username} wrote {r.code} = {r.new_comment!r} from no known page")
                continue
            if r.new_comment in by_token:
                stored_tokens.add(r.new_comment)
            if r.old_comment != post.seen[r.code]:
                replaced.append(f"{r.username} replaced {r.code} = {r.old_comment!r} having seen "
                                f"{post.seen[r.code]!r}")
    lost = [f"{p.username}: {p.question} = {p.token}" for p in tally.posts
            if p.acknowledged and p.token not in stored_tokens]
    return Report(seconds, clients, len(tally.posts), sum(p.acknowledged for p in tally.posts), len(rows),
                  replaced, lost, tally.server_errors, dict(tally.statuses))


def run(url: str, units: int = 10, per_unit: int = 5, seconds: float = 60, workers: int = 4,
        seed: int = 2024) -> Report:
    logins = prepare(url, units, per_unit)
    proc, base = start_server(url, workers)
    try:
        tally = run_clients(base, logins, seconds, seed)
    finally:
        stop_server(proc)
    return verify(url, tally, seconds, len(logins))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="PostgreSQL URL of a database to wipe and use")
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--per-unit", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    report = run(args.url, args.units, args.per_unit, args.seconds, args.workers)
    print(report.summary())
    for line in (report.silently_replaced + report.lost + report.server_errors)[:20]:
        print("  " + line)
    return 0 if not (report.silently_replaced or report.lost or report.server_errors) else 1


if __name__ == "__main__":
    sys.exit(main())
