"""Exercise 4g.4 — Where did the numbers go? (Level 4, lesson_going_further.md, exercise 4).

The modern design has fewer numbers than GPT-2 at the default preset's size (3 blocks, 4 heads, 128 numbers
per character, a context of 128). For each of the four changes alone, how many numbers does it add or
remove? Write a whole number: negative when the change removes numbers (e.g. -100), positive when it adds.

Work it out by hand first, then count with the course's model if you like (from any folder):

    from level_4_mini_gpt.model import GPTConfig, MiniGPT
    MiniGPT(GPTConfig(vocab_size=72, n_layer=3, n_head=4, n_embd=128, block_size=128)).parameter_count()

    buildai check 4g.4
"""

ANSWERS = {
    "rope": None,  # --position rope
    "rms": None,  # --norm rms
    "swiglu": None,  # --mlp swiglu
    "kv_heads_2": None,  # --n-kv-head 2
}
