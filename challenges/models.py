import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.files import private_storage


class TechnicalField(models.Model):
    """The managed taxonomy of technical fields shared by challenges and experts."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("technical field")
        verbose_name_plural = _("technical fields")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (translation.get_language() or "").startswith("zh") else self.name_en


class ChallengeQuerySet(models.QuerySet):
    def public(self):
        return self.filter(Challenge.public_q())

    def open_for_bids(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Challenge.Status.PUBLISHED, bidding_opens_at__lte=now, bidding_closes_at__gt=now)


class Challenge(models.Model):
    """A published problem with targets and money: one entry of the list (榜单)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        PUBLISHED = "published", _("Published")
        BIDDING_CLOSED = "bidding_closed", _("Bidding closed")
        UNDER_REVIEW = "under_review", _("Under review")
        IN_PUBLICITY = "in_publicity", _("In publicity")
        AWARDED = "awarded", _("Awarded")
        IN_EXECUTION = "in_execution", _("In execution")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        UNAWARDED = "unawarded", _("Unawarded")

    class FundingMode(models.TextChoices):
        SINGLE = "single", _("Single winner")
        HORSE_RACE = "horse_race", _("Horse race (parallel winners)")

    PUBLIC_STATES = frozenset(set(Status.values) - {Status.DRAFT, Status.PENDING_APPROVAL})
    # States in which the agency may still change the text directly.
    EDITABLE_STATES = frozenset({Status.DRAFT})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.ForeignKey(
        Organisation, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="challenges"
    )
    title = models.CharField(_("title"), max_length=200)
    fields = models.ManyToManyField(TechnicalField, verbose_name=_("technical fields"), related_name="challenges")
    chokepoint = models.TextField(_("chokepoint statement"), help_text=_("What holds the industry back, and why."))
    summary = models.TextField(_("public summary"))
    confidential_details = models.TextField(
        _("confidential details"), blank=True, help_text=_("Only organisations that signed the NDA can read this.")
    )
    nda_text = models.TextField(_("NDA text"), blank=True)
    nda_version = models.PositiveSmallIntegerField(default=1, editable=False)

    government_funding = models.DecimalField(
        _("government funding (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    cofunding_ratio = models.DecimalField(
        _("required co-funding ratio"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("The applicant's own money per yuan of government money: 1 means 1:1."),
    )
    funding_mode = models.CharField(_("funding mode"), max_length=12, choices=FundingMode.choices, default=FundingMode.SINGLE)
    max_winners = models.PositiveSmallIntegerField(
        _("winners at most"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    allowed_kinds = models.JSONField(
        _("organisation kinds allowed"),
        default=list,
        blank=True,
        help_text=_("Empty means every kind except agencies."),
    )
    allowed_sizes = models.JSONField(_("organisation sizes allowed"), default=list, blank=True)
    smes_only = models.BooleanField(_("SMEs only"), default=False)
    consortium_allowed = models.BooleanField(_("consortium allowed"), default=True)
    max_partners = models.PositiveSmallIntegerField(
        _("partners at most"), default=4, validators=[MaxValueValidator(20)], help_text=_("Besides the lead.")
    )
    required_qualifications = models.TextField(_("required qualifications"), blank=True)
    bids_per_organisation = models.PositiveSmallIntegerField(
        _("bids per organisation"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    bidding_opens_at = models.DateTimeField(_("bidding opens"))
    bidding_closes_at = models.DateTimeField(_("bidding closes"))
    execution_months = models.PositiveSmallIntegerField(
        _("execution period (months)"), default=36, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity period (days)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    ip_terms = models.TextField(_("IP terms"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    return_comment = models.TextField(_("comment on return"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    reissued_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissues", verbose_name=_("re-issue of")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    bidding_closed_at = models.DateTimeField(null=True, blank=True)
    opening_announced_at = models.DateTimeField(null=True, blank=True)
    # Lower-cased title, summary and field names: what the search matches, in any language.
    search_text = models.TextField(blank=True, editable=False)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.CheckConstraint(
                condition=Q(bidding_closes_at__gt=F("bidding_opens_at")), name="challenge_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(government_funding__gt=0), name="challenge_funding_positive"),
            models.CheckConstraint(
                condition=Q(funding_mode="horse_race") | Q(max_winners=1), name="challenge_single_mode_one_winner"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "bidding_closes_at"]),
            models.Index(fields=["issuer", "status"]),
            models.Index(fields=["-published_at"]),
            # Lets the paginator count the public list from the index alone.
            models.Index(fields=["status", "published_at"], name="challenge_status_published"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def public_q(cls) -> Q:
        """Challenges the public may read. One cancelled before approval was never published: it stays private."""
        return Q(status__in=cls.PUBLIC_STATES) & ~Q(status=cls.Status.CANCELLED, published_at__isnull=True)

    @property
    def is_public(self) -> bool:
        if self.status == self.Status.CANCELLED:
            return self.published_at is not None
        return self.status in self.PUBLIC_STATES

    def is_open_for_bids(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.bidding_opens_at <= now < self.bidding_closes_at

    def clean(self):
        errors = {}
        if self.bidding_opens_at and self.bidding_closes_at and self.bidding_closes_at <= self.bidding_opens_at:
            errors["bidding_closes_at"] = _("Bidding must close after it opens.")
        if self.funding_mode == self.FundingMode.SINGLE and self.max_winners != 1:
            errors["max_winners"] = _("A single-winner challenge has exactly one winner.")
        if self.funding_mode == self.FundingMode.HORSE_RACE and (self.max_winners or 0) < 2:
            errors["max_winners"] = _("A horse race needs at least two parallel winners.")
        applicant_kinds = set(Organisation.Kind.values) - {Organisation.Kind.AGENCY}
        if not set(self.allowed_kinds or []) <= applicant_kinds:
            errors["allowed_kinds"] = _("Choose among enterprise, university, research institute and other.")
        if not set(self.allowed_sizes or []) <= set(Organisation.Size.values):
            errors["allowed_sizes"] = _("Unknown organisation size.")
        if not self.consortium_allowed and self.max_partners:
            self.max_partners = 0
        if errors:
            raise ValidationError(errors)

    def refresh_search_text(self) -> None:
        names = " ".join(f"{f.name_zh} {f.name_en}" for f in self.fields.all()) if self.pk else ""
        self.search_text = f"{self.title}\n{self.summary}\n{names}".lower()


class Indicator(models.Model):
    """A measurable target (考核指标), with the gap it closes: domestic today vs. world best."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", "≥"
        AT_MOST = "lte", "≤"
        EQUAL = "eq", "="

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    target_value = models.DecimalField(_("target"), max_digits=20, decimal_places=6)
    measurement_method = models.TextField(_("how it is measured"), blank=True)
    domestic_level = models.DecimalField(_("best domestic level today"), max_digits=20, decimal_places=6, null=True, blank=True)
    international_level = models.DecimalField(
        _("international leading level"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    is_main = models.BooleanField(_("main indicator"), default=True, help_text=_("Missing a main indicator fails."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name} {self.get_comparison_display()} {self.target_value:g} {self.unit}".strip()

    def is_met_by(self, value: Decimal) -> bool:
        if self.comparison == self.Comparison.AT_LEAST:
            return value >= self.target_value
        if self.comparison == self.Comparison.AT_MOST:
            return value <= self.target_value
        return value == self.target_value


def _attachment_path(instance, filename: str) -> str:
    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}"


class ChallengeAttachment(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("challenge attachment")
        verbose_name_plural = _("challenge attachments")

    def __str__(self) -> str:
        return self.name


class Amendment(models.Model):
    """A recorded change after publication, announced to every bidder and shown publicly."""

    # Changed values of these are shown only to readers of the confidential part.
    CONFIDENTIAL_FIELDS = frozenset({"confidential_details"})

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField()
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [models.UniqueConstraint(fields=["challenge", "number"], name="amendment_number_unique")]

    def __str__(self) -> str:
        return f"{self.challenge} #{self.number}"

    def changes_for(self, *, confidential: bool) -> dict:
        """The recorded diff as a reader may see it: confidential values hidden unless they may read them."""
        if confidential:
            return self.changes
        return {
            name: {"before": None, "after": None, "hidden": True} if name in self.CONFIDENTIAL_FIELDS else change
            for name, change in self.changes.items()
        }


class Question(models.Model):
    """A bidder's question (答疑). Published answers never show who asked."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class NdaSignature(models.Model):
    """An organisation signed the challenge's NDA: who, when, which text."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="nda_signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="nda_signatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    nda_version = models.PositiveSmallIntegerField()
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("NDA signature")
        verbose_name_plural = _("NDA signatures")
        constraints = [models.UniqueConstraint(fields=["challenge", "organisation"], name="nda_signed_once_per_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.challenge}"


class FieldSubscription(models.Model):
    """An organisation wants to hear when a challenge in this field is published."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="field_subscriptions")
    field = models.ForeignKey(TechnicalField, on_delete=models.CASCADE, related_name="subscriptions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("field subscription")
        verbose_name_plural = _("field subscriptions")
        constraints = [models.UniqueConstraint(fields=["organisation", "field"], name="subscription_once")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.field}"
