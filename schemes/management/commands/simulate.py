from schemes.engine import simulate
from schemes.management.base import EngineCommand


class Command(EngineCommand):
    help = "Évalue une situation (ou une liste) avec les règles des dispositifs (voir contracts/simulate.md)."

    def compute(self, data):
        return simulate(data)
