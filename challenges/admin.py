from django.contrib import admin

from .models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    FieldSubscription,
    Indicator,
    NdaSignature,
    Question,
    TechnicalField,
)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Operators see everything; state changes go through the services (pages and API)."""

    list_display = ["title", "issuer", "status", "government_funding", "bidding_closes_at", "published_at"]
    list_filter = ["status", "funding_mode", "fields"]
    search_fields = ["title", "summary"]
    list_select_related = ["issuer"]
    readonly_fields = ["status", "submitted_by", "approved_by", "published_at", "bidding_closed_at", "created_by"]
    raw_id_fields = ["issuer", "reissued_from"]
    inlines = [IndicatorInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TechnicalField)
class TechnicalFieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "position"]


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["challenge", "number", "created_by", "created_at"]
    readonly_fields = [f.name for f in Amendment._meta.fields]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["challenge", "asked_at", "answered_at"]
    raw_id_fields = ["challenge", "asked_by", "asked_for", "answered_by"]


@admin.register(NdaSignature)
class NdaSignatureAdmin(admin.ModelAdmin):
    list_display = ["challenge", "organisation", "signed_by", "signed_at", "nda_version"]
    readonly_fields = [f.name for f in NdaSignature._meta.fields]


admin.site.register(ChallengeAttachment)
admin.site.register(FieldSubscription)
