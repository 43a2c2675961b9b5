"""DRF glue for the rules in accounts/permissions.py (the only place rules live)."""

from rest_framework import permissions

from accounts import permissions as rules


def may_write_somewhere(user) -> bool:
    """Secretariat staff, conveners and focal points write; viewers only read."""
    return rules.is_secretariat(user) or bool(rules.team_roles(user).team_ids)


class PortalPermission(permissions.BasePermission):
    """Reads for every signed-in user; writes per the view's `write_rule`.

    Objects outside the caller's teams are filtered out of write querysets by
    the view (so they answer 404); here a viewer gets 403 for any write and a
    team member 403 when the rule refuses the object (e.g. a submitted plan).
    """

    message = "Your role does not allow this change."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return may_write_somewhere(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.allows_write(request.user, obj)
