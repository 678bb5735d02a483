"""The Word export's page and styles: python-docx's default template or the user's own.

Everything in the exported document is styled by name, never by direct formatting, so a
researcher can restyle the whole report at once or paste it into the institution's template:
headings are Word's "Heading 1-3" (the navigation pane and a table of contents pick them
up), quotes are in "Quote", code definitions in "Code definition", and casecoder's own
styles ("Quote attribution", "Quote context", "Memo", "Table text") are added only where the
template lacks them. Style ids are resolved once per export (`Styles`), because a lookup by
name walks the whole styles part and 100,000 quotes would pay for it every time.

`--template FILE.docx` is a file from outside: it is vetted as an untrusted zip (member paths,
size and compression ratio), every XML part is parsed once with defusedxml (no DTDs, entities
or external references) before python-docx sees it, and its body is emptied: only its styles,
page setup, headers and footers are kept.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casecoder.errors import UserError

MAX_TEMPLATE_BYTES = 20_000_000
MAX_TEMPLATE_MEMBERS = 500
MAX_TEMPLATE_RATIO = 100
A4 = (11906, 16838)  # twips
NORMAL_MARGIN = 1440  # twips: 2.54 cm, Word's "Normal" margins

# Styles casecoder adds when the template has none of that name: (name, based on, settings).
_OWN_STYLES: dict[str, dict[str, Any]] = {
    "Code definition": {"size": 10, "color": (0x42, 0x4A, 0x53), "space_after": 6},
    "Quote attribution": {"size": 8.5, "color": (0x59, 0x63, 0x6E), "align": "right",
                          "space_after": 10},
    "Quote context": {"size": 9.5, "italic": True, "color": (0x59, 0x63, 0x6E),
                      "indent": 0.6, "keep_with_next": True, "space_after": 2},
    "Memo": {"size": 8.5, "indent": 0.6, "space_after": 8},
    "Counts": {"size": 9, "color": (0x59, 0x63, 0x6E), "space_after": 6},
    "Table text": {"size": 9, "space_after": 0, "space_before": 0},
    "Title page": {"size": 11, "space_after": 6},
}


@dataclass(frozen=True)
class Styles:
    """Style ids of one document, looked up once."""

    title: str
    subtitle: str
    headings: tuple[str, str, str]
    quote: str
    definition: str
    attribution: str
    context: str
    memo: str
    counts: str
    caption: str
    table_text: str
    title_page: str
    table: str | None
    text_width: int  # twips between the margins


def open_document(template: Path | None) -> Any:
    """A python-docx Document to write into: the default template on A4, or the user's."""
    from docx import Document

    if template is None:
        document = Document()
        section = document.sections[0]
        from docx.shared import Twips

        section.page_width, section.page_height = Twips(A4[0]), Twips(A4[1])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Twips(NORMAL_MARGIN))
        _adjust_default_styles(document)
    else:
        _vet_template(template)
        try:
            document = Document(str(template))
        except Exception as exc:  # python-docx raises many kinds for a broken package
            raise UserError(f"--template {template}: not a Word document python-docx can "
                            f"read ({type(exc).__name__}: {exc})") from exc
        _empty_body(document)
    return document


def _vet_template(path: Path) -> None:
    """Refuse an unsafe or malformed .docx before python-docx parses any of it."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    from casecoder.ingest.safezip import open_safe_zip

    if not path.is_file():
        raise UserError(f"--template {path}: no such file")
    with open_safe_zip(path, what="a .docx template", max_members=MAX_TEMPLATE_MEMBERS,
                       max_read_bytes=MAX_TEMPLATE_BYTES, max_ratio=MAX_TEMPLATE_RATIO,
                       max_file_bytes=MAX_TEMPLATE_BYTES) as archive:
        names = archive.names()
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise UserError(f"--template {path}: not a .docx (no word/document.xml)")
        for name in names:
            if not name.endswith((".xml", ".rels")):
                continue
            try:
                SafeET.fromstring(archive.read(name, MAX_TEMPLATE_BYTES))
            except (DefusedXmlException, SafeET.ParseError) as exc:
                raise UserError(f"--template {path}: refused: {name} is not safe, "
                                f"well-formed XML ({type(exc).__name__})") from exc


def _empty_body(document: Any) -> None:
    """Drop the template's own content; keep its last section's page setup."""
    from docx.oxml.ns import qn

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _adjust_default_styles(document: Any) -> None:
    """The default template's Quote is italic, centred-ish and loose: make it a block quote."""
    from docx.shared import Cm, Pt

    quote = document.styles["Quote"]
    fmt = quote.paragraph_format
    fmt.left_indent = Cm(0.6)
    fmt.right_indent = Cm(0.6)
    fmt.space_before = Pt(2)
    fmt.space_after = Pt(2)
    fmt.keep_with_next = True
    quote.font.italic = False
    quote.font.size = Pt(10.5)
    # Captions stand above their table or chart and stay with it; every theme opens a page.
    document.styles["Caption"].paragraph_format.keep_with_next = True
    document.styles["Heading 1"].paragraph_format.page_break_before = True


def resolve(document: Any) -> Styles:
    """Every style the writer needs, by id, adding casecoder's own ones where missing."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    styles = document.styles

    def paragraph_style(name: str) -> str:
        try:
            style = styles[name]
            if style.type == WD_STYLE_TYPE.PARAGRAPH:
                return str(style.style_id)
        except KeyError:
            pass
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        # A template without a Normal style: the new one stands alone.
        with contextlib.suppress(KeyError):
            style.base_style = styles["Normal"]
        settings = _OWN_STYLES.get(name, {})
        font, fmt = style.font, style.paragraph_format
        if "size" in settings:
            font.size = Pt(settings["size"])
        if settings.get("italic"):
            font.italic = True
        if "color" in settings:
            font.color.rgb = RGBColor(*settings["color"])
        if settings.get("align") == "right":
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if "indent" in settings:
            fmt.left_indent = Cm(settings["indent"])
        if settings.get("keep_with_next"):
            fmt.keep_with_next = True
        if "space_after" in settings:
            fmt.space_after = Pt(settings["space_after"])
        if "space_before" in settings:
            fmt.space_before = Pt(settings["space_before"])
        if name.startswith("Heading "):
            # A template that never used a heading has it only as a latent style: the one
            # added here needs its outline level to show in the navigation pane and a TOC.
            from docx.oxml import OxmlElement
            from docx.oxml.ns import qn

            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(int(name.split()[-1]) - 1))
            style.element.get_or_add_pPr().append(level)
            font.bold = True
            font.size = Pt({"1": 16, "2": 13}.get(name.split()[-1], 11.5))
            fmt.keep_with_next = True
        style.quick_style = True
        return str(style.style_id)

    table: str | None = None
    for name in ("Light Grid Accent 1", "Table Grid"):
        try:
            if styles[name].type == WD_STYLE_TYPE.TABLE:
                table = str(styles[name].style_id)
                break
        except KeyError:
            continue
    section = document.sections[-1]
    width = (section.page_width or A4[0] * 635) - (section.left_margin or 0) \
        - (section.right_margin or 0)
    return Styles(
        title=paragraph_style("Title"), subtitle=paragraph_style("Subtitle"),
        headings=(paragraph_style("Heading 1"), paragraph_style("Heading 2"),
                  paragraph_style("Heading 3")),
        quote=paragraph_style("Quote"), definition=paragraph_style("Code definition"),
        attribution=paragraph_style("Quote attribution"),
        context=paragraph_style("Quote context"), memo=paragraph_style("Memo"),
        counts=paragraph_style("Counts"), caption=paragraph_style("Caption"),
        table_text=paragraph_style("Table text"), title_page=paragraph_style("Title page"),
        table=table, text_width=int(width) // 635)
