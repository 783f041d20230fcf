"""The scoring package stays pure: no Flask, SQLAlchemy, models or services."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import survey_app.scoring

PACKAGE = Path(survey_app.scoring.__file__).parent
FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "survey_app.models", "survey_app.services")
ALLOWED_THIRD_PARTY = ("numpy", "pandas", "survey_app.questionnaires.schema", "survey_app.questionnaires.answers")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_every_module_is_scanned() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert {"__init__.py", "scorers.py", "engine.py", "aggregate.py"} <= set(modules)


def test_no_framework_imports() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for name in _imports(path)
        if any(_under(name, bad) for bad in FORBIDDEN)
    ]
    assert offenders == []


def test_only_stdlib_numpy_pandas_and_the_schema() -> None:
    others = [
        f"{path.name}: {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and not any(_under(name, ok) for ok in ALLOWED_THIRD_PARTY)
    ]
    assert others == []
