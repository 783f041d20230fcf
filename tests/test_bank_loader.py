"""The question-bank loader: the shipped bank validates, broken banks name every error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from survey_app.questionnaires import BankValidationError, QuestionType, bank_path, load_bank, read_bank
from survey_app.services.answers import shown_codes as visible_codes

BANK_TOML = """
code = "tiny"
version = "1"
title = { vi = "Bộ nhỏ", en = "Tiny bank" }
groups = ["g1"]

[scoring]
bands = { green = 0.8, yellow = 0.5 }
gap_threshold = 0.5
severity_threshold = 4

[[unit_kinds]]
code = "department"
name = { vi = "Sở", en = "Department" }

[[unit_kinds]]
code = "commune"
name = { vi = "Xã", en = "Commune" }

[[routing]]
scope = "g1"
lead = ["STTTT"]
"""

GROUP_TOML = """
code = "g1"
name = { vi = "Nhóm 1", en = "Group 1" }
weight = 0.2

[[sections]]
code = "s1"
name = { vi = "Mục 1", en = "Section 1" }

[[questions]]
code = "Q1"
section = "s1"
type = "yes_no"
text = { vi = "Có kế hoạch không?", en = "Is there a plan?" }

[[questions]]
code = "Q2"
section = "s1"
type = "single_choice"
text = { vi = "Mức độ?", en = "Level?" }
condition = { question = "Q1", equals = "yes" }
options = [
  { code = "full", label = { vi = "Đầy đủ", en = "Full" }, points = 1 },
  { code = "none", label = { vi = "Không", en = "None" }, points = 0 },
]

[[questions]]
code = "Q3"
section = "s1"
type = "ratio"
text = { vi = "Tỷ lệ?", en = "Share?" }
numerator_label = { vi = "Số đạt", en = "Meeting" }
denominator_label = { vi = "Tổng số", en = "Total" }
applies_to = ["department"]
"""


def write_bank(folder: Path, bank: str = BANK_TOML, group: str = GROUP_TOML) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.toml").write_text(bank, encoding="utf-8")
    (folder / "g1.toml").write_text(group, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(BankValidationError) as info:
        load_bank(folder)
    return [str(p) for p in info.value.errors]


def test_tiny_bank_loads(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path))
    assert [q.code for q in bank.questions] == ["Q1", "Q2", "Q3"]
    assert bank.questions[0].options[0].code == "yes"  # yes/no gets default options
    assert bank.questions[2].scored and bank.questions[2].applies_to == ("department",)


def test_fingerprint_ignores_comments_but_not_content(tmp_path: Path) -> None:
    a = read_bank(write_bank(tmp_path / "a"))[2]
    b = read_bank(write_bank(tmp_path / "b", group="# a comment\n" + GROUP_TOML))[2]
    c = read_bank(write_bank(tmp_path / "c", group=GROUP_TOML.replace("Level?", "Level of it?")))[2]
    assert a == b != c


BROKEN = [
    pytest.param(lambda g: g.replace('code = "Q2"', 'code = "Q1"'), "[Q1] code: duplicate question code",
                 id="duplicate-code"),
    pytest.param(lambda g: g.replace('type = "ratio"', 'type = "percentage"'), "[Q3] type: unknown type 'percentage'",
                 id="unknown-type"),
    pytest.param(lambda g: g.replace('question = "Q1"', 'question = "Q3"'),
                 "[Q2] condition.question: 'Q3' is not an earlier question", id="condition-later"),
    pytest.param(lambda g: g.replace('question = "Q1"', 'question = "Q9"'),
                 "[Q2] condition.question: 'Q9' is not an earlier question", id="condition-missing"),
    pytest.param(lambda g: g.replace(', points = 0 }', ' }'), "[Q2] options.none.points: option has no points",
                 id="option-without-points"),
    pytest.param(lambda g: g.replace('applies_to = ["department"]', 'applies_to = ["department"]\nweight = 0'),
                 "[Q3] weight: must be greater than 0", id="weight-zero"),
    pytest.param(lambda g: g.replace('applies_to = ["department"]', 'applies_to = ["department"]\nweight = -2'),
                 "[Q3] weight: must be greater than 0", id="weight-negative"),
    pytest.param(lambda g: g.replace('["department"]', '["ministry"]'), "[Q3] applies_to: unknown unit kind 'ministry'",
                 id="unknown-unit-kind"),
    pytest.param(lambda g: g.replace('section = "s1"\ntype = "ratio"', 'section = "s9"\ntype = "ratio"'),
                 "[Q3] section: unknown section 's9'", id="unknown-section"),
    pytest.param(lambda g: g.replace('text = { vi = "Tỷ lệ?", en = "Share?" }', 'text = { vi = "Tỷ lệ?" }'),
                 "[Q3] text: needs an English text", id="missing-english"),
    pytest.param(lambda g: g.replace('denominator_label = { vi = "Tổng số", en = "Total" }', ''),
                 "[Q3] denominator_label: is required", id="ratio-without-denominator"),
    pytest.param(lambda g: g.replace('equals = "yes"', 'equals = "maybe"'), "[Q2] condition: Q1 has no option 'maybe'",
                 id="condition-unknown-option"),
    pytest.param(lambda g: g + '\n[[questions]]\ncode = "Q4"\nsection = "s1"\ntype = "number"\n'
                 'text = { vi = "Số?", en = "Number?" }\nscoring = { bands = [ { upto = 8, points = 1 }, '
                 '{ upto = 4, points = 0.5 }, { points = 0 } ] }\n',
                 "[Q4] scoring.bands: 'upto' values must increase", id="bands-not-increasing"),
    pytest.param(lambda g: g + '\n[[questions]]\ncode = "Q5"\nsection = "s1"\ntype = "text"\n'
                 'text = { vi = "Ghi chú", en = "Note" }\ncritical = true\n',
                 "[Q5] critical: only a scored question can be critical", id="critical-unscored"),
    pytest.param(lambda g: g + '\n[[questions]]\ncode = "Q6"\nsection = "s1"\ntype = "text"\n'
                 'text = { vi = "Ghi chú", en = "Note" }\nscoring = { target = 3 }\n',
                 "[Q6] scoring.target: does not apply to a text question", id="scoring-wrong-type"),
]


@pytest.mark.parametrize(("mutate", "expected"), BROKEN)
def test_each_kind_of_error_is_named(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    found = problems(write_bank(tmp_path, group=mutate(GROUP_TOML)))
    assert any(p.startswith("g1.toml ") and expected in p for p in found), found


def test_section_without_lead_is_an_error(tmp_path: Path) -> None:
    found = problems(write_bank(tmp_path, bank=BANK_TOML.replace('scope = "g1"', 'scope = "other"')))
    assert "bank.toml routing: section 's1' of group 'g1' has no lead agency" in found
    assert "bank.toml routing: scope 'other' is neither a group nor a section" in found


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    found = problems(write_bank(tmp_path, group=GROUP_TOML + "\nthis is = = not toml\n"))
    assert len(found) == 1 and found[0].startswith("g1.toml -: not valid TOML")


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    group = GROUP_TOML.replace('type = "ratio"', 'type = "percentage"').replace(', points = 0 }', ' }')
    group = group.replace('question = "Q1"', 'question = "Q9"')
    found = problems(write_bank(tmp_path, bank=BANK_TOML.replace("gap_threshold = 0.5", "gap_threshold = 7"),
                                group=group))
    assert len(found) == 4, found


# The shipped bank


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    return load_bank(bank_path())


def test_shipped_bank_has_five_groups_and_sixty_questions(shipped) -> None:  # type: ignore[no-untyped-def]
    assert [g.code for g in shipped.groups] == ["legal", "infrastructure", "data", "security", "resources"]
    assert len(shipped.questions) >= 60
    assert all(len(g.questions) >= 12 for g in shipped.groups)
    assert {s.code for s in shipped.group("resources").sections} == {"resources-budget", "resources-people"}


def test_shipped_bank_uses_every_type_and_legal_has_them_all(shipped) -> None:  # type: ignore[no-untyped-def]
    assert {q.type for q in shipped.group("legal").questions} == set(QuestionType)


def test_shipped_bank_routes_resources_halves_to_their_leads(shipped) -> None:  # type: ignore[no-untyped-def]
    routing = {r.scope: r for r in shipped.routing}
    assert routing["resources-budget"].lead == ("STC",)
    assert routing["resources-budget"].coordinating == ("SKHDT",)
    assert routing["resources-people"].lead == ("SNV",)
    assert routing["legal"].lead == ("VP-UBND",)


def test_shipped_bank_is_bilingual(shipped) -> None:  # type: ignore[no-untyped-def]
    for q in shipped.questions:
        assert q.text.vi and q.text.en and q.text.vi != q.text.en, q.code


def test_conditions_hide_follow_ups_and_chains(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path))
    assert visible_codes(bank, "department", {"Q1": "yes"}) == {"Q1", "Q2", "Q3"}
    assert visible_codes(bank, "department", {"Q1": "no", "Q2": "full"}) == {"Q1", "Q3"}
    assert visible_codes(bank, "commune", {}) == {"Q1"}


def test_broken_copy_of_shipped_bank(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(bank_path(), tmp_path / "bank"))
    legal = copy / "legal.toml"
    text = legal.read_text(encoding="utf-8")
    legal.write_text(text.replace('weight = 2', 'weight = 0', 1), encoding="utf-8")
    found = problems(copy)
    assert any("legal.toml" in p and "weight: must be greater than 0" in p for p in found), found
