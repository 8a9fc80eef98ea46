"""Matplotlib, set up to save PNG files without a screen (the 'Agg' backend).

Why: on a lab computer over SSH, in CI, or on a laptop without a display, the
default backend may try to open a window and fail. We only ever save files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import warnings

import matplotlib

matplotlib.use("Agg")
# The default font has no Devanagari; a Hindi label then shows as boxes, which is fine
# for a plot -- but matplotlib would print one warning per missing letter.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")

import matplotlib.pyplot as plt  # noqa: E402  (must come after choosing the backend)

from buildai.safe_io import atomic_write_bytes  # noqa: E402


def new_figure(width: float = 8.0, height: float = 5.0) -> tuple[Any, Any]:
    """A figure and its axes, sized in inches."""
    return plt.subplots(figsize=(width, height))


def save_figure(figure: Any, path: str | Path, dpi: int = 110) -> Path:
    """Save a figure as PNG (atomically) and free its memory."""
    import io

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return atomic_write_bytes(path, buffer.getvalue())
