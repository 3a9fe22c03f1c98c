"""pytest set-up shared by the unit tests and the nbval notebook runs.

nbval 0.11 reads every stream/display message of a cell as that cell's output, including the ones
an ipywidgets Output widget captures (`interact`, `with out:`). In a notebook those land inside the
widget, not in the cell, so nbval would report "dissimilar number of outputs". The widget's comm
state carries a non-empty `msg_id` while it captures and an empty one after; we drop the messages
sent while any Output widget captures. Errors are never dropped, so a failing callback still fails.

nbval also runs cells with store_history=False, and then IPython cannot see a trailing `;` (it looks
for it in the history), so `plt.plot(...);` or `interact(...);` would show a result under nbval that
the stored notebook does not have. We run cells with history, as Jupyter does.
"""

import torch
from nbval.kernel import RunningKernel
from nbval.plugin import IPyNbFile

# Tests run torch on one thread, as every notebook does (setup_notebook): the same numbers, and tiny
# recurrent steps are far faster without a thread pool (300 LSTM steps: 3 s on 2 threads, 0.1 s on 1).
torch.set_num_threads(1)

CAPTURED_MESSAGE_TYPES = {"stream", "display_data", "update_display_data", "clear_output"}
_read_kernel_message = IPyNbFile.get_kernel_message


def _capture_change(message: dict) -> tuple[str, bool] | None:
    """(comm id, capturing?) when a comm message switches an Output widget's capture on or off."""
    if message["msg_type"] not in ("comm_open", "comm_msg"):
        return None
    content = message["content"]
    state = content.get("data", {}).get("state", {})
    if "msg_id" not in state:
        return None
    return content["comm_id"], bool(state["msg_id"])


def get_kernel_message_skipping_captured(self, timeout=None, stream="iopub"):
    """Like nbval's reader, but skip output that an Output widget captures."""
    capturing = self.__dict__.setdefault("_capturing_output_widgets", set())
    while True:
        message = _read_kernel_message(self, timeout=timeout, stream=stream)
        if stream != "iopub":
            return message
        change = _capture_change(message)
        if change is not None:
            comm_id, active = change
            (capturing.add if active else capturing.discard)(comm_id)
        elif capturing and message["msg_type"] in CAPTURED_MESSAGE_TYPES:
            continue
        return message


IPyNbFile.get_kernel_message = get_kernel_message_skipping_captured


def execute_cell_input_with_history(self, cell_input, allow_stdin=None):
    """Like nbval's executor, but with store_history=True, as in Jupyter, so that `;` works."""
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


RunningKernel.execute_cell_input = execute_cell_input_with_history
