"""The API's JSON renderer (orjson) writes the bytes DRF's own renderer writes, and the ETag stays stable."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from core.api.conditional import etag_of
from core.api.renderers import JSONRenderer

VALUES = {
    "text": "Nutrition — Cambodia / កម្ពុជា / 柬埔寨 / كمبوديا",
    "separators": "line\u2028paragraph\u2029end",
    "quotes and controls": 'say "hi"\n\ttab \\ backslash \x01',
    "decimal": Decimal("12500.50"),
    "aware datetime": dt.datetime(2026, 3, 31, 9, 15, 42, 123456, tzinfo=dt.UTC),
    "offset datetime": dt.datetime(2026, 3, 31, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    "naive datetime": dt.datetime(2026, 3, 31, 9, 15, 42, 999999),
    "date": dt.date(2026, 12, 31),
    "time": dt.time(8, 30, 5, 250000),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy translation": gettext_lazy("Draft"),
    "numbers": [0, -1, 2**53, 1.5, 0.1, 66.67, 123456789.125],
    "nested": {"list": [{"a": None, "b": True, "c": False}], "empty": {}, "none": []},
    "integer keys": {1: "one", 22: "twenty-two"},
    "tuple": (1, 2, 3),
}


def test_same_bytes_as_drf_for_what_the_api_returns():
    for name, value in VALUES.items():
        data = {"value": value, "in a list": [value]}
        assert JSONRenderer().render(data) == DRFJSONRenderer().render(data), name
    assert JSONRenderer().render(VALUES) == DRFJSONRenderer().render(VALUES)


def test_tiny_floats_are_the_same_number_in_another_spelling():
    # orjson writes 1e-7 where the json module writes 1e-07: the same number for every JSON reader.
    assert JSONRenderer().render([1e-7]) == b"[1e-7]"
    assert json.loads(JSONRenderer().render([1e-7, 2.5e300])) == json.loads(DRFJSONRenderer().render([1e-7, 2.5e300]))


def test_indentation_asked_for_is_drfs():
    data = {"team": "Chad", "activities": [1, 2]}
    rendered = JSONRenderer().render(data, "application/json; indent=2")
    assert rendered == DRFJSONRenderer().render(data, "application/json; indent=2")
    assert b'\n  "team": "Chad"' in rendered


def test_what_orjson_cannot_write_falls_back_to_drf():
    data = {"big": 2**70}
    assert JSONRenderer().render(data) == b'{"big":1180591620717411303424}'
    assert JSONRenderer().render(None) == b""


def test_etag_ignores_key_order_and_follows_every_value():
    first = {"id": 1, "title": "Survey", "budget": Decimal("10.00"), "when": dt.date(2026, 1, 1)}
    same = dict(reversed(list(first.items())))
    assert etag_of(first) == etag_of(same)
    assert etag_of(first) != etag_of({**first, "budget": Decimal("10.01")})
    assert etag_of(first) != etag_of({**first, "when": dt.date(2026, 1, 2)})
    assert etag_of(first).startswith('"') and len(etag_of(first)) == 34


@pytest.mark.django_db
def test_api_answers_are_rendered_by_it(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x-Secret-123")
    client.force_login(user)
    response = client.get("/api/v1/agencies/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.content == DRFJSONRenderer().render(response.json())
