"""Notebook 10: the next token's cost (GRU vs attention with a cache), GLU, residual gradients, parallel scan."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_checks import assert_catches_every_listed_mistake
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from helpers import today
from helpers.today import (
    AttentionDecoder,
    RecurrentDecoder,
    TokenCost,
    TransformerDecoder,
    depth_gradient_norms,
    flops_per_token,
    glu,
    growth_ratio,
    linear_recurrence_conv,
    linear_recurrence_loop,
    linear_recurrence_scan,
    measure_token_cost,
    measure_token_costs,
    median_cost,
    positions,
    scan_rounds,
    sequence_flops,
    state_bytes,
    time_sequence_passes,
    time_step_parts,
)


def _generate(decoder, tokens):
    """Logits (batch, n, vocab) and every state, feeding tokens (batch, n) one step at a time."""
    state, logits, states = decoder.start(len(tokens)), [], []
    for column in tokens.T:
        step_logits, state = decoder.step(column, state)
        logits.append(step_logits)
        states.append(state)
    return torch.stack(logits, dim=1), states


@torch.no_grad()
def test_gru_decoder_steps_match_its_forward_and_nn_gru_with_the_same_weights():
    torch.manual_seed(0)
    decoder = RecurrentDecoder(vocab_size=20, hidden_size=16)
    tokens = torch.randint(0, 20, (3, 9))
    stepped, states = _generate(decoder, tokens)
    logits, last = decoder(tokens)
    gru = nn.GRU(16, 16, batch_first=True)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(gru, f"{name}_l0").copy_(getattr(decoder.cell, name))
    outputs, h_n = gru(decoder.embedding(tokens))
    assert torch.allclose(stepped, logits, atol=1e-5)
    assert torch.allclose(logits, decoder.readout(outputs), atol=1e-5)
    assert torch.allclose(last, h_n[0], atol=1e-5) and torch.allclose(states[-1], last, atol=1e-5)
    assert torch.allclose(decoder.prefill(tokens), last)


@pytest.mark.parametrize("kind", [AttentionDecoder, TransformerDecoder])
@pytest.mark.parametrize("heads", [1, 4])
@torch.no_grad()
def test_attention_steps_with_the_cache_match_the_causal_forward(heads, kind):
    torch.manual_seed(0)
    decoder = kind(vocab_size=20, hidden_size=16, heads=heads)
    tokens = torch.randint(0, 20, (3, 11))
    stepped, caches = _generate(decoder, tokens)
    logits, (keys, values) = decoder(tokens)
    assert torch.allclose(stepped, logits, atol=1e-5)
    assert [cache[0].shape for cache in caches] == [(3, heads, n, 16 // heads) for n in range(1, 12)]
    assert torch.allclose(caches[-1][0], keys, atol=1e-6) and torch.allclose(caches[-1][1], values, atol=1e-6)
    prefilled = decoder.prefill(tokens)
    assert torch.allclose(prefilled[0], keys) and torch.allclose(prefilled[1], values)


@torch.no_grad()
def test_attention_by_matmuls_matches_torch_scaled_dot_product_attention():
    torch.manual_seed(0)
    decoder = AttentionDecoder(vocab_size=20, hidden_size=16, heads=2)
    tokens = torch.randint(0, 20, (2, 7))
    x = decoder.embedding(tokens) + positions(0, 7, 16)
    q, k, v = (decoder._split(layer(x)) for layer in (decoder.query, decoder.key, decoder.value))
    context = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(2, 7, 16)
    assert torch.allclose(decoder(tokens)[0], decoder.readout(x + decoder.out(context)), atol=1e-5)
    changed = tokens.clone()
    changed[:, 4:] = (changed[:, 4:] + 1) % 20  # later tokens must not change earlier predictions
    assert torch.allclose(decoder(changed)[0][:, :4], decoder(tokens)[0][:, :4])


@torch.no_grad()
def test_state_bytes_are_constant_for_the_gru_and_exactly_linear_for_attention():
    gru, attention = (
        RecurrentDecoder(vocab_size=30, hidden_size=24),
        AttentionDecoder(vocab_size=30, hidden_size=24, heads=3),
    )
    assert state_bytes(attention.start(2)) == 0 and state_bytes(gru.start(2)) == 2 * 24 * 4
    for n in (1, 5, 40):
        tokens = torch.randint(0, 30, (2, n))
        assert state_bytes(gru.prefill(tokens)) == 2 * 24 * 4  # batch · dim · 4 bytes (float32)
        assert state_bytes(attention.prefill(tokens)) == 2 * 2 * n * 24 * 4  # keys and values · batch · n · dim · 4
        _, cache = attention.step(tokens[:, 0], attention.prefill(tokens))
        assert state_bytes(cache) == 2 * 2 * (n + 1) * 24 * 4  # one more row per token
    assert state_bytes([torch.zeros(3, dtype=torch.float64), (torch.zeros(2, dtype=torch.int8),)]) == 26


@pytest.mark.parametrize("heads", [1, 4])
def test_flops_per_token_count_the_multiply_adds_torch_counts(heads):
    torch.manual_seed(0)
    gru, attention = (
        RecurrentDecoder(vocab_size=50, hidden_size=32),
        AttentionDecoder(vocab_size=50, hidden_size=32, heads=heads),
    )
    assert flops_per_token(gru, 0) == flops_per_token(gru, 10_000) == 6 * 32 * 32 + 32 * 50
    assert flops_per_token(attention, 9) == 4 * 32 * 32 + 2 * 10 * 32 + 32 * 50
    assert flops_per_token(attention, 10) - flops_per_token(attention, 9) == 2 * 32
    block = TransformerDecoder(vocab_size=50, hidden_size=32, heads=heads)
    assert flops_per_token(block, 9) - flops_per_token(attention, 9) == 8 * 32 * 32  # the MLP: d → 4d → d
    for decoder in (gru, attention, block):
        for n in (0, 1, 7):
            state = decoder.prefill(torch.randint(0, 50, (1, n)))
            with torch.no_grad(), FlopCounterMode(display=False) as counter:
                decoder.step(torch.tensor([3]), state)
            assert counter.get_total_flops() == 2 * flops_per_token(decoder, n)  # torch counts 2 FLOPs per multiply-add
        for n in (1, 6, 13):
            with torch.no_grad(), FlopCounterMode(display=False) as counter:
                decoder(torch.randint(0, 50, (1, n)))
            assert counter.get_total_flops() == 2 * sequence_flops(decoder, n)
    assert sequence_flops(attention, 20) - 20 * (4 * 32 * 32 + 32 * 50) == 2 * 20 * 20 * 32  # the n × n grid
    assert sequence_flops(gru, 20) == 20 * flops_per_token(gru, 0)


def test_token_costs_over_rounds_and_their_median():
    torch.manual_seed(0)
    decoders = {"gru": RecurrentDecoder(10, 8), "attention": AttentionDecoder(10, 8)}
    rounds = measure_token_costs(decoders, [2, 5], rounds=3, repeats=2)
    assert set(rounds) == {"gru", "attention"} and all(len(r) == 3 for r in rounds.values())
    made_up = [
        TokenCost([2, 5], np.array(s), np.array([1, 2]), np.array([3, 4])) for s in ([1.0, 9.0], [2.0, 3.0], [5.0, 4.0])
    ]
    median = median_cost(made_up)
    assert median.seconds_per_token.tolist() == [2.0, 4.0] and median.state_bytes.tolist() == [1, 2]
    times = time_sequence_passes(
        {"gru": RecurrentDecoder(12, 8), "attention": AttentionDecoder(10, 8)}, [7, 28], repeats=4
    )
    assert set(times) == {"gru", "attention"}
    assert all(t.shape == (4, 2) and np.all(t > 0) for t in times.values())


def test_measure_token_cost_reports_bytes_and_counts_per_prefix():
    torch.manual_seed(0)
    decoder = AttentionDecoder(vocab_size=10, hidden_size=8)
    cost = measure_token_cost(decoder, [1, 4, 16], repeats=3)
    assert cost.prefix_lengths == [1, 4, 16] and cost.seconds_per_token.shape == (3,)
    assert np.all(cost.seconds_per_token > 0)
    assert cost.state_bytes.tolist() == [2 * n * 8 * 4 for n in (1, 4, 16)]
    assert cost.multiply_adds.tolist() == [flops_per_token(decoder, n) for n in (1, 4, 16)]
    made_up = TokenCost([64, 8, 512], np.array([2.0, 1.0, 6.0]), np.zeros(3), np.zeros(3))
    assert growth_ratio(made_up) == 6.0  # longest over shortest, whatever the order


def test_step_parts_time_the_copy_and_the_rest_per_prefix():
    torch.manual_seed(0)
    parts = time_step_parts(AttentionDecoder(), [16, 8192], repeats=9)
    assert set(parts) == {"copy", "rest"} and all(p.shape == (2,) and np.all(p > 0) for p in parts.values())
    assert parts["copy"][1] > 2 * parts["copy"][0]  # loose: copying 8192 rows against 16 (about 14x in our runs)


def test_attention_slows_down_with_the_prefix_and_the_gru_does_not():
    torch.manual_seed(0)
    decoders = {"gru": RecurrentDecoder(), "attention": AttentionDecoder()}
    # 32768 tokens: at 8192 attention's step was only ~2x slower than at 16, within reach of one busy spell;
    # three interleaved rounds and their median, so a busy moment slows both decoders alike
    costs = measure_token_costs(decoders, [16, 32768], rounds=3, repeats=15)
    gru_growth, attention_growth = (growth_ratio(median_cost(costs[name])) for name in ("gru", "attention"))
    assert attention_growth > 3 and gru_growth < attention_growth  # loose: timings on a busy machine


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: RecurrentDecoder(10, 8).step(torch.tensor([10]), torch.zeros(1, 8)), r"ids in 0 … 9.*from 10 to 10"),
        (
            lambda: AttentionDecoder(10, 8).step(torch.tensor([-1, 2]), AttentionDecoder(10, 8).start(2)),
            r"ids in 0 … 9.*from -1 to 2",
        ),
        (
            lambda: RecurrentDecoder(10, 8)(torch.tensor([1, 2])),
            r"shape \(batch, n\), got a torch.int64 tensor of shape \(2,\)",
        ),
        (lambda: AttentionDecoder(10, 8).step(torch.tensor([1.0]), AttentionDecoder(10, 8).start()), "torch.float32"),
        (
            lambda: RecurrentDecoder(10, 8).step(torch.tensor([1]), torch.zeros(2, 8)),
            r"state of shape \(1, 8\).*\(2, 8\)",
        ),
        (
            lambda: AttentionDecoder(10, 8, heads=2).step(torch.tensor([1]), torch.zeros(1, 8)),
            r"cache \(keys, values\), each of shape \(1, 2, 'n', 4\), got a torch.float32 tensor",
        ),
        (lambda: AttentionDecoder(10, 8, heads=3), "heads ≥ 1 that divide hidden_size = 8, got heads = 3"),
        (lambda: AttentionDecoder(10, 7), "even hidden_size ≥ 2"),
        (lambda: RecurrentDecoder(0, 8), "vocab_size ≥ 1 and hidden_size ≥ 1, got vocab_size = 0"),
        (lambda: measure_token_cost(RecurrentDecoder(10, 8), []), "non-empty list of prefix lengths"),
        (lambda: measure_token_cost(RecurrentDecoder(10, 8), [4, 0]), r"prefix lengths ≥ 1, got \[4, 0\]"),
        (lambda: measure_token_cost(nn.GRU(3, 3), [4]), "RecurrentDecoder or an AttentionDecoder, got a GRU"),
        (lambda: flops_per_token(RecurrentDecoder(10, 8), -1), "n ≥ 0"),
        (lambda: state_bytes({"h": torch.zeros(2)}), "tuple/list of tensors, got a dict"),
        (lambda: glu(torch.zeros(2, 3), torch.zeros(3, 4), torch.zeros(3, 5)), r"W \(3, 4\) and V \(3, 5\)"),
        (lambda: glu(torch.zeros(2, 4), torch.zeros(3, 4), torch.zeros(3, 4)), r"x \(2, 4\)"),
        (lambda: linear_recurrence_scan(torch.zeros(5, 2), torch.zeros(5, 3)), r"same shape.*\(5, 2\).*\(5, 3\)"),
        (lambda: linear_recurrence_loop(torch.zeros(0), torch.zeros(0)), "T = 0"),
        (lambda: scan_rounds(0), "T ≥ 1"),
        (lambda: depth_gradient_norms(0), "depth, width and batch ≥ 1"),
        (lambda: depth_gradient_norms(3, kind="resnet"), "one of plain, residual, pre-norm, post-norm, got 'resnet'"),
        (lambda: sequence_flops(RecurrentDecoder(10, 8), 0), "n ≥ 1"),
        (lambda: linear_recurrence_conv(torch.zeros(5, 2), torch.zeros(5, 2)), r"fixed a of shape \(…\)"),
        (lambda: median_cost([]), "at least one measured round"),
        (lambda: measure_token_costs({}, [4]), "at least one decoder"),
        (lambda: time_sequence_passes({"gru": RecurrentDecoder(10, 8)}, [4, 0]), "lengths n ≥ 1"),
        (lambda: time_sequence_passes({"gru": RecurrentDecoder(10, 8)}, []), "lengths n ≥ 1"),
        (lambda: time_sequence_passes({}, [4]), "a dict of named decoders, got an empty dict"),
        (
            lambda: time_sequence_passes(RecurrentDecoder(10, 8), [4]),
            "a dict of named decoders, got a RecurrentDecoder",
        ),
        (lambda: time_sequence_passes({"gru": nn.GRU(3, 3)}, [4]), "for 'gru', got a GRU"),
        (lambda: time_step_parts(RecurrentDecoder(10, 8), [4]), "an AttentionDecoder, got a RecurrentDecoder"),
        (lambda: time_step_parts(AttentionDecoder(10, 8), [0]), r"prefix lengths ≥ 1, got \[0\]"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_glu_gate_open_passes_xw_and_closed_blocks_it():
    torch.manual_seed(0)
    x, w = torch.rand(5, 3) + 0.1, torch.randn(3, 4)  # positive x, so x V has the sign of V
    assert torch.allclose(glu(x, w, torch.full((3, 4), 100.0)), x @ w, atol=1e-6)  # σ(large) ≈ 1: open
    assert torch.allclose(glu(x, w, torch.full((3, 4), -100.0)), torch.zeros(5, 4), atol=1e-6)  # σ(−large) ≈ 0
    v = torch.randn(3, 4)
    assert torch.allclose(glu(x, w, v), F.glu(torch.cat([x @ w, x @ v], dim=-1)))  # PyTorch's GLU, split in halves


def test_residual_connections_stop_the_vanishing_and_normalisation_tames_the_growth():
    for seed in (0, 1, 2):
        norms = {kind: depth_gradient_norms(50, kind=kind, seed=seed) for kind in today.DEPTH_KINDS}
        assert all(n.shape == (50,) for n in norms.values())
        plain, residual = norms["plain"], norms["residual"]
        assert plain[0] < 1e-8 < 1 < plain[-1]  # measured ≈ 1e-11 at layer 0, ≈ 18 at the top
        assert residual[0] / residual[-1] > 5  # measured ≈ 9–11: x + f(x) grows on the way down
        assert 1 < norms["pre-norm"][0] / norms["pre-norm"][-1] < residual[0] / residual[-1]  # measured ≈ 3–4
        assert 0.3 < norms["post-norm"][0] / norms["post-norm"][-1] < 3  # measured ≈ 0.9–1.2
    same_start = depth_gradient_norms(1, kind="plain", seed=4), depth_gradient_norms(1, kind="residual", seed=4)
    assert same_start[0][0] < same_start[1][0]  # one layer: the identity path adds to the gradient


@pytest.mark.parametrize("shape", [(1, 1), (7, 1), (64, 3), (300, 2, 2)])
def test_a_fixed_a_recurrence_is_a_convolution(shape):
    generator = torch.Generator().manual_seed(shape[0])
    a = torch.rand(shape[1:], generator=generator, dtype=torch.float64) * 1.05
    b = torch.randn(shape, generator=generator, dtype=torch.float64)
    assert torch.allclose(linear_recurrence_conv(a, b), linear_recurrence_loop(a.expand(shape), b), atol=1e-9)


@pytest.mark.parametrize("shape", [(1,), (2, 3), (3, 4), (5, 1), (8, 2), (13, 3), (100, 2, 2), (257, 4)])
def test_the_parallel_scan_computes_the_same_recurrence_as_the_loop(shape):
    generator = torch.Generator().manual_seed(shape[0])
    a = torch.rand(shape, generator=generator, dtype=torch.float64) * 1.2  # some |a| > 1 too
    b = torch.randn(shape, generator=generator, dtype=torch.float64)
    loop, scan = linear_recurrence_loop(a, b), linear_recurrence_scan(a, b)
    assert loop.shape == scan.shape == shape
    assert torch.allclose(scan, loop, rtol=1e-5, atol=1e-12)
    assert torch.allclose(loop[0], b[0])
    if shape[0] > 1:
        assert torch.allclose(loop[-1], a[-1] * loop[-2] + b[-1])


def test_scan_rounds_are_ceil_log2():
    assert [scan_rounds(T) for T in (1, 2, 3, 4, 5, 8, 9, 1024, 1025)] == [0, 1, 2, 2, 3, 3, 4, 10, 11]
    assert all(scan_rounds(T) == math.ceil(math.log2(T)) for T in range(1, 5000))


def test_cache_bytes_matches_the_attention_decoders_measured_cache():
    decoder = today.AttentionDecoder(vocab_size=16, hidden_size=32)
    cache = decoder.prefill(torch.randint(0, 16, (1, 9)))
    assert today.state_bytes(cache) == today.cache_bytes(9, 32, layers=1)


@pytest.mark.parametrize("exercise", ["check_cache_bytes", "check_linear_recurrence"])
def test_the_exercises_catch_their_mistakes(exercise):
    assert_catches_every_listed_mistake(getattr(today, exercise))


def test_token_cost_demo_shows_the_exact_counts_at_every_prefix_and_width():
    from helpers.demos.today import measure_widths, token_cost_demo

    measured = measure_widths(widths=(8, 16), prefixes=[4, 32], rounds=2, repeats=1)
    demo = token_cost_demo(measured)
    for width in (8, 16):
        for prefix in (4, 32):
            demo.controls["width"].value, demo.controls["prefix"].value = width, prefix
            block = TransformerDecoder(64, width)
            assert f"width d = {width}, after a prefix of n = {prefix}" in demo.text
            assert f"{flops_per_token(block, prefix):,} multiply–adds, {2 * prefix * width * 4:>10,} bytes" in demo.text
            assert f"{flops_per_token(RecurrentDecoder(64, width), prefix):,} multiply–adds" in demo.text
    with pytest.raises(ValueError, match="same prefix lengths"):
        token_cost_demo({8: measured[8], 16: measure_widths(widths=(16,), prefixes=[4], rounds=1, repeats=1)[16]})
