"""Loading the spaCy pipeline that splits sentences, once per (language, model) per process.

No trained Norwegian pipeline can be downloaded here, and the re-uploads on PyPI are
third-party (see ENGINEERING.md), so the default is `spacy.blank(language)` plus casecoder's
sentence component, which applies the sentencizer's rule and the transcript fixes in one pass
(see casecoder.nlp.rules). A researcher who has installed a trained pipeline (`pip install` of
Explosion's package) can name it; casecoder never downloads one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.nlp.rules import FINAL_BY_LANGUAGE, PROTECTED_BY_LANGUAGE

if TYPE_CHECKING:
    from spacy.language import Language

# Language tags people write that spaCy does not know by that name.
_ALIASES = {"no": "nb", "nor": "nb", "nob": "nb", "nno": "nn", "eng": "en"}
_SENTENCE_COMPONENTS = ("parser", "senter", "sentencizer")

_cache: dict[tuple[str, str | None], Language] = {}
_lock = threading.Lock()


def language_code(language: str) -> str:
    """spaCy's code for a language tag: "nb-NO" -> "nb", "no" -> "nb", "EN" -> "en"."""
    code = language.strip().replace("_", "-").split("-")[0].lower()
    return _ALIASES.get(code, code)


def load_pipeline(language: str, model: str | None = None) -> Language:
    """The sentence pipeline for a language; `model` is an installed trained pipeline.

    A trained pipeline is used only for documents in its own language; others get the blank
    pipeline, so one project setting does not force a Norwegian model onto English interviews.
    Raises UserError for an unknown language or a model that cannot be loaded.
    """
    code = language_code(language)
    key = (code, model or None)
    with _lock:
        nlp = _cache.get(key)
        if nlp is None:
            nlp = _cache[key] = _build(language, code, model or None)
    return nlp


def _build(language: str, code: str, model: str | None) -> Language:
    import spacy

    import casecoder.nlp.components as components  # registers the component factory

    if model:
        try:
            trained = spacy.load(model)
        except Exception as exc:
            raise UserError(
                f"cannot load the spaCy pipeline {model!r} ({type(exc).__name__}); trained "
                "pipelines must be installed by the user (casecoder never downloads them), "
                "or clear the nlp_model setting to use the built-in rules"
            ) from exc
        if language_code(trained.lang or "") == code:
            refine = any(name in trained.pipe_names for name in _SENTENCE_COMPONENTS)
            trained.add_pipe(components.SENTENCES, config={"refine": refine})
            return trained
        # The model is for another language: this language gets the blank pipeline below.
    try:
        spacy.util.get_lang_class(code)
    except Exception as exc:
        raise UserError(
            f"unknown language {language!r}: use a language code spaCy knows, such as 'nb' "
            "(Norwegian Bokmål), 'nn' or 'en'"
        ) from exc
    try:
        nlp = spacy.blank(code)
    except Exception as exc:  # e.g. Japanese or Chinese need extra tokenizer packages
        raise UserError(
            f"the spaCy tokenizer for language {language!r} cannot be created "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    _add_abbreviations(nlp, code)
    nlp.add_pipe(components.SENTENCES)
    return nlp


def _add_abbreviations(nlp: Language, code: str) -> None:
    """Keep abbreviations whole, so "prof. Hansen" is not "prof", ".", "Hansen" (a sentence
    end by the sentencizer's rule); both "avd." and "Avd." (at a sentence start)."""
    from spacy.attrs import ORTH

    for abbreviation in PROTECTED_BY_LANGUAGE.get(code, ()) + FINAL_BY_LANGUAGE.get(code, ()):
        for form in {abbreviation, abbreviation[0].upper() + abbreviation[1:]}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])  # type: ignore[union-attr]  # a blank pipeline's tokenizer is spaCy's Tokenizer
