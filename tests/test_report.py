"""``origin report``: one printable, self-contained HTML report per product (issue 18)."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
import zlib
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

import attrs
import pytest

import origin
import origin.cli
from origin import registry, strict_json
from origin.caseio import case_from_json
from origin.model import Case, Consignment
from origin.report import file_name, render
from origin.workbook.export import Decided, fingerprint
from origin.workbook.template import write_template

DATE = dt.date(2025, 6, 1)
HOSTILE = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
LONG = "PART-" + "X" * 240  # one unbroken word far wider than the page


def _demo() -> Case:
    text = resources.files("origin").joinpath("data", "demo_case.json").read_text("utf-8")
    return case_from_json(strict_json.loads(text), "demo")


def _hostile(case: Case, good_id: str) -> Case:
    first = attrs.evolve(case.materials[0], id=LONG, description=f"{HOSTILE} & " + "y" * 200)
    return attrs.evolve(
        case,
        good=attrs.evolve(case.good, id=good_id, description=f'"{HOSTILE}" & <b>bold</b>'),
        materials=(first, *case.materials[1:]),
    )


def _decided(case: Case, workbook: str = "demo.json") -> Decided:
    agreement = registry.get("anzcerta")
    d = agreement.determine(case, DATE)
    return Decided(workbook, case.good.id, agreement, case, d, date_reason="the date given")


def _main(*args: object) -> int:
    return origin.cli.main([str(a) for a in args])


def test_report_holds_the_verdict_every_step_the_figures_and_the_signature_block() -> None:
    item = _decided(_demo())
    d = item.determination
    assert d is not None
    page = render(item)
    assert page.startswith("<!DOCTYPE html>")
    assert "ORIGINATING" in page.upper() and "originating" in page
    for basis in d.basis:
        assert html.escape(basis) in page
    for step in d.steps:
        for inner in step.walk():
            assert f"[{html.escape(str(inner.citation))}]" in page
            assert html.escape(inner.summary) in page
    for r in d.rvc:
        assert html.escape(r.formula) in page
        assert r.value is not None and r.margin is not None
        # figures as percentages, with the exact fraction in the title
        value = f'title="{r.value.numerator}/{r.value.denominator}"'
        assert value in page
        assert f'title="{r.margin.numerator}/{r.margin.denominator}"' in page
        for symbol, side, _bound in r.headroom:
            assert f"{symbol} {side}" in page
    for m in d.materials:
        assert html.escape(m.id) in page
        for c in m.citations:
            assert html.escape(str(c)) in page
    for o in d.obligations:
        assert html.escape(str(o.citation)) in page
    for note in d.notes:
        assert html.escape(note) in page
    assert fingerprint(item.case, "anzcerta", DATE) in page  # type: ignore[arg-type]
    assert origin.__version__ in page
    agreement = registry.get("anzcerta")
    assert html.escape(agreement.title) in page
    assert "text as at " + d.law_version.isoformat() in page
    assert "2025-06-01 — the date given" in page
    assert "AUD" in page
    for words in ("Prepared by", "Reviewed by", "signature", "Declaration"):
        assert words in page
    assert "was made by the origin toolkit" in page
    # prints on A4, wraps, repeats table headers, keeps small blocks whole
    assert "size: A4" in page and "table-header-group" in page
    assert "break-inside: avoid" in page and "overflow-wrap: anywhere" in page
    # self-contained: no script, no external resource
    lowered = page.lower()
    assert "<script" not in lowered and "javascript:" not in lowered
    assert not re.search(r"(src|href)=\"?(https?:|//)", lowered)
    assert "@import" not in lowered and "url(" not in lowered


def test_user_text_is_escaped_and_file_names_are_safe() -> None:
    case = _hostile(_demo(), HOSTILE)
    page = render(_decided(case))
    assert "<script" not in page.lower()
    assert "<b>bold</b>" not in page
    assert html.escape(HOSTILE) in page
    taken: set[str] = set()
    names = [
        file_name("book.xlsx", HOSTILE, taken),
        file_name("book.xlsx", FORMULA, taken),
        file_name("book.xlsx", "../../etc/passwd", taken),
        file_name("book.xlsx", "A", taken),
        file_name("book.xlsx", "a", taken),  # differs only in case: its own file
        file_name("book.xlsx", "index", taken),
    ]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", name), name
        assert len(name) < 200 and ".." not in name.removesuffix(".html")
    assert names[3] == "book--A.html"
    formula_page = render(_decided(_hostile(_demo(), FORMULA)))
    assert html.escape(FORMULA) in formula_page


def test_report_of_a_case_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_file = tmp_path / "chair.json"
    case_file.write_text(
        resources.files("origin").joinpath("data", "demo_case.json").read_text("utf-8")
    )
    out = tmp_path / "reports"
    assert _main("report", case_file, "--agreement", "anzcerta", "--date", DATE, "--out", out) == 0
    assert sorted(p.name for p in out.iterdir()) == ["chair--CHAIR-OC200.html", "index.html"]
    page = (out / "chair--CHAIR-OC200.html").read_text("utf-8")
    assert "CHAIR-OC200" in page and "the date given (--date)" in page
    assert 'href="chair--CHAIR-OC200.html"' in (out / "index.html").read_text("utf-8")
    assert "CHAIR-OC200: originating" in capsys.readouterr().out


def test_one_file_per_product_of_a_workbook_and_not_decided_products_in_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = _demo()
    second = attrs.evolve(demo, good=attrs.evolve(demo.good, id=FORMULA, description=HOSTILE))
    # imported in 2010: a date the toolkit does not encode, so this product is not decided
    old = attrs.evolve(
        demo,
        good=attrs.evolve(demo.good, id="OLD-1"),
        consignment=Consignment(exported_from="AU", imported_on=dt.date(2010, 1, 4)),
    )
    book = tmp_path / "kettles.xlsx"
    agreement = registry.get("anzcerta")
    write_template(book, agreement, [demo, second])
    out = tmp_path / "out"
    assert _main("report", book, "--agreement", "anzcerta", "--date", DATE, "--out", out) == 0
    reports = sorted(p.name for p in out.iterdir() if p.name != "index.html")
    assert len(reports) == 2
    assert "kettles--CHAIR-OC200.html" in reports
    index = (out / "index.html").read_text("utf-8")
    for name in reports:
        assert f'href="{name}"' in index
    other = next(out / n for n in reports if n != "kettles--CHAIR-OC200.html")
    assert html.escape(FORMULA) in other.read_text("utf-8")
    assert "<script" not in other.read_text("utf-8").lower()
    capsys.readouterr()

    book2 = tmp_path / "mixed.xlsx"
    write_template(book2, agreement, [demo, old])
    out2 = tmp_path / "out2"
    assert _main("report", book2, "--agreement", "anzcerta", "--out", out2) == 1
    assert len([p for p in out2.iterdir() if p.name != "index.html"]) == 1
    index = (out2 / "index.html").read_text("utf-8")
    assert "OLD-1" in index and "not decided" in index
    assert "OLD-1: NOT DECIDED" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _main("report", tmp_path / "none.json", "--agreement", "anzcerta", "--out", out) == 2
    assert "no such file" in capsys.readouterr().err
    case_file = tmp_path / "c.json"
    case_file.write_text("{not json")
    assert _main("report", case_file, "--agreement", "anzcerta", "--out", out) == 2
    err = capsys.readouterr().err
    assert err.startswith("origin: ") and "Traceback" not in err
    assert _main("report", case_file, "--agreement", "nowhere", "--out", out) == 2
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert _main("report", case_file, "--agreement", "anzcerta", "--out", a_file) == 2
    assert "not a folder" in capsys.readouterr().err


def test_amounts_and_figures_are_exact_in_titles() -> None:
    from origin.report import _amount, _figure  # noqa: PLC0415

    assert 'title="800/13"' in _figure(Fraction(800, 13))
    assert "61.54…%" in _figure(Fraction(800, 13))
    assert "≈144.17" in _amount(Fraction(865, 6)) and 'title="865/6"' in _amount(Fraction(865, 6))
    assert _amount(Decimal("20.00")) == "20.00"


# --------------------------------------------------------------------------- real rendering


def _browser() -> list[str] | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chromium-headless-shell"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def _to_pdf(page: Path, out: Path) -> Path:
    """The page printed to PDF by a headless Chromium, else LibreOffice; skipped if neither."""
    browser = _browser()
    pdf = out / (page.stem + ".pdf")
    if browser is not None:
        subprocess.run(
            [
                *browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return pdf
    if shutil.which("soffice"):
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--convert-to",
                "pdf:writer_web_pdf_Export",
                "--outdir",
                str(out),
                str(page),
            ],
            check=False,
            capture_output=True,
            timeout=300,
        )
        if pdf.exists():
            return pdf
        pytest.skip(
            "LibreOffice is installed but cannot convert HTML (needs libreoffice-writer), and no "
            "headless Chromium: apt-get install -y --no-install-recommends chromium"
        )
    pytest.skip(
        "no headless browser to print the report: neither Chromium (apt-get install -y "
        "--no-install-recommends chromium) nor LibreOffice Writer is installed"
    )


def _media_boxes(data: bytes) -> list[tuple[bytes, ...]]:
    """Every page's /MediaBox, read with a regex from the file and its deflated streams
    (object streams hide page objects from a plain search)."""
    box = rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]"
    found = re.findall(box, data)
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            found += re.findall(box, zlib.decompress(stream))
        except zlib.error:
            continue
    return found


def test_report_prints_on_a4_in_a_real_headless_browser(tmp_path: Path) -> None:
    case = _hostile(_demo(), HOSTILE)
    page = tmp_path / "report.html"
    page.write_text(render(_decided(case)), "utf-8")
    pdf = _to_pdf(page, tmp_path)
    data = pdf.read_bytes()
    boxes = _media_boxes(data)
    assert boxes, "no page in the PDF"
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        assert abs((x1 - x0) - 595.28) < 1.5 and abs((y1 - y0) - 841.89) < 1.5, box  # A4
    if shutil.which("pdftotext") is None:
        return  # the page size is checked; word positions need poppler-utils
    layout = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        layout,
    )
    assert words
    # nothing runs past the right margin (14 mm ≈ 39.7 pt; a little slack for glyph edges)
    widest = max(float(w[2]) for w in words)
    assert widest < 595.28 - 30, widest
    # and nothing was shrunk to fit: the 15 pt title keeps its size
    title = next(w for w in words if w[4] == "Origin")
    assert float(title[3]) - float(title[1]) > 15
    # the unbroken 245-character part number wraps, whole, inside the page
    text = "".join(w[4] for w in words)
    assert LONG in text


def test_pdf_through_weasyprint_is_a4(tmp_path: Path) -> None:
    pytest.importorskip(
        "weasyprint", reason="WeasyPrint is not installed (optional: pip install weasyprint)"
    )
    case_file = tmp_path / "chair.json"
    case_file.write_text(
        resources.files("origin").joinpath("data", "demo_case.json").read_text("utf-8")
    )
    out = tmp_path / "out"
    args = ("report", case_file, "--agreement", "anzcerta", "--date", DATE, "--out", out, "--pdf")
    assert _main(*args) == 0
    data = (out / "chair--CHAIR-OC200.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    boxes = _media_boxes(data)
    assert boxes
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        assert abs((x1 - x0) - 595.28) < 1.5 and abs((y1 - y0) - 841.89) < 1.5, box


def test_steps_nest_as_balanced_lists_at_any_depth() -> None:
    from html.parser import HTMLParser  # noqa: PLC0415

    from origin.citation import Citation  # noqa: PLC0415
    from origin.determination import Outcome, Step  # noqa: PLC0415
    from origin.report import NEST, _steps  # noqa: PLC0415

    cite = Citation.parse("r 34")
    leaf = Step("leaf", cite, Outcome.MEETS, "deepest")
    for level in range(NEST * 3):
        leaf = Step(
            f"level {level}",
            cite,
            Outcome.MEETS,
            "s",
            children=(leaf, Step("sibling", cite, Outcome.FAILS, "s")),
        )
    text = _steps((leaf, Step("last", cite, Outcome.FAILS, "top again")))

    class Balance(HTMLParser):
        depth = 0
        deepest = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag == "ul":
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)

        def handle_endtag(self, tag: str) -> None:
            if tag == "ul":
                self.depth -= 1

    parser = Balance()
    parser.feed(text)
    assert parser.depth == 0
    assert parser.deepest == NEST + 1  # indentation capped; deeper steps say their level
    assert text.count('<li class="step">') == text.count("</li>")
    assert f"(level {NEST * 3})" in text
