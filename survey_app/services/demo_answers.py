"""Plausible answers for demos, tests and benchmarks.

A unit's ``quality`` (0–1) tilts its answers from poor to good, so a demo
province shows the spread of bands an official would expect. Values have
the shapes of ``docs/question-bank.md``; the same seed gives the same
answers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..questionnaires.schema import Bank, Column, ColumnType, Question, QuestionType
from ..scoring import applies_to_kind, condition_holds

_WORDS = (
    "Chưa có hướng dẫn thống nhất", "Thiếu kinh phí", "Phần mềm chưa kết nối",
    "Dữ liệu chưa được làm sạch", "Thiếu nhân lực chuyên trách", "Đang chờ phê duyệt",
    "Vướng quy định về thủ tục đầu tư", "Đã báo cáo Sở chuyên ngành",
)


def sample_answers(bank: Bank, unit_kind: str, quality: float, rng: random.Random,
                   groups: set[str] | None = None) -> dict[str, Any]:
    """Answers of one unit for the questions visible to it, in bank order.

    ``groups`` limits the answers to those groups (all when None). A question
    hidden by its condition gets no answer, as in a real form.
    """
    answers: dict[str, Any] = {}
    by_code = {q.code: q for q in bank.questions}
    for q in bank.questions:
        if groups is not None and q.group not in groups:
            continue
        if not applies_to_kind(q, unit_kind):
            continue
        cond = q.condition
        if cond is not None and not condition_holds(cond, by_code[cond.question], answers.get(cond.question)):
            continue
        answers[q.code] = sample_value(q, quality, rng)
    return answers


def sample_value(q: Question, quality: float, rng: random.Random) -> Any:
    """One plausible value for ``q``; better with higher ``quality``."""
    good = rng.random() < quality
    match q.type:
        case QuestionType.YES_NO:
            return "yes" if good else "no"
        case QuestionType.SINGLE_CHOICE:
            ranked = sorted(q.options, key=lambda o: o.points, reverse=True)
            index = 0 if good else rng.randrange(len(ranked))
            return ranked[index].code
        case QuestionType.MULTIPLE_CHOICE:
            picked = [o.code for o in q.options
                      if not o.exclusive and rng.random() < (quality if o.points > 0 else 1 - quality)]
            return picked or [o.code for o in q.options if o.exclusive][:1]  # "none of these" stands alone
        case QuestionType.RATIO:
            denominator = rng.randint(5, 200)
            share = min(1.0, max(0.0, rng.gauss(quality, 0.2)))
            return {"numerator": round(denominator * share), "denominator": denominator}
        case QuestionType.NUMBER:
            return _number(q, quality, rng)
        case QuestionType.SEVERITY:
            return max(1, min(5, round(rng.gauss(5 - 4 * quality, 1))))
        case QuestionType.DATE:
            deadline = q.scoring.on_or_before or date(2024, 4, 30)
            return (deadline + timedelta(days=rng.randint(-60, 0) if good else rng.randint(1, 90))).isoformat()
        case QuestionType.TEXT:
            return rng.choice(_WORDS)
        case QuestionType.TABLE:
            return [_row(q.columns, quality, rng) for _ in range(rng.randint(1, 4))]
        case QuestionType.EVIDENCE:
            if not good:
                return None
            return {"document_number": f"{rng.randint(10, 2999)}/QĐ-UBND",
                    "document_date": date(2024, rng.randint(1, 4), rng.randint(1, 28)).isoformat(), "files": []}
    raise ValueError(q.type)  # pragma: no cover - every type is matched above


def _number(q: Question, quality: float, rng: random.Random) -> float:
    low = q.min_value if q.min_value is not None else 0.0
    if q.scoring.bands:
        finite = [b.upto for b in q.scoring.bands if b.upto is not None]
        high = (finite[-1] if finite else 10.0) * 1.5
    else:
        high = q.max_value if q.max_value is not None else (q.scoring.target or 10.0) * 1.5
    share = min(1.0, max(0.0, rng.gauss(quality, 0.25)))
    if q.scoring.inverse or (q.scoring.bands and q.scoring.bands[0].points > q.scoring.bands[-1].points):
        share = 1 - share
    return float(round(low + (high - low) * share))


#: Coherent rows of the bank's tables, by the table's text columns: eight
#: each, so that choosing one draws from the generator exactly as before.
_ROWS: dict[frozenset[str], tuple[dict[str, str], ...]] = {
    frozenset({"procedure", "blocking_document", "provision", "proposal"}): tuple(
        {"procedure": p, "blocking_document": d, "provision": c, "proposal": r} for p, d, c, r in (
            ("Đăng ký khai sinh", "Nghị định 123/2015/NĐ-CP", "Khoản 1 Điều 9",
             "Dùng dữ liệu CSDLQG về dân cư thay cho bản sao giấy tờ của cha, mẹ"),
            ("Chứng thực bản sao từ bản chính", "Nghị định 23/2015/NĐ-CP", "Điều 20",
             "Công nhận bản sao điện tử có chứng thực như bản giấy"),
            ("Đăng ký thường trú", "Thông tư 55/2021/TT-BCA", "Điều 6",
             "Bỏ yêu cầu nộp giấy tờ chứng minh chỗ ở đã có trong CSDL"),
            ("Cấp giấy phép lái xe", "Thông tư 12/2017/TT-BGTVT", "Khoản 2 Điều 19",
             "Dùng giấy khám sức khỏe điện tử thay bản giấy"),
            ("Đăng ký kết hôn", "Nghị định 123/2015/NĐ-CP", "Điều 10",
             "Bỏ giấy xác nhận tình trạng hôn nhân khi tra cứu được trên CSDL hộ tịch"),
            ("Cấp phiếu lý lịch tư pháp", "Luật Lý lịch tư pháp 2009", "Điều 45",
             "Cho phép nhận kết quả qua VNeID thay bản giấy"),
            ("Đăng ký khai tử", "Nghị định 123/2015/NĐ-CP", "Điều 4",
             "Liên thông với thủ tục xóa đăng ký thường trú"),
            ("Cấp đổi giấy chứng nhận quyền sử dụng đất", "Nghị định 101/2024/NĐ-CP", "Điều 28",
             "Khai thác thông tin người sử dụng đất từ CSDLQG về dân cư"),
        )),
    frozenset({"content", "document"}): tuple({"content": c, "document": d} for c, d in (
        ("Bỏ yêu cầu nộp bản sao căn cước khi công dân dùng tài khoản định danh mức 2", "Nghị định 104/2022/NĐ-CP"),
        ("Quy định giá trị pháp lý của kết quả giải quyết thủ tục bản điện tử", "Nghị định 45/2020/NĐ-CP"),
        ("Hướng dẫn định mức chi phí số hóa hồ sơ, kết quả giải quyết thủ tục", "Thông tư 01/2023/TT-VPCP"),
        ("Ban hành quy chế khai thác, chia sẻ dữ liệu dùng chung của tỉnh", "Quyết định của UBND tỉnh"),
        ("Sửa quy trình nội bộ để tiếp nhận hồ sơ qua Cổng dịch vụ công quốc gia", "Quyết định của UBND tỉnh"),
        ("Cho phép dùng chữ ký số trên thiết bị di động trong hồ sơ trực tuyến", "Nghị định 130/2018/NĐ-CP"),
        ("Thống nhất biểu mẫu điện tử cho thủ tục liên thông khai sinh, thường trú, bảo hiểm y tế",
         "Nghị định 63/2024/NĐ-CP"),
        ("Bổ sung hướng dẫn lưu trữ hồ sơ điện tử sau khi giải quyết", "Thông tư 02/2019/TT-BNV"),
    )),
    frozenset({"db_name"}): tuple({"db_name": n} for n in (
        "CSDL hộ tịch điện tử", "CSDL đất đai của tỉnh", "CSDL cán bộ, công chức, viên chức",
        "CSDL doanh nghiệp của tỉnh", "CSDL an sinh xã hội", "CSDL giáo dục và đào tạo",
        "CSDL y tế, tiêm chủng", "CSDL văn bản quy phạm pháp luật của tỉnh")),
    frozenset({"system_name", "note"}): tuple({"system_name": n, "note": t} for n, t in (
        ("Hệ thống thông tin giải quyết thủ tục hành chính tỉnh", "Đã kết nối, đang đồng bộ hồ sơ hằng ngày"),
        ("Phần mềm quản lý văn bản và điều hành", "Chưa có nhu cầu khai thác dữ liệu dân cư"),
        ("Hệ thống một cửa điện tử cấp xã", "Đang chờ cấp tài khoản khai thác"),
        ("Phần mềm quản lý hộ tịch", "Khai thác qua LGSP từ tháng 6"),
        ("Hệ thống quản lý đất đai", "Đang nâng cấp để kết nối qua NDXP"),
        ("Phần mềm quản lý cán bộ", "Tra cứu thủ công bằng tài khoản được cấp"),
        ("Cổng thông tin điện tử của đơn vị", "Không xử lý dữ liệu cá nhân"),
        ("Hệ thống báo cáo kinh tế - xã hội", "Chờ hướng dẫn của Sở Thông tin và Truyền thông"))),
    frozenset({"system_name", "decision"}): tuple({"system_name": n, "decision": d} for n, d in (
        ("Hệ thống thông tin giải quyết thủ tục hành chính tỉnh", "Quyết định 512/QĐ-UBND ngày 12/03/2024"),
        ("Phần mềm quản lý văn bản và điều hành", "Quyết định 87/QĐ-STTTT ngày 05/02/2024"),
        ("Hệ thống một cửa điện tử cấp xã", "Đang trình phê duyệt"),
        ("Phần mềm quản lý hộ tịch", "Quyết định 240/QĐ-UBND ngày 20/01/2024"),
        ("Hệ thống quản lý đất đai", "Quyết định 1033/QĐ-UBND ngày 28/05/2024"),
        ("Trung tâm dữ liệu của tỉnh", "Quyết định 1502/QĐ-UBND ngày 15/07/2024"),
        ("Cổng thông tin điện tử của đơn vị", "Quyết định 66/QĐ-STTTT ngày 04/03/2024"),
        ("Hệ thống hội nghị truyền hình trực tuyến", "Chưa lập hồ sơ đề xuất cấp độ"))),
    frozenset({"system_name"}): tuple({"system_name": n} for n in (
        "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh", "Phần mềm quản lý văn bản và điều hành",
        "Hệ thống một cửa điện tử cấp xã", "Phần mềm quản lý hộ tịch", "Hệ thống quản lý đất đai",
        "Trung tâm dữ liệu của tỉnh", "Cổng thông tin điện tử của đơn vị",
        "Hệ thống hội nghị truyền hình trực tuyến")),
    frozenset({"task", "detail"}): tuple({"task": t, "detail": d} for t, d in (
        ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "Chưa được bố trí vốn trong dự toán năm"),
        ("Mua sắm đầu đọc chip căn cước cho bộ phận một cửa", "Chờ hướng dẫn cấu hình kỹ thuật thống nhất"),
        ("Nâng cấp hệ thống một cửa điện tử kết nối CSDLQG về dân cư", "Vướng thủ tục thẩm định dự án"),
        ("Thuê dịch vụ chữ ký số cho công chức", "Chưa có đơn giá thuê dịch vụ được phê duyệt"),
        ("Tập huấn kỹ năng số cho cán bộ một cửa", "Kinh phí thường xuyên không đủ"),
        ("Bảo đảm an toàn thông tin theo cấp độ", "Chưa có định mức chi cho giám sát an toàn thông tin"),
        ("Thuê đường truyền số liệu chuyên dùng", "Hợp đồng cũ hết hạn, chờ bố trí vốn"),
        ("Xây dựng CSDL chuyên ngành của đơn vị", "Chờ Bộ chủ quản ban hành danh mục dữ liệu"))),
    frozenset({"content", "requested_from"}): tuple({"content": c, "requested_from": f} for c, f in (
        ("Bố trí kinh phí số hóa hồ sơ tồn đọng", "Sở Tài chính"),
        ("Bổ sung 01 biên chế chuyên trách công nghệ thông tin", "Sở Nội vụ"),
        ("Chuyên gia hỗ trợ đánh giá an toàn thông tin", "Sở Thông tin và Truyền thông"),
        ("Kinh phí thuê dịch vụ máy chủ tại Trung tâm dữ liệu", "Sở Tài chính"),
        ("Tập huấn sử dụng nền tảng tích hợp, chia sẻ dữ liệu", "Sở Thông tin và Truyền thông"),
        ("Hỗ trợ thiết bị ký số cho lãnh đạo đơn vị", "Ban Cơ yếu Chính phủ"),
        ("Tư vấn lập hồ sơ đề xuất cấp độ", "Công an tỉnh"),
        ("Kinh phí nâng cấp đường truyền cấp xã", "Sở Kế hoạch và Đầu tư"))),
}


def _row(columns: tuple[Column, ...], quality: float, rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {}
    texts = _ROWS.get(frozenset(c.code for c in columns if c.type is ColumnType.TEXT))
    picked: int | None = None
    for c in columns:
        match c.type:
            case ColumnType.TEXT:
                drawn = rng.randrange(len(_WORDS))  # one draw per text cell, as the generator always did
                picked = drawn if picked is None else picked
                row[c.code] = texts[picked][c.code] if texts is not None else _WORDS[drawn]
            case ColumnType.NUMBER:
                row[c.code] = rng.randint(0, 100)
            case ColumnType.DATE:
                row[c.code] = date(2024, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            case ColumnType.YES_NO:
                row[c.code] = "yes" if rng.random() < quality else "no"
            case ColumnType.CHOICE:
                row[c.code] = rng.choice(c.options).code
    return row


def sample_evidence(q: Question, value: Any, unit_code: str) -> dict[str, Any] | None:
    """A document number and date for an answer that claims something, as a
    unit would cite them; None where the bank asks none or the answer is a no."""
    if q.evidence is None or value is None or q.type is QuestionType.EVIDENCE:
        return None
    picked = q.option(str(value)) if q.options and isinstance(value, str) else None
    if picked is not None and picked.points == 0:
        return None
    number = sum(map(ord, unit_code + q.code)) % 900 + 100
    return {"document_number": f"{number}/QĐ-{unit_code}", "document_date": "2024-03-15", "files": []}
