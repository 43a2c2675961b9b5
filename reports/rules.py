"""Who may request and download coordination reports."""

import rules

from accounts.rules import is_secretariat, is_signed_in, register
from teams.rules import is_team_member

# Country reports (roster, contacts, workplan) for the team's own people;
# global and regional ones for the Secretariat.
request_team_report = is_secretariat | is_team_member
run_global_reports = is_secretariat


@rules.predicate
def requested_the_report(user, run) -> bool:
    return run is not None and run.requested_by_id is not None and run.requested_by_id == user.pk


# A report can carry contact details: only its requester and the Secretariat download it.
download_report = is_secretariat | (is_signed_in & requested_the_report)

register(
    {
        "request_team_report": request_team_report,
        "run_global_reports": run_global_reports,
        "download_report": download_report,
    }
)
