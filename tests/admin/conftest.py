"""Fixtures for the administration pages: the demo province and an administrator's client.

Requests are never made while a test holds an app context, so each request
gets its own database session, as in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def admin(demo: Flask, client: FlaskClient, auth: Any) -> FlaskClient:
    response = auth.login("admin")
    assert response.status_code == 302, "the demo administrator could not log in"
    return client
