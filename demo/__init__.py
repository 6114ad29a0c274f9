"""Demonstration data of the portal (`manage.py seed_demo`): dossiers of each scheme taken through
the real services at every stage. Above every app but `portal` in the layers; nothing imports it
except the seed command."""
