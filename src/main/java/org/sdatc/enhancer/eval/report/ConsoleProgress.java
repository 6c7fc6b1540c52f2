package org.sdatc.enhancer.eval.report;

import java.io.PrintStream;
import java.util.Locale;
import org.sdatc.enhancer.eval.Evaluation;

/**
 * A one-line progress bar on the terminal: share done, units (frames and frame pairs), what is being
 * worked on and the time left, redrawn with a carriage return at most five times a second.
 */
public final class ConsoleProgress implements Evaluation.Progress {
    private static final int BAR = 28;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private long total;
    private long done;
    private long started;
    private long lastDraw;
    private int lastLength;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void start(long units) {
        total = Math.max(1, units);
        started = System.nanoTime();
        draw("checking the ground truth");
    }

    @Override
    public void advance(String what) {
        done++;
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS || done == total) {
            draw(what);
        }
    }

    @Override
    public void finish() {
        out.println();
        out.flush();
    }

    private void draw(String what) {
        lastDraw = System.nanoTime();
        double share = Math.min(1, (double) done / total);
        int filled = (int) Math.round(share * BAR);
        double elapsed = (lastDraw - started) / 1e9;
        String eta = done == 0 ? "--" : duration(elapsed / done * (total - done));
        String line = String.format(
                Locale.ROOT,
                "\r[%s%s] %3.0f%%  %s  ETA %s",
                "#".repeat(filled),
                ".".repeat(BAR - filled),
                share * 100,
                what,
                eta);
        // Blank out what a longer previous line left behind.
        int pad = Math.max(0, lastLength - line.length());
        out.print(line + " ".repeat(pad));
        out.flush();
        lastLength = line.length();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
