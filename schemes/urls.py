from django.urls import path

from schemes import views

app_name = "schemes"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("simulateur/", views.simulator, name="simulator"),
    path("textes/<str:name>", views.source_text, name="source_text"),
    path("<str:code>/", views.scheme_detail, name="detail"),
]
