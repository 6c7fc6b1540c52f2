package org.sdatc.enhancer.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one command line: {@code demo}, {@code run}, {@code enhance}, {@code produce}, {@code model}, {@code eval}, {@code bench}. */
@Command(
        name = "sdatc-enhancer",
        mixinStandardHelpOptions = true,
        version = "sdatc-enhancer 0.1.0",
        description = "Live x4 super-resolution of compressed video segments on Kafka.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            EnhanceCommand.class,
            ProduceCommand.class,
            ModelCommand.class,
            EvalCommand.class,
            BenchCommand.class
        })
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // FFmpeg logs every damaged packet of bad input to stderr; the dead-letter record already
        // names the stream, segment and cause, so only FFmpeg's own errors get through.
        org.bytedeco.ffmpeg.global.avutil.av_log_set_level(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Errors users can act on (configuration, missing files) print one clear line, not a trace.
            if (e instanceof ConfigException || e instanceof UserError) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
