"""Shared by the tests: one thread, synthetic clips (no ffmpeg), the CLI as a function."""

import contextlib
import io
from pathlib import Path

import numpy as np
import torch

torch.set_num_threads(1)


def write_clips(folder, n=3, frames=6, side=64, seed=0):
    """Smooth moving patterns as make_clips would store them (hr uint8 [T, S, S, 3], lq [T, S/4, S/4, 3], crf)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    for i in range(n):
        f = rng.uniform(3, 9, size=(3, 2))
        hr = np.stack([np.stack([np.sin((xx + 2 * t) / f[c, 0]) * np.cos((yy - t) / f[c, 1]) for c in range(3)], -1)
                       for t in range(frames)])
        hr = ((hr + 1) * 127.5).astype(np.uint8)
        lq = hr.reshape(frames, side // 4, 4, side // 4, 4, 3).mean((2, 4)).astype(np.uint8)
        np.savez(folder / f"clip{i}.npz", hr=hr, lq=lq, crf=15 + 10 * i)
    return folder


def run_cli(*argv):
    """python3 -m sdatc_training ARGV; returns what it printed."""
    from sdatc_training.__main__ import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main([str(a) for a in argv])
    return out.getvalue()


def perturb(module, scale=0.05, seed=0):
    """Random values on every parameter (zero and identity inits included)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * scale)
    return module


def graph_signature(model):
    """What an export bakes in: every node's op and attributes, integer constants and integer
    initialisers. Two exports of one module from example inputs of different sizes have the same
    signature iff no example size was frozen into the graph (a runtime-free check of dynamic axes)."""
    import onnx
    from onnx import numpy_helper

    def attr(a):
        if a.type == onnx.AttributeProto.TENSOR:
            return numpy_helper.to_array(a.t).tolist() if a.t.data_type == onnx.TensorProto.INT64 else "float tensor"
        return onnx.helper.get_attribute_value(a)

    nodes = [(n.op_type, len(n.input), [(a.name, str(attr(a))) for a in n.attribute]) for n in model.graph.node]
    ints = sorted((i.name, numpy_helper.to_array(i).tolist()) for i in model.graph.initializer
                  if i.data_type == onnx.TensorProto.INT64)
    return nodes, ints


def export_to_memory(module, inputs, outputs, dynamic):
    import io
    import onnx
    f = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module.eval(), tuple(inputs.values()), f, opset_version=17, input_names=list(inputs),
                          output_names=outputs, dynamic_axes=dynamic, do_constant_folding=True)
    return onnx.load_from_string(f.getvalue())


def quiet_export_warnings():
    import warnings
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", module="torch")
    try:
        from torch.jit import TracerWarning
        warnings.filterwarnings("ignore", category=TracerWarning)
    except ImportError:
        pass
