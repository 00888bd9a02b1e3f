"""The marking pile's table (ResponseAdmin's list), written as Django's `{% result_list %}`
writes it, cell for cell, in a fraction of the time.

Django's `items_for_result` works each of a page's 550 cells (50 scripts × 11 columns) out from
scratch: which field or method the column is, the page's "empty" mark, the link to the script
with the list's filters kept (a URL resolved back for every link), each cell's markup through
`format_html`; the template then writes the cells one by one. That was about half of the pile's
time. Here what is the same for every row is worked out once a page (each column's field,
classes and link; the filters every link carries) and each row is written as one piece of HTML,
with the admin's own `lookup_field`, `display_for_field` and `display_for_value` giving each
cell's text, so it reads exactly as Django's would (tests/marking/test_marking_admin.py compares
the two). A list Django's way can do more with (editable fields, a pop-up, another key field)
is written by Django itself.
"""

import datetime
import html
from dataclasses import dataclass

from django.contrib.admin.templatetags.admin_list import (
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Column:
    """What one column writes the same way in every row."""

    name: str
    field: models.Field | None
    # `<td class="…">` or, for the row's first link, `<th class="…">`.
    tag: str
    classes: str
    link: bool


def result_table(cl) -> dict:
    """The context of admin/change_list_results.html, as Django's `result_list` tag makes
    it."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows(cl),
    }


def rows(cl) -> list[list[SafeString]]:
    """Each row of the page as one piece of HTML (a list of one, as the template loops over a
    row's cells)."""
    results = list(cl.result_list)
    unusual = any(not isinstance(name, str) or LOOKUP_SEP in name for name in cl.list_display)
    if not results or unusual or cl.formset or cl.is_popup or cl.to_field:
        return django_rows(cl, results)
    try:
        columns = list(page_columns(cl, results[0]))
    except ObjectDoesNotExist:  # the first row's column is a missing object: Django copes
        return django_rows(cl, results)
    empty = cl.model_admin.get_empty_value_display()
    link = RowLink(cl, results[0])
    return [
        [SafeString("".join(cell(cl, column, result, empty, link) for column in columns))]
        for result in results
    ]


def django_rows(cl, results) -> list[list[str]]:
    return [list(items_for_result(cl, result, None)) for result in results]


def page_columns(cl, first):
    """The page's columns, as items_for_result tells them apart."""
    links = cl.list_display_links
    linked_yet = False
    for name in cl.list_display:
        field, _, _ = lookup_field(name, first, cl.model_admin)
        if field is not None and field.auto_created:
            field = None
        classes = [f"field-{name}"]
        if field is None and name == "action_checkbox":
            classes = ["action-checkbox"]
        if field is not None and isinstance(
            field, (models.DateField, models.TimeField, models.ForeignKey)
        ):
            classes.append("nowrap")
        link = links is not None and ((not linked_yet and not links) or name in links)
        tag = "th" if link and not linked_yet else "td"
        linked_yet = linked_yet or link
        yield Column(name, field, tag, " ".join(classes), link)


class RowLink:
    """The address of a row's script, with the list's filters it carries
    ("?_changelist_filters=…"): worked out for the first row, then the same for every row but
    the script's id."""

    def __init__(self, cl, first):
        pk_attname = cl.pk_attname
        url = cl.url_for_result(first)
        linked = add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
        )
        self.before, found, after = url.rpartition(f"/{quote(getattr(first, pk_attname))}/")
        if not found:
            raise ValueError(f"No id in the script's address {url}")
        self.after = after + linked.removeprefix(url)
        self.pk_attname = pk_attname

    def __call__(self, result) -> str:
        return escaped(f"{self.before}/{quote(getattr(result, self.pk_attname))}/{self.after}")


def escaped(text) -> str:
    """conditional_escape, without its lazy-text wrapper on every call."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def cell(cl, column: Column, result, empty, link: RowLink) -> str:
    text, classes = cell_text(cl, column, result, empty)
    text = escaped(text)
    if column.link:
        text = f'<a href="{link(result)}">{text}</a>'
    return f'<{column.tag} class="{classes}">{text}</{column.tag}>'


def cell_text(cl, column: Column, result, empty) -> tuple:
    """A cell's text and classes as items_for_result gives them."""
    try:
        _, attr, value = lookup_field(column.name, result, cl.model_admin)
    except ObjectDoesNotExist:
        return empty, column.classes
    if column.field is None:
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        text = display_for_value(value, getattr(attr, "empty_value_display", empty), boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            return text, f"{column.classes} nowrap"
        return text, column.classes
    if isinstance(column.field.remote_field, models.ManyToOneRel):
        return (empty if value is None else value), column.classes
    return display_for_field(value, column.field, empty, avoid_link=column.link), column.classes
