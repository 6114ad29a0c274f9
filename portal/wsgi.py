import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["PORTAL_SERVING"] = "1"  # settings refuse to serve without a SECRET_KEY
application = get_wsgi_application()


def _import_views() -> None:
    """Import the URL conf, and through it every view, now rather than on the first request.

    gunicorn runs with --preload (docker-compose.yml): the master process loads this module once
    and its workers start with the views already imported (about 150 ms of each worker's first
    request otherwise). Imports only: no database or cache connection is opened before the fork.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the URL modules)


_import_views()
