"""Step 2.4 - Pictures of training: loss curves, learned weights, next-letter guesses.

Step 3 saved two files: the training history (the loss after every epoch) and the
trained network. This script reads them and shows:

1. **Loss curves**: training loss and held-out loss, epoch by epoch, as a PNG and as
   a chart in the terminal. Both fall; if the held-out curve turned upwards while the
   training curve kept falling, the network would be memorising.
2. **The learned weights** as an image: which input characters each hidden neuron
   listens to (W1), and which next characters each hidden neuron votes for (W2).
3. **Next-letter chances** after one letter (--letter, default 't'): the untrained
   network (nearly flat), the trained network, and Level 1's bigram, side by side.
   With --context 1 the trained network should look very like the bigram: it learned
   the same table, by gradient descent instead of counting.

Run it after step 3:  python step4_visualize.py --letter a      (or: buildai run 2.4)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from buildai import data, script, ui
from buildai.errors import UserError
from buildai.paths import output_dir
from buildai.plotting import new_figure, save_figure
from buildai.safe_io import load_numpy, read_json
from buildai.tokenizer import CharTokenizer
from level_1_prediction.display import parse_letters, plot_labels, readable
from level_1_prediction.step3_ngram import NGramModel
from level_2_neural_network.step2_network import Parameters
from level_2_neural_network.step3_train import HISTORY_FILE, MODEL_FILE, next_char_probabilities

RUN_STEP_3 = "Run step 3 first to train the network: python step3_train.py (or: buildai run 2.3)."


def load_trained_model(folder: Path) -> tuple[Parameters, Parameters, CharTokenizer, int, str]:
    """The saved network: trained weights, starting weights, vocabulary, context length, activation."""
    saved = load_numpy(folder / MODEL_FILE, what="trained network", how_to_make=RUN_STEP_3)
    names = ("W1", "b1", "W2", "b2")
    missing = [key for key in (*names, *(f"initial_{n}" for n in names), "vocabulary", "context", "activation")
               if key not in saved]
    if missing:
        raise UserError(f"The saved network is missing {', '.join(missing)}: it was not made by this step 3. {RUN_STEP_3}")
    tokenizer = CharTokenizer([chr(int(code)) for code in saved["vocabulary"]])
    trained = {name: saved[name] for name in names}
    initial = {name: saved[f"initial_{name}"] for name in names}
    return trained, initial, tokenizer, int(saved["context"]), str(saved["activation"])


def shown(text: str) -> str:
    """A few characters as the terminal should show them: spaces visible, vowel signs on a dotted circle."""
    return "".join(readable(ch) for ch in text)


def most_common_context(train_text: str, letter: str, context: int) -> str:
    """The `context` characters ending with `letter` that occur most often in the training text.

    With context 1 that is just the letter; with context 3 and letter 't' it might be ' at'.

    >>> most_common_context("the cat sat on a mat", "t", 2)
    'at'
    """
    if context == 1:
        return letter
    endings = Counter(train_text[end - context + 1: end + 1]
                      for end in range(context - 1, len(train_text)) if train_text[end] == letter)
    if not endings:
        raise UserError(f"The letter '{letter}' never appears in the training text with {context - 1} characters "
                        "before it. Choose another --letter.")
    return endings.most_common(1)[0][0]


def plot_loss_curves(history: dict, path: Path) -> Path:
    figure, axes = new_figure(8, 5)
    axes.plot(history["epochs"], history["train_loss"], marker="o", label="training loss")
    axes.plot(history["epochs"], history["validation_loss"], marker="s", label="held-out loss")
    if history.get("bigram_validation_loss") is not None:
        axes.axhline(history["bigram_validation_loss"], color="grey", linestyle="--",
                     label="Level 1 bigram, held-out")
    axes.set_xlabel("epoch (0 = before training)")
    axes.set_ylabel("loss (nats per character)")
    settings = history.get("settings", {})
    axes.set_title(f"Training a character network: context {settings.get('context')}, "
                   f"{settings.get('hidden')} {settings.get('activation')} hidden neurons")
    axes.grid(alpha=0.3)
    axes.legend()
    return save_figure(figure, path)


def plot_weights(trained: Parameters, tokenizer: CharTokenizer, context: int, path: Path) -> Path:
    """W1 (what each hidden neuron listens to) and W2 (what it votes for) as coloured grids."""
    labels, fonts = plot_labels(tokenizer.chars)  # Level 1's labels: Devanagari font if there is one
    hidden = trained["W1"].shape[1]
    figure, first_axes = new_figure(min(3 + hidden * 0.08, 10) * 2, min(max(6, 0.12 * len(labels) * context), 30))
    first_axes.remove()  # new_figure gives one panel; we want two side by side
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    for axes, matrix, title, row_labels in (
        (left, trained["W1"], "W1: input character -> hidden neuron", labels * context),
        (right, trained["W2"].T, "W2: hidden neuron -> next character", labels),
    ):
        limit = float(np.abs(matrix).max()) or 1.0
        image = axes.imshow(matrix, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        axes.set_title(title)
        axes.set_xlabel("hidden neuron")
        if len(row_labels) <= 150:
            axes.set_yticks(range(len(row_labels)))
            axes.set_yticklabels(row_labels, fontsize=6, fontfamily=fonts)
        else:  # too many rows to label one by one: mark where each context character's block starts
            blocks = range(0, len(row_labels), tokenizer.vocab_size)
            axes.set_yticks(list(blocks))
            axes.set_yticklabels([f"character {k + 1}" for k in range(len(blocks))], fontsize=7)
        figure.colorbar(image, ax=axes, shrink=0.6, label="weight (red +, blue -)")
    left.set_ylabel("input character" + (f" ({context} blocks: oldest first)" if context > 1 else ""))
    right.set_ylabel("next character")
    return save_figure(figure, path)


def show_hidden_neurons(trained: Parameters, tokenizer: CharTokenizer, context: int, count: int = 4) -> None:
    """For the hidden neurons with the strongest weights: which last characters push them up or down."""
    vocab_size = tokenizer.vocab_size
    last_block = trained["W1"][(context - 1) * vocab_size:]      # weights from the most recent character
    strongest = np.argsort(-np.abs(last_block).max(axis=0))[:count]
    rows = []
    for neuron in strongest:
        order = np.argsort(last_block[:, neuron])
        show = lambda ids: " ".join(readable(tokenizer.chars[i]) for i in ids)  # noqa: E731
        rows.append((f"h{neuron + 1}", show(order[::-1][:8]), show(order[:8])))
    ui.table(None, ["hidden neuron", "pushed UP by (last character)", "pushed DOWN by"], rows)


def show_next_letter_table(
    context_text: str, before: np.ndarray, after: np.ndarray, bigram: dict[str, float],
    tokenizer: CharTokenizer, top: int,
) -> None:
    biggest = max(float(after.max()), max(bigram.values()), float(before.max()))
    rows = []
    for index in np.argsort(-after)[:top]:
        ch = tokenizer.chars[index]
        rows.append((
            f"'{readable(ch)}'",
            f"{before[index]:.3f}",
            f"{after[index]:.3f} [bar]{ui.bar(after[index], biggest, 20)}[/bar]",
            f"{bigram.get(ch, 0.0):.3f} [bar]{ui.bar(bigram.get(ch, 0.0), biggest, 20)}[/bar]",
        ))
    ui.table(f"What comes after '{shown(context_text)}'?",
             ["next", "before training", "after training", "Level 1 bigram"], rows,
             justify=["center", "right", "left", "left"])


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("Loss curves, learned weights and next-letter chances of the step 3 network.")
    parser.add_argument("--letter", default="t",
                        help="show what the network expects after this letter (default 't'; 'space' and 'newline' work too)")
    parser.add_argument("--top", type=script.positive_int, default=10, help="how many next letters to list (default 10)")
    args = script.start_step(parser, argv)
    given = script.load_corpus(args) if args.text is not None else None
    folder = output_dir(2, args.out_dir)
    history = read_json(folder / HISTORY_FILE, what="training history", how_to_make=RUN_STEP_3)
    trained, initial, tokenizer, context, activation = load_trained_model(folder)
    # Without --text: the same text step 3 learned from (its path is saved; None means the course stories).
    corpus = given if given is not None else data.load_corpus(history.get(data.CORPUS_PATH_KEY))
    if corpus.tokenizer.chars != tokenizer.chars:
        raise UserError("This text has different characters from the one the network was trained on. "
                        "Give step 4 the same --text you gave step 3, or run step 3 again on this text.")
    if history.get("corpus_sha256") not in (None, corpus.sha256):
        ui.warn("This text has the same characters as the one step 3 trained on, but it is not the same text "
                "(it was changed, or it is another file). The comparison with the bigram uses this text.")
    text, train_text = corpus.text, corpus.train_text
    letters = parse_letters(args.letter)
    if len(letters) != 1 or letters[0] not in tokenizer:
        raise UserError(f"--letter must be one character from the training text; '{ui.escape(args.letter)}' is not. "
                        "Try --letter a.")
    letter = letters[0]

    ui.heading("Step 2.4 - What the network learned", "loss curves, weights and next-letter chances")
    ui.heading("Loss curves")
    ui.explain(
        "Epoch 0 is the untrained network: it spreads its chances almost evenly, so its loss is close to "
        "ln(vocabulary size). Each epoch is one pass over the training text. The held-out loss is measured on "
        "the last 10% of the text, which the network never trains on: it tells us whether the network "
        "learned patterns that carry over to new text, or only memorised."
    )
    if len(history["epochs"]) > 2:
        # Leave out epoch 0: its loss is so high that the later, smaller changes would look flat.
        ui.line_chart({"training": history["train_loss"][1:], "held-out": history["validation_loss"][1:]},
                      title=f"Loss per epoch, epochs 1 to {history['epochs'][-1]} (nats)")
    else:
        ui.line_chart({"training": history["train_loss"], "held-out": history["validation_loss"]},
                      title="Loss before and after training (nats)")
    ui.table(None, ["epoch", "training loss", "held-out loss"],
             [(str(epoch), f"{train:.4f}", f"{val:.4f}") for epoch, train, val in
              zip(history["epochs"], history["train_loss"], history["validation_loss"])],
             justify=["right", "right", "right"])
    ui.saved(plot_loss_curves(history, folder / "loss_curves.png"), "loss curves")
    ui.result("Final held-out loss", f"{history['validation_loss'][-1]:.4f} nats")
    if history.get("bigram_validation_loss") is not None:
        ui.result("Level 1 bigram held-out loss", f"{history['bigram_validation_loss']:.4f} nats")

    ui.heading("The learned weights")
    ui.explain(
        "Each column of W1 is one hidden neuron's ears: how strongly each input character pushes it up (red) "
        "or down (blue). Each row of W2 (drawn as a column) is that neuron's vote for every next character. "
        "Letters that behave alike -- the vowels, say -- often get similar colours: the network discovers "
        "groups of letters on its own."
    )
    show_hidden_neurons(trained, tokenizer, context)
    ui.saved(plot_weights(trained, tokenizer, context, folder / "hidden_weights.png"), "the learned weights as an image")

    ui.heading(f"After '{readable(letter)}', what comes next?")
    context_text = most_common_context(train_text, letter, context)
    context_ids = tokenizer.encode(context_text)
    before = next_char_probabilities(initial, context_ids, tokenizer.vocab_size, activation)
    after = next_char_probabilities(trained, context_ids, tokenizer.vocab_size, activation)
    bigram = NGramModel(2, vocabulary=set(text)).fit(train_text).distribution(letter)
    if context > 1:
        ui.say(f"The network reads {context} characters, so we use the most common {context}-character context "
               f"ending in '{readable(letter)}': '{shown(context_text)}'. "
               "The bigram only sees the last letter.")
    show_next_letter_table(context_text, before, after, bigram, tokenizer, args.top)
    bigram_array = np.array([bigram.get(ch, 0.0) for ch in tokenizer.chars])
    best = int(np.argmax(after))
    ui.result(f"Most likely after '{shown(context_text)}'",
              f"'{readable(tokenizer.chars[best])}' with chance {after[best]:.3f} "
              f"(bigram {bigram_array[best]:.3f}, untrained {before[best]:.3f})")
    ui.result("Difference between network and bigram (total variation)",
              f"{0.5 * float(np.abs(after - bigram_array).sum()):.3f} (0 = the same, 1 = no overlap)")
    ui.explain(
        "Before training the chances are nearly flat: random weights know nothing. After training they "
        "follow the bigram closely, because with one character of context the best any model can do is learn "
        "how often each letter follows this one. The network got there by rolling downhill on the loss, "
        "never by counting.",
        title="Reading the table",
    )


if __name__ == "__main__":
    script.run_step(main)
