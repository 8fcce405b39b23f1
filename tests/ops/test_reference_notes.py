"""The repository explains itself: citations point at the project's own notes in docs/, never outside.

A maintainer with nothing but a clone must be able to follow every "see §…" in the code. So:
(a) no tracked file points at the team's shelf beside the checkout or at its old note names;
(b) every ``docs/<notes>.md §N[.M]`` citation names a notes file that exists and a section heading in it;
(c) every section of the two notes links at least one public source.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"
NOTES = ("quickbooks-online.md", "web-connector.md")

# Spelled in pieces so that this file does not match its own search.
FORBIDDEN = ("../" + "shared", "ESPQB_" + "SHARED_DIR", "qbo" + "-facts", "qbwc" + "-facts")
# The one file allowed to name where the vendored contracts were first collected.
ALLOWED = "sandbox/src/qb_sandbox/contracts/PROVENANCE.md"

# ``docs/web-connector.md §1.2``, also when a comment wraps between the file and the section, then any
# further sections of the same citation: ``, §0.5``, ``/§2.11``, ``-§1.8`` or a range ``–2.5``.
SECTION = r"\d+(?:\.\d+)?"
CITATION = re.compile(
    rf"docs/(?P<file>[A-Za-z0-9_-]+\.md)[ \t]*(?:\n[ \t]*(?:#|\*|//)?[ \t]*)?§[ \t]?(?P<first>{SECTION})"
    rf"(?P<more>(?:[ \t]*[,/][ \t]*§[ \t]?{SECTION}|[ \t]*[–-][ \t]*§?[ \t]?{SECTION})*)"
)
MORE = re.compile(SECTION)
HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+(?:(?P<number>\d+(?:\.\d+)?)\.?[ \t]+)?(?P<title>.*)$", re.M)
LINK = re.compile(r"https?://[^\s)>\]]+")


@dataclass(frozen=True)
class Section:
    number: str
    level: int
    title: str
    body: str  # up to the next heading of the same or a higher level, so it includes subsections


def sections(text: str) -> list[Section]:
    """The numbered sections of a notes file, in order."""
    headings = list(HEADING.finditer(text))
    found = []
    for index, heading in enumerate(headings):
        if heading["number"] is None:
            continue
        level = len(heading["level"])
        end = len(text)
        for later in headings[index + 1 :]:
            if len(later["level"]) <= level:
                end = later.start()
                break
        found.append(Section(heading["number"], level, heading["title"], text[heading.end() : end]))
    return found


def citations(text: str) -> list[tuple[str, str]]:
    """Every (notes file, section number) the text cites."""
    cited = []
    for match in CITATION.finditer(text):
        cited.append((match["file"], match["first"]))
        cited.extend((match["file"], number) for number in MORE.findall(match["more"]))
    return cited


def broken_citations(files: dict[str, str], docs: Path) -> list[str]:
    """``path: docs/<file> §N`` for each citation whose notes file or section does not exist."""
    known: dict[str, set[str] | None] = {}
    broken = []
    for path, text in files.items():
        for notes, number in citations(text):
            if notes not in known:
                target = docs / notes
                known[notes] = {s.number for s in sections(target.read_text())} if target.is_file() else None
            numbers = known[notes]
            if numbers is None or number not in numbers:
                broken.append(f"{path}: docs/{notes} §{number}")
    return broken


def sections_without_link(text: str) -> list[str]:
    return [f"§{s.number} {s.title}" for s in sections(text) if not LINK.search(s.body)]


def _in_git_checkout() -> bool:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        return False
    probe = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return probe.returncode == 0 and probe.stdout.strip() == "true"


def _project_texts() -> dict[str, str]:
    """Tracked files (every file of the tree when this is not a git checkout), as text."""
    if _in_git_checkout():
        listing = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        )
        paths = [REPO_ROOT / name for name in listing.stdout.split("\0") if name]
    else:
        skip = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        paths = [p for p in REPO_ROOT.rglob("*") if p.is_file() and not skip & set(p.parts)]
    texts = {}
    for path in paths:
        try:
            texts[str(path.relative_to(REPO_ROOT))] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files, or deleted in the working tree
    return texts


# -- the repository ----------------------------------------------------------------------------------


def test_no_file_points_outside_the_repository() -> None:
    if not _in_git_checkout():
        pytest.skip("not a git checkout: nothing tells tracked files from others")
    args = ["git", "grep", "-n", "-I", "-F"]
    for needle in FORBIDDEN:
        args += ["-e", needle]
    args += ["--", ".", f":(exclude){ALLOWED}"]
    result = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr  # 1: no match
    assert result.stdout == "", "files citing the shelf beside the checkout:\n" + result.stdout


def test_every_citation_names_an_existing_notes_section() -> None:
    texts = _project_texts()
    assert broken_citations(texts, DOCS) == []
    # The citations are really there to check: the code cites both notes many times over.
    cited_files = {notes for text in texts.values() for notes, _ in citations(text)}
    assert set(NOTES) <= cited_files


@pytest.mark.parametrize("notes", NOTES)
def test_every_section_of_the_notes_links_its_sources(notes: str) -> None:
    text = (DOCS / notes).read_text()
    numbered = sections(text)
    assert len(numbered) > 20
    numbers = [s.number for s in numbered]
    assert len(numbers) == len(set(numbers)), "a section number is used twice"
    assert sections_without_link(text) == []


# -- the checks themselves catch what they are meant to catch --------------------------------------------


NOTES_SAMPLE = """# Notes

## 1. Tokens

### 1.1 Lifetimes

Access tokens last an hour ([FAQ](https://developer.intuit.com/faq)).

### 1.2 Rotation

Keep the newest one.

## 2. API

### 2.10 Faults

See <http://example.com/faults>.
"""


def test_the_checks_catch_a_broken_citation_and_a_section_without_source(tmp_path: Path) -> None:
    (tmp_path / "sample.md").write_text(NOTES_SAMPLE)
    sample = "docs/" + "sample.md"  # not written out, so that the repository check does not read these
    files = {
        "ok.py": f"# tokens rotate ({sample} §1.1, §2.10); faults ({sample} §2)",
        "wrapped.py": f"# the limits ({sample}\n    # §1.3) are per company",
        "range.py": f'"""Both ({sample} §1.1–1.4)."""',
        "missing.py": "# see docs/" + "absent.md §1.1",
        "later.py": f"# see {sample} §1.1, §2.1 and §9",
    }
    assert broken_citations(files, tmp_path) == [
        f"wrapped.py: {sample} §1.3",
        f"range.py: {sample} §1.4",
        "missing.py: docs/" + "absent.md §1.1",
        f"later.py: {sample} §2.1",
    ]
    assert sections_without_link(NOTES_SAMPLE) == ["§1.2 Rotation"]
