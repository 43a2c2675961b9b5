"""Portal pages: request a report, follow its progress, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import ReportRequestForm
from .models import ReportRun
from .renderers import CONTENT_TYPES

LISTED = 50
# htmx stops polling when a poll answers 286.
STOP_POLLING = 286


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    form = ReportRequestForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                run, created = services.request_report(request.user, **form.cleaned_data)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if not created:
                    messages.info(request, _("You already asked for this report; it is still being produced."))
                return redirect("reports:detail", pk=run.pk)
    runs = services.listed_runs(request.user).order_by("-created_at", "-id")[:LISTED]
    return render(request, "reports/list.html", {"form": form, "runs": runs}, status=status)


def _visible_run(request, pk) -> ReportRun:
    return get_object_or_404(services.visible_runs(request.user), pk=pk)


@login_required
@require_GET
def run_detail(request, pk):
    run = _visible_run(request, pk)
    return render(request, "reports/detail.html", {"run": run})


@login_required
@require_GET
def run_progress(request, pk):
    run = _visible_run(request, pk)
    finished = not run.is_active and request.headers.get("HX-Request") == "true"
    return render(request, "reports/_progress.html", {"run": run}, status=STOP_POLLING if finished else 200)


@login_required
@require_GET
def download(request, pk):
    run = _visible_run(request, pk)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404(_("This report is not ready."))
    try:
        content = services.open_for_download(request, run)
    except OSError as exc:
        raise Http404(_("The file of this report is missing; request the report again.")) from exc
    return FileResponse(
        content, as_attachment=True, filename=run.download_name, content_type=CONTENT_TYPES[run.file_extension]
    )
