from django.contrib import admin

from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "created_at", "sent_at", "attempts"]
    list_filter = ["task"]
    readonly_fields = ["task", "kwargs", "created_at", "sent_at", "attempts", "last_error"]
