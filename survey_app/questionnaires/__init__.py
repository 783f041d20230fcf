"""Question banks as versioned data files, and their loader.

Pure: imports nothing from Flask, SQLAlchemy or the models.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .loader import BankProblem, BankValidationError, bank_from_source, load_bank, read_bank
from .schema import Bank, Group, Question, QuestionType, Section

__all__ = [
    "DEFAULT_BANK",
    "Bank",
    "BankProblem",
    "BankValidationError",
    "Group",
    "Question",
    "QuestionType",
    "Section",
    "bank_from_source",
    "bank_path",
    "load_bank",
    "read_bank",
]

#: The bank shipped with the application and loaded by ``make run``.
DEFAULT_BANK = "de-an-06"


def bank_path(name: str = DEFAULT_BANK) -> Path:
    """The folder of a bank shipped inside the package."""
    return Path(str(files(__package__) / "banks" / name))
