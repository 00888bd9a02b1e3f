"""The admin site for staff: the library for editors (library.py), marking for teachers
(marking.py), and teachers' classes and set work (classes.py). Each module registers its own
models with @admin.register."""

from essays.admin import classes, library, marking

__all__ = ["classes", "library", "marking"]
