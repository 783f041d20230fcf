"""Every interface string exists in Vietnamese, and the catalog is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "survey_app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def test_every_source_string_has_a_vietnamese_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-o", str(pot), str(ROOT / "survey_app")], check=True, capture_output=True)
    with pot.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))}
    assert len(wanted) > 80, "extraction found too few strings"
    missing = sorted(wanted - translated)
    assert not missing, "untranslated (run `make messages` and translate): " + "; ".join(missing)


def test_scores_follow_the_language_s_decimal_convention() -> None:
    from survey_app.questionnaires.display import format_fixed

    assert format_fixed(86.5, 2, "vi") == "86,50"
    assert format_fixed(1234.5678, 4, "vi") == "1.234,5678"
    assert format_fixed(86.5, 2, "en") == "86.50"
