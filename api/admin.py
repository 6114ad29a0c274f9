"""API tokens, webhooks and their logs: administrators only."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from accounts.admin_scoping import ScopedAdminMixin
from api.models import ApiCall, ApiToken, Webhook, WebhookDelivery
from api.services import token_create, token_revoke, webhook_create, webhook_update


class AdministratorsOnly(ScopedAdminMixin):
    """Tokens and webhooks are for administrators (and superusers); accounts.admin_scoping."""

    administrators = True

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyLog(AdministratorsOnly):
    read_only = True


@admin.register(ApiToken)
class ApiTokenAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = [
        "name",
        "key_prefix",
        "region",
        "scheme_codes",
        "read_only",
        "expires_on",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["region", "read_only"]
    search_fields = ["name", "key_prefix"]
    actions = ["revoke"]
    add_fields = ["name", "region", "scheme_codes", "read_only", "expires_on"]
    readonly_on_change = [
        "key_prefix",
        "region",
        "scheme_codes",
        "read_only",
        "user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else ["name", "expires_on", *self.readonly_on_change]

    def get_readonly_fields(self, request, obj=None):
        # The scope is fixed at creation: a different scope is a new token.
        return [] if obj is None else self.readonly_on_change

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _, obj._plain_secret = token_create(
            token=obj,
            name=obj.name,
            region=obj.region,
            scheme_codes=obj.scheme_codes,
            read_only=obj.read_only,
            expires_on=obj.expires_on,
            created_by=request.user,
        )

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": "Jeton d'API créé",
            "token": obj,
            "secret": obj._plain_secret,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "api/admin/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, by=request.user)
        messages.success(request, "Les jetons sélectionnés sont révoqués.")


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyLog, admin.ModelAdmin):
    list_display = ["at", "token", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method"]
    search_fields = ["path"]
    date_hierarchy = "at"
    list_select_related = ["token"]


@admin.register(Webhook)
class WebhookAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["scheme", "target_url", "active", "allow_private", "created_at"]
    list_filter = ["scheme", "active"]
    fields = ["scheme", "target_url", "active", "allow_private", "secret", "created_by"]
    readonly_fields = ["secret", "created_by"]

    staff_delete = True

    def has_delete_permission(self, request, obj=None):
        return ScopedAdminMixin.has_delete_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        """Through the services, audited like a webhook created anywhere else."""
        if change:
            webhook_update(webhook=obj, by=request.user, changed=form.changed_data)
            return
        webhook_create(
            webhook=obj,
            scheme=obj.scheme,
            target_url=obj.target_url,
            allow_private=obj.allow_private,
            active=obj.active,
            created_by=request.user,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyLog, admin.ModelAdmin):
    list_display = [
        "created_at",
        "webhook",
        "dossier",
        "transition",
        "to_state",
        "attempts",
        "last_status",
        "delivered_at",
        "failed_at",
    ]
    list_filter = ["webhook__scheme", "event"]
    search_fields = ["dossier__number"]
    list_select_related = ["webhook__scheme", "dossier"]
