"""Settings of the REST API, the webhooks and reporting (kept apart from portal/settings.py)."""

API_APPS = ["api", "reporting"]
