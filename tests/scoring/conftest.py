"""Hypothesis settings for the scoring tests: no per-example time limit.

The tests contain no timings (the machine running them may be shared and
busy); they check values only.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("scoring", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("scoring")
