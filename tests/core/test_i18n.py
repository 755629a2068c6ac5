"""The English UI: a complete, compiled catalogue, and the main pages in English after the navbar switch.

The source strings are Chinese (zh-hans, the default); src/servicecenter/locale/en/LC_MESSAGES/django.po holds the
English and the committed django.mo is what Django reads (CI has no gettext tools, so the .mo must match the .po).
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from servicecenter.workcalendar.engine import COVERAGE_WARNING_MESSAGE
from servicecenter.workcalendar.selectors import COVERAGE_WARNING_MSGID

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"msgid", "msgid_plural"?, "msgstr" | "msgstr[n]"…, "flags"}; header excluded."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = None

    def flush() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {"flags": set()}

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            key = None
        elif line.startswith("#,"):
            if "msgid" in entry:
                flush()
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if "msgid" in entry:
                flush()
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, literal = line.partition(" ")
            entry[key] = ast.literal_eval(literal)
    flush()
    return [e for e in entries if e["msgid"]]


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    return _parse_po(PO_FILE)


def test_catalogue_is_complete_without_fuzzy_entries(po_entries):
    # given the English catalogue
    assert len(po_entries) > 500
    # then every entry is translated, into English, and none is fuzzy
    untranslated = [e["msgid"] for e in po_entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    still_chinese = [
        e["msgid"] for e in po_entries if any(CJK.search(v) for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert untranslated == []
    assert fuzzy == []
    assert still_chinese == []


def test_placeholders_survive_translation(po_entries):
    placeholder = re.compile(r"%\(\w+\)[sd]")
    broken = [
        e["msgid"]
        for e in po_entries
        for k, v in e.items()
        if k.startswith("msgstr")
        and set(placeholder.findall(v)) != set(placeholder.findall(e.get("msgid_plural", e["msgid"])))
    ]
    assert broken == []


def test_compiled_catalogue_matches_the_po_file(po_entries):
    # given the committed .mo
    with MO_FILE.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    # then it holds exactly the translations of the .po, no more and no fewer
    expected: dict = {}
    for e in po_entries:
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]  # how gettext keys a context
        if "msgid_plural" in e:
            for k, v in e.items():
                if k.startswith("msgstr["):
                    expected[(msgid, int(k[7:-1]))] = v
        else:
            expected[msgid] = e["msgstr"]
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}
    assert compiled == expected, "django.mo is stale: run `django-admin compilemessages` in src/servicecenter"


def test_engine_warning_text_is_the_catalogued_msgid():
    # the engine holds no Django; the selectors put the same text into the catalogue
    assert COVERAGE_WARNING_MSGID == COVERAGE_WARNING_MESSAGE


def _switch_to_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


NAVBAR_EN = ("Approvals", "Staff", "Regulations", "Business calendar", "Notifications", "Sign out", "中文")
NAVBAR_ZH = ("审批", "组织人员", "制度参数", "营业日历", "通知", "退出", "English")

PAGES_EN = {
    "home": ("My profile", "Awaiting me", "Unread notifications", "Center: ", "Service station (repair/ops)"),
    "approvals:inbox": ("My approvals", "Awaiting me", "Decided by me", "My requests", "New request for approval"),
    "org:staff_list": ("Organization chart", "Bulk import", "Staff no.", "Search"),
    "policy:regulation_list": ("Regulations", "Other parameters", "Attendance and business hours"),
    "workcalendar:calendar": (
        "Regular business hours",
        "Previous month",
        "Next month",
        "Mon",
        "Sun",
        "Calculator",
        "Seasons",
    ),
}


@pytest.mark.smoke
def test_navbar_switch_shows_the_main_pages_in_english(client_for, tree, manager_a):
    # given a center manager who switches the UI to English
    client = client_for(manager_a)
    _switch_to_english(client)
    for url_name, words in PAGES_EN.items():
        # when they open each main page
        response = client.get(reverse(url_name))
        body = response.content.decode()
        # then the page and the navbar are in English
        assert response.status_code == 200, url_name
        assert '<html lang="en">' in body, url_name
        for word in (*words, *NAVBAR_EN):
            assert word in body, f"{url_name}: {word!r} missing"
        for word in NAVBAR_ZH[:-1]:
            assert f">{word}<" not in body, f"{url_name}: Chinese label {word!r} left"


def test_english_choice_labels_and_messages(client_for, tree, manager_a, clerk_a):
    # given a clerk in English who submits a request for approval
    client = client_for(clerk_a)
    _switch_to_english(client)
    response = client.post(
        reverse("approvals:request_create"),
        {"title": "更换硒鼓", "description": "打印机硒鼓用尽", "amount": "120"},
        follow=True,
    )
    body = response.content.decode()
    # then the status label and the flash message are English
    assert "Submitted: 更换硒鼓" in body
    assert "In progress" in body


@pytest.mark.smoke
def test_chinese_is_the_default(client_for, tree, manager_a):
    # given a manager who never switched language
    client = client_for(manager_a)
    for url_name in PAGES_EN:
        # when they open a main page
        body = client.get(reverse(url_name)).content.decode()
        # then it is Chinese
        assert '<html lang="zh-hans">' in body, url_name
        for word in NAVBAR_ZH:
            assert word in body, f"{url_name}: {word!r} missing"
        assert "Sign out" not in body


def test_switching_back_to_chinese(client_for, tree, manager_a):
    client = client_for(manager_a)
    _switch_to_english(client)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "我的信息" in body
    assert "My profile" not in body
