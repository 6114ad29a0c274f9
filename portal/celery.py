import os
import sys

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# A worker or beat serves the portal: settings then refuse to run without a SECRET_KEY.
if os.path.basename(sys.argv[0]).startswith("celery"):
    os.environ["PORTAL_SERVING"] = "1"

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
