"""The README's commands work as written, in a new shell after `make run` (which writes the
development .env): every `manage.py` command it shows starts, importing documents included,
and every `make` target it names exists."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
README = (ROOT / "README.md").read_text()
MANAGE_COMMAND = re.compile(r"(?:\.venv/bin/)?python manage\.py ([a-z_]+)")
MAKE_TARGET = re.compile(r"`make ([a-z-]+)")


def readme_commands() -> list[str]:
    return sorted(set(MANAGE_COMMAND.findall(README)))


def development_shell(tmp_path: Path) -> dict:
    """A new shell: nothing of StudyHub's in the environment but what .env gives it (as
    `make run` writes it), and a database of its own."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment["STUDYHUB_ENV_FILE"] = str(ROOT / ".env.development")
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return environment


def manage(environment: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_shows_manage_py_commands():
    assert {"import_essays", "loaddata", "migrate", "generate_load_data"} <= set(readme_commands())


@pytest.mark.parametrize("command", readme_commands())
def test_each_manage_py_command_in_the_readme_starts(tmp_path, command):
    result = manage(development_shell(tmp_path), command, "--help")
    assert result.returncode == 0, result.stderr


def test_importing_documents_works_as_written_after_make_run(tmp_path):
    shell = development_shell(tmp_path)
    assert manage(shell, "migrate", "--no-input", "-v", "0").returncode == 0
    result = manage(shell, "import_essays", "--dry-run", "fixtures/documents")
    assert result.returncode == 0, result.stderr
    assert "Dry run, nothing written: 7 created" in result.stdout


@pytest.mark.parametrize("target", sorted(set(MAKE_TARGET.findall(README))))
def test_each_make_target_in_the_readme_exists(target):
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), target
