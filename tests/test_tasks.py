"""Long-dependency tasks and the sequence model that learns them."""

import math

import numpy as np
import pytest
import torch

from helpers.tasks import (
    SequenceModel,
    accuracy,
    first_symbol_task,
    input_gradient_norms,
    multiply_adds_per_step,
    recent_sum_task,
    seconds_per_step,
    set_orthogonal_recurrence,
    set_spectral_radius,
    train,
)


def test_first_symbol_task_labels_are_the_first_symbols():
    x, y = first_symbol_task(50, 7, 4, torch.Generator().manual_seed(0))
    assert x.shape == (50, 7, 4) and y.shape == (50,)
    assert torch.equal(x[:, 0].argmax(dim=-1), y) and torch.all(x.sum(dim=-1) == 1)


def test_recent_sum_task_target_is_the_scaled_sum_of_the_last_inputs():
    x, y = recent_sum_task(10, 6, torch.Generator().manual_seed(0), last=2)
    assert torch.allclose(y[:, 0], (x[:, -1, 0] + x[:, -2, 0]) / math.sqrt(2))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: first_symbol_task(0, 5, 4, torch.Generator()), "n ≥ 1"),
        (lambda: recent_sum_task(4, 2, torch.Generator(), last=3), "last ≤ length"),
        (lambda: SequenceModel(3, 4, 2, kind="transformer"), "kind must be one of"),
        (lambda: SequenceModel(3, 4, 2)(torch.zeros(2, 5, 4)), r"\(batch, seq, 3\)"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_a_short_dependency_is_learned(kind):
    torch.manual_seed(0)
    model = SequenceModel(4, 16, 4, kind=kind)
    log = train(model, lambda n, g: first_symbol_task(n, 3, 4, g), 150, torch.Generator().manual_seed(1), lr=1e-2)
    x, y = first_symbol_task(500, 3, 4, torch.Generator().manual_seed(2))
    assert accuracy(model, x, y) > 0.95 and log.diverged_at is None and log.steps == 150


def test_set_spectral_radius():
    torch.manual_seed(0)
    model = SequenceModel(1, 8, 1)
    set_spectral_radius(model, 1.5)
    assert math.isclose(torch.linalg.eigvals(model.rnn.weight_hh_l0).abs().max().item(), 1.5, rel_tol=1e-5)


def test_an_exploding_model_stops_at_the_first_non_finite_loss():
    torch.manual_seed(0)
    model = SequenceModel(1, 8, 1)
    with torch.no_grad():
        model.readout.weight.fill_(1e30)
    log = train(model, lambda n, g: recent_sum_task(n, 5, g), 10, torch.Generator(), optimizer="sgd", lr=1.0, clip=None)
    assert log.diverged_at is not None and log.steps == log.diverged_at + 1


def test_clipping_is_counted():
    torch.manual_seed(0)
    log = train(SequenceModel(4, 8, 4), lambda n, g: first_symbol_task(n, 4, 4, g), 5, torch.Generator(), clip=1e-6)
    assert log.clipped == 5


def test_input_gradient_norms_has_one_value_per_step():
    torch.manual_seed(0)
    x, y = first_symbol_task(32, 12, 4, torch.Generator().manual_seed(0))
    norms = input_gradient_norms(SequenceModel(4, 8, 4), x, y)
    assert norms.shape == (12,) and np.all(norms > 0)
    assert norms[-1] > norms[0]  # untrained: the last input matters most to the answer


def test_compare_cells_trains_every_kind_at_every_length_with_the_same_budget():
    from helpers.tasks import compare_cells

    result = compare_cells(kinds=("rnn", "gru"), lengths=(3, 4), hidden_size=8, steps=20, test_size=100)
    assert set(result.accuracy) == {"rnn", "gru"} and set(result.accuracy["gru"]) == {3, 4}
    assert all(len(result.losses[k][n]) == 20 for k in ("rnn", "gru") for n in (3, 4))
    assert all(
        0 <= result.accuracy[k][n] <= 1 and result.seconds_per_epoch[k][n] > 0 for k in ("rnn", "gru") for n in (3, 4)
    )
    again = compare_cells(kinds=("rnn", "gru"), lengths=(3, 4), hidden_size=8, steps=20, test_size=100)
    assert again.losses == result.losses, "the same seeds give the same training"


def test_gate_bias_initialisations():
    from helpers.tasks import chrono_init, set_forget_bias

    torch.manual_seed(0)
    lstm, gru = SequenceModel(3, 4, 2, kind="lstm"), SequenceModel(3, 4, 2, kind="gru")
    set_forget_bias(lstm, 1.0)
    assert torch.all(lstm.rnn.bias_ih_l0[4:8] + lstm.rnn.bias_hh_l0[4:8] == 1.0)
    chrono_init(lstm, horizon=50)
    forget = lstm.rnn.bias_ih_l0[4:8]
    assert torch.all((forget >= 0) & (forget <= math.log(49))) and torch.equal(lstm.rnn.bias_ih_l0[:4], -forget)
    chrono_init(gru, horizon=50)
    assert torch.all(gru.rnn.bias_ih_l0[4:8] >= 0) and torch.all(gru.rnn.bias_hh_l0[4:8] == 0)
    with pytest.raises(ValueError, match="only an LSTM"):
        set_forget_bias(gru, 1.0)
    with pytest.raises(ValueError, match="for LSTM and GRU"):
        chrono_init(SequenceModel(3, 4, 2), 50)


def test_set_orthogonal_recurrence():
    torch.manual_seed(0)
    model = SequenceModel(3, 16, 2)
    set_orthogonal_recurrence(model)
    W = model.rnn.weight_hh_l0
    assert torch.allclose(W @ W.T, torch.eye(16), atol=1e-5)
    with pytest.raises(ValueError, match="vanilla RNN"):
        set_orthogonal_recurrence(SequenceModel(3, 4, 2, kind="lstm"))


def test_multiply_adds_count_the_weight_blocks():
    assert multiply_adds_per_step("rnn", 8, 32) == 32 * 40
    assert multiply_adds_per_step("lstm", 8, 32) == 4 * multiply_adds_per_step("rnn", 8, 32)
    assert multiply_adds_per_step("gru", 8, 32) == 3 * multiply_adds_per_step("rnn", 8, 32)
    with pytest.raises(ValueError, match="kind must be one of"):
        multiply_adds_per_step("transformer", 8, 32)


def test_seconds_per_step_times_every_layer():
    times = seconds_per_step(("rnn", "lstm"), (4, 8), length=3, batch_size=2, repeats=1)
    assert set(times) == {("rnn", 4), ("lstm", 4), ("rnn", 8), ("lstm", 8)}
    assert all(value > 0 for value in times.values())
    with pytest.raises(ValueError, match="kinds must be some of"):
        seconds_per_step(("transformer",), (4,))
    with pytest.raises(ValueError, match="need hidden sizes"):
        seconds_per_step(("rnn",), (4,), repeats=0)
