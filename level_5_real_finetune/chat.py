"""Step 5.3 - Ask your fine-tuned model questions, and watch the answer appear as it is written.

    python chat.py                                  # a conversation, with the newest adapter
    python chat.py --ask "What is a food chain?"    # one question, one answer
    python chat.py --adapter kitchen                # another adapter

Commands while chatting:
    help                 this list
    temp 0.3             change the temperature (0 = always the most likely word)
    compare              the last question again, base model and fine-tuned side by side
    adapter NAME         switch to another adapter (the base model stays loaded)
    clear                forget the last question and clear the screen
    quit / exit          leave (Ctrl-C or Ctrl-D work too)

Each question is answered on its own: the model sees only the question in the training template, not
the conversation before it (it was fine-tuned on single questions).
"""

from __future__ import annotations

import time

from buildai import script, ui
from buildai.errors import UserError
from level_5_real_finetune.adapters import Finetuned, load_finetuned
from level_5_real_finetune.answering import AnswerSettings, answer, stream_answer

HELP = __doc__.split("Commands while chatting:\n", 1)[1].split("\n\n", 1)[0]


def ask(tuned: Finetuned, question: str, settings: AnswerSettings, seed: int) -> str:
    """Stream one answer to the terminal, as the model writes it."""
    template = tuned.summaries[tuned.active]["template"]
    ui.console.print("[label]Answer:[/label] ", end="")
    return ui.stream_text(stream_answer(tuned.model, tuned.tokenizer, question, settings, template, seed))


def compare(tuned: Finetuned, question: str, settings: AnswerSettings, seed: int) -> None:
    """The same question to the base model (adapter switched off) and to the fine-tuned one."""
    template = tuned.summaries[tuned.active]["template"]
    with tuned.model.disable_adapter():
        before = answer(tuned.model, tuned.tokenizer, question, settings, template, seed)
    after = answer(tuned.model, tuned.tokenizer, question, settings, template, seed)
    ui.table(question, ["base model", f"fine-tuned ({tuned.active})"], [(before or "(nothing)", after or "(nothing)")])


def handle(line: str, tuned: Finetuned, settings: AnswerSettings, last: str | None, seed: int) -> tuple[AnswerSettings, str | None, bool]:
    """One line typed by the learner -> (settings, last question, keep going?)."""
    word, _, rest = line.strip().partition(" ")
    command = word.lower()
    if command in ("quit", "exit"):
        return settings, last, False
    if command == "help":
        ui.say(HELP)
    elif command == "temp":
        try:
            settings = settings.with_temperature(float(rest))
        except ValueError:
            raise UserError("Write the temperature as a number, e.g. temp 0.5") from None
        ui.say(f"Temperature is now {settings.temperature}.")
    elif command == "clear":
        ui.console.clear()
        last = None
    elif command == "compare":
        if last is None:
            raise UserError("Ask a question first; then 'compare' puts it to the base model and the fine-tuned one.")
        compare(tuned, last, settings, seed)
    elif command == "adapter":
        seconds = tuned.switch(rest.strip())
        ui.say(f"Now using adapter '{tuned.active}' (switched in {seconds * 1000:.1f} ms, the base stayed loaded).")
    else:
        ask(tuned, line, settings, seed)
        last = line
    return settings, last, True


def build_parser():
    parser = script.step_parser("Chat with your fine-tuned model.", text_flag=False, threads_flag=True)
    parser.add_argument("--ask", default=None, metavar="QUESTION", help="ask one question, print the answer and stop")
    parser.add_argument("--adapter", default=None, metavar="NAME", help="which adapter (default: the newest)")
    parser.add_argument("--temperature", type=script.non_negative_float, default=None,
                        help="0 = always the most likely word (default 0.5 for a character model, 0.7 otherwise)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 5.3 - Ask your fine-tuned model", "One question at a time")
    tuned = load_finetuned(args.adapter, args.out_dir)
    settings = AnswerSettings.for_model(tuned.base.char_level)
    if args.temperature is not None:
        settings = settings.with_temperature(args.temperature)
    if args.ask is not None:
        ui.say(f"[label]Question:[/label] {ui.escape(args.ask)}")
        ask(tuned, args.ask, settings, args.seed)
        return
    ui.explain(f"Type a question and press Enter. Type 'help' for the commands. Settings: {settings.describe()}.",
               title="Chat")
    last: str | None = None
    started = time.perf_counter()
    while True:
        try:
            line = ui.console.input("[label]You:[/label] ")
        except (EOFError, KeyboardInterrupt):
            break
        if not line.strip():
            continue
        try:
            settings, last, going = handle(line, tuned, settings, last, args.seed)
        except UserError as problem:
            ui.warn(str(problem))
            continue
        if not going:
            break
    ui.say(f"Goodbye! ({time.perf_counter() - started:.0f} s of chat)")


if __name__ == "__main__":
    script.run_step(main)
