"""Marking: the rules (rules.py), reports on marks (reports.py), CSV export (export.py) and the
emails students get (emails.py)."""
