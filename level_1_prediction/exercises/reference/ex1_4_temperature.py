"""Exercise 1.4 — the reference answer."""

ANSWERS = {
    "a_at_half": 0.783,
    "b_at_half": 0.196,
    "c_at_half": 0.022,
    "close_to_zero": "favourite",
}
