from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.scheme_page, name="scheme"),
    path("<str:code>/nouvelle-version/", views.draft_new, name="draft_new"),
    path("<str:code>/importer/", views.version_import, name="import"),
    path("<str:code>/cas/nouveau/", views.case_edit, name="case_new"),
    path("<str:code>/cas/<int:case>/", views.case_edit, name="case_edit"),
    path("<str:code>/versions/<int:pk>/", views.version_edit, name="edit"),
    path("<str:code>/versions/<int:pk>/apercu/", views.version_preview, name="preview"),
    path("<str:code>/versions/<int:pk>/soumettre/", views.version_submit, name="submit"),
    path("<str:code>/versions/<int:pk>/reprendre/", views.version_reopen, name="reopen"),
    path("<str:code>/versions/<int:pk>/publier/", views.version_publish, name="publish"),
    path("<str:code>/versions/<int:pk>/retirer/", views.version_withdraw, name="withdraw"),
    path("<str:code>/versions/<int:pk>/attendu/", views.golden_expect, name="expect"),
    path("<str:code>/versions/<int:pk>/impact/", views.impact_start, name="impact"),
    path(
        "<str:code>/versions/<int:pk>/impact/<int:run>/",
        views.impact_status,
        name="impact_status",
    ),
    path(
        "<str:code>/versions/<int:pk>/export.<str:fmt>",
        views.version_export,
        name="export",
    ),
]
