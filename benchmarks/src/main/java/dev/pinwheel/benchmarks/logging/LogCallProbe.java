package dev.pinwheel.benchmarks.logging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.log.LogCounters;

/**
 * The latency of single log calls on the calling thread, as a shard sees it: lines at a steady pace (a pause
 * between two lines, so that the asynchronous writer keeps up), each call timed alone, percentiles from an
 * HdrHistogram. Backends as in {@link LogCallBenchmark}: {@code slf4j-simple} (synchronous, the old binding) or
 * {@code log4j2-async} (the server's configuration), both writing to a file.
 * <pre>
 *   java @jvm-flags/profiles/modules.args -cp benchmarks/target/pinwheel-benchmarks.jar \
 *        dev.pinwheel.benchmarks.logging.LogCallProbe log4j2-async 200000 20
 * </pre>
 * Arguments: backend, lines (default 200,000), pause between lines in µs (default 20). Prints one line of results.
 */
public final class LogCallProbe
{
    private LogCallProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String backend = args.length > 0 ? args[0] : "log4j2-async";
        final int lines = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        final long pauseNanos = TimeUnit.MICROSECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 20);
        final Path file = Files.createTempFile("pinwheel-log-probe", ".log");
        final Logger log;
        if ("slf4j-simple".equals(backend))
        {
            System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
            log = new org.slf4j.simple.SimpleLoggerFactory().getLogger("dev.pinwheel.bench.Shard");
        }
        else
        {
            final Path config = Files.createTempFile("pinwheel-log-probe", ".xml");
            Files.writeString(config, """
                <Configuration status="warn">
                  <Appenders>
                    <File name="file" fileName="%s" immediateFlush="true">
                      <PatternLayout pattern="%%d{HH:mm:ss.SSS} [%%t] %%level %%c - %%m%%n"/>
                    </File>
                  </Appenders>
                  <Loggers><Root level="info"><AppenderRef ref="file"/></Root></Loggers>
                </Configuration>
                """.formatted(file));
            System.setProperty("log4j2.configurationFile", config.toString());
            log = LoggerFactory.getLogger("dev.pinwheel.bench.Shard");
        }
        final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        final int warmup = lines / 4;
        for (int i = -warmup; i < lines; i++)
        {
            final long t0 = System.nanoTime();
            log.info("shard {}: op 4 refused: user {} guild {}: channel full", 1, 1_234_567_890_123L + i, 42L);
            final long t = System.nanoTime() - t0;
            if (i >= 0)
            {
                h.recordValue(t);
            }
            LockSupport.parkNanos(pauseNanos);
        }
        System.out.printf("%s: %d lines, ns per call p50 %d p90 %d p99 %d p99.9 %d max %d, mean %.0f; dropped %d%n",
            backend, lines, h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
            h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean(), LogCounters.droppedTotal());
        System.out.printf("calls over 1 ms: %d%n", h.getCountBetweenValues(1_000_000, h.getMaxValue()));
        Files.deleteIfExists(file);
        System.exit(0);
    }
}
