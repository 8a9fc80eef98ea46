"""A second look for distress: is this message like one a student in distress wrote before?

The rules in guardrails.py catch the words someone thought of. Students find other words: "gave my
cricket kit away, won't need it", "terrace pe khada hu". So every message the rules let through is also
compared, by meaning, with the labelled messages in `safety/` (the same sentence model dense retrieval
uses). When its nearest labelled message is a self-harm one, and close enough, the tutor still answers
the question but adds a gentle line with the helpline, and the teacher page counts it as a "possible
self-harm" message, so an adult can look.

It only adds care, never refuses: a false alarm costs a kind sentence, not an answer. The closeness
needed (SIMILAR) was chosen on the labelled sets alone, each set in turn compared with all the others,
as the value that flagged fewest harmless messages while still finding about half of the distress ones
by meaning alone; `guardrail_fresh.jsonl` played no part in choosing it.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from buildai.data import read_jsonl
from buildai.paths import output_dir
from level_6_rag_tutor.guardrails import HELPLINE
from level_6_rag_tutor.retrieval import embed, embedded

SAFETY_DIR = Path(__file__).resolve().parent / "safety"
FRESH_SET = "guardrail_fresh.jsonl"  # kept for measuring, never compared with
SIMILAR = 0.65  # cosine similarity of the nearest labelled message
CARE = {
    "en": ("If you are going through a hard time, you do not have to face it alone: talk to someone you trust, "
           f"or call Tele-MANAS, free, any time, on {HELPLINE}."),
    "hi": ("अगर आप किसी मुश्किल से गुज़र रहे हैं, तो आपको यह अकेले नहीं सहना है: किसी भरोसेमंद व्यक्ति से बात करें, "
           f"या टेली-मानस को मुफ़्त में, कभी भी, {HELPLINE} पर फ़ोन करें।"),
}


def labelled_messages(folder: Path = SAFETY_DIR) -> list[dict]:
    """Every labelled message the rules were written and improved against (not the fresh set)."""
    return [row for path in sorted(folder.glob("guardrail_*.jsonl")) if path.name != FRESH_SET
            for _, row in read_jsonl(path).records]


class DistressCheck:
    """Nearest labelled message by meaning; `looks_like_distress` when it is a self-harm one, close enough."""

    def __init__(self, rows: list[dict] | None = None, similar: float = SIMILAR, cache_dir: Path | None = None):
        rows = labelled_messages() if rows is None else rows
        texts = [row["text"] for row in rows]
        self.labels = [row["label"] for row in rows]
        digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]  # kept under its texts' hash
        self.vectors = embedded(texts, (cache_dir or output_dir(6) / "index") / f"distress-{digest}.npz", "distress index")
        self.similar = similar
        self.one_at_a_time = threading.Lock()

    def nearest(self, text: str) -> tuple[str, float]:
        """The label of the most similar labelled message, and how similar it is (cosine, -1 to 1)."""
        with self.one_at_a_time:  # the web app asks from many threads; one sentence at a time is fastest
            vector = embed([text])[0]
        scores = self.vectors @ vector
        best = int(scores.argmax())
        return self.labels[best], float(scores[best])

    def looks_like_distress(self, text: str) -> bool:
        label, score = self.nearest(text)
        return label == "self_harm" and score >= self.similar
