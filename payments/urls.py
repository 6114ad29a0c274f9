from django.urls import path

from payments import views_agent, views_beneficiary, views_home
from payments.urls_finance import finance_urlpatterns

app_name = "payments"

urlpatterns = [
    path("", views_home.home, name="home"),
    # Beneficiary (members of the dossier's organisation)
    path(
        "dossiers/<int:pk>/demande/<str:kind>/",
        views_beneficiary.payment_request_new,
        name="request_new",
    ),
    path(
        "dossiers/<int:pk>/etat-recapitulatif/",
        views_beneficiary.statement_pdf,
        name="statement_pdf",
    ),
    path(
        "dossiers/<int:pk>/changement-prestataire/",
        views_beneficiary.provider_change_new,
        name="provider_change_new",
    ),
    # Files of a payment request or provider change (agents of the scope and members)
    path(
        "dossiers/<int:pk>/factures/<int:invoice_id>/",
        views_agent.invoice_file,
        name="invoice_file",
    ),
    path(
        "dossiers/<int:pk>/pieces/<str:kind>/<int:obj_id>/",
        views_agent.payment_file,
        name="payment_file",
    ),
    # Instructing agent (service fait)
    path(
        "dossiers/<int:pk>/demandes/<int:request_id>/service-fait/",
        views_agent.request_certify_view,
        name="request_certify",
    ),
    path(
        "dossiers/<int:pk>/changements/<int:change_id>/decision/",
        views_agent.provider_change_decide_view,
        name="provider_change_decide",
    ),
    # Finance: validation, batches, recovery orders, budgets, dashboard (payments/urls_finance.py)
]
urlpatterns += finance_urlpatterns
