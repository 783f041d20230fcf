"""The group page writes its inputs itself (for speed) instead of calling the
WTForms widgets: each macro of ``respond/_question.html`` must give exactly
the widget's markup (attributes, their order, escaping) for every field of
every question of the shipped bank, blank, filled and refused, in both
languages. A field gaining a render_kw or a flag the macros do not write, or
a new kind of field, fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, get_template_attribute
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField

from survey_app.questionnaires import bank_path, load_bank
from survey_app.respond.forms import GroupForm, build_group_form

BANK = load_bank(bank_path())
ACCEPT = ".pdf,.jpg"
TEXT_FIELDS = {"StringField", "NumberField", "DateTextField", "TextAreaField", "SelectField"}


def leaves(fields: Any) -> Iterator[Any]:
    for f in fields:
        if isinstance(f, FormField):
            yield from leaves(f.form)
        elif isinstance(f, FieldList):
            for entry in f.entries:
                yield from leaves([entry])
        else:
            yield f


def blank(form_class: type[GroupForm]) -> GroupForm:
    form = form_class(formdata=None, meta={"csrf": False})
    for sub in form:
        if isinstance(sub, FormField) and "rows" in sub.form._fields:
            sub.form.rows.append_entry()
            sub.form.rows.append_entry()
    return form


def posted(form_class: type[GroupForm], value_for: Any) -> GroupForm:
    """The form as a browser would post it with ``value_for(field)`` in every field, validated."""
    data = MultiDict()
    for f in leaves(blank(form_class)):
        if f.name == "base_version":
            continue
        for value in value_for(f):
            data.add(f.name, value)
    form = form_class(formdata=data, meta={"csrf": False})
    form.validate()
    return form


def plausible(f: Any) -> list[str]:
    if f.type in ("RadioField", "MultiCheckboxField", "SelectField"):
        choices = [c.value for c in f.iter_choices()]
        return choices[-1:]
    return {"NumberField": ["1.234,5"], "DateTextField": ["22/04/2024"], "BooleanField": ["y"],
            "HiddenField": ["1,2"]}.get(f.type, ['A & B "q" <x> é'])


def hostile(f: Any) -> list[str]:
    return ['bad <&" \'v>', "x\x00"] if f.type == "MultiCheckboxField" else ['bad <&" \'v>\x00']


def forms() -> Iterator[GroupForm]:
    for group in BANK.groups:
        form_class = build_group_form(group, {q.code for q in group.questions}, "vi")
        yield blank(form_class)
        yield posted(form_class, plausible)
        form = posted(form_class, hostile)
        for f in leaves(form):  # every field with a message, even those no validator refuses
            f.errors = list(f.errors or []) or ['A <b>"message"</b> & more']
        yield form


def widget_input(f: Any, cls: str, labelledby: str | None) -> str:
    """What the page rendered before: the widget, then the field's message."""
    attrs = {"class": cls}
    if labelledby:
        attrs["aria-labelledby"] = labelledby
    if f.errors:
        attrs.update({"aria-invalid": "true", "aria-describedby": f.id + "-error"})
    return str(f(**attrs)) + str(get_template_attribute("respond/_question.html", "errors")(f))


def aria(f: Any) -> dict[str, str]:
    return {"aria-invalid": "true", "aria-describedby": f.id + "-error"} if f.errors else {}


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_macros_write_what_the_widgets_write(app: Flask, locale: str) -> None:
    def macro(name: str) -> Any:
        return get_template_attribute("respond/_question.html", name)

    seen: set[str] = set()
    with app.test_request_context(), force_locale(locale):
        for form in forms():
            for f in leaves(form):
                seen.add(f.type)
                if f.type in TEXT_FIELDS:
                    for cls, labelledby in (("", None), ("num", "a-title b-unit")):
                        assert str(macro("input")(f, cls, labelledby)) == widget_input(f, cls, labelledby), f.name
                elif f.type == "HiddenField":
                    assert str(macro("hidden_input")(f)) == str(f()), f.name
                elif f.type == "BooleanField":
                    assert str(macro("checkbox")(f)) == str(f(**aria(f))), f.name
                    assert str(macro("checkbox")(f, "c-remove r-head")) == str(
                        f(**{"aria-labelledby": "c-remove r-head", **aria(f)})), f.name
                elif f.type in ("RadioField", "MultiCheckboxField"):
                    kind = "radio" if f.type == "RadioField" else "checkbox"
                    expected = "".join(f'<label class="choice">{opt()} {Markup.escape(opt.label.text)}</label>'
                                       for opt in f)
                    assert str(macro("options")(f, kind)) == expected, f.name
                elif f.type == "FileField":
                    assert str(macro("file_input")(f, ACCEPT)) == str(f(accept=ACCEPT, **aria(f))), f.name
                else:
                    pytest.fail(f"{f.name}: no macro renders a {f.type}")
    # Every kind of field the bank makes was compared, refused values included.
    assert seen == TEXT_FIELDS | {"HiddenField", "BooleanField", "RadioField", "MultiCheckboxField", "FileField"}
