"""UN Nutrition teams: who convenes them, who sits in them, where they meet.

Teams have their own app rather than living in `countries/` because not every
team is a country's: a regional group (Latin America and the Caribbean) spans
many, and a subnational working group belongs to a province. Teams are also
what every permission rule is scoped to.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_secretariat
from core.i18n import localized
from core.models import HistoricalRecords, Term, TimeStamped, current_on


class TeamScopedQuerySet(models.QuerySet):
    """Records a team owns, narrowed to a user's teams (NetBox's `restrict` is the model).

    The model's `team_path` reaches the owning team ("pk" for a team itself,
    "workplan__team" for an activity). Portal views, API viewsets, scoped
    serializer fields and reports all narrow through these two methods.
    """

    def editable_by(self, user):
        """What `user` may change: everything for the Secretariat, their own teams' records for
        conveners and focal points, nothing for viewers."""
        team_ids = editable_team_ids(user)
        if team_ids is None:
            return self
        return self.filter(**{f"{self.model.team_path}__in": team_ids})

    def visible_to(self, user):
        """What `user` may read: every team's records for anyone signed in (contacts are guarded apart)."""
        if user.is_authenticated and user.is_active:
            return self
        return self.none()

    # The figures the dashboard, the API summary and the reports share are
    # defined here once (see COORDINATING_KINDS and `running_convener` below).

    def running_on(self, day):
        """Terms (convener, member, focal point) running on `day`, by `core.models.current_on`."""
        return self.filter(current_on(day))

    def coordinating(self):
        """Teams expected to have a convener and an annual workplan: the active country teams and
        regional groups. A subnational working group is run by its country team and reports through
        its workplan; an inactive team is expected nothing."""
        return self.filter(is_active=True, kind__in=COORDINATING_KINDS)

    def with_convener(self, day):
        """Teams with a convener on `day`: a term in the convener role running that day."""
        return self.filter(Exists(running_convener(day)))

    def without_convener(self, day):
        """Teams with no convener on `day`; a co-convener alone does not make one."""
        return self.exclude(Exists(running_convener(day)))


# Teams expected to have a convener and an annual workplan (see `coordinating()`):
# Team.Kind.COUNTRY and Team.Kind.REGIONAL.
COORDINATING_KINDS = ("country", "regional")


def running_convener(day):
    """The outer query's team's convener-role terms running on `day` (for Exists / Subquery).

    A team "has a convener" on `day` when this is not empty. A co-convener term
    does not count: it co-leads alongside a convener, and a team left with only
    its co-convener needs a new convener.
    """
    return ConvenerTerm.objects.running_on(day).filter(team=OuterRef("pk"), role=ConvenerTerm.Role.CONVENER)


class MeetingFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    BIANNUAL = "biannual", _("Twice a year")
    ANNUAL = "annual", _("Yearly")
    AD_HOC = "ad_hoc", _("As needed")


class HumanitarianCluster(models.Model):
    """A cluster of the IASC humanitarian coordination system (Nutrition, WASH, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("global lead agencies"), blank=True, related_name="led_clusters"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("humanitarian cluster")
        verbose_name_plural = _("humanitarian clusters")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Platform(TimeStamped):
    """A multi-stakeholder platform (MSP) for nutrition, usually government-led."""

    class Functioning(models.TextChoices):
        STRONG = "strong", _("Functions well")
        PARTIAL = "partial", _("Functions partly")
        WEAK = "weak", _("Functions poorly")
        INACTIVE = "inactive", _("Not functioning")
        UNKNOWN = "unknown", _("Not assessed")

    name = models.CharField(_("name"), max_length=300)
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platforms",
    )
    government_led = models.BooleanField(_("government-led"), default=True)
    is_sun_platform = models.BooleanField(_("SUN multi-stakeholder platform"), default=False)
    functioning = models.CharField(
        _("how well it functions"), max_length=16, choices=Functioning.choices, default=Functioning.UNKNOWN
    )
    chairing_ministry = models.CharField(_("chaired by"), max_length=300, blank=True)
    meeting_frequency = models.CharField(_("meets"), max_length=16, choices=MeetingFrequency.choices, blank=True)
    is_demo = models.BooleanField(_("demo record"), default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("multi-stakeholder platform")
        verbose_name_plural = _("multi-stakeholder platforms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"],
                name="platform_unique_name_per_country",
                violation_error_message=_("This country already has a platform with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class Team(TimeStamped):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country team")
        REGIONAL = "regional", _("Regional group")
        SUBNATIONAL = "subnational", _("Subnational working group")

    name = models.CharField(_("name"), max_length=200)
    # User content: the name as the team wrote it, in `name_language`, and the translations its
    # people or the Secretariat enter; a language without one shows the original, marked as such.
    name_language = models.CharField(_("language of the name"), max_length=7, choices=settings.LANGUAGES, default="en")
    name_translations = models.JSONField(
        _("name in other languages"), default=dict, blank=True, help_text=_("The name in other UN languages.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    region = models.ForeignKey(
        "countries.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text=_("For a regional group."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subteams",
        help_text=_("For a subnational working group, its country team."),
    )
    subdivisions = models.ManyToManyField(
        "countries.Subdivision", verbose_name=_("provinces covered"), blank=True, related_name="teams"
    )
    is_active = models.BooleanField(_("active"), default=True)
    established_on = models.DateField(_("established"), null=True, blank=True)
    meeting_frequency = models.CharField(_("meets"), max_length=16, choices=MeetingFrequency.choices, blank=True)
    works_with_resident_coordinator = models.BooleanField(_("works with the Resident Coordinator"), default=False)
    action_areas = models.ManyToManyField(
        "workplans.ActionArea", verbose_name=_("joint action areas"), blank=True, related_name="teams"
    )
    national_frameworks = models.ManyToManyField(
        "workplans.NationalFramework", verbose_name=_("aligned to"), blank=True, related_name="teams"
    )
    platforms = models.ManyToManyField(
        Platform, through="TeamPlatform", verbose_name=_("platforms"), blank=True, related_name="teams"
    )
    clusters = models.ManyToManyField(
        HumanitarianCluster, verbose_name=_("humanitarian clusters"), blank=True, related_name="teams"
    )
    notes = models.TextField(_("notes"), blank=True)
    is_demo = models.BooleanField(_("demo record"), default=False, editable=False)

    history = HistoricalRecords(m2m_fields=[subdivisions, action_areas, clusters])
    objects = TeamScopedQuerySet.as_manager()
    team_path = "pk"

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country"],
                condition=Q(kind="country"),
                name="team_one_country_team_per_country",
                violation_error_message=_("This country already has a country team."),
            ),
            models.UniqueConstraint(
                fields=["name"], name="team_unique_name", violation_error_message=_("A team with this name exists.")
            ),
            models.CheckConstraint(
                condition=~Q(kind="country") | Q(country__isnull=False),
                name="team_country_team_has_country",
                violation_error_message=_("A country team must name its country."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="regional") | Q(region__isnull=False),
                name="team_regional_group_has_region",
                violation_error_message=_("A regional group must name its region."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="subnational") | (Q(parent__isnull=False) & Q(country__isnull=False)),
                name="team_subnational_has_parent",
                violation_error_message=_("A subnational working group must name its country and country team."),
            ),
        ]

    def __str__(self):
        return self.name

    def localized_name(self, language=None):
        """The name in the reader's language, else the original marked with its language."""
        return localized(self.name_translations, self.name, language, source=self.name_language)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("teams:detail", args=[self.pk])

    def current_convener(self, role="convener"):
        return self.convener_terms.running_on(timezone.localdate()).filter(role=role).first()


class ConvenerTerm(Term):
    """Who convened a team, and when: "convened by WFP since 2021, before that by UNICEF"."""

    class Role(models.TextChoices):
        CONVENER = "convener", _("Convener")
        CO_CONVENER = "co_convener", _("Co-convener")

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="convener_terms")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CONVENER)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convener_terms",
    )
    by_resident_coordinator = models.BooleanField(_("convened by the Resident Coordinator"), default=False)
    person = models.ForeignKey(
        "countries.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convener_terms",
    )
    last_confirmed_at = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("When the entry was last confirmed as true (recorded, edited or confirmed by e-mail)."),
    )
    confirmation_requested_at = models.DateTimeField(
        _("confirmation last asked"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["confirmation_requested_at"])
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta(Term.Meta):
        verbose_name = _("convener term")
        verbose_name_plural = _("convener terms")
        ordering = ["team", "-start_date"]
        constraints = [
            *Term.Meta.constraints,
            # An open-ended term is the active one; a team has at most one per role.
            models.UniqueConstraint(
                fields=["team", "role"],
                condition=Q(end_date__isnull=True),
                name="convener_one_active_term_per_role",
                violation_error_message=_(
                    "This team already has an active term in this role: end it before starting a new one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(by_resident_coordinator=True),
                name="convener_agency_or_rc",
                violation_error_message=_("Name the convening agency, or tick 'convened by the Resident Coordinator'."),
            ),
        ]

    def __str__(self):
        who = self.agency or _("Resident Coordinator")
        return f"{self.team}: {who} ({self.get_role_display()})"

    def clean(self):
        super().clean()
        if not self.team_id:
            return
        # Dated terms can overlap without breaking the partial unique index;
        # refuse that here so the history reads as one line of conveners.
        overlapping = ConvenerTerm.objects.filter(team_id=self.team_id, role=self.role).exclude(pk=self.pk)
        if self.end_date:
            overlapping = overlapping.filter(Q(start_date__isnull=True) | Q(start_date__lte=self.end_date))
        if self.start_date:
            overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if overlapping.exists():
            raise ValidationError(
                {
                    "start_date": _("These dates overlap another %(role)s term of this team.")
                    % {"role": self.get_role_display().lower()}
                }
            )


class TeamMember(Term):
    """An agency (or one of its regional offices) taking part in a team."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="team_memberships"
    )

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta(Term.Meta):
        verbose_name = _("member agency")
        verbose_name_plural = _("member agencies")
        ordering = ["team", "agency__acronym"]
        constraints = [
            *Term.Meta.constraints,
            models.UniqueConstraint(
                fields=["team", "agency"],
                name="team_member_unique",
                violation_error_message=_("This agency is already a member of this team."),
            ),
        ]

    def __str__(self):
        return f"{self.agency} in {self.team}"


class MembershipProposal(TimeStamped):
    """A team's proposal that an agency join it; the Secretariat confirms (making the membership) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the Secretariat")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="member_proposals")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="member_proposals"
    )
    start_date = models.DateField(_("member from"), null=True, blank=True)
    note = models.CharField(_("why"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason given"), max_length=500, blank=True)
    member = models.OneToOneField(
        TeamMember,
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
    )

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("membership proposal")
        verbose_name_plural = _("membership proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "agency"],
                condition=Q(status="pending"),
                name="membership_proposal_one_pending",
                violation_error_message=_("This agency has already been proposed to this team."),
            ),
        ]

    def __str__(self):
        return f"{self.agency} → {self.team}"


class FocalPoint(Term):
    """A person named by a member agency as its technical focal point in a team."""

    class EndReason(models.TextChoices):
        REASSIGNED = "reassigned", _("Reassigned")
        LEFT_AGENCY = "left_agency", _("Left the agency")
        OTHER = "other", _("Other")

    member = models.ForeignKey(
        TeamMember, verbose_name=_("member agency"), on_delete=models.CASCADE, related_name="focal_points"
    )
    person = models.ForeignKey(
        "countries.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="focal_point_roles"
    )
    is_primary = models.BooleanField(_("primary focal point"), default=True)
    end_reason = models.CharField(_("reason for ending"), max_length=16, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note on ending"), max_length=300, blank=True)
    last_confirmed_at = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("When the entry was last confirmed as true (recorded, edited or confirmed by e-mail)."),
    )
    confirmation_requested_at = models.DateTimeField(
        _("confirmation last asked"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["confirmation_requested_at"])
    objects = TeamScopedQuerySet.as_manager()
    team_path = "member__team"

    class Meta(Term.Meta):
        verbose_name = _("technical focal point")
        verbose_name_plural = _("technical focal points")
        ordering = ["member", "-is_primary", "person__name"]
        constraints = [
            *Term.Meta.constraints,
            models.UniqueConstraint(
                fields=["member", "person"],
                condition=Q(end_date__isnull=True),
                name="focal_point_unique_active",
                violation_error_message=_("This person is already an active focal point for this member."),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.member.agency})"


class TeamPlatform(models.Model):
    """A team's part in a multi-stakeholder platform."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="platform_links")
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.CASCADE, related_name="team_links"
    )
    since = models.DateField(_("since"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("platform participation")
        verbose_name_plural = _("platform participations")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "platform"],
                name="team_platform_unique",
                violation_error_message=_("This team is already linked to this platform."),
            ),
        ]

    def __str__(self):
        return f"{self.team} - {self.platform}"


class TermsOfReference(TimeStamped):
    """A team's terms of reference, versioned by the date they were adopted."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="terms_of_reference")
    title = models.CharField(_("title"), max_length=200)
    adopted_on = models.DateField(_("adopted"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="terms_of_reference/", blank=True)
    url = models.URLField(_("link"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("terms of reference")
        verbose_name_plural = _("terms of reference")
        ordering = ["team", "-adopted_on"]

    def __str__(self):
        return self.title


# --- who belongs to which team ---------------------------------------------------


@dataclass(frozen=True)
class TeamRoles:
    """The team ids where a user is a convener or a focal point today."""

    convener_of: frozenset[int] = field(default_factory=frozenset)
    focal_point_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def team_ids(self) -> frozenset[int]:
        return self.convener_of | self.focal_point_of


def team_roles(user) -> TeamRoles:
    """The user's team roles, from their person record, cached on the user object for the request.

    Running convener terms and running focal point appointments count. A
    subnational group is run by the people of its country team, so its id is
    added wherever its parent's is.
    """
    cached = getattr(user, "_team_roles", None)
    if cached is not None:
        return cached
    roles = TeamRoles()
    person_id = getattr(user, "person_id", None)
    if user.is_authenticated and person_id:
        today = timezone.localdate()
        convener_of = set(
            ConvenerTerm.objects.filter(current_on(today), person_id=person_id).values_list("team_id", flat=True)
        )
        focal_point_of = set(
            FocalPoint.objects.filter(
                current_on(today), current_on(today, "member__"), person_id=person_id
            ).values_list("member__team_id", flat=True)
        )
        for team_id, parent_id in Team.objects.filter(parent_id__in=convener_of | focal_point_of).values_list(
            "pk", "parent_id"
        ):
            for ids in (convener_of, focal_point_of):
                if parent_id in ids:
                    ids.add(team_id)
        roles = TeamRoles(frozenset(convener_of), frozenset(focal_point_of))
    user._team_roles = roles
    return roles


def editable_team_ids(user) -> frozenset[int] | None:
    """Teams whose records the user may change; None means all of them (the Secretariat)."""
    if is_secretariat(user):
        return None
    if not user.is_authenticated:
        return frozenset()
    return team_roles(user).team_ids
