"""Load profile for bench/load_test.py: API clients reading rosters and the dashboard."""

import os

from locust import HttpUser, between, task

TOKEN = os.environ["LOAD_TEST_TOKEN"]
YEAR = os.environ.get("LOAD_TEST_YEAR", "2026")


class ApiClient(HttpUser):
    wait_time = between(0, 0.05)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {TOKEN}"

    @task(3)
    def roster_list(self):
        self.client.get("/api/v1/teams/?page_size=50", name="roster list")

    @task(1)
    def dashboard_summary(self):
        self.client.get(f"/api/v1/dashboard/summary/?year={YEAR}", name="dashboard summary")
