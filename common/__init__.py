"""Foundations shared by every app (the lowest layer): French number input and display."""
