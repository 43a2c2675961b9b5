"""Template helpers of the yearly cycle: evidence on a workflow record (an amendment's signed document)."""

from django import template
from django.contrib.contenttypes.models import ContentType

from results import selectors as results_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_on(context, record) -> list:
    """The evidence the reader may see on `record` (one query)."""
    user = context["request"].user
    record_type = ContentType.objects.get_for_model(type(record))
    return list(
        results_selectors.visible_attachments(user)
        .filter(content_type=record_type, object_id=record.pk)
        .select_related("uploaded_by")
    )
