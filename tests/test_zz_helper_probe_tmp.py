from .test_api_schema import DATA, api_data, call  # noqa: F401


def test_probe(api_data):  # noqa: F811
    path = "/api/v1/resources-mobilised/"
    body = {"team": DATA["teams"][0], "source": "Joint appeal", "amount": "10.00", "purpose": "x"}
    ok = call("POST", path, body=body, media_type="application/x-www-form-urlencoded").call()
    null = call("POST", path, body={**body, "workplan": None}, media_type="application/x-www-form-urlencoded").call()
    empty = call("GET", "/api/v1/activities/", query={"not_updated_since": ""}).call()
    print("PROBE", ok.status_code, null.status_code, null.text, empty.status_code)
