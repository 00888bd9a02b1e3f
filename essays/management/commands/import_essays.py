from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from essays.importing import (
    DocumentError,
    Outcome,
    decode_document,
    import_document,
    parse_document,
)


def expand_paths(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files as given, and the *.txt files of folders (sorted); problems as located messages."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not found:
                problems.append(f"{raw}: folder has no *.txt documents")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            problems.append(f"{raw}: not a file or folder")
        else:
            problems.append(f"{raw}: no such file or folder")
    return files, problems


class Command(BaseCommand):
    help = (
        "Import essay documents (headline, then TITLE, ESSAY, SUBJECT, PAPER, NOTES and optional "
        "TAGS sections) into the essay library. Each PATH is a document or a folder of *.txt "
        "documents. An essay whose headline gives the same slug is updated, not duplicated. "
        "A document with a problem is reported as FILE:LINE: problem and nothing of it is "
        "written; the others still import, and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a document or a folder")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the essays imported (new essays are drafts otherwise)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would be created or updated, and write nothing",
        )

    def handle(self, *args, paths, publish, dry_run, verbosity, **options):
        files, problems = expand_paths(paths)
        counts: Counter[str] = Counter(failed=len(problems))
        for problem in problems:
            self.stderr.write(self.style.ERROR(problem))

        total = len(files)
        width = len(str(total))
        for index, path in enumerate(files, start=1):
            progress = f"[{index:>{width}}/{total}]"
            try:
                result = self.import_file(path, publish=publish, dry_run=dry_run)
            except DocumentError as error:
                counts["failed"] += 1
                self.stderr.write(self.style.ERROR(f"{progress} {error.located(str(path))}"))
                continue
            counts[result.outcome] += 1
            if verbosity >= 1:
                verb = f"would be {result.outcome}" if dry_run else result.outcome
                detail = (
                    f" ({', '.join(result.changes)})" if result.outcome == Outcome.UPDATED else ""
                )
                self.stdout.write(f"{progress} {path}: {verb} {result.essay.slug}{detail}")

        summary = (
            f"{counts[Outcome.CREATED]} created, {counts[Outcome.UPDATED]} updated, "
            f"{counts[Outcome.UNCHANGED]} unchanged, {counts['failed']} failed"
        )
        if dry_run:
            summary = f"Dry run, nothing written: {summary}"
        if counts["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def import_file(self, path: Path, *, publish: bool, dry_run: bool):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DocumentError(f"cannot be read ({error.strerror})") from None
        document = parse_document(decode_document(data))
        if not dry_run:
            return import_document(document, publish=publish)
        with transaction.atomic():
            result = import_document(document, publish=publish)
            transaction.set_rollback(True)
        return result
