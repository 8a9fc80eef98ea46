"""Exercise 4g.4 — the reference answer, counted with the course's model as the worked answer does."""

from level_4_mini_gpt.model import GPTConfig, MiniGPT

sizes = dict(vocab_size=72, n_layer=3, n_head=4, n_embd=128, block_size=128)
base = MiniGPT(GPTConfig(**sizes)).parameter_count()


def change(**switch) -> int:
    return MiniGPT(GPTConfig(**sizes, **switch)).parameter_count() - base


ANSWERS = {
    "rope": change(position="rope"),
    "rms": change(norm="rms"),
    "swiglu": change(mlp="swiglu"),
    "kv_heads_2": change(n_kv_head=2),
}
