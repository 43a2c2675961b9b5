"""Reports in Arabic and Chinese, produced by the real job and read back: the PDF's text, its
fonts and direction; the workbook's cells, sheet names and right-to-left sheets; the CSV files.
Never English instead: a language the server cannot set fails, saying why."""

import re
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import services
from reports.builders.names import country_name, region_name
from reports.renderers.xlsx import SheetNames, shorten

from .conftest import YEAR
from .files import csv_files, csv_sections, pdf_text, sheet, xlsx_sheets

pytestmark = pytest.mark.django_db
LANGUAGES = ["ar", "zh-hans"]
# The family each language's script is set in (as PDF font names: "ABCDEF+Noto-Sans-Arabic").
SCRIPT_FONTS = {"ar": "Noto-Sans-Arabic", "zh-hans": "Noto-Sans-CJK-SC"}


@pytest.fixture
def produce(django_capture_on_commit_callbacks):
    def produce(user, kind, fmt, language, **scope):
        with translation.override(language), django_capture_on_commit_callbacks(execute=True):
            run, created = services.request_report(user, kind=kind, format=fmt, year=YEAR, **scope)
        assert created and run.language == language
        run.refresh_from_db()
        assert (run.status, run.error) == ("done", ""), run.error
        return Path(run.file.path)

    return produce


def translated(language, message, **values):
    with translation.override(language):
        text = translation.gettext(message) % values if values else translation.gettext(message)
    assert text != message % values if values else text != message, f"{message!r} has no {language} translation"
    return text


def names_in(language, function, name):
    with translation.override(language):
        text = function(name)
    assert text and text != name
    return text


def embedded_fonts(path) -> set[str]:
    fonts = set()
    for page in PdfReader(str(path)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_in_arabic_and_chinese(language, coordination, produce):
    path = produce(coordination.secretariat, "global", "pdf", language)
    reader = PdfReader(str(path))
    text = pdf_text(path)
    title = translated(language, "UN Nutrition global coordination overview %(year)s", year=YEAR)
    assert reader.metadata.title == title
    assert str(reader.trailer["/Root"]["/Lang"]) == language
    # The year is a left-to-right run inside the Arabic title: the text extractor puts it where
    # its glyphs sit. The words on either side come out whole, in reading order.
    for part in title.split(str(YEAR)):
        assert part.strip() in text
    assert "global coordination overview" not in text and "Key figures" not in text
    for heading in ("Key figures", "Teams without a convener", "Country teams and regional groups"):
        phrase = translated(language, heading)
        assert phrase in text
        if language == "ar":
            # Letters in logical order, as typed: not reversed into display order.
            assert phrase[::-1] not in text
    # Reference names in the reader's language: the country of a team without a convener, the regions.
    assert names_in(language, country_name, "Chad") in text
    assert names_in(language, region_name, "Asia") in text
    # The script's own font is embedded, and no substitute.
    fonts = embedded_fonts(path)
    assert SCRIPT_FONTS[language] in fonts, fonts
    assert not [font for font in fonts if "DejaVu" in font], fonts


@pytest.mark.parametrize(("language", "right_to_left"), [("ar", True), ("en", False)])
def test_pdf_pages_are_mirrored_right_to_left_in_arabic(language, right_to_left, coordination, produce):
    """Headings start at the right margin in Arabic, and a table's first column (the team) is its
    right-most: where each piece of text starts on the page, measured in the PDF."""
    path = produce(coordination.secretariat, "global", "pdf", language)
    heading = translated(language, "Teams without a convener") if language != "en" else "Teams without a convener"
    starts: dict[str, list[float]] = {heading: [], "UN Nutrition Chad": []}
    for page in PdfReader(str(path)).pages:
        if heading not in (page.extract_text() or ""):
            continue
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size):
            for needle, found in starts.items():
                if text.strip() == needle:
                    found.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

        page.extract_text(visitor_text=visit)
        break
    assert starts[heading] and starts["UN Nutrition Chad"], starts
    for positions in starts.values():
        assert all((x > width / 2) == right_to_left for x in positions), (starts, width)


def test_pdf_page_numbers_say_of_how_many(coordination, produce):
    path = produce(coordination.secretariat, "global", "pdf", "en")
    pages = len(PdfReader(str(path)).pages)
    assert pages > 1
    text = pdf_text(path)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_pdf_words_are_never_broken_inside(coordination, produce):
    """Narrow columns wrap between words: "Progress (%)" and "Last update" are on one line each."""
    path = produce(coordination.focal_point, "country", "pdf", "en", team=coordination.cambodia)
    lines = [line for page in PdfReader(str(path)).pages for line in (page.extract_text() or "").splitlines()]
    words = {word for line in lines for word in line.split()}
    for word in ("Progress", "Available", "Required", "Implementation", "Provincial"):
        assert word in words, f"{word!r} is not whole on any line"
    assert not [word for word in words if re.fullmatch(r"Progr|ess|Avail|able", word)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_xlsx_in_arabic_and_chinese(language, coordination, produce):
    path = produce(coordination.secretariat, "global", "xlsx", language)
    workbook = load_workbook(str(path))
    # Arabic sheets read right to left; Chinese ones left to right.
    assert {worksheet.sheet_view.rightToLeft or False for worksheet in workbook} == {language == "ar"}
    titles = [worksheet.title for worksheet in workbook]
    assert all(len(title) <= 31 for title in titles) and len({t.lower() for t in titles}) == len(titles)
    sheets = xlsx_sheets(path)
    cover = sheets[titles[0]]
    assert cover[0][0] == translated(language, "UN Nutrition global coordination overview %(year)s", year=YEAR)
    teams = sheet(sheets, translated(language, "Country teams and regional groups"))
    chad = next(row for row in teams[1:] if row[0] == "UN Nutrition Chad")
    assert chad[2] == names_in(language, country_name, "Chad")
    assert isinstance(chad[5], int)  # members: a number, not text
    coverage = sheet(sheets, translated(language, "Coverage by region"))
    assert names_in(language, region_name, "Asia") in [row[0] for row in coverage[1:]]
    figures = dict(sheet(sheets, translated(language, "Key figures"))[1:])
    assert figures[translated(language, "Countries with an active country team")] == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_in_arabic_and_chinese(language, coordination, produce):
    path = produce(coordination.secretariat, "global", "csv", language)
    assert path.suffix == ".zip"
    files = csv_files(path)
    assert all(content.startswith(b"\xef\xbb\xbf") for name, content in files.items() if name.endswith(".csv"))
    sections = csv_sections(path)
    title = translated(language, "UN Nutrition global coordination overview %(year)s", year=YEAR)
    assert sections[""][0] == [title]
    teams = sections[translated(language, "Country teams and regional groups")]
    assert teams[0][2] == translated(language, "Country")
    assert names_in(language, country_name, "Chad") in [row[2] for row in teams[1:]]
    no_convener = sections[translated(language, "Teams without a convener")]
    assert no_convener[1][:2] == ["UN Nutrition Chad", names_in(language, country_name, "Chad")]


def test_csv_report_is_one_file_per_table_with_contents(coordination, produce):
    path = produce(coordination.secretariat, "data_quality", "csv", "en")
    files = csv_files(path)
    contents = csv_sections(path)
    names = sorted(files)
    # Numbered in the report's order, named by each table's key (the same in every language).
    assert names[0] == "00-contents.csv" and names[-1] == "README.txt"
    assert names[1:9] == [
        "01-about.csv",
        "02-findings.csv",
        "03-no-convener.csv",
        "04-no-focal-point.csv",
        "05-not-submitted.csv",
        "06-status-vs-dates.csv",
        "07-stale.csv",
        "08-overspent.csv",
    ]
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.csv", name) for name in names[:-1])
    assert contents["Teams without a convener"][0] == ["Team", "Country", "Last convener", "Ended"]
    readme = files["README.txt"].decode()
    assert readme.startswith(f"UN Nutrition data-quality alerts {YEAR}\n")
    assert "03-no-convener.csv: Teams without a convener" in readme


def test_xlsx_sheet_names_are_shortened_by_words_not_cut(coordination, produce):
    path = produce(coordination.secretariat, "data_quality", "xlsx", "en")
    titles = list(xlsx_sheets(path))
    assert titles[:9] == [
        "Report",
        "About these alerts",
        "Data-quality findings",
        "Teams without a convener",
        "Members without a focal point",
        f"Not submitted by {YEAR}-03-31",
        "Status disagrees with dates",
        "Not updated in 90 days",
        "Spent more than available",
    ]
    assert all(len(title) <= 31 for title in titles)


def test_sheet_names_fit_excel_and_stay_unique():
    names = SheetNames()
    assert names("Key figures") == "Key figures"
    # Too long, without a short title: cut after a whole word, marked as cut.
    assert names("Activities whose status disagrees with their dates") == "Activities whose status…"
    assert names("Activities whose status disagrees with their dates") == "Activities whose status… (2)"
    assert (
        names("Workplans not submitted by 2026-03-31", "Not submitted by 2026-03-31") == "Not submitted by 2026-03-31"
    )
    assert names("Teams: [all] / some?") == "Teams all some"
    # A script without spaces is cut at a character.
    chinese = "活动状态与其日期不一致的活动活动状态与其日期不一致的活动活动状态"
    assert names(chinese) == chinese[:30] + "…"
    assert len(shorten("word " * 20, 31)) <= 31


def test_a_language_without_its_fonts_fails_saying_why(
    coordination, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """With only DejaVu installed (no Chinese glyphs), a Chinese PDF fails with the reason; it is
    neither English nor full of empty boxes. The other formats need no fonts."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        run, _created = services.request_report(coordination.secretariat, kind="global", format="pdf", year=YEAR)
    run.refresh_from_db()
    assert run.status == "failed" and not run.file
    # The reason names the packages to install and the characters no font had.
    assert "fonts-noto-cjk" in run.error and re.search("[\u4e00-\u9fff]", run.error), run.error
    assert not list(Path(run.file.storage.path("reports")).rglob("*.pdf"))
