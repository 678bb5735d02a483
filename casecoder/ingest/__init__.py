"""Reading transcripts into one canonical text and cutting it into codable segments.

Importing this package must stay cheap (the TUI starts in under a second): spaCy is imported
only when sentences are actually split, never at module import.
"""

from casecoder.ingest.model import SegmentSpec, SourceText, Turn
from casecoder.ingest.readers import SUPPORTED_SUFFIXES, import_paths, read_file
from casecoder.ingest.segmentation import build_segments

__all__ = ["SUPPORTED_SUFFIXES", "SegmentSpec", "SourceText", "Turn", "build_segments",
           "import_paths", "read_file"]
