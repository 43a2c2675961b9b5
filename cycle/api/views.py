"""/api/v1/notifications/, /notification-preferences/, /tasks/, /deadlines/.

Notifications, preferences and tasks are the caller's own (nobody reads another's: another's
notification answers 404). Deadlines are read by everyone signed in and set by the Secretariat, with
If-Match on changes (428, 412) like every record of the API.
"""

import django_filters
from django.conf import settings
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.conditional import ConditionalMixin, etag_matches, etag_of
from core.api.exceptions import PreconditionFailed, PreconditionRequired
from core.api.filters import DetailFiltersMixin, KnownParametersFilter, StrictOrderingFilter
from core.api.serializers import TextField
from core.filters import PortalFilterSet, StrictBooleanFilter, YearFilter
from teams.api.permissions import PortalPermission
from teams.api.viewsets import TeamScopedViewSet
from teams.models import Team

from .. import selectors, services, texts
from ..models import Deadline, Delivery, Kind, Notification

# --- notifications ----------------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "lines", "team", "link", "created_at", "read", "read_at", "delivery"]

    def get_title(self, notification) -> str:
        """In the caller's language (Accept-Language)."""
        return texts.title(notification)

    def get_lines(self, notification) -> list[str]:
        return texts.body(notification)

    def get_link(self, notification) -> str:
        """The portal page where to act (absolute)."""
        request = self.context.get("request")
        return request.build_absolute_uri(notification.link) if request and notification.link else notification.link

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationFilterSet(PortalFilterSet):
    read = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", exclude=True,
                               help_text="true: read ones only; false: unread ones.")  # fmt: skip
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)

    class Meta:
        model = Notification
        fields = ["read", "kind", "team"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=1000,
        help_text="Your notifications to mark read; leave out to mark all of them.",
    )  # fmt: skip


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationViewSet(DetailFiltersMixin, ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Your notifications, newest first: what happened and the page where to act. `read=false` lists the
    unread ones; `read/` marks one read, `read-all/` every one (or those listed)."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = Notification.objects.none()  # the caller's own: get_queryset
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    # No search: a notification's words are made in the reader's language when shown.
    filter_backends = [KnownParametersFilter, DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of your notifications read. Like every change to a record, with the ETag of your last
        read of it in If-Match (428 without it, 412 when it changed since)."""
        notification = self.get_object()
        header = request.headers.get("If-Match")
        if not (header or "").strip():
            if settings.API_REQUIRE_IF_MATCH or header is not None:
                raise PreconditionRequired()
        elif not etag_matches(etag_of(self.representation(notification)), header):
            raise PreconditionFailed()
        services.mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None)
    def read_all(self, request):
        body = MarkReadSerializer(data=request.data)  # a JSON null is refused: the body is an object
        body.is_valid(raise_exception=True)
        marked = services.mark_read(user=request.user, ids=body.validated_data.get("ids"))
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(choices=Delivery.choices)


class NotificationPreferenceViewSet(viewsets.ViewSet):
    """How each kind of notification reaches you: immediate (an e-mail at once), daily or weekly (a
    digest), off (the portal only). PUT one kind to change it."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"

    def rows(self, user):
        return [
            {"kind": kind, "label": str(Kind(kind).label), "delivery": delivery}
            for kind, delivery in services.preferences_of(user).items()
        ]

    @extend_schema(responses=PreferenceSerializer(many=True))
    def list(self, request):
        return Response(self.rows(request.user))

    @extend_schema(responses=PreferenceSerializer)
    def retrieve(self, request, kind=None):
        return Response(self._row(request.user, kind))

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def update(self, request, kind=None):
        self._row(request.user, kind)  # 404 for a kind that does not exist
        body = PreferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_preferences(user=request.user, choices={kind: body.validated_data["delivery"]})
        return Response(self._row(request.user, kind))

    def _row(self, user, kind):
        for row in self.rows(user):
            if row["kind"] == kind:
                return row
        raise Http404


# --- tasks --------------------------------------------------------------------------------------------------


class TaskSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="deadline:<kind>, endorse, approve_values, access_request, amendment, confirm_entry; "
        "for the Secretariat behind:<kind>, acknowledge, undelivered."
    )
    title = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    team = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField(allow_blank=True)
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    link = serializers.CharField(help_text="The portal page where it is done (absolute).")


class TaskViewSet(viewsets.ViewSet):
    """What you have to do, soonest first (overdue first): your teams' deadlines not met this year, workplans
    waiting for your signature, access requests and indicator values to decide, amendments to submit, your
    roster entries to confirm; for the Secretariat, the teams behind schedule, workplans to acknowledge and
    e-mails that could not be delivered. The same list as the portal's My tasks page."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=TaskSerializer(many=True))
    def list(self, request):
        tasks = selectors.tasks_for(request.user)
        tasks.sort(key=lambda t: (not t.overdue,))
        return Response(
            [
                {
                    "kind": t.kind,
                    "title": t.title,
                    "detail": t.detail,
                    "team": t.team.pk if t.team else None,
                    "team_name": getattr(t.team.localized_name(), "plain", str(t.team)) if t.team else "",
                    "due_on": t.due_on.isoformat() if t.due_on else None,
                    "overdue": t.overdue,
                    "link": request.build_absolute_uri(t.link),
                }
                for t in tasks
            ]
        )


# --- deadlines ------------------------------------------------------------------------------------------------


class DeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = ["id", "year", "kind", "team", "due_on", "note", "updated_at"]


class DeadlineWriteSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    note = TextField(max_length=300, required=False, allow_blank=True)

    class Meta:
        model = Deadline
        fields = ["year", "kind", "team", "due_on", "note"]
        validators = []  # one per year, kind and team: a second POST changes the date (the service)


class DeadlineUpdateSerializer(serializers.ModelSerializer):
    note = TextField(max_length=300, required=False, allow_blank=True)

    class Meta:
        model = Deadline
        fields = ["due_on", "note"]


class DeadlineFilterSet(PortalFilterSet):
    year = YearFilter()
    global_only = StrictBooleanFilter(
        field_name="team",
        lookup_expr="isnull",
        help_text="true: the deadlines of every team; false: the teams' exceptions.",
    )

    class Meta:
        model = Deadline
        fields = ["year", "kind", "team", "global_only"]


class SecretariatWrites(PortalPermission):
    """Everyone signed in reads; the service refuses anyone but the Secretariat, saying so (403)."""


class DeadlineViewSet(TeamScopedViewSet):
    """The calendar: each year's deadlines (workplan drafted, submitted, endorsed; mid-year update; annual
    report) for every team (`team` empty), and teams' exceptions. The Secretariat sets them; a POST for a
    year, kind and team that has one changes its date. A global mid-year or annual deadline is also the
    reporting period's due date."""

    queryset = Deadline.objects.select_related("team").order_by("-year", "due_on", "kind", "team_id")
    permission_classes = [SecretariatWrites]
    serializer_class = DeadlineSerializer
    read_serializer_class = DeadlineSerializer
    write_serializer_class = DeadlineWriteSerializer
    filterset_class = DeadlineFilterSet
    search_fields = ["team__name", "note"]
    ordering_fields = ["due_on", "year"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    update_service = staticmethod(services.update_deadline)
    delete_service = staticmethod(services.delete_deadline)

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "PATCH":
            return DeadlineUpdateSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            services.check_set_deadlines(self.request.user)
        return self.queryset.all()

    def create(self, request, *args, **kwargs):
        services.check_set_deadlines(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deadline = services.set_deadline(user=request.user, **serializer.validated_data)
        return Response(self.representation(self.reload(deadline)), status=status.HTTP_201_CREATED)
