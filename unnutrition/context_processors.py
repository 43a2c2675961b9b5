from cycle.selectors import unread_count
from teams.models import Team, team_roles
from teams.rules import role_of


def portal(request):
    """The signed-in user's role and teams, for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_role": "anonymous"}

    def teams():
        # Lazy: only pages that show the header's team list pay for the query. The fields of the name
        # in the reader's language come with it: one query, however many teams (a country team's
        # people run its subnational groups too).
        fields = ("pk", "name", "name_translations", "name_language")
        return list(Team.objects.filter(pk__in=team_roles(user).team_ids).order_by("name").only(*fields))

    def unread():
        # The bell's figure: from the cache (no query) until a notification of this user is recorded or read.
        return unread_count(user)

    return {"portal_role": role_of(user), "portal_teams": teams, "unread_notifications": unread}
