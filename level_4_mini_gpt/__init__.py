"""Level 4 - Mini-GPT: train your own GPT on our stories and talk to it."""
