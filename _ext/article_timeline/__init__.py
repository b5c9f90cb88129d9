"""Timelines of the article's dated events: sphinx-timeline 0.2.1's directive, extended.

The ``timeline`` directive keeps sphinx-timeline's options and item-template
variables (``e``, ``dt``, ``dtrange``, ``duration``); inline data (a ``---``
line in the content) and ``:events-format: json|csv`` are left to
sphinx-timeline itself. For the events file of this project it adds:

- ``:events:`` defaults to ``article_timeline_events``; the file is checked
  once per build (events.py), each problem a warning at ``FILE:LINE`` naming
  the event and the field; section labels must exist;
- dates keep their precision ("April 2014", never "Tue 1st Apr 2014");
- event text is text: every template value is escaped before MyST parses it;
- ``:section: LABEL`` keeps the events told under one label, in a "Timeline"
  box, each title linked to its entry on the full timeline;
- ``:style: list`` (the default here) is a dated vertical list, ``axis`` a
  picture drawn to scale (axis.py); ``default`` and ``none`` are upstream's;
- outside the web (PDF, EPUB, text) a list becomes a definition list with the
  dates as terms, and the picture an SVG image;
- ``timeline-downloads``: links to the events as JSON and CSV.

Template variables: ``e`` (the event's fields, as written), ``dt`` and
``dtrange`` (its date as text), ``duration`` (always empty: the article gives
no durations) and ``link`` (the label a title links to: the passage that tells
the event, or on a ``:section:`` timeline its entry on the full timeline).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import traceback
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import jinja2.sandbox
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx.util.typing import ExtensionMetadata
from sphinx_timeline import main as upstream

from article_timeline import axis
from article_timeline import events as ev

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
EXPORT_DIR = "_downloads/timeline"  # in the HTML output
UPSTREAM_STATIC = "_static/sphinx-timeline"  # its CSS and JS, for its own styles


class timeline_date(nodes.Inline, nodes.TextElement):
    """An event's date as the article gives it; ``iso`` is its machine form."""


class timeline_downloads(nodes.General, nodes.Element):
    """Where the links to the JSON and CSV files go (web builders only)."""


class timeline_axis(nodes.General, nodes.Element):
    """The picture of a timeline: ``picture`` (axis.Picture), ``hrefs`` per event id."""


def visit_date_html(self: Any, node: timeline_date) -> None:
    # <time> takes a year, a month or a day; a range or no date stays a span.
    tag = "time" if node["iso"] and "/" not in node["iso"] else "span"
    attributes = {"datetime": node["iso"]} if tag == "time" else {}
    self.body.append(self.starttag(node, tag, "", CLASS="tl-date", **attributes))
    node["tag"] = tag


def depart_date_html(self: Any, node: timeline_date) -> None:
    self.body.append(f"</{node['tag']}>")


def visit_axis_html(self: Any, node: timeline_axis) -> None:
    """Inline SVG, in a box that scrolls sideways on its own on a narrow screen."""
    svg = axis.svg(node["picture"], node["hrefs"], themed=True)
    hint = '<p class="tl-axis-hint">Scroll sideways for the whole picture.</p>'  # narrow screens
    self.body.append(f'<div class="tl-axis-scroll">\n{svg}\n</div>\n{hint}\n')
    raise nodes.SkipNode


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


# Sandboxed: a template cannot reach Python's internals or loop without bound.
_JINJA = jinja2.sandbox.SandboxedEnvironment(
    finalize=myst_escape, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
)


# -- The directive -----------------------------------------------------------


class ArticleTimelineDirective(upstream.TimelineDirective):
    """sphinx-timeline's ``timeline``, with checked data and honest dates."""

    option_spec: ClassVar[dict[str, Any]] = upstream.TimelineDirective.option_spec | {
        "style": lambda val: directives.choice(val, ["list", "axis", "default", "none"]),
        "section": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        inline = "events" not in self.options and any(
            upstream.RE_BREAKLINE.match(line) for line in self.content
        )
        if inline or self.options.get("events-format", "yaml") != "yaml":
            return super().run()  # sphinx-timeline's own data, its own rules
        path = self.project_file(
            self.options.get("events", "/" + self.config.article_timeline_events)
        )
        self.env.note_dependency(path)
        self.env.article_timeline_files.setdefault(self.env.docname, set()).add(str(path))
        events_file = ev.load(path)  # problems are reported once, by check_events

        section = self.options.get("section")
        chosen = [
            e
            for e in events_file.events
            if section is None or e.section == section or e.section.startswith(f"{section}/")
        ]
        if not chosen and not events_file.errors:
            raise self.error(f"timeline: no event in {path.name} has section {section!r}")
        style = self.options.get("style", "list")
        if style == "axis":
            picture = timeline_axis(picture=axis.layout(chosen), hrefs={})
            figure = nodes.figure("", picture, nodes.caption("", axis.LEGEND), classes=["tl-axis"])
            self.set_source_info(figure)
            return [figure]
        if "reversed" not in self.options:
            chosen.reverse()  # as in sphinx-timeline: newest first unless :reversed:
        if self.options.get("max-items"):
            chosen = chosen[: self.options["max-items"]]
        template = self.template("section" if section else "item")
        if template is None:
            return []
        container = upstream.TimelineDiv(classes=["article-timeline"])
        for key, option in (("--tl-height", "height"), ("--tl-item-width", "width-item")):
            if option in self.options:
                container.add_style(key, self.options[option])
        listing = nodes.enumerated_list(
            classes=[f"timeline-{style}", *self.options.get("class", [])]
        )
        container += listing
        for event in chosen:
            content = self.item_content(event, template, section)
            if content is None:
                return []
            item = nodes.list_item(classes=["timeline", *self.options.get("class-item", [])])
            self.set_source_info(item)
            # sphinx-timeline's script reads data-dt (a year, month or day).
            box = upstream.TimelineDiv(
                classes=["tl-item"], dt=event.when.start.iso if event.when.start else ""
            )
            box += content
            item += box
            listing += item
        if style == "default":  # upstream's CSS and script style only its horizontal strip
            self.env.metadata[self.env.docname]["timeline"] = True
        if not section:
            return [container]
        box = nodes.admonition(classes=["timeline-box"])
        box += nodes.title("Timeline", "Timeline")
        box += container
        return [box]

    def project_file(self, name: str) -> Path:
        """A file the directive names (relative to the page, or /-rooted), inside the project."""
        path = Path(self.env.relfn2path(name, self.env.docname)[1])
        if not path.is_relative_to(self.env.srcdir.resolve()):
            raise self.error(f"timeline: {name} is outside the project")
        if not path.is_file():
            raise self.error(f"timeline: no such file: {name}")
        return path

    def template(self, default: str) -> tuple[jinja2.Template, str, int] | None:
        """The item template, its file and first line; None after a warning."""
        if "template" in self.options:
            path = self.project_file(self.options["template"])
            self.env.note_dependency(path)
            source, name, first = path.read_text(encoding="utf-8"), str(path), 1
        elif self.content:
            source, name, first = (
                "\n".join(self.content),
                self.get_source_info()[0],
                self.content_offset + 1,
            )
        else:
            path = TEMPLATES / f"{default}.md.jinja"
            source, name, first = path.read_text(encoding="utf-8"), str(path), 1
        try:
            return _JINJA.from_string(source), name, first
        except jinja2.TemplateSyntaxError as exc:
            self.template_warning(name, first + (exc.lineno or 1) - 1, exc.message or str(exc))
            return None

    def template_warning(self, name: str, line: int, message: str) -> None:
        logger.warning(
            "timeline template: %s (used by %s)",
            message,
            self.get_location(),
            location=f"{name}:{line}",
            type="timeline",
            subtype="template",
        )

    def item_content(
        self, event: ev.Event, template: tuple[jinja2.Template, str, int], section: str | None
    ) -> upstream.TimelineDiv | None:
        """The date, an anchor on the full timeline, and the rendered template."""
        jinja, name, first = template
        fields = {key: event.raw.get(key, "") for key in ev.FIELDS}
        fields |= {"id": Trusted(event.id), "section": Trusted(event.section)}
        link = Trusted(f"timeline/{event.id}" if section else event.section)
        when = event.when.text()
        try:
            rendered = jinja.render(e=fields, dt=when, dtrange=when, duration="", link=link)
        except Exception as exc:  # a template may fail in any way: say where
            frames = traceback.extract_tb(exc.__traceback__)
            line = next((f.lineno for f in reversed(frames) if f.filename == "<template>"), 1)
            where = f"{self.config.article_timeline_events}:{event.line}"
            message = f"{type(exc).__name__}: {exc} (event {event.id!r}, {where})"
            self.template_warning(name, first + (line or 1) - 1, message)
            return None
        content = upstream.TimelineDiv(classes=["tl-item-content"])
        date = nodes.paragraph(classes=["tl-when"])
        # "After 2014" is not in 2014: only a date the text names is machine-dated.
        iso = "" if event.when.qualifier == "after" else event.when.iso
        date += timeline_date(when, when, iso=iso)
        content += date
        if not section:
            label = f"timeline/{event.id}"
            target = nodes.target("", "", ids=[nodes.make_id(label)], names=[label])
            self.state.document.note_explicit_target(target)
            content += target
        content += self.parse_text_to_nodes(rendered)
        return content


class TimelineDownloadsDirective(SphinxDirective):
    """Links to the events as JSON and CSV (dropped outside the web)."""

    def run(self) -> list[nodes.Node]:
        node = timeline_downloads()
        self.set_source_info(node)
        return [node]


# -- Per builder -------------------------------------------------------------


def is_web(builder: Builder) -> bool:
    """HTML pages for a browser (not EPUB, whose files are listed in a manifest)."""
    return builder.format == "html" and not builder.name.startswith("epub")


class TimelineForBuilder(SphinxPostTransform):
    """On the web: download links and the picture's links. Elsewhere: lists and images.

    Runs before Sphinx's image converters (priority 200), which turn the
    picture's SVG into PDF for LaTeX.
    """

    default_priority = 150

    def run(self, **kwargs: Any) -> None:
        self.builder = self.env._app.builder  # what Sphinx's own post-transforms use
        web = is_web(self.builder)
        for node in list(self.document.findall(timeline_downloads)):
            node.replace_self(self.download_links() if web else [])
        for node in self.document.findall(timeline_axis):
            if web:
                node["hrefs"] = {e: self.href(f"timeline/{e}") for e in node["picture"].ids()}
            else:
                node.replace_self(self.image(node))
        if not web:
            for container in list(self.document.findall(upstream.TimelineDiv)):
                if "article-timeline" in container["classes"]:
                    container.replace_self(self.definition_list(container))

    def href(self, label: str) -> str:
        """Where a label is, seen from this page ('' when it is nowhere)."""
        docname, anchor = self.env.domains.standard_domain.anonlabels.get(label, ("", ""))
        if not docname:
            return ""
        if docname == self.env.docname or self.builder.name == "singlehtml":
            return f"#{anchor}"
        return self.builder.get_relative_uri(self.env.docname, docname) + f"#{anchor}"

    def download_links(self) -> nodes.paragraph:
        page = self.builder.get_target_uri(self.env.docname)
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

    def image(self, node: timeline_axis) -> nodes.image:
        """The picture as an SVG file with fixed colours, for Sphinx's image pipeline."""
        picture: axis.Picture = node["picture"]
        text = axis.svg(picture, {}, themed=False)
        name = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = Path(self.env.doctreedir) / "timeline" / f"timeline-{name}.svg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.env.images.add_file(self.env.docname, str(path))
        return nodes.image(
            uri=str(path), candidates={"image/svg+xml": str(path)}, alt=picture.describe()
        )

    @staticmethod
    def definition_list(container: upstream.TimelineDiv) -> nodes.definition_list:
        """Each item's date becomes a term, the rest its definition."""
        dlist = nodes.definition_list(classes=["timeline"])
        for content in container.findall(upstream.TimelineDiv):
            if "tl-item-content" not in content["classes"]:
                continue
            date = content.next_node(timeline_date)
            definition = nodes.definition(
                "", *(c.deepcopy() for c in content.children if c is not date.parent)
            )
            dlist += nodes.definition_list_item("", nodes.term("", "", *date.children), definition)
        return dlist


# -- Checking the events: once per build, in one place -------------------------


def check_events(app: Sphinx, env: BuildEnvironment) -> None:
    """Every events file a page uses (and the configured one) is valid, its labels exist."""
    used = {str(env.srcdir / app.config.article_timeline_events)}
    used.update(*env.article_timeline_files.values())
    labels = env.domains.standard_domain.anonlabels
    for name in sorted(used):
        events_file = ev.load(Path(name))
        errors = events_file.errors + [
            ev.DataError(e.lines["section"], e.id, "section", f"no label {e.section!r} in the site")
            for e in events_file.events
            if e.section not in labels
        ]
        where = (
            Path(name).relative_to(env.srcdir) if Path(name).is_relative_to(env.srcdir) else name
        )
        for error in errors:
            logger.warning(
                "timeline data: %s",
                error.describe(),
                location=f"{where}:{error.line}",
                type="timeline",
                subtype="data",
            )


def init_files(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if not hasattr(env, "article_timeline_files"):
        env.article_timeline_files = {}


def purge_files(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.article_timeline_files.pop(docname, None)


def merge_files(
    app: Sphinx, env: BuildEnvironment, docnames: list[str], other: BuildEnvironment
) -> None:
    for docname in docnames:
        if docname in other.article_timeline_files:
            env.article_timeline_files[docname] = other.article_timeline_files[docname]


# -- Web output: downloads, and upstream's assets where a page uses them --------


def export(app: Sphinx, exception: Exception | None) -> None:
    """Write the events as JSON and CSV, and upstream's assets if a page uses them."""
    if exception is not None or not is_web(app.builder):
        return
    events_file = ev.load(app.srcdir / app.config.article_timeline_events)
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
    if any(meta.get("timeline") for meta in app.env.metadata.values()):
        static = Path(app.outdir) / UPSTREAM_STATIC
        static.mkdir(parents=True, exist_ok=True)
        for name in ("default.css", "datetime.js"):
            with resources.as_file(resources.files(upstream.static_module) / name) as source:
                shutil.copyfile(source, static / name)


def upstream_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """sphinx-timeline's CSS and script, on the pages that show its own styles only.

    Upstream copies them into every HTML output and links them from its
    builder-inited and html-page-context handlers (sphinx_timeline/main.py:
    add_html_assets, load_html_assets; it has no issue tracker activity since
    0.2.1): this extension registers its pieces itself instead of calling
    upstream's setup. Remove when upstream uses app.add_static_dir (Sphinx 9.1).
    """
    if is_web(app.builder) and app.env.metadata.get(pagename, {}).get("timeline"):
        app.add_css_file("sphinx-timeline/default.css")
        app.add_js_file("sphinx-timeline/datetime.js")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("article_timeline_events", "_data/events.yaml", "env", types=(str,))
    app.add_directive("timeline", ArticleTimelineDirective)
    app.add_directive("timeline-downloads", TimelineDownloadsDirective)
    null = (upstream.visit_depart_null, upstream.visit_depart_null)  # as upstream registers it
    app.add_node(
        upstream.TimelineDiv,
        html=(upstream.visit_tl_div, upstream.depart_tl_div),
        **dict.fromkeys(("latex", "text", "man", "texinfo"), null),
    )
    app.add_node(timeline_date, html=(visit_date_html, depart_date_html))
    app.add_node(timeline_axis, html=(visit_axis_html, None))
    app.add_post_transform(TimelineForBuilder)
    app.connect("env-before-read-docs", init_files)
    app.connect("env-purge-doc", purge_files)
    app.connect("env-merge-info", merge_files)
    app.connect("env-check-consistency", check_events)
    app.connect("html-page-context", upstream_assets)
    app.connect("build-finished", export)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
