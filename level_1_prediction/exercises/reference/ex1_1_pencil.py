"""Exercise 1.1 — the reference answer."""

ANSWERS = {
    "counts": {"d": {"a": 2}, "a": {"l": 3, "w": 1}, "l": {" ": 2}, " ": {"c": 1, "d": 1},
               "c": {"h": 1}, "h": {"a": 1}, "w": {"a": 1}},
    "p_l_given_a": 3 / 4,
}
