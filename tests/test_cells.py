"""What the from-scratch RNN, LSTM and GRU share, tested once for each kind: the forward pass against torch's layer,
numpy against torch inputs, gradients, the gate trace (LSTM and GRU), copies to and from torch, parameter counts and
the common errors; then helpers.cells's own functions. What only one kind has is in test_rnn.py, test_lstm.py and
test_gru.py."""

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pytest
import torch
from torch import nn

from helpers import cells, gru, lstm, rnn


@dataclass(frozen=True)
class Kind:
    """One from-scratch cell and what a shared test needs to know about it."""

    name: str
    layer: type[nn.RNNBase]  # the torch layer it copies to and from
    gates: int  # blocks stacked in the weight matrices: 1 for the RNN
    names: tuple[str, ...]  # our parameters in torch's order: input weights, recurrent weights, bias(es)
    state_names: tuple[str, ...]  # the parts of a state: ("h0",), or the LSTM's ("h0", "c0")
    init: Callable
    forward: Callable  # (x, params, state) -> (H, last state)
    cell: Callable  # one step: (x_t, state, params) -> the next state
    cell_gates: Callable | None  # the gates of one step, a dict; the RNN has none
    to_torch: Callable
    from_torch: Callable
    parameter_count: Callable
    torch_parameter_count: Callable

    @property
    def biases(self):
        return self.names[2:]

    def state(self, parts):
        """A state as forward takes and returns it: h alone, or the LSTM's pair (h, c)."""
        return tuple(parts) if len(self.state_names) == 2 else parts[0]

    def parts(self, state):
        """A state's parts as a tuple: (h,), or the LSTM's (h, c)."""
        return tuple(state) if len(self.state_names) == 2 else (state,)


def _kind(module, layer, gates, names, state_names):
    """The Kind of helpers.rnn, .lstm or .gru, whose functions are named alike: init_gru, gru_forward, gru_cell, ..."""
    name = layer.__name__.lower()
    return Kind(
        name,
        layer,
        gates,
        names,
        state_names,
        init=getattr(module, f"init_{name}"),
        forward=getattr(module, f"{name}_forward"),
        cell=getattr(module, f"{name}_cell"),
        cell_gates=getattr(module, f"{name}_gates", None),
        to_torch=module.to_torch,
        from_torch=module.from_torch,
        parameter_count=partial(cells.parameter_count, name),
        torch_parameter_count=partial(cells.torch_parameter_count, name),
    )


RNN = _kind(rnn, nn.RNN, gates=1, names=("W_xh", "W_hh", "b_h"), state_names=("h0",))
LSTM = _kind(lstm, nn.LSTM, gates=4, names=("W_x", "W_h", "b"), state_names=("h0", "c0"))
GRU = _kind(gru, nn.GRU, gates=3, names=("W_x", "W_h", "b_x", "b_h"), state_names=("h0",))
KINDS = [RNN, LSTM, GRU]
TORCH_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")

# (batch, seq, input, hidden), including batch 1, sequence length 1 and hidden size 1
SHAPES = [(1, 1, 1, 1), (1, 7, 3, 5), (4, 1, 2, 1), (3, 5, 4, 16), (2, 6, 1, 3)]
TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-10}


@pytest.fixture(params=KINDS, ids=lambda kind: kind.name)
def kind(request):
    return request.param


def _name(value):
    """Test ids: a kind by its name, anything else as pytest would name it."""
    return value.name if isinstance(value, Kind) else None


def _inputs(kind, batch, seq, input_size, hidden, dtype, seed=0):
    """A generator, x (batch, seq, input) and a non-zero starting state: h0 uniform in ±1, the LSTM's c0 normal."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=dtype)
    h0 = torch.empty(batch, hidden, dtype=dtype).uniform_(-1.0, 1.0, generator=generator)
    c0 = [torch.randn(batch, hidden, generator=generator, dtype=dtype)] if "c0" in kind.state_names else []
    return generator, x, kind.state((h0, *c0))


def _random_torch_layer(kind, input_size, hidden, dtype, generator):
    """A torch layer whose every weight, both biases included, is drawn from `generator`."""
    model = kind.layer(input_size, hidden, batch_first=True, dtype=dtype)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-0.8, 0.8, generator=generator)
    return model


def _numpy(params):
    return {name: value.numpy() for name, value in params.items()}


def _numpy_state(kind, state):
    return None if state is None else kind.state(tuple(part.numpy() for part in kind.parts(state)))


def _torch_state(kind, state):
    """torch's layers want each part of the state with a leading layer axis: (1, batch, hidden)."""
    return kind.state(tuple(part.unsqueeze(0) for part in kind.parts(state)))


def _copied_from(kind, model):
    """What from_torch should give for `model`: its weights, and its biases, added up where we keep one bias."""
    W_x, W_h, b_ih, b_hh = (getattr(model, name).detach() for name in TORCH_NAMES)
    biases = (b_ih, b_hh) if len(kind.biases) == 2 else (b_ih + b_hh,)
    return dict(zip(kind.names, (W_x, W_h, *biases)))


# --- Forward against torch's layer ------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_with_our_weights_copied_in(kind, shape, with_state, dtype):
    batch, seq, input_size, hidden = shape
    generator, x, state = _inputs(kind, *shape, dtype)
    params = kind.init(input_size, hidden, generator, dtype=dtype)
    model = kind.to_torch(params)
    expected_H, expected_last = model(x, _torch_state(kind, state)) if with_state else model(x)
    H, last = kind.forward(x, params, state if with_state else None)
    assert H.shape == (batch, seq, hidden) and H.dtype == dtype
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]
    for ours, theirs in zip(kind.parts(last), kind.parts(expected_last), strict=True):
        assert ours.shape == (batch, hidden)
        assert (ours - theirs[0]).abs().max() <= TOLERANCE[dtype]
    assert torch.equal(H[:, -1], kind.parts(last)[0])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_with_its_weights_copied_out(kind, shape, with_state, dtype):
    _, _, input_size, hidden = shape
    generator, x, state = _inputs(kind, *shape, dtype, seed=1)
    model = _random_torch_layer(kind, input_size, hidden, dtype, generator)
    expected_H, expected_last = model(x, _torch_state(kind, state)) if with_state else model(x)
    H, last = kind.forward(x, kind.from_torch(model), state if with_state else None)
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]
    for ours, theirs in zip(kind.parts(last), kind.parts(expected_last), strict=True):
        assert (ours - theirs[0]).abs().max() <= TOLERANCE[dtype]


@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_input_gives_what_torch_input_gives(kind, shape):
    generator, x, state = _inputs(kind, *shape, torch.float64)
    params = kind.init(shape[2], shape[3], generator)
    for start in (None, state):
        H, last = kind.forward(x, params, start)
        H_np, last_np = kind.forward(x.numpy(), _numpy(params), _numpy_state(kind, start))
        assert isinstance(H_np, np.ndarray) and np.abs(H_np - H.numpy()).max() <= 1e-12
        for ours, theirs in zip(kind.parts(last_np), kind.parts(last), strict=True):
            assert isinstance(ours, np.ndarray) and np.abs(ours - theirs.numpy()).max() <= 1e-12


def test_numpy_float32_stays_float32(kind):
    generator, x, state = _inputs(kind, 2, 3, 2, 4, torch.float32)
    params = _numpy(kind.init(2, 4, generator, dtype=torch.float32))
    H, last = kind.forward(x.numpy(), params, _numpy_state(kind, state))
    assert H.dtype == np.float32 and all(part.dtype == np.float32 for part in kind.parts(last))
    expected, _ = kind.to_torch(params)(x, _torch_state(kind, state))
    assert np.abs(H - expected.detach().numpy()).max() <= 1e-6


def test_gradients_through_our_forward_equal_torchs(kind):
    generator, x, state = _inputs(kind, 2, 4, 3, 5, torch.float64)
    params = {name: value.requires_grad_() for name, value in kind.init(3, 5, generator).items()}
    model = kind.to_torch({name: value.detach() for name, value in params.items()})
    weights = torch.rand(2, 4, 5, generator=generator, dtype=torch.float64).numpy()
    H, _ = kind.forward(x.numpy(), params)  # numpy x, torch parameters: a tensor autograd can follow
    assert isinstance(H, torch.Tensor) and torch.allclose(H, kind.forward(x, params)[0])
    H, _ = kind.forward(x.numpy(), params, state)
    (H**2 * cells.like(weights, H)).sum().backward()  # like: the numpy constant as a tensor
    (model(x, _torch_state(kind, state))[0] ** 2 * torch.from_numpy(weights)).sum().backward()
    for ours, theirs in zip(kind.names, TORCH_NAMES):  # our one bias has the gradient of bias_ih
        assert params[ours].grad.abs().sum() > 0, ours
        assert (params[ours].grad - getattr(model, theirs).grad).abs().max() <= 1e-12, ours


@pytest.mark.parametrize(
    "kind, traced, sigmoids, tanhs",
    [(LSTM, ["i", "f", "g", "o", "c"], "ifo", "g"), (GRU, ["r", "z", "n"], "rz", "n")],
    ids=_name,
)
def test_return_gates_traces_every_step_and_the_gates_lie_in_their_ranges(kind, traced, sigmoids, tanhs):
    batch, seq, hidden = 3, 6, 4
    generator, x, state = _inputs(kind, batch, seq, 2, hidden, torch.float64)
    params = kind.init(2, hidden, generator)
    with torch.no_grad():
        params["W_x"] *= 4  # push the gates towards 0 and 1; they must still stay inside
    H, last, trace = kind.forward(x, params, state, return_gates=True)
    assert list(trace) == traced
    assert all(value.shape == (batch, seq, hidden) for value in trace.values())
    for name in sigmoids:
        assert 0 < trace[name].min() and trace[name].max() < 1
    for name in tanhs:
        assert -1 < trace[name].min() and trace[name].max() < 1
    step_state = state
    for t in range(seq):  # the cell, step by step, computes the gates that were traced
        gates = kind.cell_gates(x[:, t], step_state, params)
        assert all(torch.allclose(trace[name][:, t], gates[name], rtol=0, atol=1e-14) for name in gates)
        step_state = kind.cell(x[:, t], step_state, params)
    H_plain, last_plain = kind.forward(x, params, state)
    assert torch.equal(H_plain, H) and all(map(torch.equal, kind.parts(last_plain), kind.parts(last)))
    _, _, trace_np = kind.forward(x.numpy(), _numpy(params), return_gates=True)
    assert all(isinstance(value, np.ndarray) and value.shape == (batch, seq, hidden) for value in trace_np.values())


# --- Copies to and from torch's layer ---------------------------------------------------------


def test_from_torch_copies_the_weights_and_to_torch_copies_them_back(kind):
    model = _random_torch_layer(kind, 3, 4, torch.float64, torch.Generator().manual_seed(0))
    params = kind.from_torch(model)
    expected = _copied_from(kind, model)  # bias_ih + bias_hh for the RNN and the LSTM, both for the GRU
    rows = kind.gates * 4  # one block of rows per gate
    shapes = {kind.names[0]: (rows, 3), kind.names[1]: (rows, 4), **dict.fromkeys(kind.biases, (rows,))}
    assert {name: tuple(value.shape) for name, value in params.items()} == shapes
    assert all(torch.equal(params[name], expected[name]) for name in kind.names)
    assert not any(value.requires_grad for value in params.values())
    back = kind.to_torch(params)
    assert all(torch.equal(a, b) for a, b in zip(_copied_from(kind, back).values(), params.values(), strict=True))
    if len(kind.biases) == 2:
        assert all(torch.equal(a, b) for a, b in zip(back.parameters(), model.parameters(), strict=True))
    else:
        assert torch.equal(back.bias_ih_l0.detach(), params[kind.biases[0]])
        assert torch.count_nonzero(back.bias_hh_l0) == 0
    with torch.no_grad():
        model.weight_hh_l0.zero_()
    assert params[kind.names[1]].abs().sum() > 0, "from_torch must copy, not share, the weights"


def test_from_torch_of_a_model_without_biases(kind):
    model = kind.layer(2, 3, bias=False, batch_first=True, dtype=torch.float64)
    x = torch.randn(2, 4, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    params = kind.from_torch(model)
    for name in kind.biases:
        assert torch.equal(params[name], torch.zeros(kind.gates * 3, dtype=torch.float64)), name
    assert torch.allclose(kind.forward(x, params)[0], model(x)[0], rtol=0, atol=1e-12)


def test_to_torch_keeps_the_dtype_and_can_be_sequence_first(kind):
    generator, x, _ = _inputs(kind, 2, 5, 3, 4, torch.float64)
    params = kind.init(3, 4, generator)
    float32 = kind.to_torch({name: value.float().numpy() for name, value in params.items()})
    assert all(p.dtype == torch.float32 for p in float32.parameters())
    seq_first = kind.to_torch(params, batch_first=False)
    H, _ = seq_first(x.transpose(0, 1))
    assert not seq_first.batch_first
    assert torch.allclose(H.transpose(0, 1), kind.forward(x, params)[0], rtol=0, atol=1e-12)


REFUSED = [
    *((kind, kind.layer(2, 3, num_layers=2, batch_first=True), "num_layers=2") for kind in KINDS),
    *((kind, kind.layer(2, 3, bidirectional=True, batch_first=True), "bidirectional=True") for kind in KINDS),
    (
        RNN,
        nn.RNN(2, 3),
        "nn.RNN(num_layers=1, bidirectional=False, batch_first=True, nonlinearity='tanh'), got batch_first=False",
    ),
    (
        LSTM,
        nn.LSTM(2, 3),
        "nn.LSTM(num_layers=1, bidirectional=False, batch_first=True, proj_size=0), got batch_first=False",
    ),
    (GRU, nn.GRU(2, 3), "nn.GRU(num_layers=1, bidirectional=False, batch_first=True), got batch_first=False"),
    (RNN, nn.RNN(2, 3, nonlinearity="relu", batch_first=True), "nonlinearity='relu'"),
    (LSTM, nn.LSTM(2, 3, proj_size=2, batch_first=True), "proj_size=2"),
    *(
        (
            kind,
            other.layer(2, 3, batch_first=True),
            f"expected a torch.nn.{kind.layer.__name__}, got {other.layer.__name__}",
        )
        for kind in KINDS
        for other in KINDS
        if other is not kind
    ),
]


@pytest.mark.parametrize("kind, model, complaint", REFUSED, ids=_name)
def test_from_torch_refuses_models_it_cannot_copy(kind, model, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        kind.from_torch(model)


# --- Parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, shapes",
    [
        (RNN, {"W_xh": (25, 3), "W_hh": (25, 25), "b_h": (25,)}),
        (LSTM, {"W_x": (100, 3), "W_h": (100, 25), "b": (100,)}),
        (GRU, {"W_x": (75, 3), "W_h": (75, 25), "b_x": (75,), "b_h": (75,)}),
    ],
    ids=_name,
)
def test_init_is_seeded_and_uniform_within_one_over_root_hidden(kind, shapes):
    params = kind.init(3, 25, torch.Generator().manual_seed(0))
    again = kind.init(3, 25, torch.Generator().manual_seed(0))
    assert {name: tuple(value.shape) for name, value in params.items()} == shapes
    assert all(torch.equal(params[name], again[name]) for name in params)
    values = torch.cat([value.flatten() for value in params.values()])
    assert values.dtype == torch.float64 and values.abs().max() <= 0.2 and values.abs().max() > 0.19
    assert kind.init(2, 2, dtype=torch.float32)[kind.names[1]].dtype == torch.float32


@pytest.mark.parametrize(
    "input_size, hidden, output", [(1, 1, 0), (1, 1, 1), (3, 5, 2), (10, 32, 4), (7, 1, 3), (28, 128, 10)]
)
def test_parameter_counts_equal_torch_numel(kind, input_size, hidden, output):
    torch_count = sum(p.numel() for p in kind.layer(input_size, hidden).parameters())
    head = sum(p.numel() for p in nn.Linear(hidden, output).parameters()) if output else 0
    ours = sum(value.numel() for value in kind.init(input_size, hidden).values())
    assert kind.torch_parameter_count(input_size, hidden) == torch_count
    # one bias per gate, as in the textbooks: torch's second bias is gates·hidden more
    assert kind.parameter_count(input_size, hidden, output) == torch_count - kind.gates * hidden + head
    assert kind.parameter_count(input_size, hidden) == kind.gates * hidden * (hidden + input_size + 1)
    # what init gives: one bias per gate for the RNN and the LSTM, both of torch's for the GRU, as nn.GRU has them
    assert ours == (torch_count if len(kind.biases) == 2 else kind.parameter_count(input_size, hidden))


# --- Clear errors -----------------------------------------------------------------------------


def test_forward_errors_name_what_was_expected_and_what_came(kind):
    params = kind.init(3, 4)
    rows = kind.gates * 4
    with pytest.raises(
        ValueError, match=r"x must be 3-D \(batch, seq, input\) = \(batch, seq, 3\), got shape \(5, 3\)"
    ):
        kind.forward(torch.zeros(5, 3, dtype=torch.float64), params)
    with pytest.raises(
        ValueError, match=rf"3 input features.*\({rows}, 3\).*expected \(batch, seq, 3\), got \(2, 5, 2\)"
    ):
        kind.forward(np.zeros((2, 5, 2)), params)
    with pytest.raises(ValueError, match=r"at least one time step: expected \(batch, seq ≥ 1, 3\), got \(2, 0, 3\)"):
        kind.forward(np.zeros((2, 0, 3)), params)
    for k, name in enumerate(kind.state_names):  # one part of the state the wrong shape, the others right
        parts = [np.zeros(4) if j == k else np.zeros((2, 4)) for j in range(len(kind.state_names))]
        with pytest.raises(ValueError, match=rf"{name} must have shape \(batch, hidden\) = \(2, 4\), got \(4,\)"):
            kind.forward(np.zeros((2, 5, 3)), params, kind.state(parts))


@pytest.mark.parametrize("kind", [LSTM, GRU], ids=_name)
def test_a_state_with_torchs_layer_axis_gets_a_hint(kind):
    params = kind.init(3, 4)
    state = kind.state([np.zeros((1, 2, 4)) for _ in kind.state_names])
    with pytest.raises(
        ValueError, match=r"h0 must have shape .* = \(2, 4\), got \(1, 2, 4\) \(torch's layers add a leading"
    ):
        kind.forward(np.zeros((2, 5, 3)), params, state)


@pytest.mark.parametrize(
    "kind, name, shape, message",
    [
        (RNN, "W_hh", (4, 3), "W_hh must have shape (hidden, hidden) = (4, 4) to match W_xh (4, 3), got (4, 3)"),
        (LSTM, "W_x", (6, 3), "W_x must be 2-D (4·hidden, input), the gates i, f, g, o stacked, got shape (6, 3)"),
        (LSTM, "W_h", (4, 4), "W_h must have shape (4·hidden, hidden) = (16, 4) to match W_x (16, 3), got (4, 4)"),
        (LSTM, "b", (4,), "b must have shape (4·hidden,) = (16,) to match W_x (16, 3), got (4,)"),
        (GRU, "W_x", (4, 3), "W_x must be 2-D (3·hidden, input), the gates r, z, n stacked, got shape (4, 3)"),
        (GRU, "W_h", (12, 3), "W_h must have shape (3·hidden, hidden) = (12, 4) to match W_x (12, 3), got (12, 3)"),
        (GRU, "b_h", (4,), "b_h must have shape (3·hidden,) = (12,) to match W_x (12, 3), got (4,)"),
    ],
    ids=_name,
)
def test_parameter_errors_name_what_was_expected_and_what_came(kind, name, shape, message):
    params = {**kind.init(3, 4), name: torch.zeros(shape)}
    with pytest.raises(ValueError, match=re.escape(message)):
        kind.forward(np.zeros((2, 5, 3)), params)


@pytest.mark.parametrize(
    "kind, message",
    [
        (RNN, "params must have keys W_xh, W_hh and b_h, missing b_h"),
        (LSTM, "params must have keys W_x, W_h and b, missing b"),
        (GRU, "params must have keys W_x, W_h, b_x and b_h, missing b_h"),
    ],
    ids=_name,
)
def test_a_missing_parameter_is_named(kind, message):
    params = kind.init(3, 4)
    del params[kind.names[-1]]
    with pytest.raises(ValueError, match=message):
        kind.forward(np.zeros((2, 5, 3)), params)
    with pytest.raises(ValueError, match=message):
        kind.to_torch(params)


def test_size_errors(kind):
    with pytest.raises(ValueError, match="hidden_size must be a whole number of at least 1, got 0"):
        kind.init(3, 0)
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got -2"):
        kind.init(-2, 4)
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got -2"):
        kind.parameter_count(-2, 4)
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got -2"):
        kind.torch_parameter_count(-2, 4)
    with pytest.raises(ValueError, match="output_size must be 0 .* got -1"):
        kind.parameter_count(2, 4, -1)


# --- helpers.cells's own functions ------------------------------------------------------------


def test_like_gives_the_kind_and_dtype_of_the_reference():
    as_tensor = cells.like(np.array([1, 2]), torch.zeros(1, dtype=torch.float32))
    assert isinstance(as_tensor, torch.Tensor) and as_tensor.dtype == torch.float32
    assert as_tensor.tolist() == [1.0, 2.0]
    as_array = cells.like([1.5, -2], np.zeros(1, dtype=np.float32))
    assert isinstance(as_array, np.ndarray) and as_array.dtype == np.float32 and as_array.tolist() == [1.5, -2.0]


def test_same_kind_makes_tensors_only_when_a_tensor_is_among_them():
    a, b = np.ones(2), np.zeros(3)
    unchanged = cells.same_kind(a, None, b)
    assert unchanged[0] is a and unchanged[1] is None and unchanged[2] is b
    t = torch.ones(2, dtype=torch.float32)
    a_t, none, b_t, t_again = cells.same_kind(a, None, b, t)
    assert none is None and t_again is t
    assert isinstance(a_t, torch.Tensor) and a_t.dtype == torch.float32 and a_t.tolist() == [1.0, 1.0]
    assert isinstance(b_t, torch.Tensor) and b_t.dtype == torch.float32 and b_t.shape == (3,)


def test_shape_of_and_layer_tensor():
    assert cells.shape_of(np.zeros((2, 3))) == (2, 3) and cells.shape_of(torch.zeros(4, 1, 5)) == (4, 1, 5)
    assert all(type(n) is int for n in cells.shape_of(torch.zeros(2, 3)))
    layer = nn.LSTM(2, 3)
    assert cells.layer_tensor(layer, "weight_hh_l0") is layer.weight_hh_l0
    with pytest.raises(ValueError, match="expected LSTM.bias to be a tensor, got bool"):
        cells.layer_tensor(layer, "bias")


def test_sigmoid_does_not_overflow_and_keeps_the_dtype():
    z = np.array([-1000.0, -30.0, 0.0, 2.5, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = cells.sigmoid(z)
        assert cells.sigmoid(z.astype(np.float32)).dtype == np.float32
    assert np.allclose(values, torch.sigmoid(torch.from_numpy(z)).numpy(), rtol=1e-15, atol=0)
    assert values[0] == 0.0 and values[2] == 0.5 and values[-1] == 1.0
    assert torch.equal(cells.sigmoid(torch.from_numpy(z)), torch.sigmoid(torch.from_numpy(z)))


def test_tanh_works_on_arrays_and_tensors():
    z = np.array([-3.0, 0.0, 0.5])
    assert isinstance(cells.tanh(z), np.ndarray) and np.array_equal(cells.tanh(z), np.tanh(z))
    assert torch.equal(cells.tanh(torch.from_numpy(z)), torch.tanh(torch.from_numpy(z)))


@pytest.mark.parametrize("value", [0, -2, 2.5, "3", None])
def test_check_size_refuses_anything_but_a_whole_number_of_at_least_one(value):
    with pytest.raises(ValueError, match=re.escape(f"steps must be a whole number of at least 1, got {value!r}")):
        cells.check_size("steps", value)


def test_check_size_accepts_whole_numbers_of_at_least_one():
    for value in (1, 7, np.int64(3)):
        cells.check_size("steps", value)


def test_uniform_weights_draws_each_tensor_in_order_within_one_over_root_hidden():
    weights = cells.uniform_weights({"first": (3, 2), "second": (5,)}, 16, torch.Generator().manual_seed(0))
    generator = torch.Generator().manual_seed(0)  # the same draws by hand, first then second, in ±1/√16
    first = torch.empty(3, 2, dtype=torch.float64).uniform_(-0.25, 0.25, generator=generator)
    second = torch.empty(5, dtype=torch.float64).uniform_(-0.25, 0.25, generator=generator)
    assert list(weights) == ["first", "second"]
    assert torch.equal(weights["first"], first) and torch.equal(weights["second"], second)
    many = cells.uniform_weights({"w": (2000,)}, 25, torch.Generator().manual_seed(1))["w"]
    assert many.abs().max() <= 0.2 and many.abs().max() > 0.19 and many.min() < 0 < many.max()
    assert cells.uniform_weights({"w": (2,)}, 4, dtype=torch.float32)["w"].dtype == torch.float32


@pytest.mark.parametrize(
    "gates, input_size, hidden, output, biases, expected",
    [(1, 3, 5, 0, 1, 45), (4, 3, 5, 0, 1, 180), (4, 3, 5, 2, 1, 192), (3, 3, 5, 0, 2, 150), (3, 28, 128, 10, 1, 61578)],
)
def test_stacked_parameter_count_is_gates_times_h_h_plus_d_plus_biases_plus_the_output_layer(
    gates, input_size, hidden, output, biases, expected
):
    assert cells.stacked_parameter_count(gates, input_size, hidden, output, biases) == expected


def test_stacked_parameter_count_errors():
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got 0"):
        cells.stacked_parameter_count(1, 0, 4)
    with pytest.raises(ValueError, match="hidden_size must be a whole number of at least 1, got -1"):
        cells.stacked_parameter_count(1, 3, -1)
    with pytest.raises(ValueError, match=r"output_size must be 0 \(no output layer\) or more, got -1"):
        cells.stacked_parameter_count(1, 3, 4, -1)


def test_torch_weights_and_torch_layer_round_trip(kind):
    source = _random_torch_layer(kind, 3, 4, torch.float64, torch.Generator().manual_seed(0))
    W_x, W_h, b_ih, b_hh = cells.torch_weights(source)
    assert W_x.shape == (kind.gates * 4, 3) and W_h.shape == (kind.gates * 4, 4) and not W_x.requires_grad
    target = cells.torch_layer(type(source), W_x, W_h, b_ih, b_hh)
    assert type(target) is type(source) and target.batch_first and target.input_size == 3 and target.hidden_size == 4
    assert all(torch.equal(a, b) for a, b in zip(target.parameters(), source.parameters(), strict=True))
    target = cells.torch_layer(type(source), W_x.numpy(), W_h.numpy(), b_ih.numpy(), batch_first=False)  # no b_hh
    assert torch.equal(target.bias_ih_l0.detach(), b_ih) and torch.count_nonzero(target.bias_hh_l0) == 0
    assert not target.batch_first and target.weight_ih_l0.dtype == torch.float64
    with torch.no_grad():
        source.weight_ih_l0.zero_()
    assert W_x.abs().sum() > 0, "torch_weights must copy, not share, the weights"
    *_, b_ih, b_hh = cells.torch_weights(kind.layer(3, 4, bias=False))
    assert torch.equal(b_ih, torch.zeros(kind.gates * 4)) and torch.equal(b_hh, b_ih)


def test_check_stacked_params_gives_hidden_and_input():
    params = {"W_x": np.zeros((6, 5)), "W_h": np.zeros((6, 2)), "b": np.zeros(6)}
    assert cells.check_stacked_params(params, ("a", "b", "c"), ("b",)) == (2, 5)


def test_check_state_accepts_none_or_batch_by_hidden():
    cells.check_state("h0", None, 2, 4)
    cells.check_state("h0", torch.zeros(2, 4), 2, 4)
    with pytest.raises(ValueError, match=re.escape("h0 must have shape (batch, hidden) = (2, 4), got (4,)") + "$"):
        cells.check_state("h0", np.zeros(4), 2, 4)
    hint = "c0 must have shape (batch, hidden) = (2, 4), got (1, 2, 4) (torch's layers add a leading layer axis; "
    with pytest.raises(ValueError, match=re.escape(hint + "pass c0[0])")):
        cells.check_state("c0", np.zeros((1, 2, 4)), 2, 4)


def test_check_step_input():
    cells.check_step_input(np.zeros((2, 3)), 4, 3, {"h_prev": np.zeros((2, 4))})
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, input\) = \(batch, 3\), got \(2, 2\)"):
        cells.check_step_input(np.zeros((2, 2)), 4, 3, {"h_prev": np.zeros((2, 4))})
    with pytest.raises(ValueError, match=r"h_prev must have shape \(batch, hidden\) = \(2, 4\), got \(3, 4\)"):
        cells.check_step_input(np.zeros((2, 3)), 4, 3, {"h_prev": np.zeros((3, 4))})


def test_parameter_count_knows_three_kinds_of_cell():
    assert cells.BLOCKS == {"rnn": 1, "gru": 3, "lstm": 4}
    assert cells.parameter_count("lstm", 8, 32) == 4 * 32 * (32 + 8 + 1)
    with pytest.raises(ValueError, match="kind must be one of"):
        cells.parameter_count("transformer", 8, 32)
