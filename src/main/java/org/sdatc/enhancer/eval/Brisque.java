package org.sdatc.enhancer.eval;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_quality.QualityBRISQUE;
import org.sdatc.enhancer.tensor.Image;

/**
 * BRISQUE (Mittal, Moorthy and Bovik 2012), a no-reference naturalness score: 0 is best, about 100
 * worst. It runs offline with OpenCV's quality module (JavaCV) and the LIVE-trained SVM that
 * Debian's {@code opencv-data} package ships. When the model files are missing the scorer is
 * {@linkplain #available() unavailable}, every score is null and {@link #status()} says why and how
 * to install them. Not thread-safe: one instance per evaluation.
 */
public final class Brisque implements AutoCloseable {
    /** Where {@code apt-get install opencv-data} puts the model files. */
    public static final Path DEBIAN_MODELS = Path.of("/usr/share/opencv4/quality");

    static final String MODEL_FILE = "brisque_model_live.yml";
    static final String RANGE_FILE = "brisque_range_live.yml";

    private final QualityBRISQUE quality;
    private final String status;

    private Brisque(QualityBRISQUE quality, String status) {
        this.quality = quality;
        this.status = status;
    }

    /** A scorer from {@code dir}'s model files; never throws: unavailable, with the reason, if they do not load. */
    public static Brisque open(Path dir) {
        Path model = dir.resolve(MODEL_FILE);
        Path range = dir.resolve(RANGE_FILE);
        if (!Files.isReadable(model) || !Files.isReadable(range)) {
            return new Brisque(
                    null,
                    "not computed: the BRISQUE model files " + model + " and " + range + " are missing; install"
                            + " Debian's opencv-data (apt-get install -y opencv-data) or point --brisque-models at a"
                            + " folder that holds them");
        }
        try {
            QualityBRISQUE q = QualityBRISQUE.create(model.toString(), range.toString());
            return new Brisque(q, "OpenCV quality BRISQUE, model " + model + ", range " + range);
        } catch (RuntimeException e) {
            return new Brisque(null, "not computed: OpenCV could not load " + model + ": " + e.getMessage());
        }
    }

    public boolean available() {
        return quality != null;
    }

    /** Which model files score, or why nothing is scored. */
    public String status() {
        return status;
    }

    /** The frame's score (of its grey image), or NaN when unavailable. */
    public double score(Image image) {
        if (quality == null) {
            return Double.NaN;
        }
        try (Mat rgb = new Mat(image.height(), image.width(), CV_8UC3);
                Mat gray = new Mat()) {
            rgb.data().put(image.rgb());
            cvtColor(rgb, gray, COLOR_RGB2GRAY);
            try (Scalar s = quality.compute(gray)) {
                return s.get(0);
            }
        }
    }

    @Override
    public void close() {
        if (quality != null) {
            quality.close();
        }
    }
}
