"""Writes to workplans: the workflow and progress reporting. Views and API call these."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions

from .models import Activity, ProgressUpdate, Workplan


@transaction.atomic
def submit_workplan(*, workplan: Workplan, user) -> Workplan:
    if not permissions.can_submit_workplan(user, workplan):
        raise PermissionDenied(_("Only a convener of this team can submit its draft workplan."))
    workplan.status = Workplan.Status.SUBMITTED
    workplan.submitted_by, workplan.submitted_at = user, timezone.now()
    workplan.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return workplan


@transaction.atomic
def endorse_workplan(*, workplan: Workplan, user) -> Workplan:
    if not permissions.can_endorse_workplan(user, workplan):
        raise PermissionDenied(_("Only a submitted workplan can be endorsed, by its convener or the Secretariat."))
    workplan.status = Workplan.Status.ENDORSED
    workplan.endorsed_by, workplan.endorsed_at = user, timezone.now()
    workplan.save(update_fields=["status", "endorsed_by", "endorsed_at", "updated_at"])
    return workplan


@transaction.atomic
def reopen_workplan(*, workplan: Workplan, user) -> Workplan:
    """Back to draft for changes; the submission and endorsement stay in the history."""
    if not permissions.can_reopen_workplan(user, workplan):
        raise PermissionDenied(_("Only a convener of this team or the Secretariat can reopen this workplan."))
    workplan.status = Workplan.Status.DRAFT
    workplan.submitted_by = workplan.submitted_at = workplan.endorsed_by = workplan.endorsed_at = None
    workplan.save()
    return workplan


@transaction.atomic
def add_progress_update(*, activity: Activity, user, **data) -> ProgressUpdate:
    """Record progress; the activity takes the reported status and its 'last updated' moves."""
    if not permissions.can_report_progress(user, activity):
        raise PermissionDenied(_("Only this team's focal points, conveners and the Secretariat report progress."))
    update = ProgressUpdate(activity=activity, author=user, **data)
    update.full_clean()
    update.save()
    activity.status = update.status
    activity.last_progress_at = timezone.now()
    activity.save(update_fields=["status", "last_progress_at", "updated_at"])
    return update
