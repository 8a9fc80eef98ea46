"""Exercise 4.4 — the reference answer: catch the attention layer's input, redo it with Level 3's function."""

import torch

from level_3_transformer.step2_attention import scaled_dot_product_attention


def attention_weights(model, ids: torch.Tensor, block_number: int, head_number: int) -> torch.Tensor:
    """The (T, T) attention weights of head `head_number` in block `block_number`, for the characters `ids`."""
    attention = model.blocks[block_number].attention
    seen = {}
    hook = attention.register_forward_hook(lambda module, inputs, output: seen.update(x=inputs[0]))
    with torch.no_grad():
        model(ids)
    hook.remove()
    x = seen["x"]  # (1, T, n_embd): the LayerNorm's output, which attention reads
    length, head_size = x.shape[1], attention.n_embd // attention.n_head
    with torch.no_grad():
        query, key, value = attention.query_key_value(x).split(attention.n_embd, dim=2)
        query, key, value = (part.view(1, length, attention.n_head, head_size).transpose(1, 2)
                             for part in (query, key, value))
        _, weights = scaled_dot_product_attention(query, key, value, causal=True)  # (1, heads, T, T)
    return weights[0, head_number]


if __name__ == "__main__":
    from buildai import plotting
    from level_1_prediction.display import plot_labels
    from level_3_transformer.attention_pictures import draw_attention
    from level_4_mini_gpt.checkpoint import default_checkpoint_dir, load_checkpoint

    model, tokenizer, info = load_checkpoint(default_checkpoint_dir())
    ids = torch.tensor([tokenizer.encode('The crow said, "Thank you."', skip_unknown=True)])
    labels, fonts = plot_labels(tokenizer.decode(ids[0].tolist()))
    figure, axes = plotting.new_figure(width=9, height=8)
    draw_attention(axes, attention_weights(model, ids, 0, 0), labels, "Block 1, head 1", numbers=False, fonts=fonts)
    plotting.save_figure(figure, "attention_head.png")
