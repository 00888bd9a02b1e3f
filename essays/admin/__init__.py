"""The admin site for staff: the library for editors (library.py) and marking for teachers
(marking.py). Each module registers its own models with @admin.register."""

from essays.admin import library, marking

__all__ = ["library", "marking"]
