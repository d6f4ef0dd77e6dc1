from django.contrib import admin

from .models import AuditEvent, Notification, OutboundEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators may read, never change: for the audit trail and sent messages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "action", "actor", "organisation", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_id", "request_id", "actor__email"]
    list_select_related = ["actor", "organisation"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "verb", "title", "read_at"]
    list_filter = ["verb"]
    search_fields = ["recipient__email", "title", "key"]
    list_select_related = ["recipient"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["to", "subject", "key"]
