"""Textual screens, one per lifecycle step plus login, home and help."""
