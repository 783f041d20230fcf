"""The province workbook prints: LibreOffice converts it to PDF, with the
header row on every page of a sheet and the page numbers in the footer."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from survey_app.exports import WorkbookKind
from survey_app.extensions import db
from survey_app.models import User
from survey_app.services.exports import Target, export_workbook

from .conftest import ROUND, open_book

#: A word of each sheet's last header row, which must be on every page of the sheet.
HEADER_WORD = {"Tổng hợp": "Mã đơn vị", "Điểm nghẽn": "Loại điểm nghẽn", "Tiến độ": "Người nộp",
               "Bộ câu hỏi": "Mã phương án", "Thông tin": "Phạm vi số liệu"}
FOOTER = re.compile(r"Trang (\d+)/(\d+)\s*$")


def _tools() -> tuple[str, str, str]:
    found = [shutil.which(t) for t in ("soffice", "pdfinfo", "pdftotext")]
    if None in found:
        pytest.skip("LibreOffice (libreoffice-calc-nogui) and poppler-utils are needed; .ci/run installs them")
    return found[0], found[1], found[2]  # type: ignore[return-value]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_province_workbook_converts_to_pdf_with_headers_repeated(seeded: Flask, tmp_path: Path) -> None:
    soffice, pdfinfo, pdftotext = _tools()
    xlsx = tmp_path / "province.xlsx"
    with seeded.app_context():
        user = db.session.scalar(select(User).filter_by(username="catinh-coordinator"))
        export_workbook(user, ROUND, Target(WorkbookKind.PROVINCE), "vi", xlsx)
    sheets = open_book(xlsx).sheetnames
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
        capture_output=True, text=True, timeout=300, check=False)
    pdf = tmp_path / "province.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page_texts = text.split("\f")[:pages]
    assert len(page_texts) == pages and pages >= len(sheets)

    owner: list[str] = []
    for number, page in enumerate(page_texts, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        match = FOOTER.search(lines[-1])
        assert match, f"page {number} has no page-number footer: {lines[-1]!r}"
        assert (int(match.group(1)), int(match.group(2))) == (number, pages)
        footer_sheet = _squash(lines[-1][:match.start()])
        name = next(s for s in sheets if footer_sheet.startswith(_squash(s)))
        owner.append(name)
    # Every sheet printed, each on consecutive pages, in the workbook's order.
    assert list(dict.fromkeys(owner)) == sheets
    long_sheets = [s for s in sheets if owner.count(s) > 1]
    assert "Tiến độ" in long_sheets  # 31 units × 6 scopes do not fit one page
    for name in long_sheets:
        word = HEADER_WORD.get(name, "Trả lời")
        for number, page in enumerate(page_texts, start=1):
            if owner[number - 1] == name:
                assert _squash(word) in _squash(page), f"header of {name} missing on page {number}"
