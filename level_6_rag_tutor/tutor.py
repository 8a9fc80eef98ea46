"""The tutor: guardrails, then retrieval, then an answer that stays with what the notes say.

For every question:
1. The guardrails look at it first (guardrails.py). Self-harm, harmful requests, abuse and prompt
   injection get a fixed reply and nothing else happens; personal data is masked and the student warned.
   A message the rules let through that reads like one a student in distress wrote (distress.py) is
   answered, with the helpline added after the answer.
2. Retrieval finds the best few passages (retrieval.py). Confidence is the share of the question's key
   words that the best passage contains, rare words counting more (by their IDF): a sum a student can check.
3. The answer:
   - confidence below the threshold -> "I am not sure - please ask your teacher", with the closest notes;
   - a fine-tuned Level 5 model loaded -> the model answers with the best passage in front of the question,
     and its answer is kept only if it passes the guardrails and most of its words are in the notes
     ("grounded"); otherwise the tutor falls back to the notes;
   - no model -> an extractive answer: the sentences of the best passage that match the question best,
     introduced as "Here is what the notes say".
   Every answer lists its sources.

A model's answer is written in full and checked before any of it is shown; it is then sent on in small
pieces, as is every answer, so the page shows it appearing.

>>> tutor = Tutor(Retriever(load_passages()))
>>> reply = tutor.reply("Why is the sky blue?")
>>> reply.mode, reply.sources[0].title, reply.confidence
('notes', 'why is the sky blue?', 1.0)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from level_6_rag_tutor.distress import CARE, DistressCheck
from level_6_rag_tutor.guardrails import check_generated, check_message, mask_personal_data, without_masks
from level_6_rag_tutor.knowledge_base import Passage, load_passages
from level_6_rag_tutor.retrieval import Hit, Retriever, words

CONFIDENCE_THRESHOLD = 0.5  # below: the best note misses more than half the question's (weighted) key words
CONFIDENT = 0.75  # below this (and above the threshold) the answer carries a "check this" note
GROUNDED = 0.6  # a model's answer is kept when at least this share of its words are in the notes
MAX_QUESTION = 1000  # characters; the web app refuses longer questions before they get here
SNIPPET = 220  # characters of a passage shown under an answer
SENTENCE_END = re.compile(r"(?<=[.!?।])\s+")

TEXTS = {
    "notes": {"en": "Here is what the notes say ({title}): ", "hi": "नोट्स में यह लिखा है ({title}): "},
    "unsure": {"en": "I am not sure - the class notes do not seem to cover this. Please ask your teacher. "
                     "The closest notes I found are below.",
               "hi": "मुझे पक्का नहीं पता - कक्षा के नोट्स में यह नहीं दिखता। कृपया अपने शिक्षक से पूछिए। "
                     "सबसे मिलते-जुलते नोट्स नीचे हैं।"},
    "nothing": {"en": "I am not sure - I found nothing about this in the class notes. Please ask your teacher, "
                      "or try other words.",
                "hi": "मुझे पक्का नहीं पता - कक्षा के नोट्स में इसके बारे में कुछ नहीं मिला। कृपया शिक्षक से पूछिए "
                      "या दूसरे शब्दों में पूछिए।"},
    "weak": {"en": "Only some of your question's key words are in these notes, so please check this answer.",
             "hi": "आपके सवाल के कुछ ही मुख्य शब्द इन नोट्स में हैं, इसलिए इस उत्तर को जाँच लीजिए।"},
    "ungrounded": {"en": "The model's own answer did not match the notes, so here is what the notes say instead.",
                   "hi": "मॉडल का उत्तर नोट्स से मेल नहीं खाया, इसलिए नोट्स का उत्तर दिखाया गया है।"},
}


@dataclass(frozen=True)
class Source:
    title: str
    subject: str
    snippet: str
    score: float
    source: str  # the note's file, or the Q&A file and line

    @classmethod
    def from_hit(cls, hit: Hit) -> "Source":
        text = hit.passage.text
        snippet = text if len(text) <= SNIPPET else text[:SNIPPET].rsplit(" ", 1)[0] + " ..."
        return cls(hit.passage.title, hit.passage.subject, snippet, round(hit.score, 4), hit.passage.source)


@dataclass
class Reply:
    """Everything the tutor says about one question: stored as it is, and sent to the page."""

    question: str  # as stored: personal data already masked
    answer: str
    sources: list[Source] = field(default_factory=list)
    guardrail: str | None = None
    confidence: float = 0.0
    note: str | None = None
    mode: str = "notes"  # "guardrail", "unsure", "notes" or "model"
    care: bool = False  # the message resembles ones students in distress wrote: the helpline line was added

    def pieces(self) -> Iterator[str]:
        """The answer in small pieces (a word and its space), for streaming."""
        yield from re.findall(r"\S+\s*|\s+", self.answer)

    def sources_dicts(self) -> list[dict]:
        return [asdict(source) for source in self.sources]


def best_sentences(question: str, passage: Passage, limit: int = 2) -> str:
    """The `limit` sentences of a passage sharing most key words with the question, in the passage's order.

    >>> note = Passage("note:x", "Rain", "science", 6, "en", "Clouds hold drops. Drops join. Heavy drops fall as rain.", "note")
    >>> best_sentences("Why does rain fall?", note)
    'Clouds hold drops. Heavy drops fall as rain.'
    """
    sentences = [s for s in SENTENCE_END.split(passage.text) if s.strip()]
    if passage.kind == "qa":  # a Q&A passage is "question answer": quote the answer, not the question again
        sentences = [s for s in SENTENCE_END.split(passage.text[len(passage.title):].strip()) if s.strip()] or sentences
    wanted = set(words(question))
    scored = sorted(range(len(sentences)), key=lambda i: (-len(wanted & set(words(sentences[i]))), i))
    return " ".join(sentences[i] for i in sorted(scored[:limit]))


def grounded_share(answer: str, passages: list[Passage]) -> float:
    """The share of the answer's key words that appear in the passages (1.0 = every word is in the notes)."""
    answer_words = words(answer)
    if not answer_words:
        return 0.0
    known = set(words(" ".join(p.searchable for p in passages)))
    return sum(word in known for word in answer_words) / len(answer_words)


# A writer turns (question, best passages) into the model's own answer; None means "answer from the notes".
Writer = Callable[[str, list[Passage]], str]


class Tutor:
    def __init__(self, retriever: Retriever, writer: Writer | None = None, k: int = 3,
                 threshold: float = CONFIDENCE_THRESHOLD, distress: DistressCheck | None = None):
        self.retriever = retriever
        self.writer = writer
        self.distress = distress  # the second look for distress (distress.py); None = rules only
        self.k = k
        self.threshold = threshold

    def reply(self, question: str, lang: str = "en", subject: str | None = None) -> Reply:
        lang = lang if lang in ("en", "hi") else "en"
        question = " ".join(question.split())[:MAX_QUESTION]
        verdict = check_message(question, lang)
        if verdict.blocks_answer:  # no retrieval, no model: the fixed reply is the whole answer
            return Reply(verdict.masked, verdict.reply or "", guardrail=verdict.category, mode="guardrail")
        searched = without_masks(verdict.masked)  # "[phone number]" is not part of the question
        reply = self._answer(searched, self.retriever.search(searched, self.k, subject), lang)
        reply.question = verdict.masked
        if verdict.category == "personal_data":
            reply.guardrail = "personal_data"
            reply.answer = f"{verdict.reply}\n\n{reply.answer}"
        if self.distress is not None and self.distress.looks_like_distress(searched):
            reply.care = True  # answered all the same, with the helpline after it
            reply.answer = f"{reply.answer}\n\n{CARE[lang]}"
        return reply

    def _answer(self, question: str, hits: list[Hit], lang: str) -> Reply:
        sources = [Source.from_hit(hit) for hit in hits]
        if not hits:
            return Reply(question, TEXTS["nothing"][lang], [], "off_topic", 0.0, None, "unsure")
        confidence = round(self.retriever.confidence(question, hits[0].passage), 3)
        if confidence < self.threshold:
            return Reply(question, TEXTS["unsure"][lang], sources, None, confidence, TEXTS["weak"][lang], "unsure")
        note = TEXTS["weak"][lang] if confidence < CONFIDENT else None
        from_notes = TEXTS["notes"][lang].format(title=hits[0].passage.title) + best_sentences(question, hits[0].passage)
        if self.writer is None:
            return Reply(question, from_notes, sources, None, confidence, note, "notes")
        passages = [hit.passage for hit in hits]
        written = mask_personal_data(self.writer(question, passages).strip())
        if written and check_generated(written) is None and grounded_share(written, passages) >= GROUNDED:
            return Reply(question, written, sources, None, confidence, note, "model")
        return Reply(question, from_notes, sources, None, confidence, TEXTS["ungrounded"][lang], "notes")


def model_writer(adapter: str | None = None, seed: int = 0) -> Writer:
    """A writer backed by a fine-tuned Level 5 model: it answers with the best passage before the question.

    The fine-tuned model learned "Question: ...\\nAnswer: ...". Here the question it sees starts with the
    best passage's most relevant sentences, so a model with a long enough window can copy what it needs.
    """
    from level_5_real_finetune.adapters import load_finetuned
    from level_5_real_finetune.answering import MAX_QUESTION_CHARACTERS, AnswerSettings, answer

    tuned = load_finetuned(adapter)
    settings = AnswerSettings.for_model(tuned.base.char_level).with_temperature(0.3)
    template = tuned.summaries[tuned.active]["template"]
    one_at_a_time = threading.Lock()  # the web app answers several students at once; one model, one writer

    def write(question: str, passages: list[Passage]) -> str:
        context = best_sentences(question, passages[0], limit=2)
        room = MAX_QUESTION_CHARACTERS - len(question) - 1
        prompt = (context[:max(0, room)].rsplit(" ", 1)[0] + " " + question) if room > 40 else question
        with one_at_a_time:
            return answer(tuned.model, tuned.tokenizer, prompt, settings, template, seed)

    return write
