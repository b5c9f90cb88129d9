"""Timelines of the article's dated events: sphinx-timeline 0.2.1's directive, extended.

``timeline`` keeps upstream's options, item-template variables (``e``, ``dt``, ``dtrange``;
``duration`` is always empty here), inline data and ``:events-format: json|csv``. For this
project's events file (events.py) it adds:

- ``:events:`` defaults to ``article_timeline_events``, checked once per build: each
  problem a warning at ``FILE:LINE`` naming the event and the field;
- dates as precise as the article; every template value escaped: text, never markup;
- ``:section: LABEL``: a section's events in a "Timeline" box, linked to the full timeline;
- ``:style: list`` (the default here) or ``axis``, a picture drawn to scale (axis.py);
- outside the web, dates as terms of a definition list and the picture as an SVG image;
  ``timeline-downloads``: the events as JSON and CSV, on the web.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
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


class timeline_date(nodes.Inline, nodes.TextElement):
    """An event's date as the article gives it; ``iso`` is its machine form."""


class timeline_downloads(nodes.General, nodes.Element):
    """Where the links to the events as data go (web builders only)."""


class timeline_axis(nodes.General, nodes.Element):
    """The picture of a timeline: ``picture`` (axis.Picture), ``hrefs`` by event id."""


def visit_date_html(self: Any, node: timeline_date) -> None:
    # <time> takes a year, a month or a day; a range or no date stays a span.
    node["tag"] = "time" if node["iso"] and "/" not in node["iso"] else "span"
    when = {"datetime": node["iso"]} if node["tag"] == "time" else {}
    self.body.append(self.starttag(node, node["tag"], "", CLASS="tl-date", **when))


def depart_date_html(self: Any, node: timeline_date) -> None:
    self.body.append(f"</{node['tag']}>")


def visit_axis_html(self: Any, node: timeline_axis) -> None:
    """Inline SVG, in a box that scrolls sideways on a narrow screen (and says so)."""
    svg = axis.svg(node["picture"], node["hrefs"], themed=True)
    hint = '<p class="tl-axis-hint">Scroll sideways for the whole picture.</p>'
    self.body.append(f'<div class="tl-axis-scroll">\n{svg}\n</div>\n{hint}\n')
    raise nodes.SkipNode


class Trusted(str):
    """A value made by this extension (a checked label), not by the data."""


def myst_escape(value: object) -> str:
    """Text as text: every ASCII punctuation mark backslashed (CommonMark lets each be),
    line breaks folded, so no HTML, role, directive, link or emphasis survives."""
    if isinstance(value, Trusted):
        return str(value)
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(str(value).split()))


# Sandboxed: a template cannot reach Python's internals or loop without bound.
_JINJA = jinja2.sandbox.SandboxedEnvironment(
    finalize=myst_escape, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
)


class ArticleTimelineDirective(upstream.TimelineDirective):
    """sphinx-timeline's ``timeline``, with checked data and honest dates."""

    option_spec: ClassVar[dict[str, Any]] = upstream.TimelineDirective.option_spec | {
        "style": lambda val: directives.choice(val, ["list", "axis", "default", "none"]),
        "section": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        inline = "events" not in self.options and any(
            map(upstream.RE_BREAKLINE.match, self.content)
        )
        if inline or self.options.get("events-format", "yaml") != "yaml":
            return super().run()  # sphinx-timeline's own data, its own rules
        events = self.options.get("events", "/" + self.config.article_timeline_events)
        path = self.project_file(events)
        self.env.note_dependency(path)
        events_file = ev.load(path)
        if path != self.env.srcdir / self.config.article_timeline_events:
            report(path, events_file.errors, self.env)  # the configured file's: check_events
        section, style = self.options.get("section"), self.options.get("style", "list")
        told = lambda e: section is None or f"{e.section}/".startswith(f"{section}/")  # noqa: E731
        chosen = [e for e in events_file.events if told(e)]
        if not chosen and not events_file.errors:
            raise self.error(f"timeline: no event in {path.name} has section {section!r}")
        if style == "axis":
            picture = timeline_axis(picture=axis.layout(chosen), hrefs={})
            return [nodes.figure("", picture, nodes.caption("", axis.LEGEND), classes=["tl-axis"])]
        chosen = chosen if "reversed" in self.options else chosen[::-1]  # upstream: newest first
        template = self.template("section" if section else "item")
        if template is None:
            return []  # after a warning
        shown = chosen[: self.options.get("max-items")]
        items = [self.item(event, *template, section) for event in shown]
        if None in items:
            return []  # after a warning
        listing = nodes.enumerated_list(
            "", *items, classes=[f"timeline-{style}", *self.options.get("class", [])]
        )
        container = upstream.TimelineDiv("", listing, classes=["article-timeline"])
        for key, option in (("--tl-height", "height"), ("--tl-item-width", "width-item")):
            if option in self.options:
                container.add_style(key, self.options[option])
        if style == "default":  # upstream's CSS and script, for its horizontal strip
            self.env.metadata[self.env.docname]["timeline"] = True
        if not section:
            return [container]
        title = nodes.title("Timeline", "Timeline")
        return [nodes.admonition("", title, container, classes=["timeline-box"])]

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
        if self.content and "template" not in self.options:
            source, first = "\n".join(self.content), self.content_offset + 1
            name = self.get_source_info()[0]
        else:
            path = TEMPLATES / f"{default}.md.jinja"
            if "template" in self.options:
                path = self.project_file(self.options["template"])
                self.env.note_dependency(path)
            source, name, first = path.read_text(encoding="utf-8"), str(path), 1
        try:
            return _JINJA.from_string(source), name, first
        except jinja2.TemplateSyntaxError as exc:
            self.template_warning(name, first + (exc.lineno or 1) - 1, exc.message or str(exc))
            return None

    def template_warning(self, name: str, line: int, message: str) -> None:
        message = f"timeline template: {message} (used by {self.get_location()})"
        warn(message, f"{name}:{line}", "template")

    def item(
        self, event: ev.Event, jinja: jinja2.Template, name: str, first: int, section: str | None
    ) -> nodes.list_item | None:
        """The event's date, its anchor on the full timeline, and the rendered template."""
        fields = {key: event.raw.get(key, "") for key in ev.FIELDS} | {"id": Trusted(event.id)}
        link = Trusted(f"timeline/{event.id}" if section else event.section)
        when = event.when.text()
        try:
            rendered = jinja.render(e=fields, dt=when, dtrange=when, duration="", link=link)
        except Exception as exc:  # a template may fail in any way: say where
            frames = traceback.extract_tb(exc.__traceback__)
            line = next((f.lineno for f in reversed(frames) if f.filename == "<template>"), 1)
            where = f"{self.config.article_timeline_events}:{event.line}"
            problem = f"{type(exc).__name__}: {exc} (event {event.id!r}, {where})"
            self.template_warning(name, first + (line or 1) - 1, problem)
            return None
        # "After 2014" is not in 2014: only a date the text names is machine-dated.
        iso = "" if event.when.qualifier == "after" else event.when.iso
        date = timeline_date(when, when, iso=iso)
        content = upstream.TimelineDiv(
            "", nodes.paragraph("", "", date, classes=["tl-when"]), classes=["tl-item-content"]
        )
        if not section:
            label = f"timeline/{event.id}"
            content += nodes.target("", "", ids=[nodes.make_id(label)], names=[label])
            self.state.document.note_explicit_target(content[-1])
        content += self.parse_text_to_nodes(rendered)
        # sphinx-timeline's script reads data-dt (a year, month or day).
        box = upstream.TimelineDiv(
            "", content, classes=["tl-item"], dt=event.when.start.iso if event.when.start else ""
        )
        item = nodes.list_item("", box, classes=["timeline", *self.options.get("class-item", [])])
        self.set_source_info(item)
        return item


class TimelineDownloadsDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [timeline_downloads()]


def is_web(builder: Builder) -> bool:
    """HTML pages for a browser (not EPUB, whose files are listed in a manifest)."""
    return builder.format == "html" and not builder.name.startswith("epub")


class TimelineForBuilder(SphinxPostTransform):
    """On the web: the download links, the picture's links. Elsewhere: dated lists, images.

    Runs before Sphinx's image converters (200), which make the SVG a PDF for LaTeX.
    """

    default_priority = 150

    def run(self, **kwargs: Any) -> None:
        self.builder = self.env._app.builder  # what Sphinx's own post-transforms use
        web = is_web(self.builder)
        for node in list(self.document.findall(timeline_downloads)):
            node.replace_self(self.download_links() if web else [])
        for node in list(self.document.findall(timeline_axis)):
            if web:
                node["hrefs"] = {r.id: self.href(f"timeline/{r.id}") for r in node["picture"].rows}
            else:
                node.replace_self(self.image(node["picture"]))
        for container in [] if web else list(self.document.findall(upstream.TimelineDiv)):
            if "article-timeline" in container["classes"]:
                container.replace_self(self.definition_list(container))

    def href(self, label: str) -> str:
        """Where a label is, seen from this page."""
        docname, anchor = self.env.domains.standard_domain.anonlabels.get(label, ("", ""))
        if not docname:
            return ""
        # The same page: "" (relative_uri); in a single page, every anchor is on it.
        if self.builder.name == "singlehtml":
            return f"#{anchor}"
        return self.builder.get_relative_uri(self.env.docname, docname) + f"#{anchor}"

    def download_links(self) -> nodes.paragraph:
        here = self.builder.get_target_uri(self.env.docname)
        stem = Path(self.config.article_timeline_events).stem
        para = nodes.paragraph("", "The same events as data: ", classes=["timeline-downloads"])
        for suffix, kind in (("json", "JSON"), ("csv", "CSV")):
            uri = relative_uri(here, f"{EXPORT_DIR}/{stem}.{suffix}")
            para += nodes.reference("", f"{stem}.{suffix}", refuri=uri, classes=["download"])
            para += nodes.Text(f" ({kind}), " if suffix == "json" else f" ({kind}).")
        return para

    def image(self, picture: axis.Picture) -> nodes.image:
        """The picture as an SVG file with fixed colours, for Sphinx's image pipeline."""
        text = axis.svg(picture, {}, themed=False)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        path = Path(self.env.doctreedir) / "timeline" / f"timeline-{digest}.svg"
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
            rest = (c.deepcopy() for c in content.children if c is not date.parent)
            dlist += nodes.definition_list_item(
                "", nodes.term("", "", *date.children), nodes.definition("", *rest)
            )
        return dlist


def warn(message: str, location: str, subtype: str) -> None:
    logger.warning("%s", message, location=location, type="timeline", subtype=subtype)


def report(path: Path, errors: list[ev.DataError], env: BuildEnvironment) -> None:
    where = path.relative_to(env.srcdir) if path.is_relative_to(env.srcdir) else path
    for e in errors:
        warn(f"timeline data: {e.describe()}", f"{where}:{e.line}", "data")


def check_events(app: Sphinx, env: BuildEnvironment) -> None:
    """The configured events file is valid, and the labels it names exist."""
    events_file = ev.load(env.srcdir / app.config.article_timeline_events)
    labels = env.domains.standard_domain.anonlabels
    unknown = [
        ev.DataError(e.lines["section"], e.id, "section", f"no label {e.section!r} in the site")
        for e in events_file.events
        if e.section not in labels
    ]
    report(events_file.path, events_file.errors + unknown, env)


def export(app: Sphinx, exception: Exception | None) -> None:
    """On the web: the events as JSON and CSV, and upstream's assets if a page uses them."""
    if exception is not None or not is_web(app.builder):
        return
    events_file = ev.load(app.srcdir / app.config.article_timeline_events)
    rows = [{k: e.raw[k] for k in ev.FIELDS if k in e.raw} for e in events_file.events]
    out = Path(app.outdir) / EXPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    # "<", ">" and "&" as \u escapes: the same JSON value, never sniffed as HTML.
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    (out / f"{events_file.path.stem}.json").write_text(text + "\n", encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ev.FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / f"{events_file.path.stem}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    if any(meta.get("timeline") for meta in app.env.metadata.values()):
        static = Path(app.outdir) / "_static" / "sphinx-timeline"
        static.mkdir(parents=True, exist_ok=True)
        upstream_static = resources.files(upstream.static_module)
        for name in ("default.css", "datetime.js"):
            (static / name).write_bytes((upstream_static / name).read_bytes())


def upstream_assets(app: Sphinx, pagename: str, template: str, context: dict, doctree: Any) -> None:
    """sphinx-timeline's CSS and script on the pages that show its own styles only.

    Upstream copies them into every HTML output (sphinx_timeline/main.py,
    add_html_assets, at builder-inited), so its setup is not called: its pieces
    are registered here. Remove when upstream uses app.add_static_dir (Sphinx 9.1).
    """
    if is_web(app.builder) and app.env.metadata.get(pagename, {}).get("timeline"):
        app.add_css_file("sphinx-timeline/default.css")
        app.add_js_file("sphinx-timeline/datetime.js")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("article_timeline_events", "_data/events.yaml", "env", types=(str,))
    app.add_directive("timeline", ArticleTimelineDirective)
    app.add_directive("timeline-downloads", TimelineDownloadsDirective)
    null = (upstream.visit_depart_null,) * 2  # as upstream registers it
    html = (upstream.visit_tl_div, upstream.depart_tl_div)
    app.add_node(upstream.TimelineDiv, html=html, latex=null, text=null, man=null, texinfo=null)
    app.add_node(timeline_date, html=(visit_date_html, depart_date_html))
    app.add_node(timeline_axis, html=(visit_axis_html, None))
    app.add_post_transform(TimelineForBuilder)
    app.connect("env-check-consistency", check_events)
    app.connect("html-page-context", upstream_assets)
    app.connect("build-finished", export)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
