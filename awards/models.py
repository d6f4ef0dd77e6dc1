import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from challenges.models import Challenge, Indicator
from core.files import private_storage
from reviews.models import ReviewRound
from submissions.models import Bid

MONEY = {"max_digits": 14, "decimal_places": 2}


class Decision(models.Model):
    """The approver's choice of winner(s) from a finished ranking, published for publicity (公示)."""

    class Status(models.TextChoices):
        IN_PUBLICITY = "in_publicity", _("In publicity")
        FINAL = "final", _("Final")
        REOPENED = "reopened", _("Reopened")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="decisions")
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    departure_reason = models.TextField(
        _("reason for departing from the ranking"), blank=True, help_text=_("Required when not following the ranking.")
    )
    publicity_ends_at = models.DateTimeField(_("publicity ends"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.IN_PUBLICITY)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        constraints = [
            # Two approvers deciding at once: the database lets only one decision stand.
            models.UniqueConstraint(
                fields=["challenge"], condition=Q(status__in=["in_publicity", "final"]), name="one_live_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge} ({self.get_status_display()})"


class Award(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed (in publicity)")
        FINAL = "final", _("Final")
        SIGNED = "signed", _("Contract signed")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        ELIMINATED = "eliminated", _("Completed (eliminated at down-select)")
        TERMINATED_EXCUSED = "terminated_excused", _("Terminated, excused")
        TERMINATED_AT_FAULT = "terminated_at_fault", _("Terminated, at fault")
        REVOKED = "revoked", _("Revoked")

    LIVE_STATES = frozenset({Status.PROPOSED, Status.FINAL, Status.SIGNED, Status.IN_PROGRESS})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="awards")
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="awards")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="award")
    winner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(_("award (CNY)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    rank = models.PositiveIntegerField(_("rank in the review"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    recover_amount = models.DecimalField(_("amount to recover"), **MONEY, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "rank"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive")]

    def __str__(self) -> str:
        return f"{self.winner} · {self.challenge}"


class Objection(models.Model):
    """An objection (异议) during publicity. Real name required; the identity is for operators only."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="objections")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    real_name = models.CharField(_("real name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100)
    grounds = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FILED)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.award} · {self.get_status_display()}"


def _evidence_path(instance, filename: str) -> str:
    return f"objections/{instance.objection_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, upload_to=_evidence_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """The task contract (任务书): milestones whose tranches add up exactly to the award."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        CLOSED = "closed", _("Closed")

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    amount = models.DecimalField(_("contract amount (CNY)"), **MONEY)
    tranches_total = models.DecimalField(**MONEY, default=Decimal("0"), editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    first_tranche_on_signing = models.BooleanField(_("first tranche due on signing"), default=True)
    agency_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_signed_at = models.DateTimeField(null=True, blank=True)
    agency_signed_version = models.PositiveIntegerField(null=True, blank=True)
    winner_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    winner_signed_at = models.DateTimeField(null=True, blank=True)
    winner_signed_version = models.PositiveIntegerField(null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            # Tranches never exceed the award; at signing they must match it exactly.
            models.CheckConstraint(condition=Q(tranches_total__lte=models.F("amount")), name="tranches_within_award"),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(tranches_total=models.F("amount")), name="signed_tranches_exact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} v{self.version}"


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_ACCEPTANCE = "under_acceptance", _("Under acceptance")
        RECTIFYING = "rectifying", _("Rectifying")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("milestone"), max_length=200)
    deliverables = models.TextField(_("deliverables"), blank=True)
    due_date = models.DateField(_("due"))
    tranche_amount = models.DecimalField(_("tranche (CNY)"), **MONEY, validators=[MinValueValidator(0)])
    is_down_select = models.BooleanField(_("down-select (horse race)"), default=False)
    keep_best = models.PositiveSmallIntegerField(_("teams kept at the down-select"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    rectified = models.BooleanField(default=False, editable=False)
    rectification_due = models.DateField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    acceptance_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "position"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.CheckConstraint(condition=Q(tranche_amount__gte=0), name="tranche_not_negative")]

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["milestone", "indicator"], name="target_once")]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.value}"


class Delivery(models.Model):
    """What the winner hands in for a milestone: a report, measured values, files."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="deliveries")
    number = models.PositiveSmallIntegerField(default=1)
    report = models.TextField(_("report"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["milestone", "number"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["milestone", "number"], name="delivery_number_unique")]

    def __str__(self) -> str:
        return f"{self.milestone} #{self.number}"


class Measurement(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="measurements")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("measured value"), max_digits=20, decimal_places=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "indicator"], name="measurement_once")]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.value}"


def _delivery_path(instance, filename: str) -> str:
    return f"deliveries/{instance.delivery_id}/{uuid.uuid4().hex}"


class DeliveryFile(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=_delivery_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.name


class Disbursement(models.Model):
    """A tranche released by a passed milestone: approved by the agency, recorded paid by an operator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    milestone = models.OneToOneField(Milestone, on_delete=models.PROTECT, related_name="disbursement")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive"),
            models.CheckConstraint(condition=~Q(status="paid") | ~Q(reference=""), name="paid_has_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.award}: {self.amount} ({self.get_status_display()})"
