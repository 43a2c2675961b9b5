from django.apps import AppConfig


class UnnutritionConfig(AppConfig):
    """Project-wide pieces: health check, reference and demo data commands."""

    name = "unnutrition"
    verbose_name = "UN Nutrition"

    def ready(self):
        from core import versions

        # Which writes retire which cached answers (core.versions): rosters and reference data in one
        # scope, workplans and their activities, progress and money in the other.
        versions.track(
            {
                "agencies": versions.TEAMS,
                "countries": versions.TEAMS,
                "teams": versions.TEAMS,
                "accounts.user": versions.TEAMS,
                "workplans": versions.WORKPLANS,
                # Reference data kept in the workplans app, shown in rosters too.
                "workplans.actionarea": versions.TEAMS,
                "workplans.sdggoal": versions.TEAMS,
                "workplans.sdgtarget": versions.TEAMS,
                "workplans.nationalframework": versions.TEAMS,
                "workplans.cooperationframework": versions.TEAMS,
                "workplans.cooperationoutcome": versions.TEAMS,
                # Results (indicators, values, evidence) are read with the workplans; the catalogue is reference data.
                "results": versions.WORKPLANS,
                "results.standardindicator": versions.TEAMS,
            }
        )
        # Finer: a write to a workplan or one of its activities retires only that workplan's share of the
        # figures kept per workplan (workplans.selectors.dashboard_summary).
        versions.track_parts("workplans.workplan", "workplan", "id")
        versions.track_parts("workplans.activity", "workplan", "workplan_id")
        # Progress reported through the service holds its activity: it names the activity's workplan.
        versions.track_parts("workplans.progressupdate", "workplan", "activity.workplan_id")
