"""Your Mini-GPT as a Hugging Face GPT-2: the bridge from Level 4 to Level 5.

Our model has the same design as GPT-2, so its numbers fit into `transformers.GPT2LMHeadModel` one for one.
Only the names differ (and one detail: GPT-2 keeps its Linear layers as "Conv1D", the weight stored
transposed). Once converted, the model works with everything built for Hugging Face models: `generate`,
`Trainer`, PEFT's LoRA -- which is how Level 5 fine-tunes it without the internet.

The character vocabulary becomes a `PreTrainedTokenizerFast` built with the `tokenizers` library: a BPE
model with one token per character and no merges, so each character is one token with the id
CharTokenizer gives it.

    python export_hf.py                         # outputs/level_4/checkpoint -> outputs/level_4/hugging_face
    python export_hf.py --checkpoint DIR --out DIR2

Only character models are exported: Level 5 fine-tunes the export and reads it one character a token. A model
trained with `train.py --tokenizer bpe` is refused with a message (its tokenizer alone can still be exported:
`BPETokenizer.to_huggingface` in bpe.py, which step 4.4 uses).

>>> config = GPTConfig(vocab_size=5, block_size=8, n_layer=1, n_head=2, n_embd=8)
>>> hugging_face = to_hugging_face(MiniGPT(config))
>>> type(hugging_face).__name__, hugging_face.config.n_positions
('GPT2LMHeadModel', 8)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from buildai import script, ui
from buildai.errors import UserError
from buildai.paths import output_dir, show_path
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.bpe import BPETokenizer
from level_4_mini_gpt.checkpoint import default_checkpoint_dir, load_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT

# Our name for each part of a block -> GPT-2's name for it.
BLOCK_PARTS = {
    "attention_norm": "ln_1", "attention.query_key_value": "attn.c_attn", "attention.output_projection": "attn.c_proj",
    "feed_forward_norm": "ln_2", "feed_forward.expand": "mlp.c_fc", "feed_forward.project": "mlp.c_proj",
}
OUTER_PARTS = {
    "token_embedding.weight": "transformer.wte.weight", "position_embedding.weight": "transformer.wpe.weight",
    "final_norm.weight": "transformer.ln_f.weight", "final_norm.bias": "transformer.ln_f.bias",
}
LAYER_NORM_EPSILON = 1e-5  # PyTorch's nn.LayerNorm default, which our model uses


def quiet_hugging_face() -> None:
    """Hide transformers' own progress bars and log messages: the course prints its own, in plain words."""
    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    disable_progress_bars()


def name_pairs(n_layer: int, bias: bool = True) -> dict[str, str]:
    """Every one of our weight names -> the GPT-2 name of the same numbers.

    >>> name_pairs(1)["blocks.0.attention.query_key_value.weight"]
    'transformer.h.0.attn.c_attn.weight'
    """
    pairs = {ours: theirs for ours, theirs in OUTER_PARTS.items() if bias or not ours.endswith("bias")}
    kinds = ("weight", "bias") if bias else ("weight",)
    for index in range(n_layer):
        for ours, theirs in BLOCK_PARTS.items():
            for kind in kinds:
                pairs[f"blocks.{index}.{ours}.{kind}"] = f"transformer.h.{index}.{theirs}.{kind}"
    return pairs


def is_conv1d(gpt2_name: str) -> bool:
    """GPT-2's attention and MLP weights are Conv1D: stored (in, out), the transpose of nn.Linear's (out, in)."""
    return gpt2_name.endswith(".weight") and (".attn." in gpt2_name or ".mlp." in gpt2_name)


def gpt2_config(config: GPTConfig) -> Any:
    from transformers import GPT2Config

    if not config.bias:
        raise UserError("Only models with biases (the default, like GPT-2) can be exported to GPT-2.")
    if config.modern_parts():
        # GPT-2 has a table of positions, LayerNorm, a GELU network and one key/value head per query head:
        # numbers learned for another design have no place in it, and the converted model would be wrong.
        raise UserError(f"This model uses parts GPT-2 does not have ({', '.join(config.modern_parts())}), so it "
                        f"cannot be exported as a GPT-2. Only a model trained with the GPT-2 design (the default: "
                        f"leave out --position, --norm, --mlp and --n-kv-head) can be exported.")
    return GPT2Config(
        vocab_size=config.vocab_size, n_positions=config.block_size, n_embd=config.n_embd,
        n_layer=config.n_layer, n_head=config.n_head, n_inner=4 * config.n_embd,
        activation_function="gelu",  # exact GELU, as our FeedForward uses (GPT-2 itself uses a tanh approximation)
        resid_pdrop=config.dropout, embd_pdrop=config.dropout, attn_pdrop=config.dropout,
        layer_norm_epsilon=LAYER_NORM_EPSILON, tie_word_embeddings=True,
        bos_token_id=None, eos_token_id=None, pad_token_id=None,
    )


def to_hugging_face(model: MiniGPT) -> Any:
    """A MiniGPT -> a GPT2LMHeadModel with the same numbers (so the same logits), in eval mode."""
    from transformers import GPT2LMHeadModel

    hugging_face = GPT2LMHeadModel(gpt2_config(model.config))
    ours = model.state_dict()
    state = {}
    for our_name, their_name in name_pairs(model.config.n_layer).items():
        tensor = ours[our_name].detach().clone()
        state[their_name] = tensor.t().contiguous() if is_conv1d(their_name) else tensor
    state["lm_head.weight"] = state["transformer.wte.weight"]  # tied, as in our model
    hugging_face.load_state_dict(state, strict=True)
    return hugging_face.eval()


def from_hugging_face(hugging_face: Any) -> MiniGPT:
    """The way back: a GPT2LMHeadModel (e.g. after LoRA merged into it) -> a MiniGPT with the same numbers."""
    settings = hugging_face.config
    if settings.activation_function != "gelu" or (settings.n_inner or 4 * settings.n_embd) != 4 * settings.n_embd:
        raise UserError("This GPT-2 was not made from a Mini-GPT (it uses another activation or MLP size), "
                        "so it cannot become one.")
    model = MiniGPT(GPTConfig(vocab_size=settings.vocab_size, block_size=settings.n_positions,
                              n_layer=settings.n_layer, n_head=settings.n_head, n_embd=settings.n_embd,
                              dropout=settings.resid_pdrop))
    theirs = hugging_face.state_dict()
    state = {}
    for our_name, their_name in name_pairs(settings.n_layer).items():
        tensor = theirs[their_name].detach().clone()
        state[our_name] = tensor.t().contiguous() if is_conv1d(their_name) else tensor
    state["output_head.weight"] = state["token_embedding.weight"]
    model.load_state_dict(state, strict=True)
    return model.eval()


def to_hugging_face_tokenizer(tokenizer: CharTokenizer) -> Any:
    """A CharTokenizer -> a PreTrainedTokenizerFast that gives every character the same id.

    A BPE model whose vocabulary is the characters and which has no merges: BPE starts from single
    characters and would join them by its merge rules; with none, each character stays a token.
    `Fuse` joins tokens back without spaces between them. A character outside the vocabulary is
    dropped (there is no "unknown" token), so `decode(encode(text)) == text` tells whether the model
    can read a text.
    """
    from tokenizers import Tokenizer, decoders, models
    from transformers import PreTrainedTokenizerFast

    vocabulary = {character: index for index, character in enumerate(tokenizer.chars)}
    engine = Tokenizer(models.BPE(vocab=vocabulary, merges=[], unk_token=None, ignore_merges=True))
    engine.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=engine, clean_up_tokenization_spaces=False,
                                   model_max_length=10**9)


def from_hugging_face_tokenizer(hugging_face_tokenizer: Any) -> CharTokenizer:
    """The way back: a one-character-per-token vocabulary -> CharTokenizer (ids kept)."""
    vocabulary = hugging_face_tokenizer.get_vocab()
    chars = [token for token, _ in sorted(vocabulary.items(), key=lambda item: item[1])]
    if any(len(token) != 1 for token in chars) or [vocabulary[c] for c in chars] != list(range(len(chars))):
        raise UserError("This tokenizer is not a one-character-per-token vocabulary, so it cannot become a CharTokenizer.")
    return CharTokenizer(chars)


def export_checkpoint(checkpoint: Path, out: Path) -> tuple[Any, Any, dict[str, Any]]:
    """Load a Level 4 checkpoint folder and save it as a Hugging Face model folder (save_pretrained)."""
    model, tokenizer, info = load_checkpoint(checkpoint)
    if isinstance(tokenizer, BPETokenizer):
        raise UserError(f"The model in '{show_path(checkpoint)}' reads BPE tokens (it was trained with --tokenizer "
                        f"bpe), but export_hf.py exports character models only: Level 5 fine-tunes the exported "
                        f"model and reads its text one character a token. Train a character model to export "
                        f"(python train.py --preset tiny, without --tokenizer), or export another checkpoint folder.")
    hugging_face, hugging_face_tokenizer = to_hugging_face(model), to_hugging_face_tokenizer(tokenizer)
    out.mkdir(parents=True, exist_ok=True)
    hugging_face.save_pretrained(out)  # model.safetensors + config.json
    hugging_face_tokenizer.save_pretrained(out)  # tokenizer.json + tokenizer_config.json
    return hugging_face, hugging_face_tokenizer, info


def default_export_dir(out_dir: str | Path | None = None) -> Path:
    return output_dir(4, out_dir) / "hugging_face"


def main(argv: list[str] | None = None) -> int:
    parser = script.step_parser("Save your Mini-GPT as a Hugging Face GPT-2 model folder.", text_flag=False)
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="the Level 4 checkpoint folder (default: outputs/level_4/checkpoint)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the Hugging Face model (default: outputs/level_4/hugging_face)")
    args = script.start_step(parser, argv)
    quiet_hugging_face()
    checkpoint = args.checkpoint or default_checkpoint_dir(args.out_dir)
    out = args.out or default_export_dir(args.out_dir)
    with torch.no_grad():
        hugging_face, _, _ = export_checkpoint(checkpoint, out)
    ui.success(f"Saved a transformers GPT2LMHeadModel ({hugging_face.num_parameters():,} numbers) and its "
               f"tokenizer to {show_path(out)}. Load it with GPT2LMHeadModel.from_pretrained(folder).")
    return 0


if __name__ == "__main__":
    script.run_step(main)
