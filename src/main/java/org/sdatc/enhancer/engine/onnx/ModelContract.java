package org.sdatc.enhancer.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Checks a stage session's inputs and outputs against {@link ModelStage}'s specs. */
final class ModelContract {
    private ModelContract() {}

    static void check(ModelStage stage, OrtSession session, Path file, ModelManifest manifest) {
        try {
            OnnxJavaType data =
                    manifest.dtype() == ModelManifest.Dtype.FP16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
            List<TensorSpec> inputs = stage.inputs(manifest);
            checkAll(stage, "input", inputs, session.getInputInfo(), file, data);
            for (String name : session.getInputInfo().keySet()) {
                if (inputs.stream().noneMatch(s -> s.name().equals(name))) {
                    throw new ModelContractException(file + " (" + stage.key() + " input \"" + name
                            + "\"): the engine does not feed this input; it feeds "
                            + inputs.stream().map(TensorSpec::name).toList()
                            + (name.equals("hint")
                                    ? ". A model that takes the segment's compression hint says \"hint_input\": true in "
                                            + ModelManifest.FILE_NAME
                                    : ""));
                }
            }
            checkAll(stage, "output", stage.outputs(manifest), session.getOutputInfo(), file, data);
        } catch (OrtException e) {
            throw new ModelContractException(file + ": cannot read the graph's inputs/outputs: " + e.getMessage(), e);
        }
    }

    private static void checkAll(
            ModelStage stage,
            String kind,
            List<TensorSpec> specs,
            Map<String, NodeInfo> actual,
            Path file,
            OnnxJavaType data) {
        for (TensorSpec spec : specs) {
            String where = file + " (" + stage.key() + " " + kind + " \"" + spec.name() + "\")";
            NodeInfo node = actual.get(spec.name());
            if (node == null) {
                throw new ModelContractException(where + ": missing; the contract expects " + kind + "s named "
                        + specs.stream().map(TensorSpec::name).toList() + ", the graph has " + actual.keySet());
            }
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new ModelContractException(where + ": expected a tensor, got " + node.getInfo());
            }
            OnnxJavaType want = spec.element() == TensorSpec.Element.INT64 ? OnnxJavaType.INT64 : data;
            if (info.type != want) {
                throw new ModelContractException(where + ": expected element type " + want + ", got " + info.type
                        + (spec.element() == TensorSpec.Element.DATA ? " (manifest dtype is " + data + ")" : ""));
            }
            long[] shape = info.getShape();
            int[] dims = spec.dims();
            if (shape.length != dims.length) {
                throw new ModelContractException(where + ": expected rank " + dims.length + " " + spec.describe()
                        + ", got rank " + shape.length + " " + Arrays.toString(shape));
            }
            for (int i = 0; i < dims.length; i++) {
                boolean symbolic = shape[i] < 0;
                boolean ok = switch (dims[i]) {
                    case TensorSpec.ANY -> true;
                    case TensorSpec.DYNAMIC -> symbolic;
                    default -> symbolic || shape[i] == dims[i];
                };
                if (!ok) {
                    throw new ModelContractException(where + ": axis " + i + " expected " + spec.describe()
                            + ", got " + Arrays.toString(shape) + " (-1 = symbolic)"
                            + (dims[i] == TensorSpec.DYNAMIC ? "; export this axis as a symbolic dimension" : ""));
                }
            }
        }
    }
}
