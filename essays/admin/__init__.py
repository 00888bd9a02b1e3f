"""The admin site for staff: the library for editors (library.py), marking for teachers
(marking.py) with their comment bank (comment_bank.py), and teachers' classes (classes.py, with
their rosters in roster_upload.py) and set work (set_work.py, with each piece's board in
board.py), scoped to their own classes (scoping.py) with forms in class_forms.py; moderation
samples for heads of department and second markers (moderation.py). Each module
registers its own models with @admin.register."""

from essays.admin import classes, comment_bank, library, marking, moderation, set_work

__all__ = ["classes", "comment_bank", "library", "marking", "moderation", "set_work"]
