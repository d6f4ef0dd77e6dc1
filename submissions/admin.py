from django.contrib import admin

from .models import Bid, BidAttachment, BidRevision, BudgetLine, Commitment, KeyPerson, Partner, PlannedMilestone


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    raw_id_fields = ["organisation", "invited_by", "responded_by"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RevisionInline(ReadOnlyInline):
    model = BidRevision
    fields = ["number", "submitted_at", "submitted_by", "sha256"]
    readonly_fields = fields


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    """Operators read bids here; changes go through the services (pages and API)."""

    list_display = ["title", "challenge", "lead", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["title", "lead__name", "challenge__title"]
    list_select_related = ["challenge", "lead"]
    readonly_fields = [
        "status",
        "current_revision",
        "submitted_at",
        "withdrawn_at",
        "integrity_pledged_at",
        "integrity_pledged_by",
    ]
    raw_id_fields = ["challenge", "lead", "created_by"]
    inlines = [PartnerInline, CommitmentInline, RevisionInline]

    def has_delete_permission(self, request, obj=None):
        return False


for model in (BidAttachment, BudgetLine, KeyPerson, PlannedMilestone):
    admin.site.register(model)
