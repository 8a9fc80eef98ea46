"""The tutor's knowledge: the class notes in knowledge/ and the Level 5 question-answer pairs, as passages.

A note is a short Markdown file with a little front matter on top:

    ---
    title: How plants make food
    subject: science
    grade: 7
    lang: en
    ---
    Green plants make their own food ...

Each note is one passage (they are short: a note answers one topic). Each Level 5 training pair is a
passage too, titled by its question, so the tutor can point to "what we taught the model" as a source.
A note that is broken (no front matter, an unknown subject, an empty body) stops with a message naming
the file: a teacher adding notes should hear at once which one to fix, not get a half-built index.

>>> passages = load_passages()
>>> notes = [p for p in passages if p.kind == "note"]
>>> len(notes) >= 80, all(p.subject in SUBJECTS for p in passages)
(True, True)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from buildai.data import read_text_file
from buildai.errors import UserError
from buildai.paths import show_path
from level_5_real_finetune.qa_data import TRAINING_FILE, read_pairs

KNOWLEDGE_DIR = Path(__file__).resolve().parent / "knowledge"
SUBJECTS = {  # id -> (English label, Hindi label)
    "science": ("Science", "विज्ञान"),
    "maths": ("Maths", "गणित"),
    "history": ("History", "इतिहास"),
    "geography": ("Geography", "भूगोल"),
    "civics": ("Civics", "नागरिक शास्त्र"),
    "computers": ("Computers", "कंप्यूटर"),
    "general_knowledge": ("General knowledge", "सामान्य ज्ञान"),
    "study_skills": ("Study skills", "पढ़ाई के तरीके"),
}
FRONT_MATTER_KEYS = ("title", "subject", "grade", "lang")


@dataclass(frozen=True)
class Passage:
    """One piece of text the tutor can find and quote, with where it came from."""

    id: str  # "note:science/photosynthesis.md" or "qa:17" (line 17 of the Level 5 training file)
    title: str
    subject: str
    grade: int | None
    lang: str
    text: str
    kind: str  # "note" or "qa"

    @property
    def searchable(self) -> str:
        """What search looks in: a note's title and text; a Q&A pair's text, which starts with its question
        already (adding the title too would count the question's words twice and favour pairs over notes)."""
        return self.text if self.kind == "qa" else f"{self.title} {self.text}"

    @property
    def source(self) -> str:
        """Where a student or teacher can read it: the note's file, or the Q&A file and line."""
        kind, _, where = self.id.partition(":")
        return f"knowledge/{where}" if kind == "note" else f"{TRAINING_FILE.name}, line {where}"


def parse_note(text: str, name: str) -> tuple[dict[str, str], str]:
    """Front matter and body of one note.

    >>> parse_note("---\\ntitle: Rain\\nsubject: science\\ngrade: 6\\nlang: en\\n---\\nWater falls.\\n", "rain.md")
    ({'title': 'Rain', 'subject': 'science', 'grade': '6', 'lang': 'en'}, 'Water falls.')
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [line.strip() for line in lines[1:]]:
        raise UserError(f"The note '{name}' does not start with front matter: a line '---', then lines like "
                        f"'title: ...', 'subject: ...', 'grade: 7', 'lang: en', then '---' again.")
    end = 1 + [line.strip() for line in lines[1:]].index("---")
    fields = {}
    for line in lines[1:end]:
        key, colon, value = line.partition(":")
        if colon and key.strip():
            fields[key.strip()] = value.strip()
    missing = [key for key in FRONT_MATTER_KEYS if not fields.get(key)]
    if missing:
        raise UserError(f"The note '{name}' has no {', '.join(missing)} in its front matter.")
    return fields, "\n".join(lines[end + 1:]).strip()


def read_note(path: Path, root: Path) -> Passage:
    name = path.relative_to(root).as_posix()
    fields, body = parse_note(read_text_file(path), show_path(path))
    if fields["subject"] not in SUBJECTS:
        raise UserError(f"The note '{show_path(path)}' has the subject '{fields['subject']}'. "
                        f"Use one of: {', '.join(SUBJECTS)}.")
    if fields["lang"] not in ("en", "hi"):
        raise UserError(f"The note '{show_path(path)}' has lang '{fields['lang']}': use en or hi.")
    if not fields["grade"].isdigit():
        raise UserError(f"The note '{show_path(path)}' has grade '{fields['grade']}': write a class number like 7.")
    if len(body.split()) < 5:
        raise UserError(f"The note '{show_path(path)}' has almost no text under its front matter.")
    return Passage(f"note:{name}", fields["title"], fields["subject"], int(fields["grade"]), fields["lang"],
                   " ".join(body.split()), "note")


def load_notes(root: Path = KNOWLEDGE_DIR) -> list[Passage]:
    """Every note under `root` (any depth), in a fixed order."""
    if not root.is_dir():
        raise UserError(f"There is no notes folder at '{show_path(root)}'. Put Markdown notes there.")
    notes = [read_note(path, root) for path in sorted(root.rglob("*.md"))]
    if not notes:
        raise UserError(f"The folder '{show_path(root)}' has no .md notes in it.")
    return notes


def load_qa_passages(path: Path = TRAINING_FILE) -> list[Passage]:
    """The Level 5 training pairs as passages: the question is the title, question and answer the text."""
    passages = []
    for pair in read_pairs(path).pairs:
        subject = pair.subject if pair.subject in SUBJECTS else "general_knowledge"
        passages.append(Passage(f"qa:{pair.line}", pair.question, subject, pair.grade, pair.lang,
                                f"{pair.question} {pair.answer}", "qa"))
    return passages


def load_passages(notes_dir: Path = KNOWLEDGE_DIR, qa_file: Path | None = TRAINING_FILE) -> list[Passage]:
    """All the passages the tutor searches: the notes, then (unless qa_file is None) the Q&A pairs."""
    return load_notes(notes_dir) + (load_qa_passages(qa_file) if qa_file is not None else [])


def fingerprint(passages: list[Passage]) -> str:
    """A hash of every passage: a saved index is reused only while this stays the same."""
    digest = hashlib.sha256()
    for passage in passages:
        for part in (passage.id, passage.title, passage.subject, str(passage.grade), passage.lang, passage.text):
            digest.update(part.encode("utf-8") + b"\x00")
    return digest.hexdigest()[:16]
