from django.urls import path

from applications import views, views_documents, views_official, views_receipt

app_name = "applications"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("nouveau/", views.dossier_new, name="new"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/organisation/", views.step_organisation, name="step_organisation"),
    path("<int:pk>/eligibilite/", views.step_eligibility, name="step_eligibility"),
    path("<int:pk>/projet/", views.step_project, name="step_project"),
    path("<int:pk>/financements/", views.step_funding, name="step_funding"),
    path("<int:pk>/pieces/", views_documents.step_documents, name="step_documents"),
    path(
        "<int:pk>/pieces/<int:attachment_id>/",
        views_documents.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/pieces/<int:attachment_id>/supprimer/",
        views_documents.attachment_delete,
        name="attachment_delete",
    ),
    path("<int:pk>/banque/", views.step_bank, name="step_bank"),
    path("<int:pk>/recapitulatif/", views.step_summary, name="step_summary"),
    path("<int:pk>/deposer/", views.dossier_submit, name="submit"),
    path("<int:pk>/recepisse/", views_receipt.receipt_download, name="receipt"),
    path(
        "<int:pk>/documents/<int:document_id>/",
        views_official.official_document_download,
        name="official_document",
    ),
]
