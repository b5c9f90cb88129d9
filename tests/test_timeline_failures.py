"""Bad event data fails the build with a message naming the events file, the
line, the event and the field; event text can never become markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import copy_site, sphinx_build, sphinx_conf

EVENTS = Path("_data") / "events.yaml"
TEMPLATE = Path("_templates") / "timeline" / "section.md.jinja"


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line equal to `text`."""
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# name: (text to replace, its replacement, the line reported, event, field)
CASES = {
    "malformed date": (
        "  date: 2022-02-16\n",
        "  date: 2022-02-30\n",
        "  date: 2022-02-30",
        "duma-resolution",
        "date",
    ),
    "missing field": (
        "  title: Security Council meeting\n",
        "",
        "- id: security-council-meeting",
        "security-council-meeting",
        "title",
    ),
    "precision not matching the date": (
        "  date: 2014-04\n  precision: month\n  title: The Donetsk",
        "  date: 2014-04\n  precision: day\n  title: The Donetsk",
        "  precision: day",
        "dpr-proclaimed",
        "precision",
    ),
    "unknown section label": (
        "  section: background/luhansk\n",
        "  section: background/nowhere\n",
        "  section: background/nowhere",
        "lpr-created",
        "section",
    ),
    "duplicate id": (
        "- id: lpr-created\n",
        "- id: dpr-proclaimed\n",
        "- id: dpr-proclaimed",
        "dpr-proclaimed",
        "id",
    ),
    "unknown key": (
        "- id: passports-issued\n",
        "- id: passports-issued\n  source: news\n",
        "  source: news",
        "passports-issued",
        "source",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_event_fails_naming_file_line_event_and_field(tmp_path: Path, case: str) -> None:
    old, new, reported, event, field = CASES[case]
    site = copy_site(tmp_path / "site")
    edit(site / EVENTS, old, new)
    text = (site / EVENTS).read_text(encoding="utf-8")
    # The reported line: in the edit (the second of a duplicate id), else before it.
    pos = text.find(reported, text.rfind(new) if new else len(text))
    line = text[: pos if pos >= 0 else text.find(reported)].count("\n") + 1
    result = sphinx_build(site, tmp_path / "out")
    assert result.returncode != 0
    message = next((m for m in result.stderr.splitlines() if f"events.yaml:{line}:" in m), "")
    assert f"event {event!r}" in message and f"field {field!r}" in message, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("[{{ e.title }}](#{{ link }})\n{% if %}\n", "Expected an expression"),
        ("[{{ e.title }}](#{{ link }})\n{{ e.titel }}\n", "has no attribute 'titel'"),
    ],
    ids=["syntax error", "unknown field"],
)
def test_broken_template_fails_naming_its_line(
    tmp_path: Path, template: str, expected: str
) -> None:
    site = copy_site(tmp_path / "site")
    (site / TEMPLATE).write_text(template, encoding="utf-8")
    result = sphinx_build(site, tmp_path / "out")
    assert result.returncode != 0
    message = next((m for m in result.stderr.splitlines() if "section.md.jinja:2:" in m), "")
    assert expected in message, result.stderr
    assert "used by" in message and ".md:" in message  # and the page that uses it
    if "titel" in expected:  # a render error also names the event and its line
        assert "while rendering event 'crimea-annexed'" in message
        assert f"events.yaml:{line_of(site / EVENTS, '- id: crimea-annexed')})" in message
    assert "Traceback" not in result.stderr + result.stdout


# -- Injection ---------------------------------------------------------------

PLANTED_TITLE = "<img src=x onerror=\"alert('title')\"> proclaimed"
PLANTED_SUMMARY = """\
  summary: |
    <script>alert("summary")</script> {raw}`html <b id="role">role</b>`
    ```{raw} html
    <b id="fence">fence</b>
    ```
    ```{raw} latex
    \\textbf{PLANTEDLATEX}
    ```
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The site with markup planted in an event's title and summary, built three ways."""
    tmp = tmp_path_factory.mktemp("planted")
    site = copy_site(tmp / "site")
    edit(
        site / EVENTS,
        "  title: The Donetsk People's Republic is proclaimed\n  summary: >-\n"
        "    The Donetsk People's Republic was proclaimed in April 2014, declaring\n"
        "    independence from Ukraine.\n",
        f"  title: {json.dumps(PLANTED_TITLE)}\n{PLANTED_SUMMARY}",
    )
    built = {}
    for builder in ("html", "latex", "text"):
        result = sphinx_build(site, tmp / builder, builder, "-d", str(tmp / f"{builder}-dt"))
        assert result.returncode == 0, result.stderr  # text is text: nothing to warn about
        built[builder] = tmp / builder
    return built


@pytest.mark.parametrize("page", ["timeline/index", "background/index"])
def test_planted_markup_is_shown_as_text_in_html(planted: dict[str, Path], page: str) -> None:
    html = (planted["html"] / f"{page}.html").read_text(encoding="utf-8")
    main = BeautifulSoup(html, "html.parser").select_one("article[role=main]")
    assert not main.find_all("script")
    assert not main.find_all(attrs={"onerror": True})
    assert not main.find_all("img")
    assert not main.find(id="fence") and not main.find(id="role") and not main.find("b")
    assert PLANTED_TITLE in main.get_text()  # the reader sees exactly what was written
    if page == "timeline/index":
        assert '<script>alert("summary")</script>' in main.get_text()
        assert '```{raw} html <b id="fence">fence</b> ```' in main.get_text()


def test_planted_markup_reaches_no_output_file(planted: dict[str, Path]) -> None:
    """HTML, scripts, JSON and LaTeX carry the text escaped; plain text shows it as is."""
    engine = sphinx_conf()["latex_engine"]
    for builder, out in planted.items():
        for path in out.rglob("*"):
            if path.suffix not in {".html", ".tex", ".js", ".json"}:
                continue
            if path.suffix == ".tex" and engine in {"xelatex", "lualatex"}:
                continue  # Unicode engines print < and > as they are: text, checked below
            text = path.read_text(encoding="utf-8")
            for markup in ('<script>alert("summary")', "onerror=\"alert('", '<b id="fence">'):
                assert markup not in text, f"{builder}: {path.name} has {markup!r}"
    tex = next(planted["latex"].glob("*.tex")).read_text(encoding="utf-8")
    assert "\\textbf{PLANTEDLATEX}" not in tex
    assert "\\textbackslash{}textbf\\{PLANTEDLATEX\\}" in tex  # shown, as escaped text
    text = (planted["text"] / "timeline" / "index.txt").read_text(encoding="utf-8")
    assert "```{raw} latex \\textbf{PLANTEDLATEX} ```" in " ".join(text.split())


def test_downloads_carry_the_planted_text_as_data(planted: dict[str, Path]) -> None:
    data = json.loads(
        (planted["html"] / "_downloads/timeline/events.json").read_text(encoding="utf-8")
    )
    proclaimed = next(e for e in data if e["id"] == "dpr-proclaimed")
    assert proclaimed["title"] == PLANTED_TITLE
    assert proclaimed["summary"].startswith('<script>alert("summary")</script>')
