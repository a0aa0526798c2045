"""One drawing in every format, and the set of drawings kept in ``diagrams/``.

Each generated SVG and PNG carries a stamp: the hash of what it was drawn
from (the DOT text, or for a timeline its representation and the drawing
code). ``--check`` recomputes the stamps and compares them with the files',
so it does not depend on the bytes Graphviz, cairo or matplotlib produce on a
given machine: a model or scenario change that was not regenerated is stale
everywhere, and a newer Graphviz is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from procsim.core.engine import Replay
from procsim.core.model import Process
from procsim.render.diagram import extract
from procsim.render.diagram.ir import Diagram, Timeline

# bump when a change to how files are drawn (not to the DOT) should regenerate them all
DRAWING_VERSION = "1"
KEPT_FORMATS = ("svg", "png")
#: Every kind of file the manifest may list (drawings, and the case pages written beside them).
LISTED_SUFFIXES = (*KEPT_FORMATS, "html")


@dataclass(frozen=True)
class Output:
    """A generated file other than a drawing (a case page): its stamp and how to render it."""

    stamp: Callable[[], str]
    render: Callable[[], bytes]


@dataclass(frozen=True)
class Drawing:
    """A diagram ready to render in any format."""

    name: str
    ir: Diagram | Timeline

    @property
    def is_timeline(self) -> bool:
        return isinstance(self.ir, Timeline)

    def dot(self) -> str:
        from procsim.render.diagram.dot import to_dot

        if self.is_timeline:
            from procsim.render.diagram.render import RenderError

            raise RenderError(
                "a timeline is drawn with matplotlib, not Graphviz: use --format svg, png, pdf or mermaid"
            )
        return to_dot(self.ir)  # type: ignore[arg-type]

    def mermaid(self) -> str:
        from procsim.render.diagram.mermaid import timeline_to_mermaid, to_mermaid

        return timeline_to_mermaid(self.ir) if self.is_timeline else to_mermaid(self.ir)  # type: ignore[arg-type]

    @property
    def png_dpi(self) -> int:
        from procsim.render.diagram.render import LARGE_PNG_DPI, PNG_DPI

        # the whole process is a poster: a lower resolution keeps its file small; a path or a
        # comparison is drawn for a slide (and with --context full, is not kept in diagrams/)
        big = not self.is_timeline and self.ir.kind == "process"
        return LARGE_PNG_DPI if big else PNG_DPI

    def source(self) -> str:
        """What the pictures are drawn from: the DOT, or the timeline and its drawing code."""
        if self.is_timeline:
            from procsim.render.diagram import timeline as drawing

            code = Path(drawing.__file__).read_bytes().replace(b"\r\n", b"\n")  # as on any checkout
            body = json.dumps(self.ir.to_json(), sort_keys=True, ensure_ascii=False)
            return f"timeline\n{hashlib.sha256(code).hexdigest()}\n{drawing.PNG_DPI}\n{body}"
        return f"graphviz\n{self.png_dpi}\n{self.dot()}"

    def stamp(self) -> str:
        from procsim.render.diagram.render import stamp_of

        return stamp_of(f"procsim-diagram/{DRAWING_VERSION}\n{self.source()}")

    def render(self, fmt: str, page: str | None = None) -> bytes:
        """The drawing as bytes: svg, png, pdf (stamped where the format allows), dot or mermaid.
        ``page`` (``slide`` or ``a4``, PDF only) scales the drawing to fit that page."""
        from procsim.render.diagram.render import RenderError, add_stamp, render_dot

        if fmt == "dot":
            return self.dot().encode("utf-8")
        if fmt == "mermaid":
            return self.mermaid().encode("utf-8")
        if fmt not in ("svg", "png", "pdf"):
            raise RenderError(f"unknown format '{fmt}'; use svg, png, pdf, dot or mermaid")
        if self.is_timeline:
            from procsim.render.diagram.render import captured_stderr
            from procsim.render.diagram.timeline import render_timeline

            if page is not None:
                raise RenderError("--page is for Graphviz diagrams; a timeline PDF has its own size")
            with captured_stderr():
                data = render_timeline(self.ir, fmt)  # type: ignore[arg-type]
        else:
            data, _messages = render_dot(self.dot(), fmt, self.png_dpi, page=page)
        return add_stamp(data, fmt, self.stamp())


# ---------------------------------------------------------------------- the kept set
def drawings(processes: Iterable[Process], replays: Iterable[Replay]) -> list[Drawing]:
    """Every diagram kept in ``diagrams/``: each process whole, in overview and forum by
    forum; each scenario's path and timeline; each alternative beside the scenario it extends."""
    processes = list(processes)
    replays = list(replays)
    prefix: Callable[[Process], str] = (lambda p: "") if len(processes) == 1 else (lambda p: f"{p.id}-")
    result: list[Drawing] = []
    for process in processes:
        head = prefix(process)
        result.append(Drawing(f"{head}process", extract.process_diagram(process)))
        result.append(Drawing(f"{head}process-overview", extract.overview_diagram(process)))
        for forum in process.forums:
            for diagram in extract.forum_diagrams(process, forum):
                result.append(Drawing(f"{head}{diagram.name}", diagram))
    by_id = {replay.scenario.id: replay for replay in replays}
    for replay in sorted(replays, key=lambda r: r.scenario.id):
        process = next(p for p in processes if p.id == replay.scenario.process)
        result.append(Drawing(replay.scenario.id, extract.path_diagram(process, replay)))
        result.append(Drawing(f"{replay.scenario.id}-timeline", extract.timeline_diagram(process, replay)))
        base = by_id.get(replay.scenario.extends or "")
        if base is not None:
            diagram = extract.compare_diagram(process, [base, replay])
            result.append(Drawing(diagram.name, diagram))
    return result


#: The list of the files procsim wrote in a diagrams folder, one name a line: only these
#: are ever removed (a stamped file procsim did not list, e.g. one drawn with ``-o``, is
#: the user's).
MANIFEST = ".procsim-diagrams"


def expected_files(items: Iterable[Drawing], folder: Path) -> dict[Path, Drawing]:
    return {folder / f"{item.name}.{fmt}": item for item in items for fmt in KEPT_FORMATS}


def _targets(items: Iterable[Drawing], folder: Path, extra: Mapping[Path, Output]) -> dict[Path, Output]:
    """Every file expected in ``folder``: each drawing in each kept format, and ``extra``."""
    targets: dict[Path, Output] = {}
    stamps: dict[int, str] = {}
    for path, item in expected_files(items, folder).items():
        stamp = partial(_cached_stamp, item, stamps)
        targets[path] = Output(stamp, partial(item.render, path.suffix[1:]))
    targets.update(extra)
    return targets


def _cached_stamp(item: Drawing, stamps: dict[int, str]) -> str:
    return stamps.setdefault(id(item), item.stamp())


@dataclass(frozen=True)
class Written:
    """What :func:`write_all` did: the files written, and those it removed."""

    written: list[Path]
    removed: list[Path]


def write_all(
    items: Iterable[Drawing],
    folder: Path,
    *,
    force: bool = False,
    remove: bool = True,
    progress: Callable[[Path], None] | None = None,
    extra: Mapping[Path, Output] | None = None,
) -> Written:
    """Render and write every drawing (SVG and PNG) into ``folder``, each file atomically,
    and list them in its manifest. A file whose stamp is current is left alone (unless
    ``force``), so regenerating changes only what changed. Removes the files the manifest
    lists that are no longer expected (unless not ``remove``: when some scenario could not be
    read, its files are kept), and temporary files left by an interrupted write; nothing else.
    ``extra`` are other generated files (the case pages), written, listed and removed alike."""
    from procsim.io.atomic import clean_stale_temporaries, write_text_atomic
    from procsim.render.diagram.render import read_stamp, write_file

    expected = _targets(items, folder, extra or {})
    written = []
    for path, output in expected.items():
        if progress:
            progress(path)
        if not force and read_stamp(path) == output.stamp():
            continue
        write_file(path, output.render())
        written.append(path)
    removed = clean_stale_temporaries(folder)
    kept = []
    for path in _listed(folder):
        if path not in expected and path.is_file() and read_stamp(path) is not None:
            if remove:
                path.unlink()
                removed.append(path)
            else:
                kept.append(path)
    manifest = "".join(f"{path.name}\n" for path in sorted([*expected, *kept]))
    if _read_manifest(folder) != manifest:
        write_text_atomic(folder / MANIFEST, manifest)
    return Written(written, sorted(removed))


def check(
    items: Iterable[Drawing], folder: Path, extra: Mapping[Path, Output] | None = None
) -> list[tuple[Path, str]]:
    """Each stale file in ``folder`` and why: missing, drawn from something older, no
    longer generated, or a partial file an interrupted write left. Empty when every
    diagram is up to date."""
    from procsim.io.atomic import stale_temporaries
    from procsim.render.diagram.render import read_stamp

    expected = _targets(items, folder, extra or {})
    problems: list[tuple[Path, str]] = []
    for path, output in expected.items():
        found = read_stamp(path)
        if not path.exists():
            problems.append((path, "missing"))
        elif found is None:
            problems.append((path, "not a file procsim generated (no stamp)"))
        elif found != output.stamp():
            problems.append((path, "stale: made from an older model, scenario or code"))
    for path in _listed(folder):
        if path not in expected and path.is_file() and read_stamp(path) is not None:
            problems.append((path, "no longer generated: its scenario or forum is gone"))
    for path in stale_temporaries(folder):
        problems.append((path, "a partial file left by an interrupted write"))
    return sorted(problems, key=lambda item: str(item[0]))


def _read_manifest(folder: Path) -> str | None:
    from procsim.core.errors import ProcsimError
    from procsim.io.files import read_text

    try:
        return read_text(folder / MANIFEST)
    except ProcsimError:
        return None


def _listed(folder: Path) -> list[Path]:
    """The files the manifest says procsim wrote (plain names only, none outside ``folder``)."""
    names = (_read_manifest(folder) or "").splitlines()
    return sorted(
        folder / name
        for name in set(names)
        if name
        and "/" not in name
        and "\\" not in name
        and name not in (".", "..")
        and Path(name).suffix[1:] in LISTED_SUFFIXES
    )
