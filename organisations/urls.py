from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("ajouter/", views.organisation_add, name="add"),
    path("<int:pk>/modifier/", views.organisation_edit, name="edit"),
]
