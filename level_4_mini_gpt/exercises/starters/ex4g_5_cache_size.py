"""Exercise 4g.5 — The size of the cache (Level 4, lesson_going_further.md, exercise 5).

Work out by hand the key/value cache of a full window (128 positions) for the default preset: 3 blocks,
4 heads of 32 numbers, every number a float32. Fill in ANSWERS:

- "bytes_per_position": the bytes the cache keeps for one position, all 3 blocks together, with 4
  key/value heads (GPT-2's design);
- "kb_4_heads", "kb_2_heads", "kb_1_head": the whole window's cache in KB (1 KB = 1,024 bytes), with 4, 2
  and 1 key/value heads.

Why big models share their keys and values is for your own words: compare with
`buildai check 4g.5 --reveal`.

    buildai check 4g.5
"""

ANSWERS = {
    "bytes_per_position": None,
    "kb_4_heads": None,
    "kb_2_heads": None,
    "kb_1_head": None,
}
