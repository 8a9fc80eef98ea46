"""Step 5.0 - LoRA by hand, on one layer: a small correction beside a frozen weight.

A trained layer computes y = W·x. To teach it something new we could change all of W -- for a 768 x 768
layer that is 589,824 numbers per layer, and a copy of the whole model per task. LoRA (Low-Rank
Adaptation) keeps W frozen and adds a correction made of two thin matrices:

    y = W·x + (alpha / r) · B·(A·x)        A: r x in,  B: out x r,  r much smaller than in and out

Only A and B learn. B starts at zero, so at the start the layer computes exactly what it did before;
training then writes the correction. Afterwards B·A can be added into W once ("merging"), and the layer
is an ordinary layer again, as fast as before.

This script builds that layer by hand, shows how few numbers it trains, and teaches a frozen layer a new
habit (a target that differs from W by a rank-2 change) by training only A and B.
tests/level_5/test_lora_from_scratch.py checks it against PEFT's LoRA on the same weights.

    python step0_lora_from_scratch.py
    python step0_lora_from_scratch.py --rank 1      # too thin for a rank-2 change: see the loss stop short
"""

from __future__ import annotations

import torch
from torch import nn

from buildai import script, ui


GPT2_WIDTH = 768  # numbers per position in GPT-2 and DistilGPT-2


class LoRALinear(nn.Module):
    """A frozen nn.Linear plus a trainable low-rank correction (alpha / r) · B·A."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        for parameter in self.base.parameters():
            parameter.requires_grad_(False)  # the pre-trained weights stay exactly as they are
        self.rank, self.scale = rank, alpha / rank
        # A starts small and random, B at zero: B·A = 0, so the layer starts out unchanged. (A must not be
        # zero too: with both at zero, neither would ever get a gradient.) Kaiming-uniform, as PEFT uses.
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        nn.init.kaiming_uniform_(self.lora_A, a=5**0.5)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scale * (x @ self.lora_A.T @ self.lora_B.T)

    def merged_weight(self) -> torch.Tensor:
        """W + (alpha / r) · B·A: one ordinary weight that computes the same as the adapted layer."""
        return self.base.weight + self.scale * self.lora_B @ self.lora_A

    def trainable_count(self) -> int:
        return sum(parameter.numel() for parameter in self.parameters() if parameter.requires_grad)


def teach(layer: LoRALinear, target: nn.Linear, steps: int, generator: torch.Generator) -> list[float]:
    """Train only A and B so the layer's outputs match `target`'s; return the loss every 50 steps."""
    optimizer = torch.optim.Adam([layer.lora_A, layer.lora_B], lr=0.02)
    losses = []
    for step in range(steps + 1):
        x = torch.randn(64, layer.base.in_features, generator=generator)
        loss = nn.functional.mse_loss(layer(x), target(x).detach())
        if step % 50 == 0:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("LoRA by hand on one linear layer.", text_flag=False)
    parser.add_argument("--rank", type=script.positive_int, default=4, help="r, the thickness of A and B (default 4)")
    parser.add_argument("--alpha", type=script.positive_float, default=8.0, help="alpha: the correction counts alpha / r (default 8)")
    parser.add_argument("--size", type=script.positive_int, default=64, help="the layer is size x size (default 64)")
    parser.add_argument("--steps", type=script.positive_int, default=300, help="training steps (default 300)")
    args = script.start_step(parser, argv)
    ui.heading("Step 5.0 - LoRA by hand", "Freeze the weight, learn a thin correction beside it")
    generator = torch.Generator().manual_seed(args.seed)

    pretrained = nn.Linear(args.size, args.size)  # stands in for one layer of a trained model
    layer = LoRALinear(pretrained, args.rank, args.alpha)
    x = torch.randn(3, args.size, generator=generator)
    with torch.no_grad():
        unchanged = torch.equal(layer(x), pretrained(x))
    ui.result("At the start (B = 0) the adapted layer gives exactly the old outputs", unchanged)

    full = sum(parameter.numel() for parameter in pretrained.parameters())
    big = GPT2_WIDTH * GPT2_WIDTH + GPT2_WIDTH  # one square layer of GPT-2's width, with its bias
    rows = [(f"r = {rank}", f"{rank * 2 * args.size:,} ({rank * 2 * args.size / full:.1%})",
             f"{rank * 2 * GPT2_WIDTH:,} ({rank * 2 * GPT2_WIDTH / big:.1%})") for rank in (1, 4, 8, 16)]
    ui.table("Numbers LoRA trains for one layer (and the share of the layer's own numbers)",
             ["LoRA rank", f"{args.size} x {args.size} layer ({full:,})", f"{GPT2_WIDTH} x {GPT2_WIDTH}, GPT-2's width ({big:,})"],
             rows)
    ui.result("Trained here", f"{layer.trainable_count():,} numbers (A: {args.rank} x {args.size}, B: {args.size} x {args.rank}), "
                              f"frozen: {full:,}")

    # A "new task": the same layer with a rank-2 change added. LoRA of rank >= 2 can learn it exactly.
    target = nn.Linear(args.size, args.size)
    with torch.no_grad():
        target.load_state_dict(pretrained.state_dict())
        change = torch.randn(args.size, 2, generator=generator) @ torch.randn(2, args.size, generator=generator)
        target.weight += 0.1 * change
    ui.explain("Now we teach the frozen layer a new habit: match a layer whose weight differs from W by a "
               "rank-2 change. Only A and B are trained; W never moves.", title="Training only A and B")
    frozen_before = pretrained.weight.clone()
    losses = teach(layer, target, args.steps, generator)
    ui.table("Mean squared error against the new task", ["step", "loss", ""],
             [(str(i * 50), f"{loss:.2e}", ui.bar(loss, losses[0], 30)) for i, loss in enumerate(losses)],
             justify=["right", "right", "left"])
    ui.result("W changed during training", not torch.equal(pretrained.weight, frozen_before))

    with torch.no_grad():
        merged = nn.Linear(args.size, args.size)
        merged.weight.copy_(layer.merged_weight())
        merged.bias.copy_(pretrained.bias)
        difference = (merged(x) - layer(x)).abs().max().item()
    ui.result("Merged layer W + (alpha/r)·B·A against the adapted layer, largest difference", f"{difference:.1e}")
    ui.say("finetune.py does the same with PEFT, on every attention and feed-forward layer of a real model.")


if __name__ == "__main__":
    script.run_step(main)
