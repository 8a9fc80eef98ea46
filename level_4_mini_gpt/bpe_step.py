"""Step 4.4 - Byte-pair encoding: build your own tokenizer.

Our GPT reads one character at a time, so "monsoon" costs it seven steps. GPT-2 reads *tokens*, pieces
such as " mon" and "soon", learned from text by byte-pair encoding (bpe.py). This step learns them from
the course stories (and the Hindi stories), shows the first merges it finds, draws how much shorter the
text becomes as the vocabulary grows, splits an English and a Hindi sentence into tokens, and saves the
tokenizer -- in our own JSON format and as a Hugging Face tokenizer that gives exactly the same ids.

    python bpe_step.py
    python bpe_step.py --vocab-size 4096              # more merges: longer tokens, shorter texts
    python bpe_step.py --text my_notes.txt --sentence "A sentence of my own"
"""

from __future__ import annotations

import argparse
from pathlib import Path

from buildai import paths, plotting, script, ui
from buildai.data import Corpus, load_corpus
from buildai.errors import UserError
from level_4_mini_gpt.bpe import BYTES, END_OF_TEXT, BPETokenizer, show_token

DEFAULT_VOCAB_SIZE = 1024  # about a second of training on two cores; try 4096 for longer tokens
ENGLISH_SENTENCE = "The monsoon reached Itarsi Junction, and the chai stall got busy."
HINDI_SENTENCE = "बारिश के बाद खेतों में हरियाली छा गई।"
FIRST_MERGES_SHOWN = 15
CURVE_POINTS = 9  # vocabulary sizes at which the compression picture is measured


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Learn a byte-pair-encoding tokenizer from the stories.")
    parser.add_argument("--vocab-size", type=script.positive_int, default=DEFAULT_VOCAB_SIZE, metavar="N",
                        help=f"tokens in the vocabulary: 256 bytes + learned merges + 1 special token (default {DEFAULT_VOCAB_SIZE})")
    parser.add_argument("--sentence", default=None, metavar="TEXT",
                        help="your own sentence to split into tokens (default: one English and one Hindi sentence)")
    parser.add_argument("--no-hf", action="store_true",
                        help="skip the Hugging Face export (it loads the transformers library, a few seconds)")
    return parser


def texts_to_learn_from(args: argparse.Namespace) -> list[tuple[str, Corpus]]:
    """(name, corpus) pairs: your --text file, or the English stories plus the Hindi ones when present."""
    if args.text is not None:
        return [(args.text.name, load_corpus(args.text))]
    sources = [("English", load_corpus())]
    if paths.HINDI_CORPUS.is_file():
        sources.append(("Hindi", load_corpus(paths.HINDI_CORPUS)))
    return sources


def bytes_per_token(tokenizer: BPETokenizer, text: str) -> float:
    """How much text one token carries on average: higher is better (1.0 = no better than bytes)."""
    return len(text.encode("utf-8")) / max(1, len(tokenizer.encode(text)))


def train_with_progress(text: str, vocab_size: int) -> BPETokenizer:
    wanted = vocab_size - BYTES - 1
    if wanted < 0:
        raise UserError(f"--vocab-size must be at least {BYTES + 1}: the 256 byte tokens plus the special token "
                        f"{END_OF_TEXT}. You gave {vocab_size}.")
    with ui.progress(total=max(wanted, 1), description="Learning merges") as tracker:
        tokenizer = BPETokenizer.train(text, vocab_size, progress=lambda done, total: tracker.advance())
    ui.result("Learned", f"{len(tokenizer.merges):,} merges in {tracker.elapsed:.1f} s "
                         f"(vocabulary: 256 bytes + {len(tokenizer.merges):,} merges + 1 special = {tokenizer.vocab_size:,})")
    if len(tokenizer.merges) < wanted:
        ui.warn(f"The text ran out of repeated pairs after {len(tokenizer.merges):,} merges, so the vocabulary is "
                f"smaller than {vocab_size:,}. A longer text gives room for more.")
    return tokenizer


def show_first_merges(tokenizer: BPETokenizer) -> None:
    rows = []
    for rank, (left, right) in enumerate(tokenizer.merges[:FIRST_MERGES_SHOWN], start=1):
        new_id = BYTES + rank - 1
        rows.append((str(rank), f"{left} + {right}", f"{show_token(tokenizer.token_bytes(left))} + "
                     f"{show_token(tokenizer.token_bytes(right))}", str(new_id), show_token(tokenizer.token_bytes(new_id))))
    ui.table("The first merges (␣ is a space; <e0 a4> are bytes that are only part of a letter)",
             ["#", "pair (ids)", "pair (text)", "new id", "new token"], [[ui.escape(cell) for cell in row] for row in rows],
             justify=["right", "left", "left", "right", "left"])
    longest = sorted(range(BYTES, len(tokenizer.vocab)), key=lambda i: (-len(tokenizer.vocab[i]), i))[:8]
    ui.result("Longest tokens learned", ui.escape("  ".join(show_token(tokenizer.token_bytes(i)) for i in longest)))


def compression_curve(tokenizer: BPETokenizer, held_out: list[tuple[str, str]]) -> tuple[list[int], dict[str, list[float]]]:
    """Bytes per token on held-out text after 0, some, ..., all merges.

    The tokenizer after k merges is simply the first k merges: training learns them one after another.
    """
    total = len(tokenizer.merges)
    counts = sorted({round(total * i / (CURVE_POINTS - 1)) for i in range(CURVE_POINTS)})
    sizes = [BYTES + count + 1 for count in counts]
    curves: dict[str, list[float]] = {name: [] for name, _ in held_out}
    for count in counts:
        partial = BPETokenizer(tokenizer.merges[:count])
        for name, text in held_out:
            curves[name].append(bytes_per_token(partial, text))
    return sizes, curves


def show_compression(sizes: list[int], curves: dict[str, list[float]], out_dir: Path) -> None:
    names = list(curves)
    top = max(max(values) for values in curves.values())
    rows = [[f"{size:,}"] + [f"{curves[name][i]:.2f}" for name in names] + [f"[bar]{ui.bar(curves[names[0]][i], top, 25)}[/bar]"]
            for i, size in enumerate(sizes)]
    ui.table(f"Bytes per token on held-out text (the last 10%, never trained on); bars: {names[0]}",
             ["vocabulary"] + names + [""], rows, justify=["right"] * (len(names) + 1) + ["left"])
    figure, axes = plotting.new_figure(7, 4.5)
    for name in names:
        axes.plot(sizes, curves[name], marker="o", label=f"{name} (held-out)")
    axes.set_xlabel("vocabulary size (256 bytes + merges + 1 special)")
    axes.set_ylabel("bytes per token (higher = shorter text)")
    axes.set_title("Byte-pair encoding: the text gets shorter as the vocabulary grows")
    axes.grid(alpha=0.3)
    axes.legend()
    ui.saved(plotting.save_figure(figure, out_dir / "bpe_compression.png"), "compression picture")


def show_sentence(tokenizer: BPETokenizer, name: str, sentence: str) -> list[int]:
    ids = tokenizer.encode(sentence)
    pieces = " | ".join(show_token(tokenizer.token_bytes(i)) for i in ids)
    ui.result(f"{name} ({len(sentence)} characters, {len(sentence.encode('utf-8'))} bytes, {len(ids)} tokens)",
              ui.escape(pieces))
    ui.say(f"  ids: {ids}")
    return ids


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 4.4 - Byte-pair encoding: build your own tokenizer", "Count pairs, merge the commonest, repeat")
    sources = texts_to_learn_from(args)
    train_text = "\n\n".join(corpus.train_text for _, corpus in sources)
    ui.explain(
        "Every text is first written as UTF-8 bytes, numbers from 0 to 255: an English letter is one byte, a "
        "Hindi letter three. Then we cut it into words, numbers, punctuation and spaces, and count every pair "
        "of neighbouring bytes inside those pieces. The commonest pair gets a new number, 256, and is replaced "
        "everywhere; then we count again and merge again. Each merge is one new token. The list of merges, in "
        "order, is the whole tokenizer."
    )
    ui.result("Learning from", ", ".join(f"{name}: {len(corpus.train_text.encode('utf-8')):,} bytes" for name, corpus in sources)
              + " (the first 90% of each)")
    tokenizer = train_with_progress(train_text, args.vocab_size)
    show_first_merges(tokenizer)

    ui.explain("Fewer tokens for the same text means a model sees more of the story in its window and needs fewer "
               "steps to write it. We measure on the held-out 10%, which training never saw.",
               title="How much shorter does the text get?")
    sizes, curves = compression_curve(tokenizer, [(name, corpus.val_text) for name, corpus in sources])
    out_dir = paths.output_dir(4, args.out_dir)
    show_compression(sizes, curves, out_dir)
    ui.result("Characters per token with the whole vocabulary", ", ".join(
        f"{name}: {len(corpus.val_text) / max(1, len(tokenizer.encode(corpus.val_text))):.2f}" for name, corpus in sources))
    ui.say("A Hindi letter is 3 bytes, so Hindi scores high in bytes per token but lower in letters per token.")

    ui.explain("Each piece between the bars is one token. Hindi letters are three bytes each, so with few merges "
               "a token may hold only part of a letter (shown as bytes, like <e0 a4>); the tokenizer still gives "
               "back the exact text.", title="Splitting sentences into tokens")
    sentences = [("Your sentence", args.sentence)] if args.sentence else [("English", ENGLISH_SENTENCE), ("Hindi", HINDI_SENTENCE)]
    encoded = [show_sentence(tokenizer, name, sentence) for name, sentence in sentences]
    ui.result("Decoding gives back every sentence exactly",
              all(tokenizer.decode(ids) == sentence for ids, (_, sentence) in zip(encoded, sentences)))
    story_end = "The end." + END_OF_TEXT
    ui.result(f"Special token {END_OF_TEXT}",
              f"id {tokenizer.special_tokens[END_OF_TEXT]}; 'The end.{END_OF_TEXT}' is "
              f"{len(tokenizer.encode(story_end, allow_special=True))} tokens when specials are allowed, "
              f"{len(tokenizer.encode(story_end))} when they are read as plain text")

    saved = tokenizer.save(out_dir / "bpe_tokenizer.json")
    ui.saved(saved, "tokenizer (merges as JSON)")
    if not args.no_hf:
        hf_folder = out_dir / "bpe_tokenizer_hf"
        hugging_face = tokenizer.to_huggingface(hf_folder)
        same = all(hugging_face.encode(sentence, add_special_tokens=False) == ids
                   for ids, (_, sentence) in zip(encoded, sentences))
        ui.saved(hf_folder, "the same tokenizer for Hugging Face (PreTrainedTokenizerFast.from_pretrained)")
        ui.result("The Hugging Face tokenizer gives the same ids", same)
    ui.say("Load yours again with: BPETokenizer.load(...) from bpe.py. GPT-2's own tokenizer was made the same way, "
           "with 50,000 merges learned from 40 GB of web text.")


if __name__ == "__main__":
    script.run_step(main)
