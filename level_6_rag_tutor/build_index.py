"""Step 6.1 - Read the class notes, index them, and see how BM25 picks the note that answers a question.

    python build_index.py                                    # BM25 over the notes and the Level 5 pairs
    python build_index.py --question "Who built the Brihadeeswara temple?"
    python build_index.py --retrieval hybrid                 # also the dense index (a small sentence model)

BM25 gives each word of the question a weight, its IDF: high for a word that only a few passages contain,
near zero for one that most contain. A passage's score adds up the weights of the question's words it
holds (counting repeats less and less, and long passages a little less). This step prints those weights,
so you can see why the winner won.
"""

from __future__ import annotations

from collections import Counter

from buildai import script, ui
from buildai.paths import output_dir
from level_6_rag_tutor.knowledge_base import load_passages
from level_6_rag_tutor.retrieval import Retriever, idf, words
from level_6_rag_tutor.tutor_setup import add_tutor_flags


def build_parser():
    parser = script.step_parser("Index the class notes and watch retrieval work.", text_flag=False)
    add_tutor_flags(parser)
    parser.add_argument("--question", default="Why do we see lightning before we hear thunder?",
                        help="a question to look up")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 6.1 - The tutor's notes, indexed", "Find first, then answer")
    passages = load_passages(args.notes)
    notes = [p for p in passages if p.kind == "note"]
    ui.explain("A small model cannot remember facts reliably, so the tutor looks them up: it keeps the class "
               "notes (and the Level 5 question-answer pairs) as passages, and for each question finds the few "
               "passages that share its rarest words. Answers then quote those passages, with their sources.")
    per_subject = Counter((p.subject, p.lang) for p in notes)
    ui.table(f"{len(notes)} notes and {len(passages) - len(notes)} question-answer pairs",
             ["subject", "English notes", "Hindi notes"],
             [(subject, str(per_subject[(subject, "en")]), str(per_subject[(subject, "hi")]))
              for subject in sorted({p.subject for p in notes})], justify=["left", "right", "right"])
    retriever = Retriever(passages, args.retrieval, output_dir(6, args.out_dir) / "index")
    ui.saved(retriever.cache_dir, f"the {args.retrieval} index (rebuilt only when a note changes)")

    question_words = words(args.question)
    ui.say(f"[label]Question:[/label] {ui.escape(args.question)}")
    ui.table("The question's searchable words (lower-case, stemmed, little words dropped)",
             ["word", "passages holding it", "IDF weight"],
             [(word, str(retriever.holding[word]), f"{idf(retriever.holding[word], len(passages)):.2f}")
              for word in question_words],
             justify=["left", "right", "right"])
    hits = retriever.search(args.question, k=5)
    ui.table(f"Best passages ({args.retrieval})", ["rank", "score", "confidence", "title", "where"],
             [(str(hit.rank), f"{hit.score:.2f}", f"{retriever.confidence(args.question, hit.passage):.2f}", hit.passage.title,
               hit.passage.source) for hit in hits], justify=["right", "right", "right", "left", "left"])
    if hits:
        ui.result("Confidence", f"{retriever.confidence(args.question, hits[0].passage):.2f} (the share of the "
                                f"question's IDF weight in the best passage; below {args.threshold} the tutor says it is not sure)")
    else:
        ui.warn("No passage holds any of the question's words: the tutor would say it is not sure.")


if __name__ == "__main__":
    script.run_step(main)
