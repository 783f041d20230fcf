"""A lead agency returns, the unit corrects and resubmits, the lead accepts and appraises."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

LEADS = ("STC", "SNV", "SKHDT", "STTTT", "VP-UBND", "CA-TINH")
REASON = "Bổ sung số hiệu văn bản về cơ sở dữ liệu chuyên ngành (câu DL-01)."


def test_return_resubmit_accept_appraise(review: Any) -> None:
    unit = review.unit_with("data", exclude=LEADS)
    dic = review.client("stttt-reviewer")
    assert dic.get(review.scope_url("data", unit)).status_code == 200

    # A return without a reason is refused, next to the field, nothing changes.
    r = dic.post(review.scope_url("data", unit, "return"), data={"reason_code": "missing_evidence", "reason": ""})
    assert (r.status_code == 200 and "Say what the unit must correct." in r.get_data(as_text=True)) or \
        "nêu rõ" in r.get_data(as_text=True).lower()
    assert review.group_status(unit, "data") == "submitted"

    r = dic.post(review.scope_url("data", unit, "return"), data={"reason_code": "missing_evidence", "reason": REASON})
    assert r.status_code == 303
    assert review.group_status(unit, "data") == "returned"
    scope = review.scope(unit, "data")
    assert scope["status"] == "returned" and scope["returns_used"] == 1
    assert scope["events"][-1] == ("return", "submitted", "returned", "missing_evidence", REASON)
    audit = review.audit("review.return")[-1]
    assert audit.detail["scope"] == "data" and audit.detail["reason_code"] == "missing_evidence"

    # The unit head sees the reason on the group page, and hands the group in again.
    head = review.client(f"{unit.lower().replace('-', '')}-head")
    page = head.get(f"/rounds/{review.round}/units/{unit}/groups/data").get_data(as_text=True)
    assert REASON in page and "review-feedback" in page
    assert review.submit(unit, "data", f"{unit.lower().replace('-', '')}-head") == ()
    assert review.scope(unit, "data")["status"] == "submitted"
    assert review.group_status(unit, "data") == "submitted"

    # Accept, then appraise a question: both scores shown to the lead and to the unit.
    assert dic.post(review.scope_url("data", unit, "accept")).status_code == 303
    assert review.group_status(unit, "data") == "accepted"
    r = dic.post(review.scope_url("data", unit, "appraise"),
                 data={"question": "DL-01", "score": "25", "reason": "Chưa có văn bản ban hành danh mục dữ liệu."})
    assert r.status_code == 303
    page = dic.get(review.scope_url("data", unit)).get_data(as_text=True)
    assert "Chưa có văn bản ban hành danh mục dữ liệu." in page
    # The unit's radar, as on its results page, with the appraised polygon beside its own and a legend.
    radar = re.search(r'<svg class="radar" viewBox="[^"]+" role="img" aria-label="([^"]+)">(.*?)</svg>', page, re.S)
    assert radar is not None and radar.group(1) == "Điểm của 05 nhóm"
    drawn = radar.group(2)
    assert drawn.count('<polygon class="score"') == 1 and drawn.count('<polygon class="appraised"') == 1
    assert drawn.count('<line class="axis"') == 5
    assert "Điểm thẩm định" in page[radar.end():page.index("</figure>", radar.end())]
    assert review.audit("review.appraise") and review.audit("review.accept")
    page = head.get(f"/rounds/{review.round}/units/{unit}/groups/data").get_data(as_text=True)
    assert "Chưa có văn bản ban hành danh mục dữ liệu." in page


def test_returns_are_limited_then_only_accept_remains(review: Any, app: Flask) -> None:
    app.config["REVIEW_MAX_RETURNS"] = 1
    try:
        unit = review.unit_with("security", exclude=LEADS)
        slug = unit.lower().replace("-", "")
        dic = review.client("stttt-reviewer")
        data = {"reason_code": "inconsistent_answer", "reason": "Số liệu máy chủ không khớp với câu HT-02."}
        assert dic.post(review.scope_url("security", unit, "return"), data=data).status_code == 303
        assert review.submit(unit, "security", f"{slug}-head") == ()
        page = dic.get(review.scope_url("security", unit)).get_data(as_text=True)
        assert 'action="' + review.scope_url("security", unit, "return") not in page
        r = dic.post(review.scope_url("security", unit, "return"), data=data, follow_redirects=True)
        assert review.scope(unit, "security")["status"] == "submitted"
        assert review.scope(unit, "security")["returns_used"] == 1
        assert r.status_code == 200
        assert dic.post(review.scope_url("security", unit, "accept")).status_code == 303
        assert review.scope(unit, "security")["status"] == "accepted"
    finally:
        app.config.pop("REVIEW_MAX_RETURNS")


def test_a_split_group_is_reviewed_per_section(review: Any) -> None:
    unit = review.unit_with("resources", exclude=LEADS)
    slug = unit.lower().replace("-", "")
    finance, home = review.client("stc-reviewer"), review.client("snv-reviewer")
    data = {"reason_code": "missing_evidence", "reason": "Thiếu dự toán kinh phí năm 2024."}
    assert finance.post(review.scope_url("resources-budget", unit, "return"), data=data).status_code == 303
    assert home.post(review.scope_url("resources-people", unit, "accept")).status_code == 303
    assert review.group_status(unit, "resources") == "returned"  # the unit corrects the whole group
    assert review.submit(unit, "resources", f"{slug}-head") == ()
    assert review.scope(unit, "resources-budget")["status"] == "submitted"
    assert review.scope(unit, "resources-people")["status"] == "accepted"  # stays accepted
    assert finance.post(review.scope_url("resources-budget", unit, "accept")).status_code == 303
    assert review.group_status(unit, "resources") == "accepted"


def test_proposals_are_recorded_audited_and_shown_to_the_unit(review: Any) -> None:
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Bottleneck, Response, ResponseGroup, Unit

    with review.app.app_context():
        unit, question = db.session.execute(
            select(Unit.code, Bottleneck.question_code).join(Response, Response.unit_id == Unit.id)
            .join(ResponseGroup, ResponseGroup.response_id == Response.id)
            .join(Bottleneck, Bottleneck.response_group_id == ResponseGroup.id)
            .where(Bottleneck.group_code == "data", ResponseGroup.status == "submitted")
            .order_by(Unit.sort_order)).first()
        db.session.remove()
    dic = review.client("stttt-reviewer")
    r = dic.post(f"/review/rounds/{review.round}/proposals", data={
        "question": f"data:{question}", "unit": unit, "solution": "Xây dựng kế hoạch chuẩn hóa dữ liệu dân cư.",
        "responsible": "STTTT", "deadline": "2020-06-30", "level": "province"})
    assert r.status_code == 303
    created = review.audit("proposal.create")[-1]
    listing = dic.get(f"/review/rounds/{review.round}/proposals").get_data(as_text=True)
    assert "Xây dựng kế hoạch chuẩn hóa dữ liệu dân cư." in listing and "overdue" in listing
    r = dic.post(f"/review/rounds/{review.round}/proposals/{created.object_id}/status", data={"status": "in_progress"})
    assert r.status_code == 303 and review.audit("proposal.status")
    # Finance neither sees nor changes the DIC's proposal.
    stc = review.client("stc-reviewer")
    assert "chuẩn hóa dữ liệu dân cư" not in stc.get(f"/review/rounds/{review.round}/proposals").get_data(as_text=True)
    r = stc.post(f"/review/rounds/{review.round}/proposals/{created.object_id}/status", data={"status": "done"})
    assert r.status_code == 404
    # The unit sees it on its data group page.
    head = review.client(f"{unit.lower().replace('-', '')}-head")
    page = head.get(f"/rounds/{review.round}/units/{unit}/groups/data").get_data(as_text=True)
    assert "Xây dựng kế hoạch chuẩn hóa dữ liệu dân cư." in page
