"""Level 4 - Mini-GPT: train your own GPT on our stories and talk to it."""

from buildai.catalog import Level, Step

COURSE_LEVEL = Level(
    number=4,
    title="Mini-GPT",
    summary="A GPT-2-style model trained from scratch on our stories, with interactive generation.",
    steps=(
        Step("4.1", "train.py", "Train your GPT",
             tour_args=("--preset", "tiny"),
             tour_note="A GPT-2-style model learns from our stories. The tiny preset trains in under a minute."),
        Step("4.2", "generate.py", "Generate text with your GPT",
             tour_args=("--prompt", "Once upon a time", "--max-new-tokens", "200"),
             tour_note="The trained model writes one character at a time; temperature, top-k and top-p shape its choices."),
    ),
)
