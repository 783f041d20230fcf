"""Two gunicorn app servers over one PostgreSQL database, as a province runs them.

A login on one server is valid on the other; evidence uploaded through one
downloads through the other; logging out on one ends the session on both;
concurrent saves through both lose nothing. The servers are real processes
(``deploy/gunicorn.conf.py``) on two free ports; the client speaks HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, delete, select, text
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from survey_app import create_app
from survey_app.extensions import db
from survey_app.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "two-servers-share-this-secret-key-0123456789"
GROUP = "/rounds/P06-DIEM-NGHEN/units/STP/groups/legal"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def servers_database(postgres_url: str, reset_schema: Callable[[str], None]) -> str:
    """A database of its own beside the test database (``<name>_servers``), created when missing."""
    parts = urlsplit(postgres_url)
    name = parts.path.lstrip("/") + "_servers"
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = urlunsplit(parts._replace(path="/" + name))
    reset_schema(url)
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """A browser's cookie jar, speaking HTTP to whichever server it is pointed at."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if not value or "Max-Age=0" in header or "1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        conn.close()
        return response.status, dict(response.headers.items()), data

    def get(self, port: int, path: str) -> tuple[int, str]:
        status, _headers, data = self.request(port, "GET", path)
        return status, data.decode()

    def post(self, port: int, path: str, fields: dict[str, object]) -> tuple[int, dict[str, str], bytes]:
        if any(isinstance(v, FileStorage) for v in fields.values()):
            boundary, body = encode_multipart(MultiDict(fields))
            return self.request(port, "POST", path, body, f"multipart/form-data; boundary={boundary}")
        return self.request(port, "POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def hidden_fields(self, port: int, path: str) -> dict[str, str]:
        status, page = self.get(port, path)
        assert status == 200, (path, status)
        fields = {}
        for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", page):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
        return fields

    def log_in(self, port: int, username: str) -> None:
        token = self.hidden_fields(port, "/login")["csrf_token"]
        status, headers, _ = self.post(port, "/login", {"csrf_token": token, "username": username,
                                                        "password": DEMO_PASSWORD})
        assert status == 302 and headers["Location"] == "/", (status, headers)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory, postgres_url: str,
                reset_schema: Callable[[str], None]) -> Iterator[tuple[int, int, str]]:
    from flask_migrate import upgrade

    url = servers_database(postgres_url, reset_schema)
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": url})
    app.instance_path = str(tmp_path_factory.mktemp("servers"))
    with app.app_context():
        from survey_app.services.demo import seed_demo

        upgrade()
        seed_demo()
        from survey_app.models import Response, Round, Unit

        unit_id = db.session.scalar(select(Unit.id).filter_by(code="STP"))
        db.session.execute(delete(Response).where(Response.unit_id == unit_id, Response.round_id.in_(
            select(Round.id).filter_by(code="P06-DIEM-NGHEN"))))
        db.session.commit()
        db.engine.dispose()
    ports = free_port(), free_port()
    env = os.environ | {"SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": SECRET, "WEB_CONCURRENCY": "2",
                        "SURVEY_ENV": "development"}
    logs = tmp_path_factory.mktemp("logs")
    procs = []
    for port in ports:
        with (logs / f"{port}.out").open("wb") as out:  # the child keeps its own copy of the file
            procs.append(subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--bind",
                                           f"127.0.0.1:{port}", "survey_app:create_app()"],
                                          cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if Browser().get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn on {port} did not start:\n{(logs / f'{port}.out').read_text()}")
                time.sleep(0.2)
        yield ports[0], ports[1], str(logs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        reset_schema(url)


def test_a_login_on_one_server_is_valid_on_the_other(two_servers: tuple[int, int, str]) -> None:
    a, b, logs = two_servers
    browser = Browser()
    browser.log_in(a, "stp-head")
    status, page = browser.get(b, "/")
    assert status == 200 and "Thủ trưởng STP" in page
    lines = "".join(p.read_text() for p in Path(logs).glob("*.out"))
    assert re.search(r'"GET / " 200 .* user=stp-head rid=[0-9a-f]{32}', lines) or re.search(
        r'"GET /" 200 .* user=stp-head rid=[0-9a-f]{32}', lines)


def test_evidence_uploaded_through_one_downloads_through_the_other(two_servers: tuple[int, int, str]) -> None:
    a, b, _ = two_servers
    browser = Browser()
    browser.log_in(a, "stp-head")
    fields: dict[str, object] = dict(browser.hidden_fields(a, GROUP))
    fields = {k: v for k, v in fields.items() if not k.endswith("-present")} | {
        "action": "save", "q_PL_07-present": "1", "q_PL_07-document_number": "12/KH-STP",
        "q_PL_07-file": FileStorage(BytesIO(PDF), filename="ke-hoach-hai-may.pdf",
                                    content_type="application/pdf")}
    status, _headers, _body = browser.post(a, GROUP, fields)
    assert status == 302
    _status, page = browser.get(b, GROUP)
    file_id = re.search(r'href="/evidence/(\d+)"[^>]*>[^<]*ke-hoach-hai-may\.pdf', page) or re.search(
        r"/evidence/(\d+)", page)
    assert file_id is not None
    status, headers, data = browser.request(b, "GET", f"/evidence/{file_id.group(1)}")
    assert status == 200 and data == PDF and "ke-hoach-hai-may.pdf" in headers["Content-Disposition"]


def test_logging_out_on_one_ends_the_session_on_both(two_servers: tuple[int, int, str]) -> None:
    a, b, _ = two_servers
    phone, desk = Browser(), Browser()
    phone.log_in(a, "stp-editor")
    desk.log_in(b, "stp-editor")
    stolen = dict(phone.cookies)
    token = phone.hidden_fields(b, "/")["csrf_token"]
    assert phone.post(b, "/logout", {"csrf_token": token})[0] == 302
    for port in (a, b):
        assert desk.get(port, "/")[0] == 302
        thief = Browser()
        thief.cookies = dict(stolen)
        assert thief.get(port, "/")[0] == 302


def test_concurrent_saves_through_both_lose_nothing(two_servers: tuple[int, int, str]) -> None:
    a, b, _ = two_servers
    writers = {"stp-head": (a, "PL_01", "yes"), "stp-editor": (b, "PL_03", "head")}
    browsers = {name: Browser() for name in writers}
    for name, (port, _q, _v) in writers.items():
        browsers[name].log_in(port, name)

    def write(name: str) -> list[str]:
        port, question, answer = writers[name]
        browser = browsers[name]
        fields = browser.hidden_fields(port, GROUP)
        version = fields["base_version"]
        saved = []
        for i in range(12):
            other = b if port == a else a  # alternate servers, as a load balancer would
            status, _h, body = browser.post(port if i % 2 else other, GROUP + "/autosave", {
                "csrf_token": fields["csrf_token"], "base_version": version, f"q_{question}-present": "1",
                f"q_{question}-answer": answer, f"q_{question}-comment": f"{name} lần {i}"})
            assert body.startswith(b"{"), (name, i, status, body[:300])
            reply = json.loads(body)
            assert status == 200 and reply["ok"], (name, i, status, reply)
            version = str(reply["version"])
            saved.append(f"{name} lần {i}")
        return saved

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(writers, pool.map(write, writers), strict=True))
    _status, page = browsers["stp-head"].get(a, GROUP)
    for name, saved in results.items():
        assert saved[-1] in page, f"{name}'s last save is lost"
