from django.contrib import admin

from .models import (
    Assignment,
    Criterion,
    DeclaredConflict,
    Exclusion,
    ExpertProfile,
    PastAffiliation,
    Review,
    ReviewItem,
    ReviewRound,
    Rubric,
    Score,
    Unavailability,
)


class PastAffiliationInline(admin.TabularInline):
    model = PastAffiliation
    extra = 0
    raw_id_fields = ["organisation"]


class DeclaredConflictInline(admin.TabularInline):
    model = DeclaredConflict
    extra = 0
    raw_id_fields = ["organisation"]


class UnavailabilityInline(admin.TabularInline):
    model = Unavailability
    extra = 0


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "affiliation", "tier", "max_concurrent", "is_active"]
    list_filter = ["tier", "is_active", "fields"]
    search_fields = ["user__full_name", "user__email", "keywords"]
    raw_id_fields = ["user", "affiliation"]
    inlines = [PastAffiliationInline, DeclaredConflictInline, UnavailabilityInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "is_template"]
    inlines = [CriterionInline]


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    list_display = ["challenge", "position", "kind", "status", "experts_per_item", "blind", "aggregation"]
    list_filter = ["kind", "status"]
    readonly_fields = ["status", "progress", "started_at", "completed_at"]
    raw_id_fields = ["challenge"]


class ExclusionInline(admin.TabularInline):
    model = Exclusion
    extra = 0
    readonly_fields = ["expert", "reason", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["label", "round", "check_status", "score", "rank", "flagged"]
    list_filter = ["check_status", "flagged"]
    readonly_fields = ["check_status", "check_problems", "score", "score_spread", "score_std", "rank"]
    inlines = [ExclusionInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "expert", "status", "affinity", "locked", "answer_by"]
    list_filter = ["status", "locked"]
    raw_id_fields = ["item", "expert", "replaces"]
    readonly_fields = ["status"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    readonly_fields = ["criterion", "value", "comment"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "total", "submitted_at"]
    readonly_fields = ["assignment", "status", "total", "submitted_at"]
    inlines = [ScoreInline]
