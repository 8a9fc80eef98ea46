"""Exercise 4.4 — An attention heatmap (Level 4, lesson.md, exercise 4).

Write attention_weights(model, ids, block_number, head_number): the table of attention weights one head of
one block of a MiniGPT uses for the characters `ids` (a tensor of shape (1, T) of character ids). Return a
T × T table (a tensor, or a list of rows): row t says how much character t listens to each character,
so every row adds up to 1 and nothing lies above the diagonal. Count blocks and heads from 0.

The model's fast attention never shows its weights, so: catch what goes into
model.blocks[block_number].attention with a forward hook (register_forward_hook), split that layer's
query_key_value output into the queries, keys and values of each head, and redo the attention with
Level 3's hand-written function:

    from level_3_transformer.step2_attention import scaled_dot_product_attention

The check gives your function a small GPT of its own. To draw your own trained model, load it and call
your function on it, under `if __name__ == "__main__":` so the check does not draw:

    from level_4_mini_gpt.checkpoint import default_checkpoint_dir, load_checkpoint
    model, tokenizer, info = load_checkpoint(default_checkpoint_dir())
    ids = torch.tensor([tokenizer.encode("The crow said, \"Thank you.\"", skip_unknown=True)])

and draw the table with Level 3's picture code (level_3_transformer/attention_pictures.py). What the
picture shows is for your eyes: compare with `buildai check 4.4 --reveal`.

    buildai check 4.4
"""

import torch


def attention_weights(model, ids: torch.Tensor, block_number: int, head_number: int) -> torch.Tensor:
    """The (T, T) attention weights of head `head_number` in block `block_number`, for the characters `ids`."""
    raise NotImplementedError("write attention_weights")


if __name__ == "__main__":
    pass  # load your checkpoint, call attention_weights and draw it here
