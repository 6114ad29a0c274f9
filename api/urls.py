from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("schemes", views.SchemeViewSet, basename="scheme")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    *router.urls,
]
