"""What people and attackers send: every public and student URL answers with a clear 4xx or a
form error, never a 500, and a refused request changes nothing in the database."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from essays.importing import DocumentError, parse_document
from essays.models import Essay, Response
from essays.text import count_words
from tests.factories import EssayFactory, ResponseFactory

pytestmark = pytest.mark.django_db

NASTY_TEXT = [
    "",
    "   \t\n ",
    "\x00",
    "before\x00after",
    "'; DROP TABLE essays_essay; --",
    "<script>alert('owned')</script>",
    "x" * 5000,
    "%00%ff%fe",
    "\uffff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎓",
]


@pytest.fixture
def world(student):
    essay = EssayFactory(status="published", slug="stalin")
    draft = ResponseFactory(student=student, essay=essay, body="Safe text", version=3)
    return {"essay": essay, "draft": draft}


def snapshot():
    return (
        list(Essay.objects.values_list("pk", "body", "status")),
        list(Response.objects.values_list("pk", "body", "status", "version")),
    )


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what} gave {response.status_code}"


GET_URLS = [
    "/",
    "/essays/stalin/",
    "/essays/stalin/respond/",
    "/essays/stalin/respond/submit/",
    "/responses/",
    "/accounts/login/",
    "/accounts/signup/",
]


@pytest.mark.parametrize("url", GET_URLS)
@pytest.mark.parametrize("value", NASTY_TEXT)
def test_query_strings_never_break_a_page(student_client, world, url, value):
    before = snapshot()
    for param in ("q", "page", "subject", "level", "tag", "next"):
        response = student_client.get(url, {param: value})
        assert_no_server_error(response, f"{url}?{param}={value[:20]!r}")
    assert snapshot() == before


@pytest.mark.parametrize(
    "query_string",
    ["q=%ff%fe", "q=%00", "subject=%c3%28", "page=%ff", "tag=%00%00", "q=%F0%9F"],
)
def test_invalid_utf8_and_nul_in_query_strings(client, world, query_string):
    response = client.get("/", QUERY_STRING=query_string)
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["-1", "0", "99999999999999999999", "1e9", "2.5", "last"])
def test_odd_page_numbers(client, world, page):
    assert client.get("/", {"page": page}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/essays/no-such-essay/",
        "/essays/no-such-essay/respond/",
        "/essays/%00/",
        "/responses/999999/",
        "/responses/99999999999999999999999/",
        "/responses/-1/",
        "/responses/abc/",
    ],
)
def test_unknown_slugs_and_ids_are_not_found(student_client, url):
    assert student_client.get(url).status_code == 404


@pytest.mark.parametrize("body", [*NASTY_TEXT, "y" * 2_000_000])
def test_the_editor_form_refuses_or_keeps_text_without_failing(student_client, world, body):
    before = snapshot()
    response = student_client.post(
        "/essays/stalin/respond/", {"body": body, "attempt": 1, "version": 3, "action": "save"}
    )
    assert_no_server_error(response, f"body {body[:20]!r}")
    if response.status_code >= 400:
        assert snapshot() == before
    elif "\x00" not in body and len(body) <= 200_000:
        assert Response.objects.get().body == body


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"body": "x"},
        {"body": "x", "attempt": "one", "version": "3"},
        {"body": "x", "attempt": "1", "version": "-5"},
        {"body": "x", "attempt": "1", "version": "1" * 40},
    ],
)
def test_malformed_editor_forms_are_refused(student_client, world, fields):
    before = snapshot()
    response = student_client.post("/essays/stalin/respond/", fields)
    # 400 for fields that make no sense; 409 (a conflict, both texts shown) for a version
    # that is not the draft's.
    assert response.status_code in (400, 409)
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{",
        b"null",
        b'"text"',
        b"[]",
        b'{"body": null, "attempt": 1, "version": 3}',
        b'{"body": "x", "attempt": 1, "version": 1e400}',
        b'{"body": "x", "attempt": 99999999999999999999999, "version": 3}',
        b"\xff\xfe\x00",
        json.dumps({"body": "x" * 2_000_000, "attempt": 1, "version": 3}).encode(),
        json.dumps({"body": "a\x00b", "attempt": 1, "version": 3}).encode(),
    ],
)
def test_malformed_autosaves_are_refused(student_client, world, payload):
    before = snapshot()
    response = student_client.post(
        "/essays/stalin/respond/autosave/", payload, content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert "message" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/essays/stalin/respond/"),
        ("delete", "/essays/stalin/respond/"),
        ("patch", "/essays/stalin/respond/autosave/"),
        ("post", "/"),
        ("post", "/essays/stalin/"),
        ("post", "/responses/"),
        ("delete", "/healthz"),
        ("get", "/essays/stalin/respond/new/"),
        ("get", "/essays/stalin/attempt-first/"),
    ],
)
def test_wrong_methods_are_refused(student_client, world, method, url):
    before = snapshot()
    response = getattr(student_client, method)(url)
    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/essays/stalin/respond/", {"body": "x", "attempt": 1, "version": 3, "action": "save"}),
        ("/essays/stalin/respond/submit/", {"response": 1, "version": 3}),
        ("/essays/stalin/respond/new/", {"start_from": "blank"}),
        ("/essays/stalin/attempt-first/", {}),
        ("/accounts/logout/", {}),
    ],
)
def test_posts_without_a_csrf_token_change_nothing(student, world, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("value", NASTY_TEXT)
def test_signup_and_login_answer_nasty_text_with_form_errors(client, value):
    response = client.post(
        "/accounts/signup/",
        {"username": value, "email": value, "password1": value, "password2": value},
    )
    assert response.status_code == 400
    response = client.post("/accounts/login/", {"username": value, "password": value})
    assert response.status_code in (200, 429)


def test_scripts_in_essays_and_answers_are_shown_as_text(student_client, student):
    essay = EssayFactory(
        status="published",
        headline="<script>alert(1)</script>",
        body="<img src=x onerror=alert(2)>",
    )
    ResponseFactory(student=student, essay=essay, status="submitted", body="<b>bold</b>")
    for url in ("/", essay.get_absolute_url(), "/responses/"):
        page = student_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
    response = Response.objects.get()
    page = student_client.get(response.get_absolute_url()).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_the_importer_parser_either_reads_a_document_or_says_why(text):
    try:
        document = parse_document(text)
    except DocumentError as error:
        assert error.message
        assert error.line is None or error.line >= 1
    else:
        assert document.headline and document.body and document.statement


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            [
                "TITLE",
                "ESSAY",
                "SUBJECT",
                "PAPER",
                "NOTES",
                "TAGS",
                "KEY POINTS",
                "x",
                "",
                "‘quoted’",
                "a | b",
                "|",
                "top of page",
            ]
        ),
        max_size=30,
    )
)
def test_the_parser_copes_with_any_arrangement_of_headings(lines):
    try:
        parse_document("\n".join(lines))
    except DocumentError as error:
        assert error.message


@settings(max_examples=300)
@given(st.text())
def test_the_word_count_never_fails(text):
    assert count_words(text) >= 0


def test_invalid_utf8_in_a_form_body_is_refused_or_kept_without_failing(student_client, world):
    response = student_client.post(
        "/essays/stalin/respond/",
        b"body=%ff%fe%00abc&attempt=1&version=3&action=save",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert Response.objects.get().body == "Safe text"
