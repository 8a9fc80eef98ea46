"""int8 weights by hand (quantize.py) and step 4.5 (quantize_step.py), checked against independent oracles:
NumPy for the arithmetic, the safetensors header for the file sizes, bounds derived below for the outputs,
and PyTorch's own dynamic quantisation where the installed PyTorch still has it."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from buildai.data import load_corpus
from buildai.safe_io import load_tensors
from level_3_transformer.batches import get_batch
from level_4_mini_gpt.checkpoint import save_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings
from level_4_mini_gpt.quantize import (QuantizedLinear, dequantization_errors, dequantize_weight,
                                       linear_layers_to_quantize, load_quantized, pytorch_dynamic_int8,
                                       quantize_model, quantize_weight, save_weights, tensors_to_save)
from level_4_mini_gpt.text import stream_text
from level_4_mini_gpt.scoring import average_loss
from tests.conftest import assert_ok, assert_plain, message_text

STEP = "level_4_mini_gpt/quantize_step.py"
CPU = torch.device("cpu")


def uneven_weight(rows: int = 12, columns: int = 40, seed: int = 0) -> torch.Tensor:
    """Random weights whose rows differ in size by 1000x, so one scale for the whole matrix would be a bad idea."""
    generator = torch.Generator().manual_seed(seed)
    sizes = torch.logspace(-3, 0, rows)[:, None]
    return torch.randn(rows, columns, generator=generator) * sizes


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Matrices this small run faster on one thread (see buildai.script.set_torch_threads)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def trained(one_thread) -> tuple[MiniGPT, object]:
    """A small MiniGPT trained for 200 steps on the course stories (a few seconds): its logits mean something,
    unlike a freshly initialised model's, whose scores for all characters are nearly equal."""
    corpus = load_corpus()
    torch.manual_seed(0)
    model = MiniGPT(GPTConfig(vocab_size=corpus.tokenizer.vocab_size, block_size=32, n_layer=2, n_head=2, n_embd=48))
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3)
    data, generator = torch.tensor(corpus.train_ids), torch.Generator().manual_seed(0)
    for _ in range(200):
        inputs, targets = get_batch(data, 32, 16, generator)
        _, loss = model(inputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval(), corpus


# ------------------------------------------------------------------------------ the arithmetic


def test_hand_quantised_weights_match_numpy():
    weight = uneven_weight()
    weight[3] = 0.0  # a row of zeros must not divide by zero
    weight[5, 7] = -5.0  # a row whose largest size is a negative number
    q, scale = quantize_weight(weight)

    w = weight.numpy().astype(np.float32)
    largest = np.abs(w).max(axis=1, keepdims=True)
    expected_scale = np.where(largest > 0, largest / np.float32(127), np.float32(1)).astype(np.float32)
    expected_q = np.clip(np.rint(w / expected_scale), -127, 127).astype(np.int8)  # rint: ties to even, like torch

    assert q.dtype == torch.int8 and q.shape == weight.shape
    assert scale.dtype == torch.float32 and scale.shape == (weight.shape[0], 1)
    np.testing.assert_array_equal(scale.numpy(), expected_scale)
    np.testing.assert_array_equal(q.numpy(), expected_q)
    assert (q[3] == 0).all()
    assert q[5, 7] == -127  # the row's largest size lands exactly on the end of the range
    assert set(q.abs().amax(dim=1).tolist()) <= {0, 127}


def test_every_error_is_at_most_half_a_step():
    weight = uneven_weight(rows=64, columns=96, seed=1)
    q, scale = quantize_weight(weight)
    error = (weight - dequantize_weight(q, scale)).abs()
    half_step = scale / 2
    assert (error <= half_step * (1 + 1e-5)).all()  # 1e-5: float32 rounding of the division and the product
    # The bound is tight: with 96 numbers per row some land close to halfway between two steps.
    assert float((error / half_step).max()) > 0.9
    # A per-row scale keeps small rows precise: the smallest row (1000x smaller than the largest) moves over
    # 100x less than half of one step for the whole matrix (max |w| / 254) would move it.
    assert float(error[0].max()) < float(weight.abs().max()) / 254 / 100


def test_quantized_linear_output_is_within_the_derived_bound():
    """For output j: y_j - y'_j = sum_i x_i (w_ji - w'_ji), and each |w_ji - w'_ji| <= s_j / 2, so
    |y_j - y'_j| <= ||x||_1 * s_j / 2 = ||x||_1 * max_i |w_ji| / 254. Relative to the largest output the row
    could ever give for this x (||x||_1 * max_i |w_ji|), the error is at most 1/254, about 0.4%."""
    torch.manual_seed(0)
    linear = nn.Linear(128, 64)
    with torch.no_grad():
        linear.weight.mul_(uneven_weight(64, 1, seed=2).abs() * 50)  # rows of very different sizes
    layer = QuantizedLinear.from_linear(linear)
    x = torch.randn(16, 128)
    with torch.no_grad():
        exact, approximate = linear(x), layer(x)
    bound = x.abs().sum(dim=1, keepdim=True) * layer.scale.T / 2  # (batch, out)
    assert ((exact - approximate).abs() <= bound * (1 + 1e-4) + 1e-6).all()
    # The worst case needs every error to push the same way; random errors mostly cancel. Each error is
    # roughly uniform on [-s/2, s/2] (standard deviation s / sqrt(12)), so a typical output moves by about
    # ||x||_2 * s / sqrt(12), while it is itself about ||x||_2 * ||w_j||_2 / sqrt(128) ~ ||x||_2 * s * 127 / 2.6
    # for Gaussian rows (whose largest of 128 numbers is ~2.6 standard deviations): about 0.6%.
    relative = (exact - approximate).norm(dim=0) / exact.sub(linear.bias.detach()).norm(dim=0)
    assert float(relative.max()) < 0.02
    assert float(relative.median()) < 0.01


def test_untied_output_heads_are_quantised_tied_ones_are_not():
    config = GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=16)
    tied = MiniGPT(config)
    assert "output_head" not in linear_layers_to_quantize(tied)
    assert len(linear_layers_to_quantize(tied)) == 4  # query_key_value, output_projection, expand, project
    untied = MiniGPT(config)
    untied.output_head.weight = nn.Parameter(untied.token_embedding.weight.detach().clone())
    assert "output_head" in linear_layers_to_quantize(untied)
    assert isinstance(quantize_model(untied).output_head, QuantizedLinear)


# ------------------------------------------------------------------------------ a whole model


def test_quantised_minigpt_gives_close_logits_and_the_same_greedy_text(trained):
    model, corpus = trained
    quantized = quantize_model(model)
    assert type(model.blocks[0].attention.query_key_value) is nn.Linear  # the original is left as it is
    assert quantized.output_head.weight is quantized.token_embedding.weight
    errors = dequantization_errors(model, quantized)
    assert len(errors) == 8 and all(error.worst_share_of_half_step <= 1 + 1e-5 for error in errors)

    windows = torch.tensor(corpus.val_ids[: 32 * 16]).view(16, 32)
    with torch.no_grad():
        exact, approximate = model(windows)[0], quantized(windows)[0]
    change = (exact - approximate).abs()
    # The weights move by under 1% (relative); two blocks pass that on without blowing it up, so the logits
    # should move by about 1% of their spread. We allow 2%: a bug (a wrong scale, a transposed weight) gives
    # changes the size of the logits themselves.
    tolerance = 0.02 * float(exact.std())
    assert float(change.max()) < tolerance
    assert float((exact.argmax(-1) == approximate.argmax(-1)).float().mean()) > 0.97
    val = torch.tensor(corpus.val_ids[:4000])  # a part of the held-out text is enough here
    assert abs(average_loss(model, val, 32, CPU) - average_loss(quantized, val, 32, CPU)) < 0.01

    # Greedy writing takes the top character every time, so the two models can only part ways where the
    # float model's top two characters are nearly tied: within the logit change of each other. The prompt
    # plus the new characters fit in the window (block_size 32), so the context at each position is simply
    # the text so far, and we can look at that margin where they part.
    settings = SamplingSettings(temperature=0)
    agreeing = 0
    for prompt in ("Once upon a time", "The monsoon", "A crow"):
        new = 32 - len(prompt)
        texts = ["".join(stream_text(version, corpus.tokenizer, prompt, new, settings)) for version in (model, quantized)]
        assert len(texts[0]) == len(texts[1]) == new
        if texts[0] == texts[1]:
            agreeing += 1
            continue
        parted = next(index for index, (a, b) in enumerate(zip(*texts)) if a != b)
        context = torch.tensor([corpus.tokenizer.encode(prompt + texts[0][:parted])])
        with torch.no_grad():
            top_two = model(context)[0][0, -1].topk(2).values
        assert float(top_two[0] - top_two[1]) < 2 * tolerance, f"parted at a clear choice: {texts}"
    assert agreeing >= 2


# ------------------------------------------------------------------------------ on disk


def header(path: Path) -> tuple[dict, int]:
    """A safetensors file's JSON header and the number of data bytes after it, read straight from the file."""
    raw = path.read_bytes()
    length = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8 : 8 + length]), len(raw) - 8 - length


def test_save_and_load_round_trip_gives_identical_tensors(trained, tmp_path):
    model, corpus = trained
    quantized = quantize_model(model)
    path = save_weights(tmp_path / "model_int8.safetensors", quantized)
    loaded = load_tensors(path)
    expected = tensors_to_save(quantized)
    assert loaded.keys() == expected.keys() and "output_head.weight" not in loaded  # the tied table, once
    for name, tensor in expected.items():
        assert loaded[name].dtype == tensor.dtype, name
        assert torch.equal(loaded[name], tensor), name
    assert loaded["blocks.0.attention.query_key_value.weight_int8"].dtype == torch.int8

    fresh = MiniGPT(model.config)  # other numbers, same shapes
    rebuilt = load_quantized(path, fresh)
    assert rebuilt.output_head.weight is rebuilt.token_embedding.weight
    windows = torch.tensor(corpus.val_ids[:64]).view(2, 32)
    with torch.no_grad():
        assert torch.equal(rebuilt(windows)[0], quantized(windows)[0])


def test_the_int8_file_is_smaller_by_the_expected_amount(trained, tmp_path):
    """float32: 4 bytes for every stored number. int8: each Linear weight drops from 4 bytes to 1 (saving 3)
    and adds a 4-byte scale per row. The safetensors header says exactly how many bytes each tensor takes."""
    model, _ = trained
    quantized = quantize_model(model)
    float_header, float_bytes = header(save_weights(tmp_path / "float32.safetensors", model))
    int8_header, int8_bytes = header(save_weights(tmp_path / "int8.safetensors", quantized))

    layers = [module for module in quantized.modules() if isinstance(module, QuantizedLinear)]
    linear_numbers = sum(layer.weight_int8.numel() for layer in layers)
    rows = sum(layer.out_features for layer in layers)
    stored_numbers = sum(tensor.numel() for tensor in tensors_to_save(model).values())
    assert float_bytes == 4 * stored_numbers
    assert int8_bytes == 4 * stored_numbers - 3 * linear_numbers + 4 * rows

    def size(entry: dict) -> int:
        return entry["data_offsets"][1] - entry["data_offsets"][0]

    for name in linear_layers_to_quantize(model):
        assert int8_header[f"{name}.weight_int8"]["dtype"] == "I8"
        assert size(float_header[f"{name}.weight"]) == 4 * size(int8_header[f"{name}.weight_int8"])  # exactly 4x
    assert float_bytes / int8_bytes > 2.5  # this small model: embeddings are a bigger share than in the presets


# ------------------------------------------------------------------------------ PyTorch's own int8 layers


def test_our_int8_linear_is_close_to_pytorchs_dynamic_quantisation():
    """Two different schemes, so close but not equal. PyTorch (per-row weights, a step of max|w| / 127.5)
    also rounds the *input* x to 8 bits on the fly, with one step s_x for the whole input: its range
    (including 0) over 255 steps, or 127 when the CPU kernel keeps one bit spare (reduce_range). We allow a
    whole step s_x per input number to cover the rounding of its zero point too. Then
        |y_ours - y|  <= ||x||_1 s_j / 2
        |y_torch - y| <= s_x ||w'_j||_1 + ||x||_1 s_j / 2      (w' its int8 weights; its own step is below s_j)
    and the difference between the two is at most the sum of the two bounds."""
    torch.manual_seed(0)
    linear = nn.Linear(64, 32)
    pytorch, why_not = pytorch_dynamic_int8(nn.Sequential(linear))
    if pytorch is None:
        pytest.skip(f"PyTorch's dynamic quantisation is not available here: {why_not}")
    ours = QuantizedLinear.from_linear(linear)
    theirs = pytorch[0]

    # The weights: each scheme is within half of its own step of the float weight, so within a step of each other.
    their_weight = theirs.weight().dequantize().float()
    assert ((their_weight - ours.dequantized_weight()).abs() <= ours.scale * (1 + 1e-4)).all()

    x = torch.randn(8, 64)
    with torch.no_grad():
        exact, mine, pytorch_output = linear(x), ours(x), theirs(x)
    input_step = (x.max().clamp_min(0) - x.min().clamp_max(0)) / 127
    ours_bound = x.abs().sum(dim=1, keepdim=True) * ours.scale.T / 2
    theirs_bound = input_step * their_weight.abs().sum(dim=1)[None, :] + ours_bound
    assert ((mine - pytorch_output).abs() <= (ours_bound + theirs_bound) * (1 + 1e-4) + 1e-6).all()
    assert not torch.equal(mine, pytorch_output)  # different rounding: close, not the same numbers
    # Typically: the input rounding dominates (8 bits for the whole input vs 8 bits per weight row); a few percent.
    assert float((mine - pytorch_output).norm() / (exact - linear.bias.detach()).norm()) < 0.05


# ------------------------------------------------------------------------------ the step script


def test_step_without_a_checkpoint_explains_how_to_train_one(run_script):
    process = run_script(STEP)
    output = process.stdout + process.stderr
    assert process.returncode == 2, output
    assert "Traceback" not in output
    message = message_text(process.stderr)
    assert "no trained model" in message and "python train.py --preset tiny" in message
    assert "quantize_step.py" in message
    assert_plain(process)


def table_row(output: str, label: str) -> list[str]:
    """The cells of the table row that starts with `label` (rich draws cells between │ characters)."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in:\n{output}")


def test_step_with_a_checkpoint_prints_the_table(trained, run_script, output_root):
    model, corpus = trained
    save_checkpoint(output_root / "level_4_mini_gpt" / "checkpoint", model, corpus.tokenizer,
                    {"step": 200, "metrics": {}, **corpus.metadata()})
    process = run_script(STEP, "--seed", "3", "--threads", "1", extra_env={"COLUMNS": "160"})
    assert_ok(process)
    output = process.stdout
    assert "Step 4.5" in output
    sizes = table_row(output, "size on disk")
    assert sizes[0].endswith("KB") and sizes[1].endswith("KB")
    losses = table_row(output, "held-out loss (nats)")
    # The step measures with train.py's own evaluation; the same call here must give the same numbers.
    val = torch.tensor(corpus.val_ids)
    assert float(losses[0]) == pytest.approx(average_loss(model, val, 32, CPU), abs=1e-4)
    assert float(losses[1]) == pytest.approx(average_loss(quantize_model(model), val, 32, CPU), abs=1e-4)
    assert len(table_row(output, "held-out bits per character")) == len(losses)
    assert all(float(speed.replace(",", "")) > 0 for speed in table_row(output, "speed (characters/s, 200 written)"))
    assert "int8, by hand" in output and "same as float32 for the first" in output

    folder = output_root / "level_4_mini_gpt" / "int8"
    float_size = (folder / "model_float32.safetensors").stat().st_size
    int8_size = (folder / "model_int8.safetensors").stat().st_size
    assert float_size / int8_size > 2.5
    assert f"{int8_size / 1024:,.0f} KB" == sizes[1]
    assert not list(folder.glob("*.pt")) and not list(folder.glob("*.pkl"))  # safetensors only
