from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import services
from .models import Invitation, Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_operator", "is_staff", "is_active", "email_verified_at"]
    list_filter = ["is_operator", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "phone", "language"]}),
        (_("Status"), {"fields": ["is_active", "email_verified_at", "is_operator", "is_staff", "is_superuser"]}),
        (_("Permissions"), {"fields": ["groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "size", "is_specialised_sme", "status"]
    list_filter = ["kind", "status", "size", "is_specialised_sme"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["status", "rejection_reason", "verified_at", "verified_by"]
    raw_id_fields = ["parent"]
    inlines = [MembershipInline]
    actions = ["verify"]

    @admin.action(description=_("Verify the selected organisations"))
    def verify(self, request, queryset):
        # Through the service, so the admin is audited and checked like every other path.
        for organisation in queryset:
            try:
                services.organisation_verify(organisation=organisation, actor=request.user)
            except (DomainError, PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{organisation}: {exc}", messages.WARNING)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token", "accepted_at", "accepted_by"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
