"""Training side of sdatc-enhancer: the SDATC model defined once in PyTorch, its data, training
loops and ONNX export in the layout of docs/model-contract.md."""
