from django.contrib import admin

from .models import Award, Contract, Decision, Delivery, Disbursement, Milestone, Objection


class ReadOnly(admin.ModelAdmin):
    """Operators read the money trail here; every change goes through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ["challenge", "status", "decided_by", "decided_at", "publicity_ends_at"]
    list_filter = ["status"]


@admin.register(Award)
class AwardAdmin(ReadOnly):
    list_display = ["challenge", "winner", "amount", "rank", "status"]
    list_filter = ["status"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnly):
    list_display = ["award", "real_name", "status", "created_at", "resolved_at"]
    list_filter = ["status"]


@admin.register(Contract)
class ContractAdmin(ReadOnly):
    list_display = ["award", "amount", "version", "status", "agency_signed_at", "winner_signed_at"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnly):
    list_display = ["title", "contract", "due_date", "tranche_amount", "status"]
    list_filter = ["status"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["milestone", "number", "submitted_by", "submitted_at"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnly):
    list_display = ["award", "milestone", "amount", "status", "reference", "paid_at"]
    list_filter = ["status"]
