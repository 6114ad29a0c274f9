from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("ajouter/", views.organisation_add, name="add"),
    path("<int:pk>/modifier/", views.organisation_edit, name="edit"),
    path("<int:pk>/membres/", views.organisation_members, name="members"),
    path(
        "<int:pk>/invitations/<int:invitation_id>/retirer/",
        views.invitation_delete,
        name="invitation_delete",
    ),
    path("invitation/<str:token>/", views.invitation_answer, name="invitation"),
]
