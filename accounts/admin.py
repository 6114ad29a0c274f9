"""People and roles; and the scoping (accounts.admin_scoping) of the admins registered by the
apps below this one (audit, outbox, territories) and by third-party packages."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.admin_scoping import ScopedAdminMixin, ScopedTabularInline, rescope_registered
from accounts.enums import Role
from accounts.models import RoleAssignment, User
from accounts.services import staff_access_grant

# Second factors change only through accounts.two_factor (audited, e-mailed to the person):
# django-otp's own admin pages would show a person's secret and let it be replaced silently.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class RoleAssignmentInline(ScopedTabularInline):
    model = RoleAssignment
    extra = 0
    administrators = True
    staff_read_only = True


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    """Accounts, their roles and their access flags: written by superusers only (an administrator
    who could edit them could make themselves superuser); administrators read them and may reset
    a lost second factor (the action below)."""

    administrators = True
    staff_read_only = True

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Accès", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["reset_two_factor"]

    def save_related(self, request, form, formsets, change):
        """Roles saved with the account: a scheme manager or administrator gets the admin access
        (accounts.services)."""
        super().save_related(request, form, formsets, change)
        staff_access_grant(user=form.instance)

    def has_otp_reset_permission(self, request) -> bool:
        return request.user.has_role(Role.ADMIN)

    @admin.action(
        description="Réinitialiser la double authentification et envoyer un lien d'activation",
        permissions=["otp_reset"],
    )
    def reset_two_factor(self, request, queryset):
        """Lost phone and backup codes: the devices are removed (audited, the person is told by
        e-mail) and a one-time enrolment link is e-mailed to the person."""
        for user in queryset:
            two_factor.devices_reset(user=user, by=request.user)
        self.message_user(
            request,
            f"Double authentification réinitialisée pour {queryset.count()} compte(s) : "
            "chacun reçoit un lien d'activation par courriel.",
            messages.SUCCESS,
        )


def _rescope_lower_and_third_party_admins(site) -> None:
    from allauth.account.models import EmailAddress
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from audit.models import AuditEvent
    from outbox.models import OutboxMessage
    from territories.models import Department, Region

    # Superusers only: groups, e-mail addresses, second factors, login attempts, the outbox.
    for model in [
        Group,
        EmailAddress,
        TOTPDevice,
        StaticDevice,
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
        OutboxMessage,
    ]:
        rescope_registered(site, model)
    # The audit trail: read by administrators (its admin refuses every write).
    rescope_registered(site, AuditEvent, administrators=True, read_only=True)
    # Reference data: read by administrators and by staff of the region, written by superusers.
    rescope_registered(site, Region, scope_region="pk", administrators=True, staff_read_only=True)
    rescope_registered(
        site, Department, scope_region="region", administrators=True, staff_read_only=True
    )


_rescope_lower_and_third_party_admins(admin.site)
