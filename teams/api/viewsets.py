"""The base of every API resource a team owns: scoping, and writes through services."""

from django.conf import settings
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from core.api.conditional import ConditionalMixin, etag_matches, etag_of
from core.api.exceptions import PreconditionFailed, PreconditionRequired
from core.api.filters import DetailFiltersMixin

from .permissions import PortalPermission


class TeamScopedViewSet(DetailFiltersMixin, ConditionalMixin, viewsets.ModelViewSet):
    """Team records: everyone signed in reads, team people and the Secretariat write.

    Writes only see the caller's teams (`editable_by`), so another team's
    record answers 404. Subclasses write through their app's services in
    `perform_create`, `perform_update` and `perform_destroy`; each service
    locks the row and calls `self.if_match` on it, so a stale If-Match loses
    even when two clients write at the same moment.
    """

    permission_classes = [PortalPermission]
    read_serializer_class = None
    write_serializer_class = None
    # The app's services that change and delete a record:
    # update_service(pk=, user=, data=, precondition=), delete_service(pk=, user=, precondition=).
    update_service = None
    delete_service = None

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            return self.write_serializer_class or self.serializer_class
        return self.read_serializer_class or self.serializer_class

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            return queryset.editable_by(self.request.user)
        return queryset.visible_to(self.request.user) if self.request is not None else queryset

    def get_object(self):
        instance = super().get_object()
        # A change to an existing record must say which version it changes
        # (API_REQUIRE_IF_MATCH, on by default): an unconditional write could
        # silently undo someone else's.
        if (
            self.request.method not in permissions.SAFE_METHODS
            and settings.API_REQUIRE_IF_MATCH
            and not self.request.headers.get("If-Match")
        ):
            raise PreconditionRequired()
        return instance

    def if_match(self, record) -> None:
        """The API's precondition, run by the service on the locked row: If-Match names what is saved now."""
        header = self.request.headers.get("If-Match")
        if not header:
            return
        if not etag_matches(etag_of(self.representation(self.reload(record))), header):
            raise PreconditionFailed()

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

    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            pk=serializer.instance.pk,
            user=self.request.user,
            data=dict(serializer.validated_data),
            precondition=self.if_match,
        )

    def perform_destroy(self, instance):
        self.delete_service(pk=instance.pk, user=self.request.user, precondition=self.if_match)

    def reload(self, instance):
        """The saved object, fetched again with the read queryset's joins and prefetches."""
        return self.read_queryset().get(pk=instance.pk)

    def read_queryset(self):
        return self.queryset.all()
