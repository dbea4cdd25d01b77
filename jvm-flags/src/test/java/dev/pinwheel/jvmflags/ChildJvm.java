package dev.pinwheel.jvmflags;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child JVM to completion with a bounded wait; its output goes to a file (no pipe to drain).
 */
final class ChildJvm
{
    /** Generous: the latency profile pre-touches a 4 GiB heap, which takes ~8 s on the 2-core VM. */
    static final long TIMEOUT_SECONDS = 120;

    private ChildJvm()
    {
    }

    /** Exit status and combined stdout/stderr of a finished child. */
    record Result(int exitCode, String output, long millis)
    {
    }

    static Path javaOf(final Path javaHome)
    {
        return javaHome.resolve("bin").resolve("java");
    }

    static Result run(final Path java, final Path workDir, final List<String> args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(args);
        final Path log = Files.createTempFile(workDir, "child-", ".out");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        final long start = System.nanoTime();
        final Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child JVM did not finish in " + TIMEOUT_SECONDS + " s: " + command + "\n"
                + Files.readString(log, StandardCharsets.UTF_8));
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), millis);
    }
}
