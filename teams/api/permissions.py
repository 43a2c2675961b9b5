"""DRF glue for the rules: who may write through a team-scoped endpoint."""

from rest_framework import permissions

from teams.rules import may_write_somewhere


class PortalPermission(permissions.BasePermission):
    """Reads for every signed-in user; writes for the Secretariat and team people.

    Objects outside the caller's teams are filtered out of write querysets by
    the view (so they answer 404); a viewer gets 403 for any write. Whether
    this object may change in this way (a submitted plan, say) is the
    service's decision, with a message that says why not.
    """

    message = "Your role does not allow this change."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return may_write_somewhere(request.user)
