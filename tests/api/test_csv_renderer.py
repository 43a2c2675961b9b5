"""The project's own CSV renderer (core/api/renderers.py), which replaces the
unmaintained djangorestframework-csv and writes exactly what it wrote."""

import codecs

import pytest
from django.http import StreamingHttpResponse

from core.api.renderers import CSVRenderer, CSVStreamingRenderer

from ..factories import make_user

pytestmark = pytest.mark.django_db

ROWS = [
    {"id": 1, "name": "García, Ana", "note": 'says "hi"', "missing": None, "nested": {"a": 1, "b": [True, False]}},
    {"id": 2, "name": "Zhōu 周", "note": "two\nlines", "nested": {"a": None}},
]


class Roster(CSVStreamingRenderer):
    header = ["id", "name", "note", "missing", "nested.a", "nested.b.1"]


def rendered(renderer, data, **context) -> bytes:
    result = renderer.render(data, renderer_context=context)
    return result if isinstance(result, bytes) else b"".join(result)


def test_rows_in_the_header_order_quoted_flattened_crlf_utf8_without_bom():
    expected = (
        "id,name,note,missing,nested.a,nested.b.1\r\n"
        '1,"García, Ana","says ""hi""",,1,False\r\n'
        '2,Zhōu 周,"two\nlines",,,\r\n'
    ).encode()
    assert rendered(Roster(), ROWS) == expected
    assert rendered(Roster(), (row for row in ROWS)) == expected  # a generator streams the same
    assert rendered(type("Whole", (CSVRenderer,), {"header": Roster.header})(), ROWS) == expected


def test_without_a_header_the_columns_are_every_key_sorted():
    assert rendered(CSVRenderer(), [{"b": 1, "a": {"x": 2}}, {"c": [3, 4]}]) == b"a.x,b,c.0,c.1\r\n2,1,,\r\n,,3,4\r\n"


def test_labels_an_empty_list_and_no_data():
    assert rendered(Roster(), [], labels={"id": "ID"}) == b"ID,name,note,missing,nested.a,nested.b.1\r\n"
    assert rendered(CSVRenderer(), None) == b""


def test_a_bom_only_when_asked():
    assert not rendered(Roster(), ROWS).startswith(codecs.BOM_UTF8)
    with_bom = type("Excel", (Roster,), {"bom": True})()
    assert rendered(with_bom, ROWS) == codecs.BOM_UTF8 + rendered(Roster(), ROWS)
    assert rendered(Roster(), ROWS, bom=True).startswith(codecs.BOM_UTF8)


def test_streaming_yields_lines():
    response = StreamingHttpResponse(Roster().render(ROWS, renderer_context={}), content_type="text/csv")
    chunks = list(response.streaming_content)
    assert len(chunks) == 3 and chunks[0].endswith(b"\r\n")


def test_the_roster_csv_as_a_client_reads_it(api, cambodia):
    focal = make_user("focal_point", cambodia)
    focal.person.name = "José García"
    focal.person.save()
    response = api(focal).get("/api/v1/teams/?format=csv&country=KHM")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    # A byte-order mark, so that Excel reads "García" as UTF-8 rather than the local code page.
    assert body.startswith(codecs.BOM_UTF8 + b"team_id,team,") and body.endswith(b"\r\n")
    assert "José García".encode() in body


def test_text_that_starts_like_a_formula_is_written_inert():
    rows = [{"id": 1, "name": '=HYPERLINK("http://evil.example","x")', "note": "+855 23 123 456", "missing": -3}]
    body = rendered(Roster(), rows).decode()
    assert "'=HYPERLINK" in body and "'+855 23 123 456" in body
    assert ",-3," in body  # numbers are numbers


def test_the_roster_csv_has_an_etag_and_answers_304_when_unchanged(api, cambodia):
    client = api(make_user("focal_point", cambodia))
    first = client.get("/api/v1/teams/?format=csv&country=KHM")
    assert first.status_code == 200 and first["ETag"]
    assert client.get("/api/v1/teams/?format=csv&country=KHM", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_user("focal_point", cambodia)  # the roster changes
    assert client.get("/api/v1/teams/?format=csv&country=KHM", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
