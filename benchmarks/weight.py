"""First-visit weight of a built HTML page: the page and every file it loads.

A first visit, empty cache, fetches the HTML, then the stylesheets, scripts,
images, icons and fonts that it names, then what those stylesheets name in
url() and @import. This module follows those references inside the built
site (it never fetches anything remote) and adds up the bytes, raw and as
a server sends them gzipped (level 6, nginx's and most CDNs' default); files
that are compressed already (images, WOFF fonts) are counted as they are.
It counts every file that is referenced, even if a browser would load it
late or lazily: an upper bound, the same for the project and the floor.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Sent as they are: compressing them again gains nothing.
_PRECOMPRESSED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".woff", ".woff2"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
# <link rel=...> values whose target a browser fetches on load.
_FETCHED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}


@dataclass
class Weight:
    """Bytes a first visit downloads, and what they are."""

    raw: int = 0
    gzip: int = 0
    files: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)  # not counted: named for the report


class _References(HTMLParser):
    """The URLs of the resources an HTML page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False
        self.inline_css = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "link" and _FETCHED_LINKS & set(a.get("rel", "").lower().split()):
            self.urls.append(a.get("href", ""))
        elif tag in {"script", "img", "iframe", "embed", "source", "audio", "video"}:
            self.urls.append(a.get("src", ""))
        elif tag == "object":
            self.urls.append(a.get("data", ""))
        if tag in {"img", "source"} and a.get("srcset"):
            self.urls.extend(part.split()[0] for part in a["srcset"].split(",") if part.strip())
        if tag == "video" and a.get("poster"):
            self.urls.append(a["poster"])
        if a.get("style"):
            self.inline_css += a["style"] + "\n"
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_css += data


def _resolve(url: str, base: Path, site: Path, root: str) -> Path | str | None:
    """A local file for url, the url itself if remote, None if nothing is fetched.
    A path from the server's root (/en/latest/...) is in the site under root."""
    url = url.strip()
    parts = urlsplit(url)
    if not url or url.startswith("#") or parts.scheme in {"data", "javascript", "about"}:
        return None
    if parts.scheme or parts.netloc:
        return url
    path = unquote(parts.path)
    if path.startswith("/"):
        if not path.startswith(root):
            return url  # elsewhere on the server: not the site's
        return (site / path.removeprefix(root)).resolve()
    return (base / path).resolve()


def _css_urls(css: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in _CSS_URL.finditer(css)]


def page_weight(page: Path, site: Path, root: str = "/") -> Weight:
    """What a first visit to page (a file under the built site) downloads.
    root is the URL path the site is served under (html_baseurl's path)."""
    weight = Weight()
    seen: set[Path] = set()

    def add(path: Path) -> bytes:
        data = path.read_bytes()
        weight.raw += len(data)
        small = data if path.suffix.lower() in _PRECOMPRESSED else gzip.compress(data, 6, mtime=0)
        weight.gzip += len(small)
        weight.files.append(path.relative_to(site.resolve()).as_posix())
        return data

    def follow(urls: list[str], base: Path) -> None:
        for url in urls:
            target = _resolve(url, base, site, root)
            if target is None or target in seen:
                continue
            if isinstance(target, str):
                weight.remote.append(target)
                continue
            if not target.is_file():
                raise FileNotFoundError(f"{page}: references {url}, which is not in the site")
            seen.add(target)
            data = add(target)
            if target.suffix.lower() == ".css":
                follow(_css_urls(data.decode("utf-8", "replace")), target.parent)

    page = page.resolve()
    seen.add(page)
    parser = _References()
    parser.feed(add(page).decode("utf-8"))
    follow(parser.urls, page.parent)
    follow(_css_urls(parser.inline_css), page.parent)
    return weight
