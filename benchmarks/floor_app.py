"""The floors of the load benchmark: the least a Flask app under the same gunicorn
settings can do. ``/bare`` returns a constant; ``/query`` runs ``SELECT 1`` on
the benchmark's PostgreSQL database through the same SQLAlchemy engine options.

    gunicorn -c deploy/gunicorn.conf.py 'benchmarks.floor_app:create_floor_app()'
"""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import create_engine, text


def create_floor_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["SURVEY_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_pre_ping=True)

    @app.get("/bare")
    def bare() -> str:
        return "ok"

    @app.get("/query")
    def query() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT 1")).scalar())

    return app
