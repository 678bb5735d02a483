"""Deterministic synthetic Norwegian interview transcripts for benchmarks.

The text imitates what casecoder must segment fast and correctly: speaker labels with
timestamps, Norwegian abbreviations (f.eks., bl.a., dvs., osv.), numbers at the end of a
sentence, anonymisation brackets, «quotes» and questions. Everything comes from a seeded
random.Random, so the same (words, seed) always gives the same text, with no network or data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path

_SPEAKERS = ("Intervjuer", "Informant 1", "Informant 2")
_SUBJECTS = (
    "vi", "prosjektgruppen", "instituttet", "[institusjonen]", "ledelsen", "studentene",
    "partnerne i alliansen", "koordinatoren", "fagmiljøet", "[BIP-en]", "administrasjonen",
    "de internasjonale partnerne", "jeg", "prorektor", "studieprogrammet",
)
_VERBS = (
    "har jobbet med", "brukte mye tid på", "søkte om midler til", "diskuterte",
    "fikk støtte til", "planla", "evaluerte", "utviklet", "rapporterte på", "videreførte",
    "prioriterte", "startet opp", "samarbeidet om", "la ned mye arbeid i",
)
_OBJECTS = (
    "et nytt emne på masternivå", "den virtuelle delen av kurset", "søknaden til Erasmus+",
    "rapporteringen", "et felles studieprogram", "studentmobiliteten", "læringsutbyttet",
    "vurderingsformene", "finansieringen", "samarbeidet med partnerne", "en sommerskole",
    "de digitale verktøyene", "kvalitetssikringen", "rekrutteringen av studenter",
    "motivasjonen blant de ansatte", "barrierene i rammeplanen",
)
_TAILS = (
    "", "", "", " i {year}", " fra {year}", " i fjor", " i {n} år", " med ca. {n} studenter",
    " for rundt {n} 000 kroner", " sammen med bl.a. [partneruniversitetet]",
    ", f.eks. gjennom felles veiledning", ", dvs. uten ekstra ressurser",
    " kl. {h}.{m}", " (se kap. {n})", " med studiepoeng, emner osv.",
)
# Norwegian writes compounds as one word, so real transcripts have many distinct word forms;
# these give the synthetic text a realistic share of tokens the tokenizer has not seen before.
_COMPOUND_FIRST = (
    "studie", "utdannings", "samarbeids", "kvalitets", "mobilitets", "forsknings", "ledelses",
    "finansierings", "rapporterings", "praksis", "veilednings", "undervisnings", "vurderings",
    "emne", "partner", "allianse", "prosjekt", "søknads", "student", "fag", "arbeidslivs",
    "sommer", "digital", "nettverks", "kompetanse",
)
_COMPOUND_SECOND = (
    "program", "plan", "avtale", "modell", "arbeid", "strategi", "ordning", "tilbud",
    "gruppe", "rapport", "møte", "prosess", "ressurs", "kultur", "portefølje", "leder",
    "rutine", "verktøy", "evaluering", "kostnad", "periode", "krav", "mål", "struktur",
    "erfaring",
)
_COMPOUND_END = ("", "en", "ene", "er", "et", "ets")

_OPENERS = (
    "", "", "", "Ja, ", "Nei, ", "Altså, ", "Men ", "Og så ", "Jeg tror ", "Egentlig ",
    "For å være ærlig ", "I utgangspunktet ",
)
_QUESTIONS = (
    "Hva var motivasjonen for å {verb} {obj}?", "Hvordan opplevde dere {obj}?",
    "Kan du si litt mer om {obj}?", "Hvem tok initiativet til {obj}?",
    "Var det noen barrierer knyttet til {obj}?", "Blir {obj} videreført etter {year}?",
)
_INTERJECTIONS = (
    "Ja.", "Mm.", "Nettopp!", "Det skjønner jeg.", "(ler)", "Interessant...", "Akkurat.",
)


def _sentence(rng: random.Random) -> str:
    opener = rng.choice(_OPENERS)
    subject = rng.choice(_SUBJECTS)
    head = opener + subject if opener else subject[0].upper() + subject[1:]
    tail = rng.choice(_TAILS).format(
        year=rng.randint(2010, 2026), n=rng.randint(2, 40), h=rng.randint(8, 16),
        m=rng.choice(("00", "15", "30", "45")),
    )
    end = rng.choice((".", ".", ".", "?", "!", "..."))
    if tail.endswith(".") and end == ".":
        end = ""  # "emner osv." ends the sentence by itself
    obj = rng.choice(_OBJECTS)
    if rng.random() < 0.6:
        obj += f" og {_compound(rng)}"
    sentence = f"{head} {rng.choice(_VERBS)} {obj}{tail}{end}"
    if rng.random() < 0.08:
        sentence = f"«{sentence}»"
    return sentence


def _compound(rng: random.Random) -> str:
    return (rng.choice(_COMPOUND_FIRST) + rng.choice(_COMPOUND_SECOND)
            + rng.choice(_COMPOUND_END))


def _question(rng: random.Random) -> str:
    return rng.choice(_QUESTIONS).format(
        verb=rng.choice(("utvikle", "søke om", "starte")), obj=rng.choice(_OBJECTS),
        year=rng.randint(2024, 2030),
    )


def generate_transcript(words: int, seed: int) -> str:
    """A fictional interview of about `words` words (never fewer), same text for same seed."""
    rng = random.Random(seed)
    lines = [f"Intervju {seed % 18 + 1}, case {rng.choice(('BIP', 'KA220', 'EMJM'))}", ""]
    count = sum(len(line.split()) for line in lines)
    seconds = 0
    turn = 0
    while count < words:
        speaker = _SPEAKERS[0] if turn % 2 == 0 else rng.choice(_SPEAKERS[1:])
        if speaker == "Intervjuer":
            parts = [rng.choice(_INTERJECTIONS)] if rng.random() < 0.3 else []
            parts.append(_question(rng))
        else:
            parts = [_sentence(rng) for _ in range(rng.randint(1, 8))]
        body = " ".join(parts)
        if rng.random() < 0.15 and len(parts) > 2:  # a multi-line turn
            cut = body.index(" ", len(body) // 2)
            body = body[:cut] + "\n" + body[cut + 1:]
        stamp = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}]"
        line = f"{stamp} {speaker}: {body}"
        lines.append(line)
        if rng.random() < 0.2:
            lines.append("")
        count += len(line.split())
        seconds += rng.randint(3, 90)
        turn += 1
    return "\n".join(lines) + "\n"


def write_corpus(directory: Path | str, total_words: int, per_doc_words: int,
                 seed: int) -> list[Path]:
    """Write ceil(total/per_doc) transcripts as interview-NNN.txt; returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    written = 0
    index = 0
    while written < total_words:
        text = generate_transcript(min(per_doc_words, total_words - written), seed + index)
        path = directory / f"interview-{index + 1:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        written += len(text.split())
        index += 1
    return paths


def bare_pipeline_words_per_second(texts: Sequence[str], language: str) -> float:
    """Words per second of spacy.blank(language) + sentencizer over the texts (reference).

    The texts are run once untimed first, so the tokenizer's cache is as warm as that of
    casecoder's long-lived pipeline, and docs are only consumed, not turned into sentence
    spans: the reference is the fastest the bare pipeline goes, while casecoder's figure
    includes producing every offset.
    """
    import spacy

    nlp = spacy.blank(language)
    nlp.add_pipe("sentencizer")
    for _doc in nlp.pipe(texts, batch_size=64):
        pass
    words = sum(len(text.split()) for text in texts)
    began = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=64):
        pass
    return words / (time.perf_counter() - began)
