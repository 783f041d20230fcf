"""The password rules of TCVN 14423:2026 level 2.

At least 14 characters, or 8 for a user with a second factor; not a common
password, not a common password with digits or symbols around it, not one
short pattern repeated, and not containing the username. The list of common
passwords ships with the app (``common_passwords.txt``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path

MIN_LENGTH = 14
MIN_LENGTH_WITH_SECOND_FACTOR = 8
MAX_LENGTH = 200


class Problem(StrEnum):
    """Why a password is refused; the web layer words each in the user's language."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    REPEATED = "repeated"
    CONTAINS_USERNAME = "contains_username"
    SAME_AS_CURRENT = "same_as_current"


@cache
def common_passwords() -> frozenset[str]:
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def min_length(has_second_factor: bool) -> int:
    return MIN_LENGTH_WITH_SECOND_FACTOR if has_second_factor else MIN_LENGTH


def password_problems(password: str, *, username: str = "", has_second_factor: bool = False) -> list[Problem]:
    """What is wrong with ``password``; an empty list means it may be used."""
    problems: list[Problem] = []
    if len(password) < min_length(has_second_factor):
        problems.append(Problem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(Problem.TOO_LONG)
    lower = password.lower()
    squeezed = re.sub(r"[\W_]+", "", lower)  # "Khao-sat" -> "khaosat"
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lower)  # "password2024!" -> "password"
    common = common_passwords()
    if lower in common or squeezed in common or core in common or not core:
        problems.append(Problem.COMMON)
    elif re.fullmatch(r"(.{1,7}?)\1+", lower):
        problems.append(Problem.REPEATED)
    name = username.strip().lower()
    if len(name) >= 3 and name in lower:
        problems.append(Problem.CONTAINS_USERNAME)
    return problems
