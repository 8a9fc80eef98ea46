"""Step 3.3: the feed-forward network by hand, multi-head attention against torch.nn.MultiheadAttention,
the block's formula, and no future leakage."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from buildai.errors import UserError
from level_3_transformer.step3_transformer_block import (
    FeedForward,
    MultiHeadAttention,
    TransformerBlock,
    copy_weights_from_torch_attention,
    future_leak,
    torch_causal_mask,
    trace_block,
)


def test_feed_forward_equals_a_hand_computation() -> None:
    torch.manual_seed(0)
    ffn = FeedForward(d_model=3, hidden_size=5).eval()
    assert isinstance(ffn.expand, nn.Linear) and (ffn.expand.in_features, ffn.expand.out_features) == (3, 5)
    assert isinstance(ffn.project, nn.Linear) and (ffn.project.in_features, ffn.project.out_features) == (5, 3)
    assert isinstance(ffn.activation, nn.GELU) and ffn.activation.approximate == "none"
    assert isinstance(ffn.dropout, nn.Dropout)
    x = torch.randn(2, 4, 3)
    # By hand, one number at a time: hidden = x W1^T + b1, GELU(h) = h * Phi(h), out = g W2^T + b2.
    w1, b1 = ffn.expand.weight.tolist(), ffn.expand.bias.tolist()
    w2, b2 = ffn.project.weight.tolist(), ffn.project.bias.tolist()
    expected = torch.zeros(2, 4, 3)
    for batch in range(2):
        for position in range(4):
            row = x[batch, position].tolist()
            hidden = [sum(w1[j][i] * row[i] for i in range(3)) + b1[j] for j in range(5)]
            gelu = [h * 0.5 * (1 + math.erf(h / math.sqrt(2))) for h in hidden]
            for k in range(3):
                expected[batch, position, k] = sum(w2[k][j] * gelu[j] for j in range(5)) + b2[k]
    with torch.no_grad():
        assert torch.allclose(ffn(x), expected, atol=1e-6)


def test_feed_forward_dropout_is_applied_last_in_training() -> None:
    ffn = FeedForward(4, 8, dropout=0.5).train()
    torch.manual_seed(0)
    out = ffn(torch.randn(1, 50, 4))
    assert (out == 0).float().mean() > 0.3  # about half the outputs are dropped


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("d_model, heads", [(16, 4), (12, 3), (8, 1)])
def test_multi_head_attention_matches_pytorch(causal: bool, d_model: int, heads: int) -> None:
    torch.manual_seed(1)
    theirs = nn.MultiheadAttention(d_model, heads, batch_first=True).eval()
    with torch.no_grad():  # PyTorch starts its biases at 0; random ones check the bias mapping too
        theirs.in_proj_bias.normal_()
        theirs.out_proj.bias.normal_()
    ours = MultiHeadAttention(d_model, heads, causal=causal).eval()
    copy_weights_from_torch_attention(ours, theirs)
    x = torch.randn(3, 10, d_model)
    mask = torch_causal_mask(10) if causal else None
    with torch.no_grad():
        expected, expected_weights = theirs(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
        got = ours(x)
    assert float((got - expected).abs().max()) < 1e-5
    assert float((ours.last_attention_weights - expected_weights).abs().max()) < 1e-5


def test_multi_head_attention_with_wrong_mask_differs() -> None:
    """A wrong mapping or mask must show up: the parity check above can fail."""
    torch.manual_seed(1)
    theirs = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    ours = MultiHeadAttention(16, 4, causal=True).eval()
    copy_weights_from_torch_attention(ours, theirs)
    x = torch.randn(2, 6, 16)
    with torch.no_grad():
        expected, _ = theirs(x, x, x, need_weights=False)  # no mask
        assert float((ours(x) - expected).abs().max()) > 1e-3
        ours.key, ours.query = ours.query, ours.key  # swapped projections
        ours.causal = False
        assert float((ours(x) - expected).abs().max()) > 1e-3


def test_heads_must_divide_the_embed_size() -> None:
    with pytest.raises(UserError, match="split evenly"):
        MultiHeadAttention(10, 4)


@pytest.mark.parametrize("module_name", ["attention", "block"])
def test_no_future_leakage_at_any_position(module_name: str) -> None:
    torch.manual_seed(2)
    module = (MultiHeadAttention(16, 4) if module_name == "attention" else TransformerBlock(16, 4)).eval()
    x = torch.randn(2, 12, 16)
    with torch.no_grad():
        original = module(x)
        for position in range(11):  # change the input at t+1 only; outputs at 0..t must stay exactly the same
            changed = x.clone()
            changed[:, position + 1] = torch.randn(2, 16)
            output = module(changed)
            assert torch.equal(output[:, : position + 1], original[:, : position + 1]), position
            assert not torch.allclose(output[:, position + 1], original[:, position + 1]), position
    assert future_leak(module, x) == 0.0


def test_without_the_mask_the_future_leaks() -> None:
    torch.manual_seed(2)
    block = TransformerBlock(16, 4, causal=False).eval()
    assert future_leak(block, torch.randn(1, 8, 16)) > 1e-3


def test_block_is_pre_norm_with_residuals() -> None:
    torch.manual_seed(3)
    block = TransformerBlock(8, 2).eval()
    x = torch.randn(2, 5, 8)
    with torch.no_grad():
        after_attention = x + block.attention(block.norm_1(x))
        expected = after_attention + block.feed_forward(block.norm_2(after_attention))
        assert torch.allclose(block(x), expected, atol=1e-6)
        traced, trace = trace_block(block, x)
        assert torch.allclose(traced, block(x), atol=1e-6)
        no_residual = TransformerBlock(8, 2, residual=False).eval()
        no_residual.load_state_dict(block.state_dict())
        plain = no_residual.feed_forward(no_residual.norm_2(no_residual.attention(no_residual.norm_1(x))))
        assert torch.allclose(no_residual(x), plain, atol=1e-6)
        assert not torch.allclose(no_residual(x), block(x))
    shapes = dict((piece, shape) for piece, shape, _ in trace)
    assert shapes["split heads: Q"] == (2, 2, 5, 4)
    assert shapes["attention weights"] == (2, 2, 5, 5)
    assert shapes["expand(.)"] == (2, 5, 32)
    assert shapes["x + feed-forward"] == (2, 5, 8)
