"""Step 2.3 - A character-level network, trained with backpropagation written by hand.

The task is the same as Level 1's: read the previous character(s) and predict
the next one. Level 1 COUNTED; this network LEARNS.

    previous K characters -> one-hot vectors -> hidden layer -> softmax over every character

One-hot: a character becomes a row of zeros with a single 1 at its own position
in the vocabulary. With --context 3 the three one-hot rows are laid end to end.

Training needs the gradient: for every weight, which way should it move to make
the loss smaller? Step 2.2 found it by nudging each weight -- two forward passes
per weight, hopeless for the thousands of weights here. *Backpropagation* gets
every gradient in ONE backward sweep, using the chain rule: start from the
loss, and pass the blame for the mistake backwards, layer by layer, each layer
handing the one before it its share.

Two training loops do exactly the same maths:

- `train_epoch_per_sample`: one example at a time, with plain vectors. Easy to read.
- `train_epoch_vectorised`: a mini-batch of examples at a time, with matrices. Fast.

With --batch-size 1 and the same seed they end with the same weights.

Run it:  python step3_train.py                 (or: buildai run 2.3)
         python step3_train.py --context 3 --activation relu
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Callable

# Our matrices are small (64 x 72). Splitting each multiplication across CPU cores costs more than it
# saves, and on a busy computer the helper threads wait for each other: we measured a 64 x 256 layer
# running 40 times SLOWER with two threads than with one. So we ask NumPy's maths library for one
# thread. This only works before NumPy is first imported, which is why it sits up here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from buildai import script, ui  # noqa: E402
from buildai.data import Corpus
from buildai.errors import UserError
from buildai.paths import output_dir
from buildai.safe_io import save_numpy, write_json
from buildai.tokenizer import CharTokenizer
from level_1_prediction.display import readable
from level_1_prediction.step3_ngram import NGramModel
from level_2_neural_network.step2_network import (
    ACTIVATIONS,
    Parameters,
    cross_entropy,
    forward_pass,
    init_parameters,
    network_loss,
    numerical_gradient,
)

MAX_CONTEXT = 8  # the most previous characters --context accepts
MODEL_FILE = "char_model.npz"
FULL_LEARNING_RATE = 1.0    # the default step size for batches of REFERENCE_BATCH_SIZE examples
REFERENCE_BATCH_SIZE = 64
HISTORY_FILE = "training_history.json"
ProgressReport = Callable[[int, float], None]  # (examples just done, average loss so far this epoch)


# ------------------------------------------------------------------ the data


def make_examples(ids: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (previous `context` characters -> next character) pair in a text, as id arrays.

    >>> contexts, targets = make_examples(np.array([5, 6, 7, 8]), context=2)
    >>> contexts.tolist(), targets.tolist()      # [5, 6] -> 7 and [6, 7] -> 8
    ([[5, 6], [6, 7]], [7, 8])
    """
    ids = np.asarray(ids)
    if len(ids) <= context:
        return np.zeros((0, context), dtype=np.int64), np.zeros(0, dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], context)
    return windows.astype(np.int64), ids[context:].astype(np.int64)


def one_hot_contexts(contexts: np.ndarray, vocab_size: int) -> np.ndarray:
    """Turn character ids into one-hot rows, laid end to end for each context.

    Works for one context (shape (K,) -> (K * vocab_size,)) or a batch ((B, K) -> (B, K * vocab_size)).

    >>> one_hot_contexts(np.array([2, 0]), vocab_size=3)     # 'c' then 'a', from the vocabulary a b c
    array([0., 0., 1., 1., 0., 0.])
    """
    contexts = np.asarray(contexts)
    context = contexts.shape[-1]
    flat = contexts.reshape(-1, context)
    rows = np.zeros((len(flat), context * vocab_size))
    # Character number k of the context lights up position k * vocab_size + its id.
    rows[np.arange(len(flat))[:, None], np.arange(context) * vocab_size + flat] = 1.0
    return rows.reshape(*contexts.shape[:-1], context * vocab_size)


# ----------------------------------------------------------- backpropagation


def activation_slope(activation: str, hidden_sums: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """The slope (derivative) of the squash at each hidden sum: d(hidden) / d(hidden sums).

    Written using the squash's OUTPUT where that is simpler, e.g. tanh' = 1 - tanh^2.

    >>> activation_slope("tanh", np.zeros(1), np.zeros(1))          # steepest at 0
    array([1.])
    >>> activation_slope("sigmoid", np.zeros(1), np.full(1, 0.5))   # sigmoid is never steeper than 0.25
    array([0.25])
    """
    if activation == "tanh":
        return 1.0 - hidden**2
    if activation == "sigmoid":
        return hidden * (1.0 - hidden)
    if activation == "relu":
        return (hidden_sums > 0).astype(hidden_sums.dtype)
    raise UserError(f"Unknown activation '{activation}'. Choose one of: {', '.join(ACTIVATIONS)}.")


def backward(params: Parameters, cache: dict[str, np.ndarray], targets: np.ndarray, activation: str) -> Parameters:
    """Backpropagation for a batch: the gradient of the AVERAGE loss for every weight and bias.

    `cache` is what `forward_pass` returned for the same batch. We walk the forward
    pass in reverse; every line is one step of the chain rule, and its comment says which.
    """
    batch = len(targets)
    # loss -> logits: softmax and cross-entropy together have the simplest slope of all,
    # (probabilities - 1 for the right answer), averaged over the batch.
    d_logits = cache["probabilities"].copy()
    d_logits[np.arange(batch), targets] -= 1.0
    d_logits /= batch
    # logits = hidden @ W2 + b2  ->  dL/dW2 = hidden^T @ dL/dlogits   (each weight: its input x the blame)
    d_W2 = cache["hidden"].T @ d_logits
    # logits = hidden @ W2 + b2  ->  dL/db2 = dL/dlogits summed over the batch   (a bias's input is always 1)
    d_b2 = d_logits.sum(axis=0)
    # logits = hidden @ W2 + b2  ->  dL/dhidden = dL/dlogits @ W2^T   (blame flows back along the same weights)
    d_hidden = d_logits @ params["W2"].T
    # hidden = squash(hidden sums)  ->  dL/dsums = dL/dhidden * squash'(sums)   (a flat squash passes little blame)
    d_hidden_sums = d_hidden * activation_slope(activation, cache["hidden_sums"], cache["hidden"])
    # hidden sums = inputs @ W1 + b1  ->  dL/dW1 = inputs^T @ dL/dsums   (only the one-hot 1s get blame)
    d_W1 = cache["inputs"].T @ d_hidden_sums
    # hidden sums = inputs @ W1 + b1  ->  dL/db1 = dL/dsums summed over the batch
    d_b1 = d_hidden_sums.sum(axis=0)
    return {"W1": d_W1, "b1": d_b1, "W2": d_W2, "b2": d_b2}


def sample_gradients(params: Parameters, inputs: np.ndarray, target: int, activation: str) -> tuple[float, Parameters]:
    """Forward and backward for ONE example (a 1-D one-hot `inputs`): its loss and its gradients.

    The same chain rule as `backward`, written with plain vectors -- read this one first.
    """
    cache = forward_pass(params, inputs, activation)          # forward_pass also works on one example
    loss = float(-np.log(cache["probabilities"][target]))   # -log(chance given to the right character)
    # loss -> logits: d(loss)/d(logit_j) = probability_j - (1 if j is the right character else 0)
    d_logits = cache["probabilities"].copy()
    d_logits[target] -= 1.0
    # logits = hidden @ W2 + b2  ->  d/dW2[i, j] = hidden_i * d_logits_j   (input x blame, for every pair)
    d_W2 = np.outer(cache["hidden"], d_logits)
    # logits = hidden @ W2 + b2  ->  d/db2 = d_logits   (a bias's input is always 1)
    d_b2 = d_logits
    # logits = hidden @ W2 + b2  ->  d/dhidden_i = sum over j of W2[i, j] * d_logits_j   (blame flows back)
    d_hidden = params["W2"] @ d_logits
    # hidden = squash(hidden sums)  ->  d/dsums = d/dhidden * squash'(sums)
    d_hidden_sums = d_hidden * activation_slope(activation, cache["hidden_sums"], cache["hidden"])
    # hidden sums = inputs @ W1 + b1  ->  d/dW1[i, j] = inputs_i * d_sums_j   (zero except the one-hot rows)
    d_W1 = np.outer(inputs, d_hidden_sums)
    # hidden sums = inputs @ W1 + b1  ->  d/db1 = d_sums
    d_b1 = d_hidden_sums
    return loss, {"W1": d_W1, "b1": d_b1, "W2": d_W2, "b2": d_b2}


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """How different two gradients are, as a fraction of their size: |a - b| / (|a| + |b|).

    Measured over the whole array, so tiny entries (pure rounding noise) cannot dominate.

    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    size = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if size == 0 else float(np.linalg.norm(a - b) / size)


def gradient_check(
    params: Parameters, inputs: np.ndarray, targets: np.ndarray, activation: str,
    rng: np.random.Generator, checks_per_array: int | None = None, epsilon: float = 1e-6,
) -> dict[str, float]:
    """Compare backpropagation with step 2.2's nudging, for each weight array.

    With `checks_per_array` only that many randomly chosen numbers of each array are
    nudged (nudging all of them is the slow way we are trying to avoid!).
    Returns the relative error per array: below 1e-6 means they agree.
    """
    analytic = backward(params, forward_pass(params, inputs, activation), targets, activation)
    loss_of = lambda: network_loss(params, inputs, targets, activation)  # noqa: E731
    errors = {}
    for name, array in params.items():
        positions = list(np.ndindex(array.shape))
        if checks_per_array is not None and checks_per_array < len(positions):
            chosen = rng.choice(len(positions), size=checks_per_array, replace=False)
            positions = [positions[i] for i in chosen]
        numeric = np.array([numerical_gradient(loss_of, array, index, epsilon) for index in positions])
        exact = np.array([analytic[name][index] for index in positions])
        errors[name] = relative_error(exact, numeric)
    return errors


# ------------------------------------------------------------- the two loops


def sgd_step(params: Parameters, gradients: Parameters, learning_rate: float) -> None:
    """Move every weight a little downhill (in place): weight -= learning rate x gradient."""
    for name in params:
        params[name] -= learning_rate * gradients[name]


class EpochLoss:
    """The average loss so far in an epoch, handed to the progress bar every `report_every` examples."""

    def __init__(self, report: ProgressReport | None, report_every: int):
        self.report, self.report_every = report, report_every
        self.total, self.count, self.unreported = 0.0, 0, 0

    def add(self, loss: float, examples: int = 1) -> None:
        """Record the average `loss` of `examples` examples."""
        self.total += loss * examples
        self.count += examples
        self.unreported += examples
        if self.report is not None and self.unreported >= self.report_every:
            self.report(self.unreported, self.total / self.count)
            self.unreported = 0

    def finish(self) -> float:
        """Report what is left and return the epoch's average loss."""
        if self.report is not None and self.unreported:
            self.report(self.unreported, self.total / self.count)
        return self.total / max(self.count, 1)


def train_epoch_per_sample(
    params: Parameters, contexts: np.ndarray, targets: np.ndarray, vocab_size: int, activation: str,
    learning_rate: float, rng: np.random.Generator, report: ProgressReport | None = None, report_every: int = 1000,
) -> float:
    """One pass over the examples in a random order, updating the weights after EVERY example.

    The readable loop: one-hot one example, forward, backward, step. Returns the average loss.
    """
    order = rng.permutation(len(targets))
    epoch_loss = EpochLoss(report, report_every)
    for index in order:
        inputs = one_hot_contexts(contexts[index], vocab_size)                   # (K * V,)
        loss, gradients = sample_gradients(params, inputs, int(targets[index]), activation)
        sgd_step(params, gradients, learning_rate)
        epoch_loss.add(loss)
    return epoch_loss.finish()


def train_epoch_vectorised(
    params: Parameters, contexts: np.ndarray, targets: np.ndarray, vocab_size: int, activation: str,
    learning_rate: float, batch_size: int, rng: np.random.Generator, report: ProgressReport | None = None,
    report_every: int = 1000,
) -> float:
    """One pass over the examples in a random order, updating after every MINI-BATCH.

    The same maths as `train_epoch_per_sample`, but a whole batch goes through each matrix
    multiplication at once -- NumPy does the inner loops in fast compiled code.
    Returns the average loss.
    """
    order = rng.permutation(len(targets))   # the same random order the per-sample loop would use
    epoch_loss = EpochLoss(report, report_every)
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        inputs = one_hot_contexts(contexts[batch], vocab_size)                   # (B, K * V)
        cache = forward_pass(params, inputs, activation)
        sgd_step(params, backward(params, cache, targets[batch], activation), learning_rate)
        epoch_loss.add(cross_entropy(cache["probabilities"], targets[batch]), len(batch))
    return epoch_loss.finish()


def average_loss(
    params: Parameters, contexts: np.ndarray, targets: np.ndarray, vocab_size: int, activation: str,
    chunk: int = 4096,
) -> float:
    """The average loss over many examples, computed a chunk at a time to keep memory small."""
    total = 0.0
    for start in range(0, len(targets), chunk):
        inputs = one_hot_contexts(contexts[start:start + chunk], vocab_size)
        probabilities = forward_pass(params, inputs, activation)["probabilities"]
        total += cross_entropy(probabilities, targets[start:start + chunk]) * len(probabilities)
    return total / max(len(targets), 1)


# -------------------------------------------------------------- using the model


def next_char_probabilities(params: Parameters, context_ids: list[int], vocab_size: int, activation: str) -> np.ndarray:
    """The network's chance for every character to come next after `context_ids`."""
    inputs = one_hot_contexts(np.array(context_ids), vocab_size)
    return forward_pass(params, inputs, activation)["probabilities"]


def generate(
    params: Parameters, tokenizer: CharTokenizer, prompt: str, length: int, activation: str, rng: np.random.Generator,
) -> str:
    """Write `length` new characters after `prompt`, one at a time, picking each by its chance."""
    context = params["W1"].shape[0] // tokenizer.vocab_size
    ids = tokenizer.encode(prompt)
    for _ in range(length):
        probabilities = next_char_probabilities(params, ids[-context:], tokenizer.vocab_size, activation)
        ids.append(int(rng.choice(len(probabilities), p=probabilities)))
    return tokenizer.decode(ids[len(tokenizer.encode(prompt)):])


# ---------------------------------------------------------------- the script


def learning_rate_for_epoch(base_rate: float, epoch: int, epochs: int) -> float:
    """Smaller steps as training goes on: from the full rate in the first epoch down to a tenth in the last.

    Near the bottom of the valley, big steps jump from one side to the other; small ones settle.

    >>> [round(learning_rate_for_epoch(1.0, epoch, 4), 2) for epoch in range(4)]
    [1.0, 0.7, 0.4, 0.1]
    """
    return base_rate * (1.0 - 0.9 * epoch / max(epochs - 1, 1))


def default_learning_rate(batch_size: int) -> float:
    """A step size that suits the batch size: 1.0 for batches of 64, smaller in proportion for smaller ones.

    A gradient averaged over few examples points in a noisier direction, so we take a
    smaller step along it. One example at a time gets 1/64 of the full step.

    >>> default_learning_rate(64), default_learning_rate(16), default_learning_rate(1), default_learning_rate(256)
    (1.0, 0.25, 0.015625, 1.0)
    """
    return min(FULL_LEARNING_RATE, FULL_LEARNING_RATE * batch_size / REFERENCE_BATCH_SIZE)


def level_1_validation_loss(order: int, corpus: Corpus) -> float:
    """Level 1's smoothed n-gram model (order 2 = the bigram): its loss on the held-out text, in nats."""
    model = NGramModel(order, vocabulary=corpus.tokenizer.chars).fit(corpus.train_text)
    return model.bits_per_char(corpus.val_text) * math.log(2)


def rms(array: np.ndarray) -> float:
    """Root mean square: a typical size of the numbers in an array, ignoring their signs."""
    return float(np.sqrt(np.mean(array**2)))


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = script.step_parser("Train a character-level network with hand-written backpropagation.")
    parser.add_argument("--context", type=script.positive_int, choices=range(1, MAX_CONTEXT + 1), default=1, metavar="K",
                        help=f"how many previous characters the network sees, 1 to {MAX_CONTEXT} (default 1, like the bigram)")
    parser.add_argument("--hidden", type=script.positive_int, default=64, metavar="N", help="hidden neurons (default 64)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="tanh", help="the hidden layer's squash (default tanh)")
    parser.add_argument("--epochs", type=script.positive_int, default=5, help="passes over the training text (default 5)")
    parser.add_argument("--learning-rate", type=script.positive_float, default=None,
                        help="starting step size; it shrinks to a tenth by the last epoch "
                             f"(default: {FULL_LEARNING_RATE} x batch size / {REFERENCE_BATCH_SIZE}, at most {FULL_LEARNING_RATE})")
    parser.add_argument("--batch-size", type=script.positive_int, default=REFERENCE_BATCH_SIZE,
                        help=f"examples per step in the vectorised loop (default {REFERENCE_BATCH_SIZE})")
    parser.add_argument("--loop", choices=["per-sample", "vectorised"], default="vectorised",
                        help="per-sample: one example at a time (readable, slow); vectorised: mini-batches (fast)")
    parser.add_argument("--prompt", default=None, help="text the samples start from (default: the start of the stories)")
    parser.add_argument("--sample-length", type=script.non_negative_int, default=200,
                        help="characters to write in each sample (default 200)")
    args = script.start_step(parser, argv)
    if args.loop == "per-sample":
        args.batch_size = 1  # one example at a time: a batch of one
    if args.learning_rate is None:
        args.learning_rate = default_learning_rate(args.batch_size)
    return args


def choose_prompt(requested: str | None, tokenizer: CharTokenizer, train_text: str, context: int) -> str:
    """The prompt for the samples: the learner's, or the first words of the training text."""
    if requested is not None:
        unknown = tokenizer.unknown_chars(requested)
        if unknown:
            raise UserError(f"The prompt uses characters the model has never seen: {', '.join(map(repr, unknown))}. "
                            "Use characters from the training text.")
        if len(requested) < context:
            raise UserError(f"The prompt must be at least {context} characters long, because the network reads "
                            f"{context} characters at a time (--context {context}).")
        return requested
    start = train_text.split("\n", 1)[0][:20]
    if " " in start:
        start = start.rsplit(" ", 1)[0] + " "  # end on a whole word
    return start if len(start) >= context else train_text[:context]


def show_sample(title: str, prompt: str, sample: str) -> None:
    ui.say(f"[heading]{title}[/heading]")
    ui.say("  " + ui.escape(prompt) + "[char]" + ui.escape(sample).replace("\n", " / ") + "[/char]")


def show_backprop_check(
    params: Parameters, contexts: np.ndarray, targets: np.ndarray, vocab_size: int, activation: str,
    rng: np.random.Generator,
) -> float:
    """Backprop on 32 examples, checked against step 2.2's nudging; returns the largest relative error."""
    ui.heading("Backpropagation, checked by nudging")
    check_batch = rng.choice(len(targets), size=min(32, len(targets)), replace=False)
    check_inputs = one_hot_contexts(contexts[check_batch], vocab_size)
    started = time.perf_counter()
    cache = forward_pass(params, check_inputs, activation)
    gradients = backward(params, cache, targets[check_batch], activation)
    backprop_seconds = time.perf_counter() - started
    started = time.perf_counter()
    errors = gradient_check(params, check_inputs, targets[check_batch], activation, rng, checks_per_array=10)
    nudge_seconds_each = (time.perf_counter() - started) / (10 * len(params))
    ui.explain(
        "Backpropagation walks the forward pass backwards, using the chain rule at every step: the loss blames "
        "the output scores, the scores pass blame back along W2 to the hidden neurons, the squash lets "
        "through as much blame as its slope allows, and the hidden sums pass it to W1. "
        "To be sure the maths is right, we nudge 10 randomly chosen numbers of each weight array "
        "(step 2.2's slow method) and compare."
    )
    ui.table("Backprop vs nudging", ["weights", "shape", "relative error (below 1e-6: agree)", "typical gradient size"],
             [(name, str(params[name].shape), f"{errors[name]:.1e}", f"{rms(gradients[name]):.2e}") for name in params],
             justify=["left", "left", "right", "right"])
    worst = max(errors.values())
    ui.result("Largest relative error, backprop vs nudging", f"{worst:.1e}")
    parameter_count = sum(array.size for array in params.values())
    ui.say(f"One forward and one backward pass found all {parameter_count:,} gradients in "
           f"{backprop_seconds * 1000:.1f} ms. Nudging every number would take about "
           f"{nudge_seconds_each * parameter_count:.1f} s -- for every single step.")
    ui.say("The 'typical gradient size' column shows how much blame reaches each layer; compare it for "
           "--activation sigmoid, tanh and relu (see the exercise on vanishing gradients).")
    return worst


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    rng = np.random.default_rng(args.seed)
    corpus = script.load_corpus(args)
    tokenizer, train_text = corpus.tokenizer, corpus.train_text
    vocab_size, context = tokenizer.vocab_size, args.context
    train_contexts, train_targets = make_examples(np.array(corpus.train_ids), context)
    val_contexts, val_targets = make_examples(np.array(corpus.val_ids), context)
    if len(train_targets) == 0 or len(val_targets) == 0:
        raise UserError(f"The text is too short for --context {context}: the held-out part has no examples. "
                        "Use a longer text or a smaller --context.")
    prompt = choose_prompt(args.prompt, tokenizer, train_text, context)

    ui.heading("Step 2.3 - A character-level network", "the bigram task again, but learned by backpropagation")
    ui.explain(
        f"The network reads the previous {context} character{'s' if context > 1 else ''} and gives a chance "
        "to every character of the vocabulary to come next. Each character enters as a one-hot row: all "
        "zeros except a single 1 at its own place in the vocabulary.\n\n"
        f"  previous {context} char{'s' if context > 1 else ''}  ->  one-hot ({context * vocab_size})  "
        f"->  W1 ({context * vocab_size} x {args.hidden})  ->  {args.activation} hidden ({args.hidden})\n"
        f"  ->  W2 ({args.hidden} x {vocab_size})  ->  softmax: {vocab_size} chances, one per character"
    )
    params = init_parameters(context * vocab_size, args.hidden, vocab_size, args.activation, rng)
    initial_params = {name: array.copy() for name, array in params.items()}
    parameter_count = sum(array.size for array in params.values())
    ui.table("What we train on", ["", "value"], [
        ("characters in the vocabulary", f"{vocab_size:,}"),
        ("training examples (first 90%)", f"{len(train_targets):,}"),
        ("held-out examples (last 10%)", f"{len(val_targets):,}"),
        ("numbers to learn (weights and biases)", f"{parameter_count:,}"),
    ], justify=["left", "right"])
    first = train_contexts[0]
    lit = [int(k * vocab_size + char_id) for k, char_id in enumerate(first)]
    ui.say(f"Example: the context '{''.join(readable(tokenizer.chars[i]) for i in first)}' becomes a row "
           f"of {context * vocab_size} numbers, all 0 except a 1 at position{'s' if context > 1 else ''} "
           f"{', '.join(map(str, lit))}; the answer is '{readable(tokenizer.chars[train_targets[0]])}'.")

    worst = show_backprop_check(params, train_contexts, train_targets, vocab_size, args.activation, rng)

    # --- training ----------------------------------------------------------------------------------
    sample_before = generate(params, tokenizer, prompt, args.sample_length, args.activation,
                             np.random.default_rng(args.seed + 1))
    ui.heading("Before training")
    show_sample("A sample from the untrained network (random weights):", prompt, sample_before)

    ui.heading("Training", f"{args.loop} loop, {args.epochs} epoch{'s' if args.epochs > 1 else ''}")
    if args.loop == "per-sample":
        ui.explain("The per-sample loop updates the weights after every single example. It is the easiest to "
                   "read, and the slowest: Python runs every step itself. One example gives a noisy direction, "
                   f"so the steps are small (learning rate {args.learning_rate:.4g}). "
                   "Try --loop vectorised to compare.")
    else:
        ui.explain(f"The vectorised loop pushes {args.batch_size} examples at a time through each matrix "
                   "multiplication and averages their gradients: the same maths as the per-sample loop, "
                   "but NumPy does the inner loops in fast compiled code.")
    history: dict = {
        "epochs": [0],
        "learning_rates": [None],
        "train_loss": [average_loss(params, train_contexts, train_targets, vocab_size, args.activation)],
        "validation_loss": [average_loss(params, val_contexts, val_targets, vocab_size, args.activation)],
        "elapsed_seconds": [0.0],
    }
    ui.say(f"Before training: training loss {history['train_loss'][0]:.4f}, held-out loss "
           f"{history['validation_loss'][0]:.4f} (a uniform guess would be ln({vocab_size}) = {math.log(vocab_size):.4f})")
    training_seconds = 0.0
    with ui.progress(total=args.epochs * len(train_targets), description="Training") as tracker:
        report = lambda done, loss: tracker.advance(done, loss=loss)  # noqa: E731
        for epoch in range(args.epochs):
            rate = learning_rate_for_epoch(args.learning_rate, epoch, args.epochs)
            started = time.perf_counter()
            if args.loop == "per-sample":
                train_epoch_per_sample(params, train_contexts, train_targets, vocab_size, args.activation, rate, rng, report)
            else:
                train_epoch_vectorised(params, train_contexts, train_targets, vocab_size, args.activation, rate,
                                       args.batch_size, rng, report, report_every=8192)
            training_seconds += time.perf_counter() - started
            history["epochs"].append(epoch + 1)
            history["learning_rates"].append(rate)
            history["train_loss"].append(average_loss(params, train_contexts, train_targets, vocab_size, args.activation))
            history["validation_loss"].append(average_loss(params, val_contexts, val_targets, vocab_size, args.activation))
            history["elapsed_seconds"].append(round(training_seconds, 3))
            if not np.isfinite(history["train_loss"][-1]):
                raise UserError(f"Training blew up: the loss became {history['train_loss'][-1]} (not a number). "
                                f"The learning rate {args.learning_rate} is too high; try a smaller --learning-rate.")
            ui.say(f"epoch {epoch + 1}/{args.epochs}: learning rate {rate:.4g}, training loss "
                   f"{history['train_loss'][-1]:.4f}, held-out loss {history['validation_loss'][-1]:.4f}")
            if history["train_loss"][-1] > history["train_loss"][0]:
                ui.warn("The loss went UP: worse than the untrained network. The steps are too big and jump "
                        "right over the valley; try a smaller --learning-rate.")

    # --- results -------------------------------------------------------------------------------------
    ui.heading("Results")
    final_val = history["validation_loss"][-1]
    bigram = level_1_validation_loss(2, corpus)
    same_context = level_1_validation_loss(context + 1, corpus) if context > 1 else bigram
    examples_per_second = args.epochs * len(train_targets) / max(training_seconds, 1e-9)
    ui.result("Final training loss", f"{history['train_loss'][-1]:.4f} nats")
    ui.result("Final held-out loss", f"{final_val:.4f} nats ({final_val / math.log(2):.3f} bits per character)")
    ui.result("Level 1 bigram held-out loss", f"{bigram:.4f} nats ({bigram / math.log(2):.3f} bits per character)")
    ui.result("Network minus bigram", f"{final_val - bigram:+.4f} nats")
    if context > 1:
        ui.result(f"Level 1 {context + 1}-gram held-out loss", f"{same_context:.4f} nats")
    ui.result("Training time", f"{training_seconds:.1f} s ({examples_per_second:,.0f} examples per second, {args.loop} loop)")
    ui.explain(
        "Loss is measured in nats: the average of -ln(chance given to the right next character). With context 1 "
        "the network sees exactly what the bigram sees, so the best it can do is about the bigram's loss: "
        "it has learned the same table of next-letter chances, but by gradient descent instead of counting. "
        "With --context 2 or 3 it sees more, and can beat the bigram.",
        title="Reading the numbers",
    )
    sample_after = generate(params, tokenizer, prompt, args.sample_length, args.activation,
                            np.random.default_rng(args.seed + 1))
    show_sample("A sample from the trained network:", prompt, sample_after)

    # --- saving --------------------------------------------------------------------------------------
    folder = output_dir(2, args.out_dir)
    model_path = save_numpy(folder / MODEL_FILE, {
        **params,
        **{f"initial_{name}": array for name, array in initial_params.items()},
        "vocabulary": np.array([ord(ch) for ch in tokenizer.chars], dtype=np.int64),
        "context": np.array(context),
        "activation": np.array(args.activation),
    })
    history.update({
        "level": 2,
        "settings": {
            "context": context, "hidden": args.hidden, "activation": args.activation, "epochs": args.epochs,
            "learning_rate": args.learning_rate, "batch_size": args.batch_size, "loop": args.loop,
            "seed": args.seed,
        },
        **corpus.metadata(),  # corpus_path (None = the course stories) and corpus_sha256: step 4 finds the same text
        "vocabulary_size": vocab_size,
        "parameter_count": parameter_count,
        "train_examples": len(train_targets),
        "validation_examples": len(val_targets),
        "training_seconds": round(training_seconds, 3),
        "examples_per_second": round(examples_per_second, 1),
        "bigram_validation_loss": bigram,
        "same_context_ngram_validation_loss": same_context,
        "gradient_check_max_relative_error": worst,
        "prompt": prompt,
        "sample_before": sample_before,
        "sample_after": sample_after,
        "model_file": MODEL_FILE,
    })
    history_path = write_json(folder / HISTORY_FILE, history)
    ui.saved(model_path, "the trained network and its vocabulary")
    ui.saved(history_path, "the training history")
    ui.success("Next: python step4_visualize.py draws the loss curves and shows what the network learned.")


if __name__ == "__main__":
    script.run_step(main)
