"""`manage.py flush`, allowed to empty the audit trail (PostgreSQL refuses TRUNCATE otherwise).

flush is the explicit, confirmed wipe of the whole database; the test runner also uses it between
transactional tests. It sets `audit.allow_truncate` for its own session only, which the trigger of
audit/migrations/0003_audit_trail_refuse_truncate.py reads; a plain TRUNCATE stays refused.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.allow_truncate', 'on', false)")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('audit.allow_truncate', '', false)")
