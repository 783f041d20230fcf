"""A group page shown again renders only the questions whose blocks changed: each kept
block must be exactly what rendering it afresh would give, for this unit, this answer,
this language, and never what someone typed in a post."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from survey_app.respond import routes
from survey_app.services.review import counted


def block(html: str, code: str) -> str:
    """The markup of one question's block on a page."""
    start = html.rindex('<div class="question', 0, html.index(f'id="q-{code}" data-type'))
    ends = [i for i in (html.find('<div class="question', start + 1), html.find("</fieldset>", start)) if i >= 0]
    return html[start:min(ends)]


def same(a: str, b: str) -> bool:
    """The same page but for the form tokens (signed with the time) and a flashed message."""
    def plain(html: str) -> str:
        html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)
        return re.sub(r'<p class="flash[^"]*"[^>]*>.*?</p>', "", html)
    return plain(a) == plain(b)


def fresh(survey: Any, c: Any, unit: str, group: str) -> str:
    """The page rendered with nothing kept."""
    counted.forget()
    return survey.page(c, unit, group)[0]


def save(survey: Any, c: Any, unit: str, group: str, fields: dict[str, str]) -> Any:
    _html, data = survey.page(c, unit, group)
    data.update({k: [v] for k, v in fields.items()})
    data["action"] = ["save"]
    return c.post(survey.url(unit, group), data=data)


def test_a_kept_block_is_the_block_rendered_afresh(survey: Any) -> None:
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    first = fresh(survey, head, "STP", "legal")
    assert len(routes._blocks.items) > 0  # the blocks were kept
    again = survey.page(head, "STP", "legal")[0]  # every block kept this time
    assert same(again, first)


def test_a_changed_answer_shows_at_once_and_other_units_get_their_own_links(survey: Any) -> None:
    for unit in ("STP", "SNV"):
        survey.reset_unit(unit)
    stp, snv = survey.client("stp-head"), survey.client("snv-head")
    survey.page(stp, "STP", "legal")
    survey.page(snv, "SNV", "legal")  # the same blank blocks, but SNV's links
    assert save(survey, stp, "STP", "legal", {"q_PL_10a-answer": "Vướng mắc A"}).status_code == 302
    shown = survey.page(stp, "STP", "legal")[0]
    assert "Vướng mắc A" in block(shown, "PL-10a")
    assert block(shown, "PL-10a") == block(fresh(survey, stp, "STP", "legal"), "PL-10a")
    editor = survey.client("stp-editor")  # someone else changes it: the next view shows theirs
    assert save(survey, editor, "STP", "legal", {"q_PL_10a-answer": "Vướng mắc B"}).status_code == 302
    shown = survey.page(stp, "STP", "legal")[0]
    assert "Vướng mắc B" in block(shown, "PL-10a") and "Vướng mắc A" not in shown
    assert same(shown, fresh(survey, stp, "STP", "legal"))
    # SNV answers the same: its block links to SNV's history, not STP's.
    assert save(survey, snv, "SNV", "legal", {"q_PL_10a-answer": "Vướng mắc B"}).status_code == 302
    theirs = block(survey.page(snv, "SNV", "legal")[0], "PL-10a")
    assert "/units/SNV/" in theirs and "/units/STP/" not in theirs
    assert theirs == block(fresh(survey, snv, "SNV", "legal"), "PL-10a")


def test_each_language_keeps_its_own_blocks(survey: Any) -> None:
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    vietnamese = survey.page(head, "STP", "legal")[0]
    html = head.get(survey.url("STP", "legal")).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert head.post("/language/en", data={"csrf_token": token}).status_code in (302, 303)
    english = survey.page(head, "STP", "legal")[0]
    assert "History of this answer" in english and "History of this answer" not in vietnamese
    assert same(english, fresh(survey, head, "STP", "legal"))


def test_what_was_typed_in_a_refused_post_is_never_kept(app: Flask, survey: Any) -> None:
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    survey.page(head, "STP", "legal")  # blank blocks kept
    refused = save(survey, head, "STP", "legal", {"q_PL_04-answer": "mười lăm"})
    assert refused.status_code == 422
    assert "mười lăm" in block(refused.get_data(as_text=True), "PL-04")  # shown again as typed, with its message
    shown = survey.page(head, "STP", "legal")[0]
    assert "mười lăm" not in block(shown, "PL-04") and same(shown, fresh(survey, head, "STP", "legal"))
