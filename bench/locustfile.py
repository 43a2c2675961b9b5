"""Load profile for bench/load_test.py: API clients reading the hot endpoints, and some writing.

Each client reads rosters, a team, a workplan, the dashboard, a page of 500 activities and the
Africa roster CSV, half of its repeat reads conditional (If-None-Match with the ETag it got last
time, as a polling script does); LOAD_TEST_WRITE_SHARE of its requests (default 2 %) change an
activity's budget spent through the API (read it, PATCH it with If-Match), which retires the
cached answers of every workplan read while the test runs. FastHttpUser (geventhttpclient) keeps
the load generator's own CPU per request low; bench/load_test.py reports it apart from the server's.
"""

import os
import random

from locust import FastHttpUser, between, task

TOKEN = os.environ["LOAD_TEST_TOKEN"]
YEAR = os.environ.get("LOAD_TEST_YEAR", "2026")
TEAMS = os.environ["LOAD_TEST_TEAMS"].split(",")
WORKPLANS = os.environ["LOAD_TEST_WORKPLANS"].split(",")
ACTIVITIES = os.environ["LOAD_TEST_ACTIVITIES"].split(",")
WRITE_SHARE = float(os.environ.get("LOAD_TEST_WRITE_SHARE", "0.02"))

READS = [
    # (weight, name, address)
    (4, "roster list", lambda: "/api/v1/teams/?page_size=50"),
    (3, "team detail", lambda: f"/api/v1/teams/{random.choice(TEAMS)}/"),
    (3, "workplan detail", lambda: f"/api/v1/workplans/{random.choice(WORKPLANS)}/"),
    (2, "dashboard summary", lambda: f"/api/v1/dashboard/summary/?year={YEAR}"),
    (1, "activities 500", lambda: "/api/v1/activities/?page_size=500"),
    (1, "roster CSV", lambda: "/api/v1/teams/?format=csv&region=africa"),
]
WEIGHTS = [weight for weight, _name, _url in READS]


class ApiClient(FastHttpUser):
    wait_time = between(0, 0.05)

    def on_start(self):
        self.headers = {"Authorization": f"Token {TOKEN}"}
        self.etags: dict[str, str] = {}

    @task
    def one_request(self):
        if random.random() < WRITE_SHARE:
            self.write()
            return
        _weight, name, url = random.choices(READS, weights=WEIGHTS)[0]
        url = url()
        headers = dict(self.headers)
        conditional = url in self.etags and random.random() < 0.5
        if conditional:
            headers["If-None-Match"] = self.etags[url]
        with self.client.get(
            url, headers=headers, name=f"{name} (304?)" if conditional else name, catch_response=True
        ) as response:
            if response.status_code == 200:
                self.etags[url] = response.headers.get("ETag", "")
                response.success()
            elif response.status_code == 304 and conditional:
                response.success()
            else:
                response.failure(f"{response.status_code}")

    def write(self):
        url = f"/api/v1/activities/{random.choice(ACTIVITIES)}/"
        read = self.client.get(url, headers=self.headers, name="write: read activity")
        etag = read.headers.get("ETag", "")
        with self.client.patch(
            url,
            json={"budget_spent": f"{random.randint(1, 9)}.00"},
            headers={**self.headers, "If-Match": etag},
            name="write: PATCH activity",
            catch_response=True,
        ) as response:
            # Two clients writing the same activity at once: the second is refused with 412, as it must be.
            if response.status_code in (200, 412):
                response.success()
            else:
                response.failure(f"{response.status_code}")
