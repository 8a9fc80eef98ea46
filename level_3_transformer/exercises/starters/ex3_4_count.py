"""Exercise 3.4 — Count by hand (Level 3, lesson.md, exercise 4).

A transformer block with C numbers per position has these parts (see TransformerBlock in
step3_transformer_block.py): norm_1 (a LayerNorm), the query, key and value layers, the output layer,
norm_2 (a LayerNorm), and the feed-forward network's expand layer (C → 4C) and project layer (4C → C).

Two facts to count with:
- an nn.Linear(a, b) learns a × b weights and b biases (one per output);
- an nn.LayerNorm(C) learns C scales and C shifts.

Work out, with a pencil, how many learnable numbers each part has, and add them up. Then write
block_parameters(C) below: your count, as a whole number, for any C. Use arithmetic only — the check
builds real blocks with PyTorch and compares their count with yours, for C = 16 (step 3's table
"Learnable numbers in one block"), C = 64 (step 4's table "Inside one block") and C = 768 (a block as
wide as GPT-2 small's). Check your work with:

    buildai check 3.4
"""


def block_parameters(C: int) -> int:
    """The number of learnable numbers in one transformer block with C numbers per position."""
    raise NotImplementedError("write block_parameters")
