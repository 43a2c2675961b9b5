from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.services import StateConflict
from core.unavailable import RETRY_AFTER, api_message, is_database_unavailable, roll_back
from core.unavailable import log as log_unavailable


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it: fetch it again, re-apply your change and retry."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"

    def __init__(self):
        super().__init__(
            _(
                "Send If-Match with the ETag of your last read of this record, so a change made since is not "
                "overwritten (If-Match: * overwrites whatever is saved)."
            )
        )


def exception_handler(exc, context):
    """DRF's handler, plus model validation errors (constraints, clean()) as 400s naming the field,
    refusals because of a record's state as 409s saying the state, and a database that is not
    answering as a 503 (core/unavailable.py)."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": _("The request body is too large: at most %(size)s bytes.") % {"size": _max_body()}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if is_database_unavailable(exc):
        log_unavailable(context["request"], exc)
        roll_back()
        return Response(
            {"detail": api_message(), "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"},
        )
    if isinstance(exc, StateConflict):
        return Response({"detail": str(exc), "state": exc.state}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(
            detail={k if k != "__all__" else "non_field_errors": v for k, v in detail.items()}
        )
    return drf_exception_handler(exc, context)


def _max_body() -> int:
    from django.conf import settings

    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
