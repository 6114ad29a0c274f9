"""Finance URLs, merged by the lead into payments/urls.py (app_name "payments", mounted at paiements/)."""

from django.urls import path

from payments import views_finance as views
from payments import views_finance_numbers

finance_urlpatterns = [
    path("finance/", views.finance_queue, name="finance_queue"),
    path("finance/<int:pk>/valider/", views.finance_validate, name="finance_validate"),
    path("finance/<int:pk>/renvoyer/", views.finance_send_back, name="finance_send_back"),
    path("finance/lots/", views.batch_list, name="batches"),
    path("finance/lots/nouveau/", views.batch_create, name="batch_create"),
    path("finance/lots/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("finance/lots/<int:pk>/exporter/", views.batch_export, name="batch_export"),
    path(
        "finance/lots/<int:pk>/retirer/<int:payment_pk>/",
        views.batch_remove,
        name="batch_remove",
    ),
    path("finance/lots/<int:pk>/fichier/<str:fmt>/", views.batch_file, name="batch_file"),
    path("finance/lots/<int:pk>/paye/", views.batch_paid, name="batch_paid"),
    path("finance/lots/<int:pk>/retour/", views_finance_numbers.batch_return, name="batch_return"),
    path("finance/profil-export/", views_finance_numbers.profile, name="finance_profile"),
    path(
        "finance/dossiers/<int:pk>/numeros/",
        views_finance_numbers.numbers,
        name="finance_numbers",
    ),
    path("finance/titres-de-recette/", views.recoveries, name="recoveries"),
    path(
        "finance/titres-de-recette/<int:pk>/recu/",
        views.recovery_received,
        name="recovery_received",
    ),
    path("budget/<str:code>/", views.budget_page, name="budget"),
    path("budget/<str:code>/<int:year>/relever/", views.budget_raise, name="budget_raise"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/export.csv", views.dashboard_csv, name="dashboard_csv"),
]
