from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("statistiques/", views.statistics_page, name="statistics"),
    path("statistiques/statistiques.csv", views.statistics_csv, name="statistics_csv"),
    path("donnees-ouvertes/", views.open_data_index, name="open_data"),
    path("donnees-ouvertes/<str:region>/<int:year>.csv", views.scdl_csv, name="scdl_csv"),
    path("de-minimis/<str:region>/<int:year>.csv", views.register_csv, name="register_csv"),
]
