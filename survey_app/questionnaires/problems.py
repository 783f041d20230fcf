"""Problems found in a bank, collected so that all are reported at once."""

from __future__ import annotations

from dataclasses import dataclass

BANK_FILE = "bank.toml"


@dataclass(frozen=True, slots=True)
class BankProblem:
    """One problem found in a bank: where it is and what is wrong."""

    file: str
    question: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f" [{self.question}]" if self.question else "")
        return f"{where} {self.field}: {self.message}"


class BankValidationError(Exception):
    """Raised with every problem of a bank at once."""

    def __init__(self, errors: list[BankProblem]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class _Collector:
    """Accumulates problems while the bank is parsed, tracking the file."""

    def __init__(self) -> None:
        self.errors: list[BankProblem] = []
        self.file = BANK_FILE

    def add(self, question: str | None, field: str, message: str) -> None:
        self.errors.append(BankProblem(self.file, question, field, message))
