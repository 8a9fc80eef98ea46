"""Exercise 4.7 — Catch the model copying (Level 4, lesson.md, exercise 7).

Make small_stories.txt from the first 11 stories, joined by blank lines. From any folder:

    from buildai.data import load_corpus, split_paragraphs
    stories = split_paragraphs(load_corpus().text)   # a list: one story each

Then, inside level_4_mini_gpt/:

    python train.py --data small_stories.txt --preset tiny --out-dir outputs_small
    python train.py --data small_stories.txt --preset tiny --max-steps 700 --eval-interval 700 --out-dir outputs_copy
    python generate.py --out-dir outputs_copy --prompt "The chai stall at Itarsi Junction" --temperature 0.2
    python generate.py --out-dir outputs_copy --prompt "The chai stall at Itarsi Junction" --temperature 0.5

Fill in ANSWERS:

- "small_characters": how many characters small_stories.txt holds (len of its text).
- "fresh_reference": the meter's reference for this text, "new writing by the same authors scores ...",
  as a share between 0 and 1 (25% is 0.25).
- "best_step": in the first run, the step with the lowest held-out loss.
- "meter_higher_at_temperature": which of the two texts got the higher "Memorised" reading: 0.2 or 0.5?

Comparing with a run on all the stories is for your eyes: compare with `buildai check 4.7 --reveal`.

    buildai check 4.7
"""

ANSWERS = {
    "small_characters": None,
    "fresh_reference": None,  # a share: 0.25 for 25%
    "best_step": None,
    "meter_higher_at_temperature": None,  # 0.2 or 0.5
}
