"""The course's one training loop: every model in the course is trained by `train`.

A topic module says only what is its own: how a batch is drawn and what the loss is. It passes them
as one function, `batch_loss(step) -> loss`, that draws the step's batch and returns its mean loss:

    def batch_loss(step):
        x, y = first_symbol_task(64, length, 8, generator)
        return F.cross_entropy(model(x), y)

    log = train(model, batch_loss, steps=300, lr=3e-3, clip=1.0)

Each update then runs the same way: zero the gradients, backpropagate, measure the global gradient
norm, clip it (if asked), step the optimiser. The log keeps every loss and gradient norm (before
clipping), how often clipping acted, the time taken, and where training diverged: a NaN or infinite
loss or gradient stops training at once, before the optimiser steps, since the weights could not recover.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from helpers.course import validate

OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


@dataclass
class TrainLog:
    """What happened in training: loss and gradient norm (before clipping) at every update, and more."""

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    clipped: int = 0  # updates whose gradient norm was above the clipping threshold
    seconds: float = 0.0  # wall-clock time of the whole loop (never print it in a notebook)
    diverged_at: int | None = None  # the update whose loss or gradient was NaN or infinite; training stopped there

    @property
    def steps(self) -> int:
        """How many updates were tried (the last one was not applied if training diverged)."""
        return len(self.losses)

    def recent_loss(self, last: int = 50) -> float:
        """The mean training loss over the last `last` updates."""
        if not self.losses:
            raise ValueError("the log is empty: no update has run yet")
        recent = self.losses[-last:]
        return sum(recent) / len(recent)


Hook = Callable[[int, TrainLog], None]  # called after every update with its number (1, 2, …) and the log


def train(
    model: nn.Module,
    batch_loss: Callable[[int], torch.Tensor],
    steps: int,
    lr: float = 3e-3,
    optimizer: str = "adam",
    clip: float | None = 1.0,
    hooks: Sequence[Hook] = (),
    final_lr: float | None = None,
    stop_after: int | None = None,
) -> TrainLog:
    """Train `model` for `steps` updates of batch_loss(step) (step = 0, 1, …); return the log.

    The model trains in training mode and is left in evaluation mode, ready to be measured.
    `clip` is the largest global gradient norm allowed (None: no clipping); `hooks` run after each update.
    `final_lr` (None: a constant rate) lowers the rate from `lr` to `final_lr` along a half cosine over `steps`;
    `stop_after` ends training early (after that many updates) without changing that schedule, to replay a start.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number ≥ 1, got {steps!r}")
    if isinstance(lr, bool) or not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    if clip is not None and (isinstance(clip, bool) or not (isinstance(clip, (int, float)) and clip > 0)):
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    if final_lr is not None and not (isinstance(final_lr, (int, float)) and 0 < final_lr <= lr):
        raise ValueError(f"final_lr must be None or a number in (0, lr = {lr}], got {final_lr!r}")
    if stop_after is not None and not (isinstance(stop_after, int) and 1 <= stop_after <= steps):
        raise ValueError(f"stop_after must be None or a whole number in 1..steps = {steps}, got {stop_after!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
    parameters = [p for p in model.parameters() if p.requires_grad]
    if not parameters:
        raise ValueError("the model has no trainable parameters")
    opt = OPTIMIZERS[optimizer](parameters, lr=lr)
    log = TrainLog()
    start = time.perf_counter()
    model.train()
    for step in range(steps if stop_after is None else stop_after):
        loss = batch_loss(step)
        if not (isinstance(loss, torch.Tensor) and loss.dim() == 0):
            raise ValueError(f"batch_loss must return the batch's loss as a 0-d tensor, got {_describe(loss)}")
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(parameters, clip if clip is not None else math.inf).item()
        log.losses.append(loss.item())
        log.grad_norms.append(norm)
        log.clipped += int(clip is not None and norm > clip)
        if not (math.isfinite(log.losses[-1]) and math.isfinite(norm)):
            log.diverged_at = step
            break
        if final_lr is not None:
            for group in opt.param_groups:
                group["lr"] = final_lr + (lr - final_lr) * 0.5 * (1 + math.cos(math.pi * step / steps))
        opt.step()
        for hook in hooks:
            hook(step + 1, log)
    log.seconds = time.perf_counter() - start
    model.eval()
    return log


def _describe(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """A text progress bar like [#####...............]  25%."""
    validate.whole("total", total)
    validate.whole("done", done, low=0, high=total)
    validate.whole("width", width)
    filled = round(width * done / total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {100 * done / total:3.0f}%"


def progress(
    steps: int,
    reports: int = 5,
    unit: str = "",
    note: Callable[[int], str] | None = None,
    report: Callable[[str], None] = print,
) -> Hook:
    """A hook that prints `reports` evenly spaced progress lines: bar, update and recent training loss.

    The lines hold no timings, and tests/nbval_sanitize.cfg masks the loss in them, so a notebook's
    stored progress lines match on every CPU. `note(step)` may add a few words (the teacher forcing, say).
    """
    steps = validate.whole("steps", steps)
    reports = validate.whole("reports", reports, low=0)
    report_at = {round(steps * (i + 1) / reports) for i in range(reports)}

    def hook(step: int, log: TrainLog) -> None:
        if step in report_at:
            extra = f"  {note(step)}" if note is not None else ""
            report(
                f"{progress_bar(step, steps)}  update {step:4d}/{steps}  "
                f"training loss {log.recent_loss():.2f} {unit}".rstrip()
                + extra
            )

    return hook


def count_parameters(model: nn.Module) -> int:
    """Number of distinct numbers in a model's parameters (a matrix shared by two layers counts once)."""
    return sum(p.numel() for p in model.parameters())
