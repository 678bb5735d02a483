"""The domain API: one `Project` object that the CLI, the TUI and the exporters all use.

It is assembled from parts kept in their own modules (documents, codes, coding, history,
search) over a shared base that owns the connection and the unit of change. No part imports
Textual or prints anything: callers decide how to show results and errors.
"""

from casecoder.project.autocode import AutocodeMixin
from casecoder.project.bulk import BulkReadMixin
from casecoder.project.codes import CodesMixin
from casecoder.project.coding import CodingMixin
from casecoder.project.core import SUPPORTED_LANGUAGES, ProjectBase
from casecoder.project.documents import (
    SEGMENT_KINDS,
    DocumentsMixin,
    parse_assignment,
    prepare_file,
)
from casecoder.project.framework import FrameworkMixin
from casecoder.project.history import HistoryMixin
from casecoder.project.lemmas import WordIndexMixin
from casecoder.project.reading import ProjectReader
from casecoder.project.review import ReviewMixin
from casecoder.project.search import SearchMixin, fts_query
from casecoder.project.speakers import SpeakersMixin
from casecoder.project.surveys import SurveysMixin


class Project(SurveysMixin, DocumentsMixin, CodesMixin, CodingMixin, HistoryMixin, SearchMixin,
              FrameworkMixin, SpeakersMixin, ReviewMixin, WordIndexMixin, AutocodeMixin,
              BulkReadMixin, ProjectBase):
    """An open casecoder project file."""


__all__ = ["SEGMENT_KINDS", "SUPPORTED_LANGUAGES", "Project", "ProjectReader", "fts_query",
           "parse_assignment", "prepare_file"]
