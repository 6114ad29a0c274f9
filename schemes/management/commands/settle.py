from schemes.engine import settle
from schemes.management.base import EngineCommand


class Command(EngineCommand):
    help = "Calcule avance, aide finale, solde et reversement d'un paiement (voir contracts/simulate.md)."

    def compute(self, data):
        return settle(data)
