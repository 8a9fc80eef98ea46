"""Exercise 4g.5 — the reference answer, by hand from the default preset's settings."""

from level_4_mini_gpt.presets import PRESETS

default = PRESETS["default"]
head_size = default["n_embd"] // default["n_head"]


def cache_bytes_per_position(kv_heads: int) -> int:
    return 2 * kv_heads * head_size * 4 * default["n_layer"]  # a key and a value, float32, every block


ANSWERS = {
    "bytes_per_position": cache_bytes_per_position(default["n_head"]),
    "kb_4_heads": cache_bytes_per_position(4) * default["block_size"] / 1024,
    "kb_2_heads": cache_bytes_per_position(2) * default["block_size"] / 1024,
    "kb_1_head": cache_bytes_per_position(1) * default["block_size"] / 1024,
}
