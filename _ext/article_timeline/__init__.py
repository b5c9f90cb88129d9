"""Timelines of the article's dated events, on top of sphinx-timeline 0.2.1.

What sphinx-timeline gives and is used as is: the ``timeline`` directive's
options (``:events:``, ``:template:``, ``:reversed:``, ``:max-items:``,
``:style:``, ``:class:``), its ``TimelineDiv`` node and HTML structure, its CSS
and CSS variables, its script. What this extension adds (see README.md):

- the events file is checked (events.py) and every problem is reported as a
  warning at ``events.yaml:LINE`` naming the event and the field;
- dates keep their precision ("April 2014", never "Tue 1st Apr 2014");
- event text is content, never markup: every value is escaped for MyST
  before the item template's output is parsed;
- ``:section:`` shows only the events one section tells;
- non-HTML builders (LaTeX, text, EPUB, ...) get a definition list with the
  dates as terms instead of a bare numbered list;
- pages depend on the events file by absolute path, so a no-op rebuild
  reads no page;
- the events are written as JSON and CSV into the HTML output and linked by
  the ``timeline-downloads`` directive.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import traceback
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx_timeline.main import TimelineDirective, TimelineDiv

from article_timeline import events as ev

__version__ = "1.0.0"

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "item.md.jinja"
EXPORT_DIR = "_downloads/timeline"  # in the HTML output
WARNING_TYPE = "timeline"


# -- Nodes -----------------------------------------------------------------


class timeline_date(nodes.Inline, nodes.TextElement):
    """An event's date as the article gives it; ``iso`` is its machine form."""


class timeline_downloads(nodes.General, nodes.Element):
    """Where the links to the JSON and CSV files go (resolved per builder)."""


def visit_date_html(self: Any, node: timeline_date) -> None:
    iso = node.get("iso", "")
    # <time> takes a year, a month or a day; a range or no date stays a span.
    if iso and "/" not in iso:
        self.body.append(self.starttag(node, "time", "", CLASS="tl-date", datetime=iso))
    else:
        self.body.append(self.starttag(node, "span", "", CLASS="tl-date"))


def depart_date_html(self: Any, node: timeline_date) -> None:
    iso = node.get("iso", "")
    self.body.append("</time>" if iso and "/" not in iso else "</span>")


def visit_passthrough(self: Any, node: nodes.Element) -> None:
    """The date's text is written by the builder like any other text."""


def visit_skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


# -- Reading the events file -------------------------------------------------

_reported: set[tuple[Path, ev.DataError]] = set()


def events_path(env: BuildEnvironment, name: str, docname: str | None = None) -> Path:
    """An events or template path as written (relative to the page, or /-rooted)."""
    if docname is None:
        return (env.srcdir / name).resolve()
    return Path(env.relfn2path(name, docname)[1]).resolve()


def report(events_file: ev.EventsFile, errors: list[ev.DataError] | None = None) -> None:
    """Warn once per build about each problem, at events.yaml:LINE."""
    for error in events_file.errors if errors is None else errors:
        if (events_file.path, error) in _reported:
            continue
        _reported.add((events_file.path, error))
        logger.warning(
            "timeline data: %s",
            error.describe(),
            location=f"{events_file.path}:{error.line}",
            type=WARNING_TYPE,
            subtype="data",
        )


def check_events(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: the configured events file is valid and its labels exist."""
    path = events_path(env, app.config.article_timeline_events)
    events_file = ev.load(path)
    labels = env.domains.standard_domain.anonlabels
    unknown = [
        ev.DataError(e.lines["section"], e.id, "section", f"no label {e.section!r} in the site")
        for e in events_file.events
        if e.section not in labels
    ]
    report(events_file, events_file.errors + unknown)


def reset_reports(app: Sphinx) -> None:
    _reported.clear()


# -- Templates ---------------------------------------------------------------

_MYST_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark


class Trusted(str):
    """A value made by this extension (a checked label), not by the data."""


def myst_escape(value: object) -> str:
    """Text as text: backslash every punctuation mark, fold line breaks.

    CommonMark lets any ASCII punctuation be escaped, so no HTML tag, role,
    directive fence, link or emphasis survives, and the reader sees the text.
    """
    if isinstance(value, Trusted):
        return str(value)
    return _MYST_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


_JINJA = jinja2.Environment(
    finalize=myst_escape,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)


# -- The directive -----------------------------------------------------------


class ArticleTimelineDirective(TimelineDirective):
    """sphinx-timeline's ``timeline``, with checked data and honest dates.

    ``:events:`` is required (a YAML file, see README.md); ``:section:``
    keeps the events told by one label and those under it. The item
    template is the directive's content, the ``:template:`` file or
    templates/item.md.jinja; it gets ``e`` (the event's fields), ``when``
    (its date as text) and ``link`` (the label to link the title to: the
    section that tells it, or on a ``:section:`` timeline the event's
    entry on the full timeline, ``timeline/<id>``).
    """

    option_spec: ClassVar[dict[str, Any]] = {
        key: value for key, value in TimelineDirective.option_spec.items() if key != "events-format"
    } | {
        "style": lambda val: directives.choice(val, ["list", "default", "none"]),
        "section": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        if "events" not in self.options:
            raise self.error("timeline: give the events file with :events:")
        path = events_path(self.env, self.options["events"], self.env.docname)
        if not path.is_file():
            raise self.error(f"timeline: no events file {path}")
        # Absolute, so that the dependency holds from pages in sub-folders.
        self.env.note_dependency(path)
        events_file = ev.load(path)  # problems are reported by check_events / below
        if path != events_path(self.env, self.config.article_timeline_events):
            report(events_file)

        template, where = self.template()
        if template is None:
            return []

        section = self.options.get("section")
        chosen = [
            e
            for e in events_file.events
            if section is None or e.section == section or e.section.startswith(f"{section}/")
        ]
        if not chosen and not events_file.errors:
            raise self.error(f"timeline: no event in {path} has section {section!r}")
        if "reversed" not in self.options:
            chosen.reverse()  # as in sphinx-timeline: newest first unless :reversed:
        if self.options.get("max-items"):
            chosen = chosen[: self.options["max-items"]]

        style = self.options.get("style", "list")
        container = TimelineDiv(classes=["article-timeline"])
        for key, option in (("--tl-height", "height"), ("--tl-item-width", "width-item")):
            if option in self.options:
                container.add_style(key, self.options[option])
        listing = nodes.enumerated_list(
            classes=[f"timeline-{style}", *self.options.get("class", [])]
        )
        self.set_source_info(listing)
        container += listing
        for event in chosen:
            content = self.item_content(event, template, where, section, events_file)
            if content is None:
                return []
            item = nodes.list_item(classes=["timeline", *self.options.get("class-item", [])])
            self.set_source_info(item)
            # sphinx-timeline's script reads data-dt (a year, month or day).
            box = TimelineDiv(
                classes=["tl-item"], dt=event.when.start.iso if event.when.start else ""
            )
            box += content
            item += box
            listing += item

        if style == "default":  # sphinx-timeline's CSS/JS style only its horizontal strip
            self.env.metadata[self.env.docname]["timeline"] = True
        return [container]

    def template(self) -> tuple[jinja2.Template | None, tuple[str, int]]:
        """The item template and where it starts (file, line), or None after a warning."""
        if "template" in self.options:
            path = events_path(self.env, self.options["template"], self.env.docname)
            if not path.is_file():
                raise self.error(f"timeline: no template file {path}")
            self.env.note_dependency(path)
            source, name, first_line = path.read_text(encoding="utf-8"), str(path), 1
        elif self.content:
            source, name = "\n".join(self.content), self.get_source_info()[0]
            first_line = self.content_offset + 1
        else:
            source, name, first_line = (
                DEFAULT_TEMPLATE.read_text(encoding="utf-8"),
                str(DEFAULT_TEMPLATE),
                1,
            )
        try:
            return _JINJA.from_string(source), (name, first_line)
        except jinja2.TemplateSyntaxError as exc:
            self.template_warning(name, first_line + (exc.lineno or 1) - 1, exc.message or str(exc))
            return None, (name, first_line)

    def template_warning(self, name: str, line: int, message: str) -> None:
        page = self.get_location()
        logger.warning(
            "timeline template: %s (used by %s)",
            message,
            page,
            location=f"{name}:{line}",
            type=WARNING_TYPE,
            subtype="template",
        )

    def item_content(
        self,
        event: ev.Event,
        template: jinja2.Template,
        where: tuple[str, int],
        section: str | None,
        events_file: ev.EventsFile,
    ) -> TimelineDiv | None:
        """The date, an anchor on the full timeline, and the rendered template."""
        fields = {name: event.raw.get(name, "") for name in ev.FIELDS}
        fields |= {"id": Trusted(event.id), "section": Trusted(event.section)}
        link = Trusted(f"timeline/{event.id}" if section else event.section)
        try:
            rendered = template.render(
                e=fields, when=event.when.text(), link=link, dt=event.when.text()
            )
        except jinja2.TemplateError as exc:
            name, first_line = where
            line = next(
                (
                    f.lineno
                    for f in reversed(traceback.extract_tb(exc.__traceback__))
                    if f.filename == "<template>" and f.lineno
                ),
                1,
            )
            self.template_warning(
                name,
                first_line + line - 1,
                f"{exc} while rendering event {event.id!r} ({events_file.path}:{event.line})",
            )
            return None
        content = TimelineDiv(classes=["tl-item-content"])
        date = nodes.paragraph(classes=["tl-when"])
        # "After 2014" is not in 2014: only a date the text names is machine-dated.
        iso = "" if event.when.qualifier == "after" else event.when.iso
        date += timeline_date(event.when.text(), event.when.text(), iso=iso)
        content += date
        if not section:
            name = f"timeline/{event.id}"
            target = nodes.target("", "", ids=[nodes.make_id(name)], names=[name])
            self.state.document.note_explicit_target(target)
            content += target
        content += self.parse_text_to_nodes(rendered)
        return content


class TimelineDownloadsDirective(SphinxDirective):
    """Links to the events as JSON and CSV (HTML only; dropped elsewhere)."""

    def run(self) -> list[nodes.Node]:
        node = timeline_downloads()
        self.set_source_info(node)
        return [node]


# -- Per builder -------------------------------------------------------------


def is_web(builder: Builder) -> bool:
    """HTML pages for a browser (not EPUB, whose files are listed in a manifest)."""
    return builder.format == "html" and not builder.name.startswith("epub")


class TimelineForBuilder(SphinxPostTransform):
    """Timelines as dated lists outside the web; download links inside it."""

    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        web = is_web(self.app.builder)
        for node in list(self.document.findall(timeline_downloads)):
            if web:
                node.replace_self(self.download_links())
            else:
                node.parent.remove(node)
        if web:
            return
        for container in list(self.document.findall(TimelineDiv)):
            if "article-timeline" in container["classes"]:
                container.replace_self(self.definition_list(container))

    def download_links(self) -> nodes.paragraph:
        page = self.app.builder.get_target_uri(self.env.docname)
        stem = Path(self.config.article_timeline_events).stem
        para = nodes.paragraph(classes=["timeline-downloads"])
        para += nodes.Text("The same events as data: ")
        for i, (suffix, kind) in enumerate((("json", "JSON"), ("csv", "CSV"))):
            uri = relative_uri(page, f"{EXPORT_DIR}/{stem}.{suffix}")
            para += nodes.Text(", " if i else "")
            para += nodes.reference("", f"{stem}.{suffix}", refuri=uri, classes=["download"])
            para += nodes.Text(f" ({kind})")
        para += nodes.Text(".")
        return para

    @staticmethod
    def definition_list(container: TimelineDiv) -> nodes.definition_list:
        """Each item's date becomes a term, the rest its definition."""
        dlist = nodes.definition_list(classes=["timeline"])
        for content in container.findall(
            lambda n: isinstance(n, TimelineDiv) and "tl-item-content" in n["classes"]
        ):
            date = content.next_node(timeline_date)
            term = nodes.term("", "", *date.children)
            definition = nodes.definition()
            for child in content.children:
                if child is not date.parent:
                    definition += child.deepcopy()
            dlist += nodes.definition_list_item("", term, definition)
        return dlist


def export(app: Sphinx, exception: Exception | None) -> None:
    """Write the events file as JSON and CSV into the HTML output."""
    if exception is not None or not is_web(app.builder):
        return
    events_file = ev.load(events_path(app.env, app.config.article_timeline_events))
    rows = [{k: e.raw[k] for k in ev.FIELDS if k in e.raw} for e in events_file.events]
    outdir = Path(app.outdir) / EXPORT_DIR
    outdir.mkdir(parents=True, exist_ok=True)
    stem = events_file.path.stem
    # "<", ">" and "&" as \u escapes: the same JSON value, never sniffed as HTML.
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    (outdir / f"{stem}.json").write_text(text + "\n", encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ev.FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (outdir / f"{stem}.csv").write_text(buffer.getvalue(), encoding="utf-8")


# -- sphinx-timeline's static path -------------------------------------------


def keep_static_path_stable(app: Sphinx, *args: Any) -> None:
    """Name sphinx-timeline's asset folder in html_static_path once, up front.

    sphinx-timeline appends it at builder-inited, after the saved config was
    compared with conf.py, so every build would see "the configuration has
    changed" and rewrite every page. Naming it at config-inited (and removing
    the second copy after builder-inited) keeps the configuration stable.
    It is named relative to the configuration folder, as html_static_path
    allows: an absolute path would put the checkout's location into the
    configuration's hash in .buildinfo, and two checkouts would differ.
    """
    folder = (Path(app.outdir) / "_sphinx_timeline_static").resolve()
    paths = [p for p in app.config.html_static_path if (app.confdir / p).resolve() != folder]
    app.config.html_static_path = [*paths, os.path.relpath(folder, app.confdir.resolve())]


# -- Setup -----------------------------------------------------------------


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_timeline")
    app.add_config_value("article_timeline_events", "_data/events.yaml", "env", types=(str,))
    app.add_directive("timeline", ArticleTimelineDirective, override=True)
    app.add_directive("timeline-downloads", TimelineDownloadsDirective)
    date_visitors = (visit_passthrough, visit_passthrough)
    app.add_node(
        timeline_date,
        html=(visit_date_html, depart_date_html),
        latex=date_visitors,
        text=date_visitors,
        man=date_visitors,
        texinfo=date_visitors,
    )
    skip = (visit_skip, None)
    app.add_node(timeline_downloads, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_post_transform(TimelineForBuilder)
    app.connect("config-inited", keep_static_path_stable, priority=900)  # after the check
    app.connect("builder-inited", keep_static_path_stable, priority=900)
    app.connect("builder-inited", reset_reports)
    app.connect("env-updated", check_events)
    app.connect("build-finished", export)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
