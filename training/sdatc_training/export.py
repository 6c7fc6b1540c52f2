"""Export to the model-contract layout (docs/model-contract.md, contract 2): one ONNX graph per
stage (opset 17), manifest.json, and parity fixtures: fixed inputs and the PyTorch module's outputs
for each stage, which the Java build runs through ONNX Runtime and compares (max abs error)."""

import json
import time
from pathlib import Path

import numpy as np
import torch

OPSET = 17
CONTRACT = 2
PARITY_DIR = "parity"


def export_stage(module, out_dir, stage, inputs, output_names, dynamic_axes):
    """Writes OUT/<stage>.onnx and OUT/parity/<stage>.json with its fixtures.

    inputs: ordered dict name -> example tensor (also the parity input); output_names: graph
    output names in the order the module returns them; dynamic_axes: as torch.onnx.export.
    Returns (file name, seconds to export, bytes)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    module = module.eval()
    file = f"{stage}.onnx"
    started = time.time()
    with torch.no_grad():
        torch.onnx.export(module, tuple(inputs.values()), str(out_dir / file), opset_version=OPSET,
                          input_names=list(inputs), output_names=output_names, dynamic_axes=dynamic_axes,
                          do_constant_folding=True)
        outputs = module(*inputs.values())
    seconds = time.time() - started
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    write_parity(out_dir, stage, inputs, dict(zip(output_names, outputs)))
    return file, seconds, (out_dir / file).stat().st_size


def write_parity(out_dir, stage, inputs, outputs, tolerance=1e-4):
    """parity/<stage>.json: {"inputs": {name: {shape, dtype, file}}, "outputs": {...}, "tolerance"};
    each tensor a raw little-endian file (float32 or int64)."""
    pdir = Path(out_dir) / PARITY_DIR
    pdir.mkdir(parents=True, exist_ok=True)

    def dump(kind, tensors):
        entries = {}
        for name, t in tensors.items():
            a = t.detach().cpu().numpy()
            a = a.astype("<i8") if a.dtype.kind in "iu" else a.astype("<f4")
            f = f"{stage}.{kind}.{name}.bin"
            a.tofile(pdir / f)
            entries[name] = {"shape": list(a.shape), "dtype": "int64" if a.dtype.kind == "i" else "float32", "file": f}
        return entries

    spec = {"stage": stage, "inputs": dump("in", inputs), "outputs": dump("out", outputs), "tolerance": tolerance}
    (pdir / f"{stage}.json").write_text(json.dumps(spec, indent=2) + "\n")


def write_manifest(out_dir, manifest):
    manifest = {"contract": CONTRACT, **manifest}
    (Path(out_dir) / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
