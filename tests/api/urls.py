"""The portal's URLs with the API mounted as portal/urls.py will mount it (api/v1/)."""

from django.urls import include, path

from portal import urls as portal_urls

urlpatterns = [*portal_urls.urlpatterns]
if not any(getattr(p, "namespace", None) == "api" for p in urlpatterns):
    urlpatterns.append(path("api/v1/", include("api.urls")))

handler404 = portal_urls.handler404
handler403 = portal_urls.handler403
handler500 = portal_urls.handler500
