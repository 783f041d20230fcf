"""``flask bank validate`` and ``flask bank load``: the names are a contract."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import BankQuestion, BankVersion, Round
from survey_app.questionnaires import bank_path


def test_validate_prints_groups_and_question_counts(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "validate", str(bank_path())])
    assert result.exit_code == 0, result.output
    assert "5 groups" in result.output
    for group in ("legal", "infrastructure", "data", "security", "resources"):
        assert group in result.output


def test_validate_broken_copy_exits_1_naming_every_error(runner: FlaskCliRunner, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(bank_path(), tmp_path / "bank"))
    data = copy / "data.toml"
    text = data.read_text(encoding="utf-8")
    first_type = text.index('type = "')
    text = text[:first_type] + 'type = "percent-ish"' + text[text.index("\n", first_type):]
    data.write_text(text, encoding="utf-8")
    bank = copy / "bank.toml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("gap_threshold = 0.5", "gap_threshold = 5"),
                    encoding="utf-8")
    result = runner.invoke(args=["bank", "validate", str(copy)])
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output
    assert "data.toml [" in result.output and "unknown type 'percent-ish'" in result.output
    assert "bank.toml scoring.gap_threshold" in result.output


def test_load_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["bank", "load", str(bank_path())])
    second = runner.invoke(args=["bank", "load", str(bank_path())])
    assert "created" in first.output and "unchanged" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankVersion)) == 1
        assert db.session.scalar(select(func.count()).select_from(BankQuestion)) >= 60


def _changed_copy(tmp_path: Path) -> Path:
    copy = Path(shutil.copytree(bank_path(), tmp_path / "bank"))
    legal = copy / "legal.toml"
    legal.write_text(legal.read_text(encoding="utf-8").replace("weight = 0.2", "weight = 0.3", 1), encoding="utf-8")
    return copy


def test_changed_unused_version_is_replaced(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    runner.invoke(args=["bank", "load", str(bank_path())])
    result = runner.invoke(args=["bank", "load", str(_changed_copy(tmp_path))])
    assert result.exit_code == 0 and "replaced" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankVersion)) == 1


def test_changing_a_version_a_round_uses_is_refused(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    runner.invoke(args=["bank", "load", str(bank_path())])
    with app.app_context():
        version = db.session.scalars(select(BankVersion)).one()
        db.session.add(Round(code="R1", name_vi="Đợt 1", name_en="Round 1", bank_version=version,
                             opens_on=date(2024, 4, 22), due_on=date(2024, 5, 31)))
        db.session.commit()
        fingerprint = version.fingerprint
    result = runner.invoke(args=["bank", "load", str(_changed_copy(tmp_path))])
    assert result.exit_code == 1
    assert "used by round(s) R1" in result.output and "new version" in result.output
    with app.app_context():
        assert db.session.scalars(select(BankVersion)).one().fingerprint == fingerprint


def test_load_of_a_broken_bank_loads_nothing(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(bank_path(), tmp_path / "bank"))
    (copy / "security.toml").write_text("not = = toml", encoding="utf-8")
    result = runner.invoke(args=["bank", "load", str(copy)])
    assert result.exit_code == 1 and "security.toml" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankVersion)) == 0
