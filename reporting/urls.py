from django.urls import path

from reporting import views, views_exports

app_name = "reporting"

urlpatterns = [
    path("statistiques/", views.statistics_page, name="statistics"),
    path("statistiques/statistiques.csv", views.statistics_csv, name="statistics_csv"),
    path("donnees-ouvertes/", views.open_data_index, name="open_data"),
    path("donnees-ouvertes/<str:region>/<int:year>.csv", views.scdl_csv, name="scdl_csv"),
    path("de-minimis/<str:region>/<int:year>.csv", views.register_csv, name="register_csv"),
    path("exports/file-instruction/", views_exports.queue_export, name="queue_export"),
    path("exports/<uuid:job_id>/", views_exports.export_status, name="export"),
    path("exports/<uuid:job_id>/fichier/", views_exports.export_download, name="export_file"),
]
