"""step0_lora_from_scratch.py: the hand-made LoRA layer against PEFT's LoRA on the same weights."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from level_5_real_finetune.step0_lora_from_scratch import LoRALinear, teach


class OneLayer(nn.Module):
    def __init__(self, layer: nn.Linear):
        super().__init__()
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)


def peft_twin(ours: LoRALinear, rank: int, alpha: float):
    """PEFT's LoRA on a copy of the same frozen layer, with our A and B copied in."""
    from peft import LoraConfig, get_peft_model

    copy = nn.Linear(ours.base.in_features, ours.base.out_features)
    copy.load_state_dict(ours.base.state_dict())
    model = get_peft_model(OneLayer(copy), LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=["layer"]))
    with torch.no_grad():
        model.base_model.model.layer.lora_A["default"].weight.copy_(ours.lora_A)
        model.base_model.model.layer.lora_B["default"].weight.copy_(ours.lora_B)
    return model


@pytest.mark.parametrize("rank,alpha,size_in,size_out", [(4, 8.0, 16, 12), (1, 1.0, 7, 9), (8, 32.0, 32, 32)])
def test_equals_peft_lora_and_merges_to_w_plus_scaled_ba(rank, alpha, size_in, size_out):
    torch.manual_seed(rank)
    ours = LoRALinear(nn.Linear(size_in, size_out), rank, alpha)
    with torch.no_grad():
        ours.lora_B.normal_()  # a trained-looking B (at the start B = 0 and every LoRA equals its base)
    theirs = peft_twin(ours, rank, alpha)
    x = torch.randn(5, size_in)
    with torch.no_grad():
        assert (ours(x) - theirs(x)).abs().max() < 1e-6
        expected = ours.base.weight + (alpha / rank) * ours.lora_B @ ours.lora_A
        assert torch.allclose(ours.merged_weight(), expected, atol=1e-6)
        merged = theirs.merge_and_unload().layer.weight
        assert (merged - ours.merged_weight()).abs().max() < 1e-6


def test_starts_unchanged_trains_only_a_and_b():
    torch.manual_seed(0)
    base = nn.Linear(10, 10)
    layer = LoRALinear(base, rank=2, alpha=4.0)
    x = torch.randn(4, 10)
    assert torch.equal(layer(x), base(x))  # B = 0
    assert layer.trainable_count() == 2 * 10 + 10 * 2
    before = base.weight.clone()
    target = nn.Linear(10, 10)
    with torch.no_grad():
        target.load_state_dict(base.state_dict())
        target.weight += 0.1 * torch.randn(10, 1) @ torch.randn(1, 10)
    losses = teach(layer, target, 200, torch.Generator().manual_seed(0))
    assert torch.equal(base.weight, before)
    assert losses[-1] < 0.01 * losses[0]


def test_script_runs(run_script):
    done = run_script("level_5_real_finetune/step0_lora_from_scratch.py", "--steps", "50", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Merged layer" in done.stdout
