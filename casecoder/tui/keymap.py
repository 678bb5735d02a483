"""Every key of the workbench in one table: footer, help screen, palette and user keymap.

Researchers remap keys in the user config (`[keys]`, binding id = "key" or "key1,key2"); the
ids below are that contract, so they must stay stable. Keeping all bindings here means the
help screen and the command palette can never list a key the app does not have.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding, BindingType

from casecoder.config import load_config
from casecoder.errors import UserError


@dataclass(frozen=True)
class KeySpec:
    id: str
    keys: str
    action: str
    description: str
    section: str
    target: str  # "transcript" | "screen" | "app"
    show: bool = False  # in the footer
    palette: bool = True  # offered in the command palette
    footer_label: str = ""
    key_display: str | None = None
    priority: bool = False


def _k(id: str, keys: str, action: str, description: str, section: str, target: str, *,
       show: bool = False, palette: bool = True, label: str = "",
       key_display: str | None = None, priority: bool = False) -> KeySpec:
    return KeySpec(id, keys, action, description, section, target, show, palette, label,
                   key_display, priority)


def _screen(target: str, section: str, rows: tuple[tuple[Any, ...], ...]) -> tuple[KeySpec, ...]:
    """Keys of one of the other screens: (id, keys, action, footer label, description[, opts])."""
    out = []
    for row in rows:
        key_id, keys, action, label, description, *opts = row
        options = opts[0] if opts else {}
        out.append(_k(key_id, keys, action, description, section, target, label=label,
                      show=options.get("show", True), palette=False,
                      priority=options.get("priority", False)))
    return tuple(out)


#: The codebook, quotes, documents and agreement screens' keys (targets name the screen).
SCREEN_KEYS: tuple[KeySpec, ...] = (
    *_screen("codebook", "Codebook screen (F2)", (
        ("codebook.add", "a", "add", "Add", "Add a subcode under the highlighted code"),
        ("codebook.add_top", "A", "add_top", "Add theme", "Add a code at the top level"),
        ("codebook.rename", "r", "rename", "Rename", "Rename the code"),
        ("codebook.move", "m", "move", "Move",
         "Move the code (with its subcodes) under another code"),
        ("codebook.merge", "M", "merge", "Merge",
         "Merge the code into another: its codings and subcodes follow"),
        ("codebook.delete", "d,delete", "delete", "Delete",
         "Delete the code (asks again when it has codings; undo restores them)"),
        ("codebook.description", "e", "describe", "Description", "Edit the description"),
        ("codebook.colour", "c", "colour", "Colour", "Change the colour (#rrggbb)"),
        ("codebook.keywords", "k", "keywords", "Keywords", "Edit the search keywords"),
        ("codebook.shortcut", "s", "shortcut", "Shortcut",
         "Shortcut key 1-9 for applying the code on the coding screen"),
        ("codebook.codable", "t", "codable", "Codable",
         "Switch between a codable code and a category (theme only)"),
        ("codebook.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("quotes", "Quotes screen (F3)", (
        ("quotes.open", "enter", "open", "Open", "Open the quote in its transcript",
         {"priority": True}),
        ("quotes.read", "v", "read", "Read", "Read the quote whole, with the sentences around it"),
        ("quotes.filter_code", "c", "filter_code", "Codes",
         "Add or remove a code (a theme brings its subcodes)"),
        ("quotes.filter_attribute", "a", "filter_attribute", "Attribute",
         "Filter by an attribute value (case type, role, ...)"),
        ("quotes.filter_coder", "o", "filter_coder", "Coder", "Filter by coder"),
        ("quotes.filter_document", "d", "filter_document", "Document", "Filter by document"),
        ("quotes.filter_speaker", "p", "filter_speaker", "Speaker",
         "Filter by the speaker where the quote starts", {"show": False}),
        ("quotes.filter_with", "w", "filter_with", "With",
         "Only quotes with another code in the same unit", {"show": False}),
        ("quotes.filter_without", "n", "filter_without", "Without",
         "Only quotes without another code in the same unit", {"show": False}),
        ("quotes.filter_unit", "u", "filter_unit", "Unit",
         "The unit of with / without: sentence, turn, paragraph, document, overlap",
         {"show": False}),
        ("quotes.clear", "x", "clear_filters", "Clear", "Remove every filter"),
        ("quotes.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("documents", "Documents screen (F4)", (
        ("documents.open", "enter", "open", "Open", "Code this document on the coding screen",
         {"priority": True}),
        ("documents.attributes", "e", "attributes", "Attributes",
         "Edit the document's attributes (key=value lines)"),
        ("documents.case", "c", "case", "Case", "Put the document in a case (empty: no case)"),
        ("documents.speakers", "s", "speakers", "Speakers",
         "Speakers of the document: attributes, interviewer, person"),
        ("documents.import", "i", "import", "Import",
         "Import a transcript, or every transcript in a folder"),
        ("documents.survey", "v", "survey", "Survey",
         "Import open-ended answers from a survey spreadsheet (.csv, .xlsx)",
         {"show": False}),
        ("documents.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("agreement", "Agreement screen (F6)", (
        ("agreement.review", "enter", "review", "Review",
         "Walk through this code's disagreements"),
        ("agreement.sort", "s", "sort", "Sort",
         "Sort by the next column (click a header to sort by it)"),
        ("agreement.reverse", "S", "reverse", "Reverse", "Reverse the sort order",
         {"show": False}),
        ("agreement.coders", "o", "coders", "Coders", "Choose the two coders to compare"),
        ("agreement.unit", "u", "unit", "Unit", "Sentence, turn or paragraph"),
        ("agreement.consensus", "c", "consensus", "Consensus",
         "Name of the coder that decisions go to"),
        ("agreement.reload", "r", "reload", "Reload", "Compute the figures again",
         {"show": False}),
        ("agreement.top", "home", "top", "First", "First row", {"show": False, "priority": True}),
        ("agreement.bottom", "end", "top(True)", "Last", "Last row",
         {"show": False, "priority": True}),
        ("agreement.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("analysis", "Analysis screen (F8)", (
        ("analysis.drill", "enter", "drill", "Quotes",
         "The cell's quotes (framework tab: edit the cell's summary)", {"priority": True}),
        ("analysis.matrix", "1", "tab('matrix')", "Matrix", "Code x attribute matrix",
         {"show": False}),
        ("analysis.cooccurrence", "2", "tab('cooccurrence')", "Co-occ.",
         "Code x code co-occurrence", {"show": False}),
        ("analysis.framework", "3", "tab('framework')", "Framework",
         "Framework summaries: cases x themes", {"show": False}),
        ("analysis.next_tab", "tab", "next_tab", "Tab", "Next tab", {"priority": True}),
        ("analysis.measure", "m", "measure", "Measure", "Next measure"),
        ("analysis.by", "b", "by", "By", "Columns by the next attribute (matrix)"),
        ("analysis.unit", "u", "unit", "Unit", "Next unit (co-occurrence)", {"show": False}),
        ("analysis.sort", "s", "sort", "Sort", "Sort rows by the column under the cursor "
         "(again: reverse)"),
        ("analysis.order", "r", "codebook_order", "Order", "Rows in codebook order",
         {"show": False}),
        ("analysis.undo", "ctrl+z", "undo", "Undo", "Undo your last change (a summary)",
         {"show": False}),
        ("analysis.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("analysis_quotes", "Analysis: a cell's quotes", (
        ("analysis_quotes.open", "enter", "open", "Open", "Open the quote in its transcript",
         {"priority": True}),
        ("analysis_quotes.close", "escape", "close", "Back", "Back to the table"),
    )),
    *_screen("analysis_summary", "Analysis: framework summary", (
        ("analysis_summary.close", "escape", "close", "Close", "Save and close"),
    )),
    *_screen("memos", "Memos screen (F10)", (
        ("memos.open", "enter", "open", "Open", "Open the passage or document the memo is on",
         {"priority": True}),
        ("memos.filter_kind", "k", "filter_kind", "Target",
         "Only memos on: all, project, document, code, sentence, coding (cycles)"),
        ("memos.filter_coder", "o", "filter_coder", "Coder", "Only one coder's memos (cycles)"),
        ("memos.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("review", "Agreement review", (
        ("review.next", "n", "next", "Next", "Next disagreement"),
        ("review.previous", "N", "previous", "Prev", "Previous disagreement"),
        ("review.take_a", "a", "decide('a')", "Take A", "The consensus takes coder A's coding"),
        ("review.take_b", "b", "decide('b')", "Take B", "The consensus takes coder B's coding"),
        ("review.both", "o", "decide('both')", "Both", "The consensus takes both codings"),
        ("review.neither", "x", "decide('neither')", "Neither", "The code does not apply here"),
        ("review.memo", "m", "memo", "Why",
         "A memo on why, kept with the next decision on this unit"),
        ("review.next_document", "right_square_bracket", "document(1)", "Next doc",
         "Next document", {"show": False}),
        ("review.previous_document", "left_square_bracket", "document(-1)", "Prev doc",
         "Previous document", {"show": False}),
        ("review.transcript", "t", "transcript", "Transcript",
         "Open the unit in the transcript", {"show": False}),
        ("review.close", "escape", "close", "Back", "Back to the table"),
    )),
    *_screen("search", "Search screen (F9)", (
        ("search.open", "enter", "open", "Open", "Open the hit in its transcript",
         {"show": False}),
        ("search.query", "slash", "query", "Query", "Type a new query"),
        ("search.exact", "e", "exact", "Exact", "Exact words or by lemma"),
        ("search.unit", "u", "unit", "Unit", "Hits are sentences, turns or paragraphs"),
        ("search.document", "d", "document", "Document", "Search one document (or all)"),
        ("search.attribute", "a", "attribute", "Attribute",
         "Only documents with an attribute value (role=prorektor)"),
        ("search.speaker", "p", "speaker", "Speaker", "Only what one speaker says"),
        ("search.clear", "x", "clear_filters", "Clear", "Remove every filter"),
        ("search.autocode", "A", "autocode", "Autocode",
         "Code every hit with one code, after a review"),
        ("search.close", "escape", "close", "Back", "Back to coding"),
    )),
    *_screen("autocode", "Autocode review", (
        ("autocode.accept", "a,y", "accept", "Accept", "Accept the passage (then the next)"),
        ("autocode.reject", "r,n", "reject", "Reject", "Leave the passage out (then the next)"),
        ("autocode.accept_all", "A", "accept_all", "Accept all",
         "Accept every passage not rejected, and code them"),
        ("autocode.code", "c", "code", "Code accepted",
         "Code the accepted passages as one run (undo takes it back)"),
        ("autocode.close", "escape", "close", "Cancel", "Leave without coding anything"),
    )),
)


KEYS: tuple[KeySpec, ...] = (
    # --- moving (the transcript has focus) ---
    _k("move.down", "j,down", "move(1)", "Next sentence", "Move", "transcript"),
    _k("move.up", "k,up", "move(-1)", "Previous sentence", "Move", "transcript"),
    _k("move.next_turn", "J", "move_turn(1)", "Next speaker turn", "Move", "transcript"),
    _k("move.prev_turn", "K", "move_turn(-1)", "Previous speaker turn", "Move", "transcript"),
    _k("move.page_down", "pagedown,space", "page(1)", "Page down", "Move", "transcript"),
    _k("move.page_up", "pageup", "page(-1)", "Page up", "Move", "transcript"),
    _k("move.top", "g,home", "top", "First sentence", "Move", "transcript"),
    _k("move.bottom", "G,end", "bottom", "Last sentence", "Move", "transcript"),
    _k("go.jump", "colon", "jump", "Go to sentence number or time (57, 00:12:31)", "Move",
       "screen", show=True, label="go to"),
    _k("search.find", "slash", "search", "Search this document", "Move", "screen",
       show=True, label="search"),
    _k("search.next", "n", "search_next(1)", "Next search hit", "Move", "screen"),
    _k("search.prev", "N", "search_next(-1)", "Previous search hit", "Move", "screen"),
    _k("document.next", "right_square_bracket", "next_document(1)", "Next document", "Move",
       "screen"),
    _k("document.prev", "left_square_bracket", "next_document(-1)", "Previous document",
       "Move", "screen"),
    # --- selecting ---
    _k("select.extend_down", "shift+down,right_parenthesis", "extend(1)",
       "Extend selection by a sentence", "Select", "transcript"),
    _k("select.extend_up", "shift+up,left_parenthesis", "extend(-1)",
       "Shrink/extend selection upwards by a sentence", "Select", "transcript"),
    _k("select.extend_turn_down", "right_curly_bracket,ctrl+down", "extend_turn(1)",
       "Extend selection to the end of the next turn", "Select", "transcript"),
    _k("select.extend_turn_up", "left_curly_bracket,ctrl+up", "extend_turn(-1)",
       "Extend selection upwards by a turn", "Select", "transcript"),
    _k("select.char_mode", "v", "char_mode", "Character mode: trim the selection by word or "
       "character (v again: back to sentences)", "Select", "transcript", show=True,
       label="trim"),
    _k("select.clear", "escape", "clear", "Clear the selection (back to the cursor sentence)",
       "Select", "transcript"),
    _k("trim.start_left", "h", "trim('start', -1, 'char')", "Character mode: start one "
       "character left", "Trim (character mode)", "transcript"),
    _k("trim.start_right", "l", "trim('start', 1, 'char')", "Character mode: start one "
       "character right", "Trim (character mode)", "transcript"),
    _k("trim.end_left", "H", "trim('end', -1, 'char')", "Character mode: end one character "
       "left", "Trim (character mode)", "transcript"),
    _k("trim.end_right", "L", "trim('end', 1, 'char')", "Character mode: end one character "
       "right", "Trim (character mode)", "transcript"),
    _k("trim.start_word_left", "b", "trim('start', -1, 'word')", "Character mode: start one "
       "word left", "Trim (character mode)", "transcript"),
    _k("trim.start_word_right", "w", "trim('start', 1, 'word')", "Character mode: start one "
       "word right", "Trim (character mode)", "transcript"),
    _k("trim.end_word_left", "ctrl+left,B", "trim('end', -1, 'word')", "Character mode: end "
       "one word left", "Trim (character mode)", "transcript"),
    _k("trim.end_word_right", "ctrl+right,W", "trim('end', 1, 'word')", "Character mode: end "
       "one word right", "Trim (character mode)", "transcript"),
    # --- coding ---
    *(_k(f"code.shortcut_{n}", str(n), f"apply_shortcut('{n}')",
         f"Apply the code with shortcut {n}", "Code", "screen", show=(n == 1),
         label="apply" if n == 1 else "", palette=False,
         key_display="1-9" if n == 1 else None) for n in range(1, 10)),
    _k("code.pick", "c", "pick_code", "Code picker: apply a code (or create one)", "Code",
       "screen", show=True, label="code"),
    _k("code.remove", "x", "remove_code", "Remove a code from the selection", "Code",
       "screen", show=True, label="uncode"),
    _k("memo.edit", "m", "memo", "Memo on the coding, the sentence or the document", "Code",
       "screen", show=True, label="memo"),
    _k("history.undo", "u", "undo", "Undo your last change", "Code", "screen", show=True,
       label="undo"),
    _k("history.redo", "ctrl+r", "redo", "Redo", "Code", "screen"),
    _k("document.done", "D", "mark_done", "Mark this document done (or not done)", "Code",
       "screen"),
    # --- view ---
    _k("view.blind", "exclamation_mark", "blind", "Blind mode: show only your own codings",
       "View", "screen"),
    _k("view.others", "o", "toggle_others", "Show or hide other coders' codings", "View",
       "screen"),
    _k("view.inspector", "i", "toggle_inspector", "Show or hide the right panel", "View",
       "screen"),
    _k("view.sidebar", "s", "toggle_sidebar", "Show or hide the left panel", "View", "screen"),
    _k("view.margin", "e", "toggle_margin",
       "Wide margin: more lanes, each bar labelled with its code (and coder)", "View", "screen"),
    _k("focus.codes", "f", "focus_codes", "Filter the codebook (type a name or keyword)",
       "View", "screen"),
    _k("focus.documents", "d", "focus_documents", "Choose a document", "View", "screen"),
    _k("focus.quotes", "q", "focus_quotes", "Quotes of the selected code", "View", "screen"),
    _k("focus.transcript", "escape", "focus_transcript", "Back to the transcript", "View",
       "screen", palette=False),
    # --- app ---
    _k("app.help", "question_mark,f1", "help", "Help: every key", "App", "app", show=True,
       label="help"),
    _k("app.palette", "ctrl+p", "command_palette", "Command palette", "App", "app",
       palette=False),
    _k("screen.coding", "f5", "show_screen('coding')", "Coding screen", "App", "app"),
    _k("screen.codebook", "f2", "show_screen('codebook')", "Codebook screen", "App", "app"),
    _k("screen.quotes", "f3", "show_screen('quotes')", "Quotes screen", "App", "app"),
    _k("screen.documents", "f4", "show_screen('documents')", "Documents screen", "App", "app"),
    _k("screen.agreement", "f6", "show_screen('agreement')",
       "Agreement screen: compare coders, review disagreements", "App", "app"),
    _k("screen.analysis", "f8", "show_screen('analysis')",
       "Analysis screen: matrix, co-occurrence, framework summaries", "App", "app"),
    _k("screen.search", "f9", "show_screen('search')",
       "Search every document (by lemma), then autocode the hits", "App", "app"),
    _k("view.suggest", "S", "toggle_suggestions",
       "Suggest codes for the selection, learned from your codings", "View", "screen"),
    _k("code.accept_suggestion", "a", "accept_suggestion",
       "Apply the suggested code to the selection", "Code", "screen"),
    _k("screen.memos", "f10", "show_screen('memos')",
       "Memos screen: every memo, by target and coder", "App", "app"),
    _k("app.export", "f7", "export_quotes",
       "Export quotes per theme (docx, md, html, xlsx, csv, json)", "App", "app"),
    _k("app.theme", "ctrl+t", "toggle_dark", "Switch between dark and light theme", "App",
       "app"),
    _k("app.quit", "ctrl+q", "quit", "Quit (everything is already saved)", "App", "app",
       show=True, label="quit"),
)

ALL_KEYS = KEYS + SCREEN_KEYS
BY_ID = {spec.id: spec for spec in ALL_KEYS}
SECTIONS = ("Move", "Select", "Trim (character mode)", "Code", "View", "App",
            *dict.fromkeys(spec.section for spec in SCREEN_KEYS))


def bindings(target: str, *shared: str) -> list[BindingType]:
    """Textual bindings for one target (plus shared ids such as undo), each with its id so
    that a keymap can move it."""
    out: list[BindingType] = []
    own = [spec for spec in ALL_KEYS if spec.target == target]
    for spec in own + [BY_ID[key_id] for key_id in shared]:
        out.append(Binding(spec.keys, spec.action, spec.footer_label or spec.description,
                           show=spec.show, id=spec.id, tooltip=spec.description,
                           key_display=spec.key_display,
                           priority=spec.priority or spec.id in ("app.quit", "app.palette")))
    return out


def user_keymap(config: Mapping[str, Any] | None = None) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` table of the user config as a Textual keymap, plus problems found.

    Unknown ids and malformed values are reported, not fatal: a typo in the config should
    cost one key, not the whole workbench.
    """
    if config is None:
        try:
            config = load_config()
        except UserError as exc:
            return {}, [str(exc)]
    table = config.get("keys", {})
    if not isinstance(table, Mapping):
        return {}, ["[keys] in the user config must be a table of binding id = \"key\""]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in table.items():
        if binding_id not in BY_ID:
            problems.append(f"unknown binding id {binding_id!r} in [keys]")
            continue
        if isinstance(value, str):
            keys = [k.strip() for k in value.split(",")]
        elif isinstance(value, list) and all(isinstance(k, str) for k in value):
            keys = [k.strip() for k in value]
        else:
            problems.append(f"[keys] {binding_id} must be a key string or a list of keys")
            continue
        keys = [k for k in keys if k]
        if not keys:
            problems.append(f"[keys] {binding_id} has no key")
            continue
        keymap[binding_id] = ",".join(keys)
    return keymap, problems


def effective_keys(spec: KeySpec, keymap: Mapping[str, str]) -> list[str]:
    return [k.strip() for k in keymap.get(spec.id, spec.keys).split(",") if k.strip()]
