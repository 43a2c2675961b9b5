"""Base viewsets every API resource builds on: permissions, scoping, conditional requests."""

from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from accounts import permissions as permissions_rules
from accounts.permissions import editable_team_ids

from .conditional import ConditionalMixin
from .permissions import PortalPermission


class ReadOnlyViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data: every signed-in user reads; changes go through the admin."""

    permission_classes = [permissions.IsAuthenticated]


class TeamScopedViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Team records: everyone signed in reads, team members and the Secretariat write.

    `team_path` reaches the owning team from the model; writes only see the
    caller's teams, so another team's object answers 404. `write_rule` names
    the function of accounts.permissions that must allow the change.
    """

    permission_classes = [PortalPermission]
    team_path = "team"
    write_rule = "can_edit_workplan"
    read_serializer_class = None
    write_serializer_class = None

    def allows_write(self, user, obj) -> bool:
        """Whether `user` may change or delete `obj`; viewsets refine per action."""
        return getattr(permissions_rules, self.write_rule)(user, obj)

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            return self.write_serializer_class or self.serializer_class
        return self.read_serializer_class or self.serializer_class

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            team_ids = editable_team_ids(self.request.user)
            if team_ids is not None:
                queryset = queryset.filter(**{f"{self.team_path}__in": team_ids})
        return queryset

    # Writes answer with what a GET of the object returns, so the client gets
    # the fresh representation and its ETag for the next conditional write.

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.representation(self.reload(serializer.instance)), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.representation(self.reload(serializer.instance)))

    def reload(self, instance):
        """The saved object, fetched again with the read queryset's joins and prefetches."""
        return self.read_queryset().get(pk=instance.pk)

    def read_queryset(self):
        return self.queryset.all()
