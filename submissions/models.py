import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from challenges.models import Challenge, Indicator
from core.files import private_storage

MONEY = {"max_digits": 14, "decimal_places": 2}


class Bid(models.Model):
    """An organisation's application to solve a challenge (揭榜). The rows below are the
    working copy; each submission freezes it into an immutable BidRevision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")
        UNDER_REVIEW = "under_review", _("Under review")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        NOT_SELECTED = "not_selected", _("Not selected")
        PROPOSED = "proposed", _("Proposed winner")
        WON = "won", _("Won")
        REVOKED = "revoked", _("Revoked")

    # States the applicant can still change before the deadline.
    OPEN_STATES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN})
    # States that count against the bids-per-organisation limit and reach review.
    ACTIVE_STATES = frozenset(set(Status.values) - {Status.DRAFT, Status.WITHDRAWN})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="bids")
    lead = models.ForeignKey(Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT, related_name="led_bids")
    title = models.CharField(_("bid title"), max_length=200)
    technical_approach = models.TextField(_("technical approach"), blank=True)
    team_description = models.TextField(_("team"), blank=True)
    prior_achievements = models.TextField(_("prior achievements"), blank=True)
    requested_funding = models.DecimalField(
        _("requested government funding (CNY)"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    own_funding = models.DecimalField(_("own funding (CNY)"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)])
    integrity_pledged_at = models.DateTimeField(_("integrity pledge signed"), null=True, blank=True)
    integrity_pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_revision = models.ForeignKey(
        "BidRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        indexes = [models.Index(fields=["challenge", "status"]), models.Index(fields=["lead", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(requested_funding__gte=0), name="bid_requested_not_negative"),
            models.CheckConstraint(condition=Q(own_funding__gte=0), name="bid_own_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


class Partner(models.Model):
    """A consortium partner (联合体成员): invited by the lead, confirmed by its own admin."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships")
    work_split = models.TextField(_("work split"), blank=True)
    budget_share = models.DecimalField(
        _("budget share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("consortium partner")
        verbose_name_plural = _("consortium partners")
        constraints = [models.UniqueConstraint(fields=["bid", "organisation"], name="partner_once_per_bid")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_status_display()})"


class Commitment(models.Model):
    """What the bid promises against one indicator of the challenge."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="commitments")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="commitments")
    value = models.DecimalField(_("committed value"), max_digits=20, decimal_places=6)
    evidence = models.TextField(_("how it will be shown"), blank=True)

    class Meta:
        verbose_name = _("indicator commitment")
        verbose_name_plural = _("indicator commitments")
        constraints = [models.UniqueConstraint(fields=["bid", "indicator"], name="commitment_once_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.value}"


class KeyPerson(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role in the project"), max_length=100)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    expertise = models.CharField(_("expertise"), max_length=250, blank=True)
    is_leader = models.BooleanField(_("project leader"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("key person")
        verbose_name_plural = _("key people")

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment")
        MATERIALS = "materials", _("Materials")
        PERSONNEL = "personnel", _("Personnel")
        TESTING = "testing", _("Testing and processing")
        TRAVEL = "travel", _("Travel and meetings")
        IP = "ip", _("Publication and IP")
        OTHER = "other", _("Other")

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="budget_lines")
    # The organisation that spends it: the lead or one partner. Partners see only their own lines.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.CharField(_("description"), max_length=250, blank=True)
    government_amount = models.DecimalField(
        _("government money"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    own_amount = models.DecimalField(_("own money"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.government_amount} + {self.own_amount}"


class PlannedMilestone(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("milestone"), max_length=200)
    deliverables = models.TextField(_("deliverables"), blank=True)
    due_month = models.PositiveSmallIntegerField(_("due in month"), validators=[MinValueValidator(1)])
    tranche_percent = models.DecimalField(
        _("tranche (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("planned milestone")
        verbose_name_plural = _("planned milestones")

    def __str__(self) -> str:
        return self.title


def _attachment_path(instance, filename: str) -> str:
    return f"bids/{instance.bid_id}/{uuid.uuid4().hex}"


class BidAttachment(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Removed from the working copy; kept because a submitted revision may still cite it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("bid attachment")
        verbose_name_plural = _("bid attachments")

    def __str__(self) -> str:
        return self.name


class BidRevision(models.Model):
    """An immutable snapshot of a bid as submitted. The one current at the deadline is reviewed."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["bid", "number"]
        verbose_name = _("bid revision")
        verbose_name_plural = _("bid revisions")
        constraints = [models.UniqueConstraint(fields=["bid", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.bid} r{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Bid revisions are immutable.")
        super().save(*args, **kwargs)
