"""How StudyHub names a person on staff pages, in emails and in exports. Pure: it reads the
account it is given and nothing else."""


def display_name(user) -> str:
    """Their full name, "Maya Patel", or the username alone when no name was given."""
    return user.get_full_name() or user.get_username()


def person_label(user) -> str:
    """How staff pages name a student (or a colleague): "Maya Patel (mpatel)", or the username
    alone when no name was given. The real name is what a teacher knows; the username tells two
    students of one name apart."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()
