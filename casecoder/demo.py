"""The demo project: the shipped sample study, imported, coded by two fictional coders.

The sample study lives at the top of the repository (transcripts/, codebooks/) and is also
packed into the wheel under casecoder/sample/, so the demo builds the same way from an
editable checkout and from a plain install.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from casecoder.errors import UserError

SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")
ENV_DATA = "CASECODER_DATA_DIR"


def sample_root() -> Path:
    """The folder holding transcripts/ and codebooks/ (inside the package, or the checkout)."""
    here = Path(__file__).resolve().parent
    for root in (here / "sample", here.parent):
        if (root / "transcripts").is_dir() and (root / "codebooks").is_dir():
            return root
    raise UserError("the sample study is not installed with this casecoder")


def default_demo_path() -> Path:
    base = os.environ.get(ENV_DATA)
    if base:
        return Path(base) / "demo.cc.db"
    import platformdirs

    return Path(platformdirs.user_data_dir("casecoder", appauthor=False)) / "demo.cc.db"


def _languages(attributes_csv: Path) -> dict[str, str]:
    with attributes_csv.open(encoding="utf-8-sig", newline="") as fh:
        return {row["document"]: row.get("language") or "nb" for row in csv.DictReader(fh)}


def build_demo(path: Path | None = None, *, force: bool = False) -> Path:
    """Build the demo project at path (default: the user data folder) unless it exists.

    It is built aside (`building_project`), so an interrupted build never leaves a half-made
    demo that later runs would trust.
    """
    from casecoder.project import Project
    from casecoder.quotecodings import quote_records
    from casecoder.store import building_project

    path = Path(path) if path else default_demo_path()
    if path.exists() and not force:
        Project.open(path).close()  # refuses a foreign file with a clear message
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    root = sample_root()
    transcripts = root / "transcripts"
    with building_project(path, replace=True) as tmp, \
            Project.create(tmp, language="nb", coder="demo", name="Erasmus+ sample study") as p:
        p.import_codebook(root / "codebooks" / "erasmus-plus.yml")
        languages = _languages(transcripts / "attributes.csv")
        files = [f for f in sorted(transcripts.iterdir()) if f.suffix.lower() in SUFFIXES]
        failures = [r.message for r in p.import_files(files, languages=languages)
                    if r.status == "failed"]
        if failures:
            raise UserError(f"the sample study did not import: {failures[0]}")
        p.load_attributes_csv(transcripts / "attributes.csv")
        if (transcripts / "speakers.csv").exists():  # the group interviews' informants
            p.load_speakers_csv(transcripts / "speakers.csv")
        for file in sorted((transcripts / "demo-codings").glob("*.yml")):
            p.add_codings(quote_records(p, file), action="demo-codings",
                          summary=f"demo codings from {file.name}")
        p.set_memo("project", None,
                   "Demo project built from the casecoder sample study: twelve fictional, "
                   "anonymised interviews in the spirit of an evaluation of how Norwegian "
                   "universities and university colleges use Erasmus+ to develop education.")
    return path
