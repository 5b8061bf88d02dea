"""The MiniLM encoder layers as an ONNX graph, run by onnxruntime (the faster backend).

There is no exported ``.onnx`` file for all-MiniLM-L6-v2 that we could ship without torch, so
the graph is written here node by node from the same repacked float32 weights the numpy forward
pass uses (:class:`perimeter.routing.embeddings.MiniLM`): the two compute the same function and
agree to ~1e-7.  onnxruntime runs it about 1.7x faster, mostly for a reason numpy cannot avoid:
it packs each weight matrix for its GEMM kernel once, when the session is created, whereas
OpenBLAS re-packs the weights on every call (with pre-packing turned off, the same session takes
~9.3 ms instead of ~6.8 ms CPU for 32 tokens; numpy takes ~11; docs/routing.md has the figures).

The graph takes the embedding-layer output (tokens x 384; the table lookup stays in numpy) and
returns the mean-pooled last hidden state (384).  It is built in memory at start-up (~0.3 s);
nothing is downloaded or written to disk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]

OPSET = 17  # LayerNormalization is in the default domain from opset 17
IR_VERSION = 8


class LayerWeights(Protocol):
    """What :class:`perimeter.routing.embeddings._Layer` provides (repacked, ``x @ W`` layout)."""

    qkv_w: Array
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1_w: Array
    ln1_b: Array
    up_w: Array
    up_b: Array
    down_w: Array
    down_b: Array
    ln2_w: Array
    ln2_b: Array


def available() -> bool:
    """Whether both ``onnx`` (to build the graph) and ``onnxruntime`` (to run it) import."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def quantize_columns(w: Array) -> tuple[npt.NDArray[np.int8], Array]:
    """Symmetric per-output-column int8 weights and their scales (``w ≈ q * scale``)."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def build_model(layers: Sequence[LayerWeights], heads: int, hidden: int, eps: float = 1e-12,
                *, int8: bool = False) -> Any:
    """An ``onnx.ModelProto``: post-LayerNorm BERT layers + mean pooling, exact erf GELU.

    ``int8``: the four dense layers of each block use int8 weights (per output column) and
    onnxruntime's ``DynamicQuantizeMatMul`` (activations quantized per call).  About twice as
    fast again, but the vectors are no longer MiniLM's to 1e-4 (cosine ~0.99 to float32);
    docs/routing.md has the measured effect on routing quality.
    """
    from onnx import TensorProto, helper, numpy_helper

    hd = hidden // heads
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: Any) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], **attrs: Any) -> str:
        out = f"n{len(nodes)}_{op}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def dense(inp: str, name: str, w: Array, b: Array) -> str:
        """``inp @ w + b``."""
        if not int8:
            return node("Add", [node("MatMul", [inp, const(name + ".w", w)]), const(name + ".b", b)])
        q, scale = quantize_columns(w)
        return node("DynamicQuantizeMatMul", [inp, const(name + ".wq", q), const(name + ".scale", scale),
                                              const(name + ".zero", np.zeros(len(scale), dtype=np.int8)),
                                              const(name + ".b", b)], domain="com.microsoft")

    split = const("split_heads", np.array([0, 3, heads, hd], dtype=np.int64))
    merge = const("merge_heads", np.array([0, hidden], dtype=np.int64))
    picks = [const(f"pick{i}", np.array(i, dtype=np.int64)) for i in range(3)]
    inv_sqrt2 = const("inv_sqrt2", np.array(1.0 / math.sqrt(2.0), dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))

    x = "x"
    for i, lay in enumerate(layers):
        p = f"layer{i}."
        qkv = dense(x, p + "qkv", lay.qkv_w, lay.qkv_b)
        # (T, 3·heads·hd) -> (3, heads, T, hd); Q already carries the 1/sqrt(hd) scale.
        qkvh = node("Transpose", [node("Reshape", [qkv, split])], perm=[1, 2, 0, 3])
        q, k, v = (node("Gather", [qkvh, pick], axis=0) for pick in picks)
        probs = node("Softmax", [node("MatMul", [q, node("Transpose", [k], perm=[0, 2, 1])])], axis=-1)
        ctx = node("Reshape", [node("Transpose", [node("MatMul", [probs, v])], perm=[1, 0, 2]), merge])
        attn = dense(ctx, p + "out", lay.out_w, lay.out_b)
        x = node("LayerNormalization", [node("Add", [attn, x]), const(p + "ln1_w", lay.ln1_w),
                                        const(p + "ln1_b", lay.ln1_b)], axis=-1, epsilon=eps)
        up = dense(x, p + "up", lay.up_w, lay.up_b)
        erf = node("Erf", [node("Mul", [up, inv_sqrt2])])
        gelu = node("Mul", [node("Mul", [up, node("Add", [erf, one])]), half])  # onnxruntime fuses this
        down = dense(gelu, p + "down", lay.down_w, lay.down_b)
        x = node("LayerNormalization", [node("Add", [down, x]), const(p + "ln2_w", lay.ln2_w),
                                        const(p + "ln2_b", lay.ln2_b)], axis=-1, epsilon=eps)
    nodes.append(helper.make_node("ReduceMean", [x], ["pooled"], axes=[0], keepdims=0))
    graph = helper.make_graph(
        nodes, "minilm_l6_layers",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["tokens", hidden])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [hidden])],
        inits,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="perimeter")
    model.ir_version = IR_VERSION
    return model


class OnnxLayers:
    """A single-threaded onnxruntime session over :func:`build_model`; ``pooled(x)`` -> (384,)."""

    def __init__(self, layers: Sequence[LayerWeights], heads: int, hidden: int, *, threads: int = 1,
                 int8: bool = False) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        # One request's prompt is small: a second thread mostly waits, and on a shared or busy
        # host it competes with the event loop (measured in docs/routing.md).
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        blob = build_model(layers, heads, hidden, int8=int8).SerializeToString()
        self._session = ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])

    def pooled(self, x: Array) -> Array:
        """Mean over tokens of the last layer's states; ``run`` releases the GIL and is thread-safe."""
        out = self._session.run(["pooled"], {"x": x})[0]
        return np.asarray(out, dtype=np.float32)
