from django.urls import path

from instruction import (
    views,
    views_applicant,
    views_batch,
    views_bulk,
    views_commission,
    views_documents,
    views_files,
    views_queue,
    views_shaping,
)

app_name = "instruction"

urlpatterns = [
    path("", views_queue.queue, name="queue"),
    path("export/", views_queue.export, name="export"),
    path("attribuer/", views_commission.bulk_assign, name="bulk_assign"),
    path("etiqueter/", views_shaping.bulk_label, name="bulk_label"),
    path("lots/", views_batch.jobs, name="batches"),
    path("lots/preparer/", views_batch.prepare, name="batch_prepare"),
    path("lots/lancer/", views_batch.start, name="batch_start"),
    path("lots/<int:pk>/", views_batch.job, name="batch"),
    path("colonnes/", views_shaping.columns, name="columns"),
    path("filtres/", views_shaping.filter_save, name="filter_save"),
    path("filtres/<int:pk>/supprimer/", views_shaping.filter_delete, name="filter_delete"),
    path("etiquettes/", views_shaping.labels, name="labels"),
    path("etiquettes/<int:pk>/supprimer/", views_shaping.label_remove, name="label_delete"),
    path("messages-groupes/", views_bulk.bulk_messages, name="bulk_messages"),
    path("dossiers/<int:pk>/", views.dossier_review, name="dossier"),
    path("dossiers/<int:pk>/action/<slug:action>/", views.dossier_action, name="action"),
    path("dossiers/<int:pk>/pieces/<int:attachment_id>/", views.attachment_open, name="attachment"),
    path(
        "dossiers/<int:pk>/pieces/<int:attachment_id>/apercu/",
        views_files.attachment_preview,
        name="attachment_preview",
    ),
    path("dossiers/<int:pk>/archive.zip", views_files.dossier_archive, name="dossier_archive"),
    path(
        "dossiers/<int:pk>/documents/<int:document_id>/",
        views_documents.agent_document_download,
        name="document",
    ),
    path("commission/", views_commission.sessions, name="sessions"),
    path("commission/<int:pk>/", views_commission.session_detail, name="session"),
    path(
        "commission/<int:pk>/inscrire/", views_commission.session_schedule, name="session_schedule"
    ),
    path("commission/<int:pk>/vote/", views_commission.session_vote, name="session_vote"),
    path(
        "commission/<int:pk>/retirer/",
        views_commission.session_unschedule,
        name="session_unschedule",
    ),
]

# Applicant side of instruction, under the dossier's URL (namespace "instruction_applicant").
applicant_urlpatterns = [
    path("<int:pk>/complements/", views_applicant.complements_answer, name="complements_answer"),
    path("<int:pk>/messages/", views_applicant.message_post, name="message_post"),
    path(
        "<int:pk>/messages/<int:message_id>/piece/",
        views_applicant.message_attachment,
        name="message_attachment",
    ),
]
