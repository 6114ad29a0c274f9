import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["PORTAL_SERVING"] = "1"  # settings refuse to serve without a SECRET_KEY
application = get_asgi_application()
