"""Safe file I/O: atomic writes, and loading that never runs code from a file.

Atomic write: we write to a temporary file in the same folder and then rename it
over the target. A rename is all-or-nothing, so a crash or Ctrl-C in the middle
leaves either the old file or the new one -- never half a checkpoint.

Safe loading: model weights are stored as safetensors (plain numbers plus a JSON
header) and NumPy `.npz` without pickles. Nothing here calls `pickle`, and
`torch.load` is only used with `weights_only=True`.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buildai.errors import UserError
from buildai.paths import show_path

if TYPE_CHECKING:  # torch and numpy are imported only when needed: Level 1 uses neither
    import numpy as np
    import torch


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to `path` all-or-nothing (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:  # also on Ctrl-C: never leave a stray temp file behind
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, data: Any) -> Path:
    """Save JSON atomically, pretty-printed so a learner can open and read it."""
    return atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _require_file(path: Path, what: str, how_to_make: str) -> None:
    if not path.is_file():
        raise UserError(f"No {what} found at '{show_path(path)}'. {how_to_make}")


def read_json(path: str | Path, what: str = "JSON file", how_to_make: str = "") -> Any:
    """Load JSON, with a clear message when the file is missing or damaged."""
    path = Path(path)
    _require_file(path, what, how_to_make)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UserError(
            f"The {what} '{show_path(path)}' is damaged (it is not valid JSON). "
            f"Delete it and create it again. {how_to_make}"
        ) from None


def save_tensors(path: str | Path, tensors: dict[str, "torch.Tensor"], metadata: dict[str, str] | None = None) -> Path:
    """Save PyTorch tensors as safetensors, atomically."""
    from safetensors.torch import save

    # safetensors refuses tensors that share memory (tied weights) or are not contiguous.
    plain = {name: tensor.detach().contiguous().clone() for name, tensor in tensors.items()}
    return atomic_write_bytes(path, save(plain, metadata=metadata))


def load_tensors(path: str | Path, what: str = "checkpoint", how_to_make: str = "") -> dict[str, "torch.Tensor"]:
    """Load safetensors weights, turning a missing or truncated file into a clear message."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    path = Path(path)
    _require_file(path, what, how_to_make)
    try:
        return load(path.read_bytes())
    except (SafetensorError, ValueError, OSError) as problem:
        raise UserError(
            f"The {what} '{show_path(path)}' is damaged or incomplete ({problem}). "
            f"It may have been cut off while copying. Delete it and create it again. {how_to_make}"
        ) from None


def save_numpy(path: str | Path, arrays: dict[str, "np.ndarray"]) -> Path:
    """Save NumPy arrays as an .npz file, atomically."""
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return atomic_write_bytes(path, buffer.getvalue())


def load_numpy(path: str | Path, what: str = "saved model", how_to_make: str = "") -> dict[str, "np.ndarray"]:
    """Load an .npz file without pickles (allow_pickle=False), with a clear message if damaged."""
    import zipfile

    import numpy as np

    path = Path(path)
    _require_file(path, what, how_to_make)
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as problem:
        raise UserError(
            f"The {what} '{show_path(path)}' is damaged or incomplete ({problem}). "
            f"Delete it and create it again. {how_to_make}"
        ) from None


def save_torch_state(path: str | Path, state: dict[str, Any]) -> Path:
    """Save training state (optimizer moments, RNG states) that is only tensors, numbers and lists."""
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def load_torch_state(path: str | Path, what: str = "training state", how_to_make: str = "") -> dict[str, Any]:
    """Load training state with weights_only=True: plain data only, never arbitrary pickled code."""
    import torch

    path = Path(path)
    _require_file(path, what, how_to_make)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as problem:  # a damaged file makes the weights-only unpickler fail in many ways
        # Name only the kind of failure: PyTorch's own text advises weights_only=False, which we never want.
        raise UserError(
            f"The {what} '{show_path(path)}' is damaged, incomplete or not a plain-data file "
            f"({type(problem).__name__}). Delete it and start again without --resume. {how_to_make}"
        ) from None
