"""Code suggestions for the coding screen's selection (the "At cursor" panel, `S` and `a`).

Off until the researcher turns them on (`S`): the model needs numpy and the lemma tables,
which the workbench must not load at start. Once on, the model is learned from the coder's own
manual codings and learned again whenever those change (`Project.coding_state`), so a new
coding shapes the next suggestion. A suggestion is only shown; `a` applies it, through the same
path as any other code key.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from casecoder.errors import UserError


class SelectionSuggester:
    """Suggests codes for one selection at a time, for one coder."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self.on = False
        self.current: str | None = None  # the code path `a` would apply
        self._model: Any = None
        self._state: tuple[int, int, int] | None = None
        self._problem = ""

    def _fresh_model(self) -> Any:
        state = self.project.coding_state()
        if state != self._state:
            from casecoder.analysis.suggest import train

            self._state = state
            try:
                self._model, self._problem = train(self.project), ""
            except UserError as exc:
                self._model, self._problem = None, str(exc)
        return self._model

    def line(self, document: Any, start: int, end: int, applied: set[str]) -> Text:
        """One panel line: the best code not yet applied by the coder here, and its score."""
        self.current = None
        model = self._fresh_model()
        if model is None:
            return Text(f"\n✦ {self._problem}", style="dim")
        from casecoder.analysis.suggest import terms

        words = terms(self.project.text(document)[start:end], document.language)
        found = [s for s in model.suggest(words, top=3 + len(applied)) if s.code not in applied]
        if not found:
            return Text("\n✦ no suggestion for this passage", style="dim")
        best = found[0]
        self.current = best.code
        line = Text("\n✦ ", style="bold")
        line.append(best.code)
        line.append(f" {best.score:.2f}", style="dim")
        if len(found) > 1:
            line.append(f" · {found[1].code}", style="dim")
        line.append(" · a applies", style="dim")
        return line
