"""API tokens always expire, and the admin never shows a token's digest.

Tokens issued in the admin before had no expiry: they now expire like tokens of
the token endpoint, REST_KNOX["TOKEN_TTL"] (API_TOKEN_TTL_DAYS, 90) from now.
The admin's action log named tokens by their 128-character digest ("<digest> :
<user>"); those lines now name them as the admin does ("<first characters>… (<user>)").
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forward(apps, schema_editor):
    AuthToken = apps.get_model("knox", "AuthToken")
    ttl = settings.REST_KNOX.get("TOKEN_TTL")
    if ttl is not None:
        AuthToken.objects.filter(expiry__isnull=True).update(expiry=timezone.now() + ttl)

    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    content_type = ContentType.objects.filter(app_label="knox", model="authtoken").first()
    if content_type is None:
        return
    keys = dict(AuthToken.objects.values_list("digest", "token_key"))
    for entry in LogEntry.objects.filter(content_type=content_type):
        user = entry.object_repr.partition(" : ")[2]
        start = keys.get(entry.object_id)
        entry.object_repr = f"{start}… ({user})" if start else f"(revoked token) ({user})"
        entry.save(update_fields=["object_repr"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_security_log"),
        ("knox", "0009_extend_authtoken_field"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
