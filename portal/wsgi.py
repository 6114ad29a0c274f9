import logging
import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["PORTAL_SERVING"] = "1"  # settings refuse to serve without a SECRET_KEY
application = get_wsgi_application()
logger = logging.getLogger(__name__)


def _import_views() -> None:
    """Import the URL conf, and through it every view, now rather than on the first request.

    gunicorn runs with --preload (docker-compose.yml): the master process loads this module once
    and its workers start with the views imported (about 150 ms of each worker's first request
    otherwise). Imports only: no database or cache connection is opened before the fork.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the URL modules)


def _compile_templates() -> None:
    """Compile the portal's own page templates into the cached loader, likewise shared by the
    workers (up to 200 ms of a worker's first view of a page: the review page and its tags).

    A template that does not compile is left to fail, with its usual error page, when it is
    served: the portal still starts.
    """
    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.template.backends.django import DjangoTemplates

    base = Path(settings.BASE_DIR)
    for backend in engines.all():
        if not isinstance(backend, DjangoTemplates):
            continue
        for directory in map(Path, backend.template_dirs):
            if not directory.is_relative_to(base) or "site-packages" in directory.parts:
                continue  # Django's and the libraries' templates: compiled when first used
            for path in sorted(directory.rglob("*.html")):
                name = path.relative_to(directory).as_posix()
                try:
                    backend.engine.get_template(name)
                except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
                    logger.warning("Template %s not compiled at start-up: %s", name, exc)


_import_views()
_compile_templates()
