"""Who may do what in the Django admin, written once and applied to every ModelAdmin and inline.

The roles decide, never Django's model permissions (except for superusers, who see everything):

- a superuser: every model, every object;
- an administrator (role `admin`): the models whose admin sets `administrators = True`, every
  region;
- a region-scoped staff member (by default a scheme manager): the models whose admin names the
  path to their region (`scope_region`, and `scope_scheme` for the scheme code), and only the
  objects of the regions (and schemes) of their assignments;
- anyone else (agents and finance officers included, even with `is_staff`): nothing.

Within that scope every staff write is checked: the list (`get_queryset`), the object pages
(view, change, delete), the choices of every foreign-key and many-to-many field (limited to the
related model's scope, empty when the related model has none), and a save-time check that the
saved object (and every inline object) still lies in the scope: someone posting the id of
another region's object gets a form error or a 403, and nothing is written.
"""

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.enums import Role

OUT_OF_SCOPE = "Cet élément n'appartient pas à votre périmètre (région et dispositifs)."


class ScopedAdminMixin:
    """Mix into every ModelAdmin and InlineModelAdmin (before the admin class)."""

    # Path from the model to its region ("region", "scheme__region", "pk" for Region itself);
    # None: the model belongs to no region and is for administrators (or superusers) only.
    scope_region: str | None = None
    # Path from the model to its scheme code ("code", "scheme__code"); None: region only.
    scope_scheme: str | None = None
    # Region roles that may work on this model, within their regions and schemes.
    staff_roles: tuple = (Role.SCHEME_MANAGER,)
    # Administrators (role `admin`, not superuser) may work on this model, in every region.
    administrators: bool = False
    # A log: nobody adds, changes or deletes through the admin, superusers included.
    read_only: bool = False
    # Reference data: only superusers add, change or delete; the others may only read.
    staff_read_only: bool = False
    # Whether people other than superusers may delete (never by default: history is kept).
    staff_delete: bool = False

    # --- The scope ----------------------------------------------------------------------------

    def scope_for(self, request) -> Q | None:
        """A filter on this model's objects the user may reach, or None for no access at all."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None
        if user.is_superuser:
            return Q()
        if self.administrators and user.has_role(Role.ADMIN):
            return Q()
        if self.scope_region is None:
            return None
        assignments = [
            a for a in user.assignments() if a.role in self.staff_roles and a.region_id is not None
        ]
        if not assignments:
            return None
        query = Q(pk__in=[])
        for assignment in assignments:
            part = Q(**{self.scope_region: assignment.region_id})
            if assignment.scheme_codes and self.scope_scheme:
                part &= Q(**{f"{self.scope_scheme}__in": assignment.scheme_codes})
            query |= part
        return query

    def _in_scope(self, request, obj) -> bool:
        scope = self.scope_for(request)
        if scope is None:
            return False
        if obj is None or scope == Q() or isinstance(self, InlineModelAdmin):
            # An inline's object is its parent, already checked by the parent's admin.
            return True
        return type(obj)._default_manager.filter(pk=obj.pk).filter(scope).exists()

    # --- Permissions ---------------------------------------------------------------------------
    # A superuser gets what the admin class below would give (Django's default: everything, or
    # the restrictions of the package's own admin, e.g. read-only logs); everyone else gets what
    # their roles give, Django's model permissions aside.

    def _superuser(self, request) -> bool:
        user = request.user
        return user.is_authenticated and user.is_active and user.is_staff and user.is_superuser

    def has_module_permission(self, request):
        if self._superuser(request):
            return super().has_module_permission(request)
        return self.scope_for(request) is not None

    def has_view_permission(self, request, obj=None):
        if self._superuser(request):
            return super().has_view_permission(request, obj)
        return self._in_scope(request, obj)

    def _may_write(self, request) -> bool:
        return not self.read_only and not self.staff_read_only

    def has_add_permission(self, request, obj=None):
        if self._superuser(request):
            if self.read_only:
                return False
            if isinstance(self, InlineModelAdmin):
                return super().has_add_permission(request, obj)
            return super().has_add_permission(request)
        return self._may_write(request) and self.scope_for(request) is not None

    def has_change_permission(self, request, obj=None):
        if self._superuser(request):
            return not self.read_only and super().has_change_permission(request, obj)
        return self._may_write(request) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._superuser(request):
            return not self.read_only and super().has_delete_permission(request, obj)
        return self.staff_delete and self._may_write(request) and self._in_scope(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = self.scope_for(request)
        return queryset.none() if scope is None else queryset.filter(scope)

    # --- Choices of related fields ------------------------------------------------------------

    def limit_choices(self, request, queryset):
        """The related objects the user may point to: the related model's admin scope."""
        if queryset is None or self.scope_for(request) == Q():
            return queryset
        related = self.admin_site._registry.get(queryset.model)
        scope = related.scope_for(request) if isinstance(related, ScopedAdminMixin) else None
        return queryset.none() if scope is None else queryset.filter(scope)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.limit_choices(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.limit_choices(request, field.queryset)
        return field

    # --- Save-time check (inside the admin's transaction: a refusal writes nothing) -----------

    def _check_saved(self, request, scope: Q | None, objects) -> None:
        if scope == Q():
            return
        for obj in objects:
            manager = type(obj)._default_manager
            if scope is None or not manager.filter(pk=obj.pk).filter(scope).exists():
                raise PermissionDenied(OUT_OF_SCOPE)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._check_saved(request, self.scope_for(request), [obj])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        inline = next(
            (i for i in self.get_inline_instances(request) if i.model is formset.model), None
        )
        scope = inline.scope_for(request) if isinstance(inline, ScopedAdminMixin) else None
        saved = [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]
        self._check_saved(request, scope, saved)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    pass


def scoped(admin_class, **attributes):
    """`admin_class` with the scoping mixin (for admins written by other packages)."""
    if issubclass(admin_class, ScopedAdminMixin):
        return admin_class
    if "inlines" not in attributes and getattr(admin_class, "inlines", None):
        attributes["inlines"] = [scoped(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (ScopedAdminMixin, admin_class), attributes)


def rescope_registered(site, model, **attributes) -> None:
    """Register again a model another package registered, with the scoping mixin."""
    if model not in site._registry:
        return
    admin_class = type(site._registry[model])
    site.unregister(model)
    site.register(model, scoped(admin_class, **attributes))
