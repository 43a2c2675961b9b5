"""Evidence: files judged by their content and size, served only after the record's check, backed up."""

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook
from rest_framework.test import APIClient

from results import services
from results.evidence import check_upload
from results.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63600000000200015e2b2f3a0000000049454e44ae426082"
)


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Stunting"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("data.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("tor.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("values.csv", b"province,value\nKandal,31.2\n", "text/csv"),
        ("notes.txt", "Réunion du 3 mars — 会议".encode(), "text/plain"),
    ],
)
def test_accepted_files_are_recognised_by_their_content(name, content, media_type):
    content = content if content is not None else (xlsx() if name.endswith("xlsx") else docx())
    assert check_upload(upload(name, content))[1] == media_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.pdf", PNG, "minutes.pdf is not a PDF document: its content is a PNG image."),
        (
            "report.pdf",
            b"MZ\x90\x00\x03" + b"\x00" * 200,
            "report.pdf is not a PDF document: its content is a EXE file.",
        ),
        ("data.xlsx", None, "data.xlsx is not a Excel workbook: its content is a Word document."),
        ("photo.jpg", PDF, "photo.jpg is not a JPEG image: its content is a PDF document."),
        (
            "values.csv",
            b"\x00\x01\x02binary",
            "values.csv is not a CSV table: its content is not a document type we recognise.",
        ),
        ("tool.exe", b"MZ\x90\x00", "tool.exe: this type of file is not accepted."),
        ("empty.pdf", b"", "empty.pdf is empty."),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name, content, message):
    content = content if content is not None else docx()
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert error.value.message_dict["file"][0].startswith(message)


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(plan, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        services.add_attachment(
            user=plan.focal, target=plan.workplan, data={"title": "Big"}, upload=upload("big.pdf", PDF + b" " * 2000)
        )
    assert error.value.message_dict["file"] == ["big.pdf is 2.0\xa0KB: files of up to 1.0\xa0KB are accepted."]
    assert not Attachment.objects.exists() and not list(tmp_path.rglob("*.pdf"))


def add(plan, visibility, tmp_path=None, **data):
    return services.add_attachment(
        user=plan.focal,
        target=plan.workplan,
        data={"title": f"Minutes ({visibility})", "kind": "minutes", "visibility": visibility, **data},
        upload=upload("minutes.pdf", PDF),
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def test_files_are_stored_under_media_and_served_only_after_the_check(client, plan, media):
    team_only, un_wide, public = add(plan, "team"), add(plan, "un"), add(plan, "public")
    assert Path(team_only.file.path).is_relative_to(media / "evidence" / str(plan.team.pk))
    assert Path(team_only.file.path).read_bytes() == PDF

    client.force_login(plan.other_focal)
    refused = client.get(f"/results/evidence/{team_only.pk}/file/")
    assert refused.status_code == 403
    assert "This evidence is shared with UN Nutrition Cambodia and the Secretariat only." in refused.content.decode()
    assert client.get(f"/results/evidence/{un_wide.pk}/file/").status_code == 200

    client.force_login(plan.focal)
    response = client.get(f"/results/evidence/{team_only.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="minutes.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"

    client.logout()
    assert client.get(f"/results/evidence/{un_wide.pk}/file/").status_code == 302  # to the sign-in page
    assert client.get(f"/results/evidence/{public.pk}/file/").status_code == 200
    # The media folder has no public address.
    assert client.get(f"/media/{team_only.file.name}").status_code == 404


def test_the_api_download_checks_the_same(plan, media):
    team_only = add(plan, "team")
    api = APIClient()
    api.force_authenticate(plan.other_focal)
    response = api.get(f"/api/v1/attachments/{team_only.pk}/download/")
    assert response.status_code == 403
    assert response.json() == {"detail": "This evidence is shared with UN Nutrition Cambodia and the Secretariat only."}
    assert team_only.pk not in [a["id"] for a in api.get("/api/v1/attachments/").json()["results"]]
    api.force_authenticate(plan.secretariat)
    response = api.get(f"/api/v1/attachments/{team_only.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/octet-stream"


def test_the_api_takes_a_file_as_multipart_and_refuses_a_lying_one(plan, media):
    api = APIClient()
    api.force_authenticate(plan.focal)
    lying = api.post(
        "/api/v1/attachments/",
        {"target_type": "workplan", "target_id": plan.workplan.pk, "title": "Photo", "file": upload("photo.png", PDF)},
        format="multipart",
    )
    assert lying.status_code == 400
    assert lying.json() == {"file": ["photo.png is not a PNG image: its content is a PDF document."]}
    assert not Attachment.objects.exists()
    made = api.post(
        "/api/v1/attachments/",
        {"target_type": "workplan", "target_id": plan.workplan.pk, "kind": "photo", "file": upload("photo.png", PNG)},
        format="multipart",
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["media_type"], made.json()["file_size"], made.json()["title"]) == (
        "image/png",
        len(PNG),
        "photo.png",
    )
    link = api.post(
        "/api/v1/attachments/",
        {"target_type": "team", "target_id": plan.team.pk, "url": "javascript:alert(1)"},
        format="json",
    )
    assert link.status_code == 400
    api.force_authenticate(plan.other_focal)
    other = api.post(
        "/api/v1/attachments/",
        {"target_type": "team", "target_id": plan.team.pk, "url": "https://example.org/tor.pdf"},
        format="json",
    )
    assert other.status_code == 400 and "target_id" in other.json()


@pytest.mark.django_db(transaction=True)
def test_evidence_files_are_backed_up_and_restored(tmp_path, settings, capsys):
    from teams.models import Team
    from unnutrition.reference_data.services import load_reference_data
    from workplans.models import Workplan

    from ..factories import make_user

    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_reference_data()
    team = Team.objects.get(name="UN Nutrition Cambodia")
    workplan = Workplan.objects.create(team=team, year=2026)
    focal = make_user("focal_point", team, agency="WFP")
    attachment = services.add_attachment(
        user=focal,
        target=workplan,
        data={"title": "Signed workplan", "kind": "signed_workplan"},
        upload=upload("signed.pdf", PDF),
    )
    call_command("backup", "--output", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    listed = [entry["name"] for entry in json.loads((folder / "manifest.json").read_text())["media"]]
    assert attachment.file.name in listed

    Attachment.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command("restore", str(folder), "--yes")
    restored = Attachment.objects.get(pk=attachment.pk)
    assert Path(restored.file.path).read_bytes() == PDF
