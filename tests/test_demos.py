"""Every registered demo builds, responds to each control, and reads out the right numbers."""

import pytest

from helpers.demos import DEMOS, learning_rate_demo, neuron_demo
from helpers.widgets import sweep_values

ALL_DEMOS = [(notebook, builder) for notebook, builders in DEMOS.items() for builder in builders]


@pytest.mark.parametrize("notebook, builder", ALL_DEMOS, ids=lambda x: getattr(x, "__name__", x))
def test_every_control_changes_what_the_reader_sees(notebook, builder):
    demo = builder()
    for name, control in demo.controls.items():
        before_text, before_image = demo.text, bytes(demo.figure.image.value)
        new_value = next(v for v in sweep_values(control) if v != control.value)
        control.value = new_value
        assert (demo.text, bytes(demo.figure.image.value)) != (before_text, before_image), f"{name} changed nothing"


def test_neuron_demo_reads_out_the_worked_example_and_follows_the_activation():
    demo = neuron_demo()
    assert demo.text == "z = 2.00·0.50 + (-1.00)·0.30 + 0.10 = 0.800;  y = tanh(z) = 0.664"
    demo.controls["activation"].value = "relu"
    demo.controls["b"].value = -3.0
    assert demo.text.endswith("= -2.300;  y = relu(z) = 0.000")


@pytest.mark.parametrize("rate, verdict", [(0.01, "converges"), (0.75, "converges, overshooting each step"),
                                           (1.0, "bounces forever"), (1.2, "diverges")])
def test_learning_rate_demo_at_every_regime(rate, verdict):
    demo = learning_rate_demo()
    demo.controls["learning_rate"].value = rate
    assert demo.text.endswith(f"({verdict})")
