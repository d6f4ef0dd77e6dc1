from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from challenges.models import Challenge, TechnicalField

# The expert pool ------------------------------------------------------------------------------


class ExpertProfile(models.Model):
    """A person in the expert pool, with what they know and how much they can take on."""

    class Tier(models.IntegerChoices):
        ACADEMICIAN = 1, _("Tier 1: academician / chief scientist")
        SENIOR = 2, _("Tier 2: senior expert")
        EXPERT = 3, _("Tier 3: expert")
        SPECIALIST = 4, _("Tier 4: specialist")
        RESERVE = 5, _("Tier 5: reserve")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile")
    fields = models.ManyToManyField(TechnicalField, verbose_name=_("technical fields"), related_name="experts")
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    affiliation = models.ForeignKey(
        Organisation, verbose_name=_("affiliation"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.EXPERT)
    max_concurrent = models.PositiveSmallIntegerField(
        _("concurrent assignments at most"), default=8, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    is_finance_expert = models.BooleanField(_("finance expert"), default=False)
    is_active = models.BooleanField(_("active in the pool"), default=True)
    bio = models.TextField(_("short biography"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return str(self.user)


class PastAffiliation(models.Model):
    """Where the expert worked before: a conflict within the recent-collaboration window."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="past_affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    until_year = models.PositiveSmallIntegerField(_("until (year)"))

    class Meta:
        verbose_name = _("past affiliation")
        verbose_name_plural = _("past affiliations")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.until_year})"


class Unavailability(models.Model):
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="unavailable")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    class Meta:
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="unavailable_ordered")]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"


class DeclaredConflict(models.Model):
    """A conflict the expert (or an operator) declares: an organisation or a person."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="declared_conflicts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person_name = models.CharField(_("person"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=250)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.CheckConstraint(condition=Q(organisation__isnull=False) | ~Q(person_name=""), name="conflict_names_someone")
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.organisation or self.person_name}"


# Rubrics ----------------------------------------------------------------------------------------


class Rubric(models.Model):
    name = models.CharField(_("name"), max_length=120)
    is_template = models.BooleanField(_("template"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("criterion"), max_length=120)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    min_score = models.PositiveSmallIntegerField(_("lowest score"), default=0)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)
    comment_required = models.BooleanField(_("comment required"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [models.CheckConstraint(condition=Q(max_score__gt=models.F("min_score")), name="criterion_range_ordered")]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


# Rounds and items ------------------------------------------------------------------------------


class ReviewRound(models.Model):
    """One stage of a challenge's review: formal check, expert review, defence or acceptance."""

    class Kind(models.TextChoices):
        FORMAL_CHECK = "formal_check", _("Formal check")
        EXPERT_REVIEW = "expert_review", _("Expert review")
        DEFENCE = "defence", _("Defence")
        ACCEPTANCE = "acceptance", _("Acceptance review")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CHECKING = "checking", _("Formal checks running")
        ASSIGNING = "assigning", _("Assigning experts")
        PROPOSED = "proposed", _("Assignment proposed")
        IN_PROGRESS = "in_progress", _("Reviews in progress")
        AGGREGATING = "aggregating", _("Aggregating")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Mean")
        MEDIAN = "median", _("Median")
        TRIMMED = "trimmed", _("Trimmed mean (drop highest and lowest when 5 or more)")

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="review_rounds")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.EXPERT_REVIEW)
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, null=True, blank=True, related_name="rounds")
    experts_per_item = models.PositiveSmallIntegerField(
        _("experts per item"), default=3, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    blind = models.BooleanField(_("blind"), default=True, help_text=_("Hide the applicant's identity from reviewers."))
    show_scores_after_submit = models.BooleanField(_("reviewers see others' scores after submitting"), default=False)
    auto_invite = models.BooleanField(
        _("invite as soon as assigned"), default=True, help_text=_("Off: the operator previews and adjusts first.")
    )
    invitation_hours = models.PositiveSmallIntegerField(_("hours to answer an invitation"), default=48)
    soft_deadline = models.DateTimeField(_("soft deadline"), null=True, blank=True)
    hard_deadline = models.DateTimeField(_("hard deadline"), null=True, blank=True)
    quorum = models.PositiveSmallIntegerField(
        _("reviews needed per item at the hard deadline"), default=2, validators=[MinValueValidator(1)]
    )
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices, default=Aggregation.MEAN)
    spread_threshold = models.DecimalField(
        _("flag when max − min exceeds (points of 100)"), max_digits=5, decimal_places=2, default=Decimal("25")
    )
    std_threshold = models.DecimalField(
        _("flag when the standard deviation exceeds"), max_digits=5, decimal_places=2, default=Decimal("12")
    )
    add_reviewer_on_disagreement = models.BooleanField(_("add one more reviewer when flagged"), default=False)
    shortlist_size = models.PositiveSmallIntegerField(_("shortlist size"), default=3)
    progress = models.JSONField(default=dict, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "position"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "position"], name="round_position_unique"),
            models.CheckConstraint(
                condition=Q(hard_deadline__isnull=True)
                | Q(soft_deadline__isnull=True)
                | Q(hard_deadline__gte=models.F("soft_deadline")),
                name="round_hard_after_soft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} · {self.name}"


class ReviewItem(models.Model):
    """Anything reviewed in a round: a bid revision now, a milestone delivery later.

    The subject is generic so the engine never imports the apps above it; what the
    engine needs for conflicts and affinity is copied here when the item is created.
    """

    class Check(models.TextChoices):
        PENDING = "pending", _("Pending")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="items")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    label = models.CharField(_("title"), max_length=250)
    blind_label = models.CharField(_("anonymised title"), max_length=250)
    organisation_ids = models.JSONField(default=list, help_text="Organisations whose experts are conflicted.")
    field_ids = models.JSONField(default=list)
    keywords = models.JSONField(default=list)
    check_status = models.CharField(_("formal check"), max_length=8, choices=Check.choices, default=Check.PENDING)
    check_problems = models.JSONField(default=list, blank=True)
    check_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    check_reason = models.TextField(_("operator's reason"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_spread = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    score_std = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(default=0)
    flagged = models.BooleanField(_("flagged for discussion"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    slot_at = models.DateTimeField(_("presentation slot"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "rank", "created_at"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [models.UniqueConstraint(fields=["round", "subject_type", "subject_id"], name="item_once_per_round")]

    def __str__(self) -> str:
        return self.label


class Exclusion(models.Model):
    """Why an expert may not review an item (回避), kept so the operator can see every reason."""

    class Reason(models.TextChoices):
        SAME_ORGANISATION = "same_organisation", _("Works at the applicant or a partner")
        ISSUER = "issuer", _("Works at the issuing agency")
        DECLARED = "declared", _("Declared conflict")
        RECENT = "recent", _("Worked at the applicant or a partner recently")
        RECUSED = "recused", _("Recused")
        UNAVAILABLE = "unavailable", _("Unavailable in the review period")

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="exclusions")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="exclusions")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        constraints = [models.UniqueConstraint(fields=["item", "expert", "reason"], name="exclusion_once")]

    def __str__(self) -> str:
        return f"{self.expert} ✕ {self.item}: {self.get_reason_display()}"


class Assignment(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        SUBMITTED = "submitted", _("Submitted")
        RECUSED = "recused", _("Recused")
        CANCELLED = "cancelled", _("Cancelled")

    # Assignments that hold a place: they count towards the item's k and the expert's load.
    LIVE_STATES = frozenset({Status.PROPOSED, Status.INVITED, Status.ACCEPTED, Status.SUBMITTED})
    # The expert has not finished and could still do so.
    OPEN_STATES = frozenset({Status.PROPOSED, Status.INVITED, Status.ACCEPTED})

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    affinity = models.PositiveIntegerField(_("affinity"), default=0)
    locked = models.BooleanField(_("locked by the operator"), default=False)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    answer_by = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=250, blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_after_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "created_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            # An expert reviews an item once, whatever happened before.
            models.UniqueConstraint(fields=["item", "expert"], name="assignment_once_per_pair"),
        ]
        indexes = [models.Index(fields=["expert", "status"]), models.Index(fields=["status", "answer_by"])]

    def __str__(self) -> str:
        return f"{self.expert} → {self.item}"


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("overall comment"), blank=True)
    total = models.DecimalField(_("weighted score (of 100)"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment} ({self.get_status_display()})"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class Preference(models.Model):
    """An expert's stated wish to review (or not) an item, added to the affinity."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="preferences")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="preferences")
    value = models.SmallIntegerField(_("preference"), validators=[MinValueValidator(-20), MaxValueValidator(20)])

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.expert} {self.value:+d} {self.item}"
