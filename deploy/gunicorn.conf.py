"""gunicorn settings for survey_app (``make serve``, the systemd unit, the benchmarks).

Worker model: synchronous workers, ``2 × cores + 1`` of them (override with
``WEB_CONCURRENCY``). Every request is a short burst of CPU and PostgreSQL
work with nothing to wait on but the database, which is what sync workers do
well; nginx in front buffers slow clients and uploads, as gunicorn asks.
Each worker holds its own small SQLAlchemy connection pool, so PostgreSQL
sees at most workers × servers × (pool_size + overflow) connections.

The app writes one access line per request itself (logger
``survey_app.access``: address, request, status, size, time, user, request
id), so gunicorn's own access log is off.
"""

import multiprocessing
import os

bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60  # a worker silent this long is restarted
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then, with jitter so they do not all restart at once
max_requests_jitter = 500
preload_app = True  # import once, warm the caches once (when_ready), fork the workers: less memory, no cold start
forwarded_allow_ips = os.environ.get("SURVEY_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = "info"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "survey_app": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "survey_app.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
}


def when_ready(server):
    """Warm the preloaded app's caches in the master, before the workers fork
    (``survey_app.warm``: templates, translations, the open rounds' banks and
    forms); it closes the database connections it opened, so no worker shares
    one. A failure only costs the first requests their warmth: it is logged."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    if getattr(app, "import_name", None) != "survey_app":
        return  # another app under these settings (the benchmarks' floors)
    from survey_app.warm import warm

    try:
        warm(app)
    except Exception:  # e.g. the database not migrated yet: serve anyway
        server.log.exception("Warming the caches failed; the workers will fill them on first use")
