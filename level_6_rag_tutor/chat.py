"""Step 6.2 - Ask the tutor in the terminal: guardrails, then the notes it found, then its answer and sources.

    python chat.py                                   # a conversation
    python chat.py --ask "Why do we see lightning before we hear thunder?"
    python chat.py --subject history --lang hi       # only the history notes; replies in Hindi
    python chat.py --retrieval hybrid                # find notes by meaning as well as by words

Every answer shows how it was made: which notes were found (and their scores), the confidence (the share
of your question's key words the best note contains) and whether a guardrail stepped in. Type 'quit' to leave.
"""

from __future__ import annotations

from buildai import script, ui
from level_6_rag_tutor.knowledge_base import SUBJECTS
from level_6_rag_tutor.tutor import Reply, Tutor
from level_6_rag_tutor.tutor_setup import add_tutor_flags, build_tutor

HOW = {"notes": "from the notes", "model": "by the model, checked against the notes",
       "unsure": "not sure: the notes do not cover it", "guardrail": "a guardrail's fixed reply"}


def show(reply: Reply) -> None:
    ui.console.print("[label]Tutor:[/label] ", end="")
    ui.stream_text(reply.pieces())
    if reply.note:
        ui.warn(reply.note)
    if reply.sources:
        ui.table("Sources", ["#", "title", "subject", "score", "where"],
                 [(str(i), source.title, source.subject, f"{source.score:.2f}", source.source)
                  for i, source in enumerate(reply.sources, start=1)],
                 justify=["right", "left", "left", "right", "left"])
    ui.say(f"[subtle]How: {HOW[reply.mode]} - confidence {reply.confidence:.2f}"
           f"{' - guardrail: ' + reply.guardrail if reply.guardrail else ''}"
           f"{' - reads like a message of distress: helpline added' if reply.care else ''}[/subtle]")


def ask(tutor: Tutor, question: str, lang: str, subject: str | None) -> Reply:
    ui.say(f"[label]You:[/label] {ui.escape(question)}")
    reply = tutor.reply(question, lang, subject)
    show(reply)
    return reply


def build_parser():
    parser = script.step_parser("Ask the tutor questions in the terminal.", text_flag=False)
    add_tutor_flags(parser)
    parser.add_argument("--ask", default=None, metavar="QUESTION", help="ask one question, show the answer and stop")
    parser.add_argument("--lang", choices=("en", "hi"), default="en", help="language of the tutor's own replies")
    parser.add_argument("--subject", choices=sorted(SUBJECTS), default=None, help="search only this subject's notes")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 6.2 - Ask the tutor", "Retrieval keeps the answers honest; guardrails keep them safe")
    tutor, _ = build_tutor(args)
    if args.ask is not None:
        ask(tutor, args.ask, args.lang, args.subject)
        return
    ui.explain("Type a question and press Enter; 'quit' to leave. Try one the notes cover, one they do not, "
               "and a tricky one ('how do I kill a process in Linux?').", title="Chat")
    while True:
        try:
            line = ui.console.input("[label]You:[/label] ")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip().lower() in ("quit", "exit"):
            break
        if line.strip():
            show(tutor.reply(line, args.lang, args.subject))
    ui.say("Goodbye!")


if __name__ == "__main__":
    script.run_step(main)
