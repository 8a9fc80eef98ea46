"""Level 4's exercises: starters to copy, reference answers, and the checks `buildai check 4.N` runs."""
