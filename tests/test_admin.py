"""The admin is usable for every model: list pages load with a bounded number of queries."""

import pytest
from django.contrib import admin
from django.urls import reverse

from unnutrition.demo_data import generate_demo_data

from .factories import make_user

pytestmark = pytest.mark.django_db
MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.fixture
def staff_client(client):
    user = make_user("secretariat", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_loads_with_bounded_queries(model, staff_client, django_assert_max_num_queries):
    generate_demo_data(countries=3, years=1, seed=2)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(12):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_search_and_history_pages_answer(model, staff_client):
    opts = model._meta
    response = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "a"})
    assert response.status_code == 200
    obj = model.objects.first()
    if obj is not None and hasattr(model, "history"):
        response = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
        assert response.status_code == 200


def test_team_page_shows_convener_history_and_members(staff_client, cambodia):
    response = staff_client.get(reverse("admin:teams_team_change", args=[cambodia.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "WFP" in body and "UNICEF" in body


def test_viewer_cannot_open_the_admin(client, viewer_user):
    client.force_login(viewer_user)
    assert client.get(reverse("admin:index")).status_code == 302
