"""Tables for the Word export, with column widths from their content.

Word gives every column of a new table the same width, so a long code name or "European
University alliance" breaks inside a word ("Europe an"). Here each column gets at least the
width of its longest word, measured with a conservative per-character estimate (DejaVu Sans
widths, wider than Calibri, the template's font, and than Carlito, LibreOffice's stand-in, so a
word that fits here fits there), bold for header and first column. The room left between the
margins goes to the columns that would otherwise wrap, in proportion to what they lack. When
even the longest words do not fit (a breakdown with many groups), the table's text gets
smaller, down to 7 pt, before any word would have to break.

Every row is marked cantSplit (a row never breaks across pages) and the header row
tblHeader (Word and LibreOffice repeat it on every page the table runs over).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casecoder.export.quotes import xml_safe

# Advance widths in em (DejaVu Sans); anything not listed counts as an average capital.
_NARROW = dict.fromkeys("ijlI.,:;'!|()[]", 0.32)
_NARROW.update(dict.fromkeys("frt", 0.42))
_WIDE = dict.fromkeys("mwMW@%", 0.98)
_LOWER = 0.63
_UPPER = 0.74
_SPACE = 0.32
CELL_PADDING = 2 * 115 + 40  # twips: left and right cell margins (0.19 cm each) and slack
SIZES = (9.0, 8.5, 8.0, 7.5, 7.0)  # points, the table text's size, largest first


def text_width(text: str, size: float, bold: bool = False) -> int:
    """Estimated width of text on one line, in twips (a point is 20 twips)."""
    em = 0.0
    for char in text:
        width = _NARROW.get(char) or _WIDE.get(char)
        if width is None:
            width = _SPACE if char == " " else _LOWER if char.islower() or char.isdigit() \
                else _UPPER
        em += width
    return int(em * size * 20 * (1.08 if bold else 1.0)) + 1


def _words(text: str) -> list[str]:
    """The pieces a line may break between: spaces, and after a hyphen."""
    out: list[str] = []
    for word in text.split():
        parts = word.split("-")
        out.extend(p + "-" for p in parts[:-1])
        out.append(parts[-1])
    return out


def column_widths(rows: Sequence[Sequence[str]], available: int,
                  numeric_from: int = 1, bold_last: bool = False) -> tuple[list[int], float]:
    """Widths in twips (summing to at most `available`) and the font size that fits them.

    Room beyond the longest words goes first to the first column (the code names, which
    read badly when wrapped), then to the others in proportion to what they lack.
    """
    columns = len(rows[0])
    for size in SIZES:
        least = [0] * columns
        natural = [0] * columns
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                bold = r == 0 or c == 0 or (bold_last and r == len(rows) - 1)
                # Counts ("10 (2)") never wrap; names wrap between words only.
                words = [text] if r and c >= numeric_from else _words(text) or [""]
                least[c] = max(least[c], max(text_width(w, size, bold) for w in words)
                               + CELL_PADDING)
                natural[c] = max(natural[c], text_width(text, size, bold) + CELL_PADDING)
        if sum(least) <= available or size == SIZES[-1]:
            break
    if sum(natural) <= available:
        return natural, size
    spare = available - sum(least)
    if spare < 0:
        # Even at the smallest size the longest words do not fit: the table still keeps to
        # the page, and the widest columns give way (their words may then break).
        return [m * available // sum(least) for m in least], size
    if spare == 0:
        return least, size
    widths = list(least)
    first = min(natural[0] - least[0], spare, available // 2 - least[0])
    if first > 0:
        widths[0] += first
        spare -= first
    lacking = [n - w for n, w in zip(natural, widths, strict=True)]
    total = sum(lacking) or 1
    widths = [w + spare * lack // total for w, lack in zip(widths, lacking, strict=True)]
    return widths, size


def add_table(body: Any, styles: Any, rows: Sequence[Sequence[str]], *,
              numeric_from: int = 1, bold_last: bool = False) -> Any:
    """Append a table (first row the header) to `body` (anything with `append`, such as
    the writer's batched body); returns the w:tbl."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    widths, size = column_widths(rows, styles.text_width, numeric_from, bold_last)
    tbl = OxmlElement("w:tbl")
    pr = OxmlElement("w:tblPr")
    if styles.table:
        style = OxmlElement("w:tblStyle")
        style.set(qn("w:val"), styles.table)
        pr.append(style)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(widths)))
    width.set(qn("w:type"), "dxa")
    pr.append(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    pr.append(layout)
    look = OxmlElement("w:tblLook")
    for key, value in (("w:val", "04A0"), ("w:firstRow", "1"), ("w:lastRow", "0"),
                       ("w:firstColumn", "1"), ("w:lastColumn", "0"), ("w:noHBand", "0"),
                       ("w:noVBand", "1")):
        look.set(qn(key), value)
    pr.append(look)
    tbl.append(pr)
    grid = OxmlElement("w:tblGrid")
    for w in widths:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(w))
        grid.append(col)
    tbl.append(grid)
    half_points = None if size == SIZES[0] else str(int(size * 2))
    for r, row in enumerate(rows):
        tr = OxmlElement("w:tr")
        trpr = OxmlElement("w:trPr")
        trpr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            trpr.append(OxmlElement("w:tblHeader"))
        tr.append(trpr)
        bold = bold_last and r == len(rows) - 1
        for c, (text, w) in enumerate(zip(row, widths, strict=True)):
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            tcw = OxmlElement("w:tcW")
            tcw.set(qn("w:w"), str(w))
            tcw.set(qn("w:type"), "dxa")
            tcpr.append(tcw)
            tc.append(tcpr)
            p = OxmlElement("w:p")
            ppr = OxmlElement("w:pPr")
            pstyle = OxmlElement("w:pStyle")
            pstyle.set(qn("w:val"), styles.table_text)
            ppr.append(pstyle)
            if c >= numeric_from and r > 0:
                jc = OxmlElement("w:jc")
                jc.set(qn("w:val"), "right")
                ppr.append(jc)
            p.append(ppr)
            run = OxmlElement("w:r")
            if bold or half_points:
                rpr = OxmlElement("w:rPr")
                if bold:
                    rpr.append(OxmlElement("w:b"))
                if half_points:
                    sz = OxmlElement("w:sz")
                    sz.set(qn("w:val"), half_points)
                    rpr.append(sz)
                run.append(rpr)
            t = OxmlElement("w:t")
            t.text = xml_safe(text)
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(t)
            p.append(run)
            tc.append(p)
            tr.append(tc)
        tbl.append(tr)
    body.append(tbl)
    return tbl
