"""A class saving and submitting at the same moment: nothing lost, nothing doubled.

A small version of bench/load_submit.py: ten students against the test server at once.
"""

import threading

import pytest

from essays.models import Response
from tests.factories import EssayFactory, UserFactory
from tests.http_client import StudentClient

pytestmark = pytest.mark.django_db(transaction=True)

STUDENTS = 10
SAVES = 5
PASSWORD = "correct horse battery staple"


def test_simultaneous_saves_and_double_submits_lose_and_duplicate_nothing(live_server):
    essay = EssayFactory(status="published", slug="stalin")
    for n in range(STUDENTS):
        UserFactory(username=f"pupil{n}", password=PASSWORD)

    start_together = threading.Barrier(STUDENTS)
    acknowledged: dict[str, str] = {}
    submitted_ok: dict[str, int] = {}
    statuses: list[int] = []

    def student(n: int) -> None:
        client = StudentClient(live_server.url)
        username = f"pupil{n}"
        assert client.log_in(username, PASSWORD)
        start_together.wait()
        attempt, version, response_id, body = 1, 0, None, ""
        for save in range(SAVES):
            body = f"{username} paragraph {save}. " * (save + 1)
            result, data = client.autosave(essay.slug, body, attempt, version)
            statuses.append(result.status)
            if result.status == 200:
                version, response_id = data["version"], data["response"]
                acknowledged[username] = body
        # A double click: the same submission sent twice at once.
        results = []
        threads = [
            threading.Thread(
                target=lambda: results.append(client.submit(essay.slug, response_id, version))
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses.extend(r.status for r in results)
        submitted_ok[username] = sum(r.status == 302 for r in results)

    threads = [threading.Thread(target=student, args=(n,)) for n in range(STUDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(status < 500 for status in statuses), statuses
    assert len(acknowledged) == STUDENTS
    for username, body in acknowledged.items():
        rows = Response.objects.filter(student__username=username)
        assert rows.count() == 1, f"{username} has {rows.count()} responses"
        saved = rows.get()
        assert saved.body == body, f"{username}'s last acknowledged save was lost"
        assert saved.status == Response.Status.SUBMITTED
        assert submitted_ok[username] == 2  # both clicks answered: the second sees it submitted
