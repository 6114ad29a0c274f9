import json
import sys

from django.core.management.base import BaseCommand

from schemes import core
from schemes.engine import dumps, parse_json


class EngineCommand(BaseCommand):
    """Reads a JSON situation (or a list) from FILE or standard input, prints the result.

    Bad input exits with status 2 and prints {"error": ..., "field": ...} on standard error.
    """

    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", help="Fichier JSON, ou - pour l'entrée standard."
        )

    def compute(self, data):
        raise NotImplementedError

    def handle(self, *args, file: str = "-", **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read()
            else:
                try:
                    with open(file, "rb") as handle:
                        raw = handle.read()
                except OSError as exc:
                    raise core.InputError(
                        f"Impossible de lire le fichier « {file} » : {exc.strerror}."
                    ) from exc
            result = self.compute(parse_json(raw))
        except core.InputError as error:
            sys.stderr.write(json.dumps(error.to_json(), ensure_ascii=False) + "\n")
            sys.exit(2)
        self.stdout.write(dumps(result))
