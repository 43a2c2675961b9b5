"""No lost update under real concurrency: two clients write the same record at the same moment.

Each round, two threads (each with its own PostgreSQL connection, as two
gunicorn workers would have) read the same version of an activity, wait for
each other at a barrier, then save different titles. The write path locks the
row and checks the writer's precondition (the API's If-Match, the portal
form's version) on what is saved now, so exactly one write wins, the other is
told (412 / the conflict page), and the saved title is the winner's.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from unnutrition.reference_data.services import load_reference_data
from workplans.models import Activity

from .conftest import IN_CI
from .factories import form_data, make_activity, make_user, make_workplan

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROUNDS = 100


@pytest.fixture
def activity(transactional_db):
    if connection.vendor != "postgresql":
        message = "Concurrency is tested on PostgreSQL (set DATABASE_URL=postgres://...)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    load_reference_data()  # a transactional test starts from flushed tables
    return make_activity(make_workplan(cambodia_team()), title="Start")


def cambodia_team():
    from teams.models import Team

    return Team.objects.get(name="UN Nutrition Cambodia")


def race(write_a, write_b):
    """Run both writes at once (released together by a barrier); their results, in order."""
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index, write):
        try:
            barrier.wait(timeout=10)
            results[index] = write()
        finally:
            connections.close_all()  # this thread's connection, so the test database can be flushed

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate((write_a, write_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_api_if_match_lets_exactly_one_of_two_simultaneous_writers_win(activity):
    team = cambodia_team()
    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_authenticate(make_user("focal_point", team))
        clients.append(client)
    url = f"/api/v1/activities/{activity.pk}/"
    lost = refused = 0
    for round_ in range(ROUNDS):
        etag = clients[0].get(url)["ETag"]
        titles = [f"A{round_}", f"B{round_}"]

        def write(index, title, etag):
            return lambda: clients[index].patch(url, {"title": title}, format="json", HTTP_IF_MATCH=etag)

        statuses = [r.status_code for r in race(write(0, titles[0], etag), write(1, titles[1], etag))]
        saved = Activity.objects.get(pk=activity.pk).title
        if statuses == [200, 200]:
            lost += 1
            continue
        assert sorted(statuses) == [200, 412], statuses
        refused += 1
        assert saved == titles[statuses.index(200)]
    assert lost == 0, f"{lost} of {ROUNDS} rounds lost an update"
    assert refused == ROUNDS


def test_portal_form_version_lets_exactly_one_of_two_simultaneous_editors_win(activity):
    team = cambodia_team()
    users = [make_user("focal_point", team) for _ in range(2)]
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = f"/workplans/activities/{activity.pk}/edit/"
    lost = 0
    for round_ in range(ROUNDS):
        loaded = Activity.objects.get(pk=activity.pk)
        titles = [f"A{round_}", f"B{round_}"]

        def write(index, title, loaded):
            return lambda: clients[index].post(url, form_data(loaded, title=title))

        responses = race(write(0, titles[0], loaded), write(1, titles[1], loaded))
        statuses = [r.status_code for r in responses]
        saved = Activity.objects.get(pk=activity.pk).title
        if statuses == [302, 302]:
            lost += 1
            continue
        assert sorted(statuses) == [200, 302], statuses
        loser = responses[statuses.index(200)]
        assert "This activity changed while you were editing it" in loser.content.decode()
        assert saved == titles[statuses.index(302)]
    assert lost == 0, f"{lost} of {ROUNDS} rounds lost an update"
