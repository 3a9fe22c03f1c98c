"""The course's one training loop: what it logs, when it stops, how it clips, and its progress lines."""

import math

import pytest
import torch
from torch import nn

from helpers.training import TrainLog, count_parameters, progress, progress_bar, train


def line_fit(seed: int = 0) -> tuple[nn.Linear, torch.Tensor, torch.Tensor]:
    """A 1-input linear model and data y = 3x − 1: a problem with a known answer."""
    torch.manual_seed(seed)
    x = torch.linspace(-1, 1, 32).unsqueeze(1)
    return nn.Linear(1, 1), x, 3 * x - 1


def test_training_finds_a_known_answer_and_logs_every_update():
    model, x, y = line_fit()
    log = train(model, lambda step: ((model(x) - y) ** 2).mean(), steps=400, lr=0.05, clip=None)
    assert log.steps == 400 and len(log.grad_norms) == 400 and log.clipped == 0 and log.diverged_at is None
    assert model.weight.item() == pytest.approx(3.0, abs=1e-3) and model.bias.item() == pytest.approx(-1.0, abs=1e-3)
    assert log.losses[-1] < 1e-6 < log.losses[0] and log.seconds > 0


def test_the_gradient_norm_is_logged_before_clipping_and_clipping_is_counted():
    model, x, y = line_fit()
    with torch.no_grad():
        model.weight.fill_(0.0)
        model.bias.fill_(0.0)
    expected = torch.tensor([(2 * (-(y - 0)) * x).mean(), (2 * -(y - 0)).mean()]).norm().item()  # ∂L/∂(w, b) at 0
    log = train(model, lambda step: ((model(x) - y) ** 2).mean(), steps=1, lr=0.1, optimizer="sgd", clip=0.5)
    assert log.grad_norms[0] == pytest.approx(expected, rel=1e-5) and log.clipped == 1
    moved = math.hypot(model.weight.item(), model.bias.item())
    assert moved == pytest.approx(0.1 * 0.5, rel=1e-4)  # SGD moved by lr × the clipped norm, not the raw one


def test_training_stops_at_the_first_non_finite_loss_before_stepping():
    model, x, y = line_fit()
    losses = iter([1.0, 2.0, math.inf, 4.0])

    def batch_loss(step: int) -> torch.Tensor:
        return model(x).mean() * 0 + next(losses)

    before = [p.detach().clone() for p in model.parameters()]
    log = train(model, batch_loss, steps=4, optimizer="sgd", lr=0.1)
    assert log.diverged_at == 2 and log.steps == 3 and log.losses[:2] == [1.0, 2.0]
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # zero gradients: nothing moved


def test_hooks_run_after_every_applied_update_and_the_model_ends_in_eval_mode():
    model, x, y = line_fit()
    seen = []
    model.eval()
    modes = []

    def batch_loss(step: int) -> torch.Tensor:
        modes.append(model.training)
        return ((model(x) - y) ** 2).mean()

    train(model, batch_loss, steps=3, hooks=[lambda step, log: seen.append((step, log.steps))])
    assert seen == [(1, 1), (2, 2), (3, 3)] and modes == [True, True, True] and not model.training


def test_progress_prints_evenly_spaced_lines_without_timings():
    model, x, y = line_fit()
    lines = []
    train(
        model,
        lambda step: ((model(x) - y) ** 2).mean(),
        steps=10,
        hooks=[progress(10, reports=2, unit="nats", note=lambda step: f"note {step}", report=lines.append)],
    )
    assert [line.split("  training loss")[0] for line in lines] == [
        "[##########..........]  50%  update    5/10",
        "[####################] 100%  update   10/10",
    ]
    assert all(line.endswith(("nats  note 5", "nats  note 10")) for line in lines)
    assert progress_bar(5, 20) == "[#####...............]  25%" and progress_bar(0, 3, width=3) == "[...]   0%"


def test_the_recent_loss_is_the_mean_of_the_last_updates():
    log = TrainLog(losses=[4.0, 1.0, 2.0, 3.0])
    assert log.recent_loss(2) == 2.5 and log.recent_loss() == 2.5
    with pytest.raises(ValueError, match="empty"):
        TrainLog().recent_loss()


def test_count_parameters_counts_a_shared_matrix_once():
    tied = nn.Sequential(nn.Embedding(5, 3), nn.Linear(3, 5, bias=False))
    tied[1].weight = tied[0].weight
    assert count_parameters(tied) == 15 and count_parameters(nn.Linear(3, 5)) == 20


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(steps=0), "steps must be a whole number ≥ 1"),
        (dict(steps=2.5), "steps must be a whole number ≥ 1"),
        (dict(lr=float("nan")), "lr must be a positive finite number"),
        (dict(lr=-1.0), "lr must be a positive finite number"),
        (dict(clip=0.0), "clip must be a positive number or None"),
        (dict(optimizer="rmsprop"), "optimizer must be one of"),
    ],
)
def test_bad_settings_are_explained(arguments, message):
    model, x, y = line_fit()
    settings = dict(steps=1) | arguments
    with pytest.raises(ValueError, match=message):
        train(model, lambda step: ((model(x) - y) ** 2).mean(), **settings)


def test_a_batch_loss_that_returns_no_scalar_is_explained():
    model, x, y = line_fit()
    with pytest.raises(ValueError, match=r"0-d tensor, got a tensor of shape \(32, 1\)"):
        train(model, lambda step: (model(x) - y) ** 2, steps=1)
    with pytest.raises(ValueError, match="got a float"):
        train(model, lambda step: 1.0, steps=1)
    with pytest.raises(ValueError, match="no trainable parameters"):
        train(model.requires_grad_(False), lambda step: model(x).mean(), steps=1)


def test_stop_after_replays_the_start_of_a_scheduled_run_exactly():
    def run(stop_after):
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        x, y = torch.randn(8, 3), torch.randn(8, 1)
        log = train(model, lambda step: ((model(x) - y) ** 2).mean(), 10, lr=0.1, final_lr=0.01, stop_after=stop_after)
        return log.losses

    full, start = run(None), run(4)
    assert len(start) == 4 and start == full[:4]
    with pytest.raises(ValueError, match="stop_after"):
        run(11)
