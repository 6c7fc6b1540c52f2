package org.sdatc.enhancer.eval;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.sdatc.enhancer.media.MediaException;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.VideoFrames;
import org.sdatc.enhancer.tensor.Image;

/**
 * Reads ground-truth clips, a folder of PNG frames (in name order, numbers compared as numbers) or
 * a video file, and refuses what the protocol cannot use with an error that names the file and the
 * fix: a missing path, a folder without PNGs, frames of mixed sizes, a size not divisible by 4 for
 * the x4 degradation (by 8, so that the low-resolution stream has the even size H.264 4:2:0 needs),
 * frames so small that the low-resolution side is under 16 pixels (the engine's minimum), and fewer
 * than {@link #MIN_FRAMES} frames.
 */
public final class GroundTruthReader {
    /** One window of the pipeline: the temporal metrics and the enhancers need this many frames. */
    public static final int MIN_FRAMES = 5;

    /** Smallest ground-truth side: x4 down gives 16 pixels, the smallest frame the engine takes. */
    static final int MIN_SIDE = 64;

    private final Rational folderFrameRate;
    private final int maxFrames;

    /**
     * @param folderFrameRate the rate of a folder of frames (a PNG carries none)
     * @param maxFrames read at most this many frames of each clip (the first ones)
     */
    public GroundTruthReader(Rational folderFrameRate, int maxFrames) {
        if (maxFrames < MIN_FRAMES) {
            throw new EvalInputException(
                    "--frames " + maxFrames + " is too few: eval needs at least " + MIN_FRAMES + " frames per clip");
        }
        this.folderFrameRate = folderFrameRate;
        this.maxFrames = maxFrames;
    }

    /** What {@link #read} would load, checked without decoding a folder's frames (only their headers). */
    public record Probe(String name, Path source, int width, int height, int frames) {}

    public Probe probe(Path source) {
        requireExists(source);
        if (Files.isDirectory(source)) {
            List<Path> files = pngs(source);
            int[] first = pngSize(files.get(0));
            for (Path f : files) {
                int[] size = pngSize(f);
                if (size[0] != first[0] || size[1] != first[1]) {
                    throw mixedSizes(source, files.get(0), first, f, size);
                }
            }
            checkSize(source, first[0], first[1]);
            checkCount(source, files.size());
            return new Probe(nameOf(source), source, first[0], first[1], files.size());
        }
        GroundTruth gt = read(source);
        return new Probe(gt.name(), source, gt.width(), gt.height(), gt.frameCount());
    }

    public GroundTruth read(Path source) {
        requireExists(source);
        List<Image> frames = new ArrayList<>();
        Rational rate;
        if (Files.isDirectory(source)) {
            List<Path> files = pngs(source);
            for (Path f : files) {
                Image image = readPng(f);
                if (!frames.isEmpty() && !sameSize(image, frames.get(0))) {
                    throw mixedSizes(
                            source,
                            files.get(0),
                            new int[] {frames.get(0).width(), frames.get(0).height()},
                            f,
                            new int[] {image.width(), image.height()});
                }
                frames.add(image);
            }
            rate = folderFrameRate;
        } else {
            VideoFrames.Clip clip;
            try {
                clip = VideoFrames.read(source, maxFrames);
            } catch (MediaException e) {
                throw new EvalInputException("ground truth " + source + ": " + e.getMessage()
                        + " (--hr takes a folder of PNG frames or a video file)");
            }
            if (clip.frames().isEmpty()) {
                throw new EvalInputException("ground truth video " + source + " holds no frames; give a clip of at"
                        + " least " + MIN_FRAMES + " frames");
            }
            frames = clip.frames();
            rate = clip.frameRate() != null ? clip.frameRate() : folderFrameRate;
        }
        checkSize(source, frames.get(0).width(), frames.get(0).height());
        checkCount(source, frames.size());
        return new GroundTruth(nameOf(source), source, frames, rate);
    }

    private static void requireExists(Path source) {
        if (!Files.exists(source)) {
            throw new EvalInputException("ground truth " + source + " does not exist: --hr takes a folder of PNG"
                    + " frames (001.png, 002.png, ...) or a video file");
        }
    }

    private List<Path> pngs(Path folder) {
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString(), GroundTruthReader::byNameAndNumber))
                    .toList();
        } catch (IOException e) {
            throw new EvalInputException("cannot list ground-truth folder " + folder + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new EvalInputException("ground-truth folder " + folder + " holds no .png frames; put the clip's"
                    + " frames there as 001.png, 002.png, ... or give a video file");
        }
        return files.size() > maxFrames ? files.subList(0, maxFrames) : files;
    }

    private static void checkSize(Path source, int width, int height) {
        if (width < MIN_SIDE || height < MIN_SIDE) {
            throw new EvalInputException("ground truth " + source + ": frames are " + width + "x" + height
                    + "; eval needs at least " + MIN_SIDE + "x" + MIN_SIDE + " (x4 down to 16x16, the smallest frame"
                    + " the engine takes): use a larger clip");
        }
        if (width % 8 != 0 || height % 8 != 0) {
            int w = width / 8 * 8;
            int h = height / 8 * 8;
            String why = width % 4 != 0 || height % 4 != 0
                    ? "not divisible by 4, as the x4 degradation needs"
                    : "divisible by 4, but the x4 low-resolution size " + width / 4 + "x" + height / 4
                            + " is odd and H.264 4:2:0 needs even sizes (so eval needs multiples of 8)";
            throw new EvalInputException("ground truth " + source + ": frames are " + width + "x" + height + ", " + why
                    + "; crop the frames to " + w + "x" + h + ", e.g. ffmpeg -i IN -vf crop=" + w + ":" + h
                    + ":0:0 OUT");
        }
    }

    private static void checkCount(Path source, int frames) {
        if (frames < MIN_FRAMES) {
            throw new EvalInputException("ground truth " + source + " has " + frames + " frame"
                    + (frames == 1 ? "" : "s") + "; eval needs at least " + MIN_FRAMES
                    + " (one window of the pipeline, and frame pairs for the temporal metrics): add frames");
        }
    }

    private static EvalInputException mixedSizes(Path folder, Path first, int[] firstSize, Path odd, int[] oddSize) {
        return new EvalInputException("ground-truth folder " + folder + " mixes frame sizes: " + odd.getFileName()
                + " is " + oddSize[0] + "x" + oddSize[1] + " but " + first.getFileName() + " is " + firstSize[0] + "x"
                + firstSize[1] + "; every frame of a clip must have one size: move " + odd.getFileName()
                + " out or resize it");
    }

    private static boolean sameSize(Image a, Image b) {
        return a.width() == b.width() && a.height() == b.height();
    }

    private static int[] pngSize(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw notPng(file, "not an image Java can read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw notPng(file, e.getMessage());
        }
    }

    private static Image readPng(Path file) {
        BufferedImage src;
        try {
            src = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw notPng(file, e.getMessage());
        }
        if (src == null) {
            throw notPng(file, "not an image Java can read");
        }
        int w = src.getWidth();
        int h = src.getHeight();
        byte[] rgb = new byte[w * h * 3];
        if (src.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] bgr = ((DataBufferByte) src.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < w * h; i++) {
                rgb[3 * i] = bgr[3 * i + 2];
                rgb[3 * i + 1] = bgr[3 * i + 1];
                rgb[3 * i + 2] = bgr[3 * i];
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                src.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) (row[x] >> 16);
                    rgb[o + 1] = (byte) (row[x] >> 8);
                    rgb[o + 2] = (byte) row[x];
                }
            }
        }
        return new Image(w, h, rgb);
    }

    private static EvalInputException notPng(Path file, String why) {
        return new EvalInputException(
                "ground-truth frame " + file + " cannot be read (" + why + "); replace it with a valid PNG");
    }

    private static String nameOf(Path source) {
        String name = source.toAbsolutePath().normalize().getFileName().toString();
        int dot = name.lastIndexOf('.');
        return Files.isDirectory(source) || dot <= 0 ? name : name.substring(0, dot);
    }

    /** Names compared piecewise, runs of digits by value: 2.png before 10.png. */
    static int byNameAndNumber(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
