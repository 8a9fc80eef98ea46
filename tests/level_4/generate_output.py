"""Reading generate.py's plain output in tests: the streamed text and the --explain table."""

from __future__ import annotations


def generated_text(output: str, prompt: str) -> str:
    """The text a run streamed after `prompt` (up to the 'Characters written' result line)."""
    start = output.index(prompt) + len(prompt)
    return output[start:output.index("\nCharacters written:", start)]


def explain_rows(output: str) -> list[list[str]]:
    """The cells of every row of --explain's table: #, text so far, picked, 5 candidates, shortlist size."""
    rows = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if len(cells) == 9 and cells[0].isdigit():
            rows.append(cells)
    return rows
