"""Pictures of attention: each (T, T) matrix of weights as a heatmap, the characters on both axes.

Rows are the characters that listen (queries), columns the characters they listen to
(keys). Steps 2, 3 and 4 all draw their attention this way.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> weights = torch.tensor([[1.0, 0.0], [0.3, 0.7]])  # 'h' listens only to itself; 'i' to both
>>> save_attention_grid([(weights, "one head")], "hi", "Attention", folder / "attention.png").stat().st_size > 1000
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from buildai import plotting
from level_1_prediction.display import plot_labels


def draw_attention(axes: Any, weights: torch.Tensor, labels: list[str], title: str, numbers: bool = True,
                   fonts: list[str] | None = None) -> Any:
    """Draw a (T, T) attention matrix on matplotlib axes: rows = who listens, columns = who is listened to.

    `labels` name the T characters (see `level_1_prediction.display.plot_labels`, which also gives the `fonts`).
    """
    fonts = fonts or ["DejaVu Sans"]
    image = axes.imshow(weights.detach().numpy(), cmap="viridis", vmin=0.0, vmax=1.0)
    ticks = np.arange(len(labels))
    axes.set_xticks(ticks, labels, fontfamily=fonts)
    axes.set_yticks(ticks, labels, fontfamily=fonts)
    axes.set_xlabel("listened to (key)")
    axes.set_ylabel("listening (query)")
    axes.set_title(title)
    if numbers and len(labels) <= 16:
        for row in range(len(labels)):
            for column in range(len(labels)):
                value = float(weights[row, column])
                if value >= 0.005:
                    axes.text(column, row, f"{value:.2f}".lstrip("0"), ha="center", va="center", fontsize=7,
                              color="black" if value > 0.6 else "white")
    return image


def save_attention_grid(panels: list[tuple[torch.Tensor, str]], characters: str, title: str, path: Path,
                        columns: int = 4, numbers: bool = False, panel_size: float = 3.6) -> Path:
    """Save a PNG of one or more (T, T) attention matrices side by side, `columns` to a row,
    with the characters on both axes. `panels` holds (weights, title) pairs."""
    rows = (len(panels) + columns - 1) // columns
    figure, _ = plotting.new_figure(width=panel_size * columns, height=panel_size * rows + 0.6)
    figure.clear()
    labels, fonts = plot_labels(characters)  # Level 1's labels: '␣' for a space, a Hindi font if there is one
    for index, (weights, panel_title) in enumerate(panels):
        draw_attention(figure.add_subplot(rows, columns, index + 1), weights, labels, panel_title, numbers=numbers,
                       fonts=fonts)
    figure.suptitle(title)
    return plotting.save_figure(figure, path)
