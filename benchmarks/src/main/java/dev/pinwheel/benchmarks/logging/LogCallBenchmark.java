package dev.pinwheel.benchmarks.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.log.LogCounters;

/**
 * What one log line costs the thread that logs it (a shard thread), before and after the move from slf4j-simple to
 * Log4j 2 async loggers, both writing the same kind of line to a file:
 * <ul>
 *   <li>{@code slf4j-simple}: formats and writes on the calling thread, under the print stream's lock;</li>
 *   <li>{@code log4j2-async}: the server's configuration ({@code log4j2.component.properties} of the server jar:
 *   every logger async, Sleep wait strategy, drop-and-count when full); the caller only fills a ring slot.</li>
 * </ul>
 * {@code work} is CPU burnt between two lines ({@link Blackhole#consumeCPU}) so that the async writer can keep up
 * (a shard logs now and then, not in a tight loop); {@code baseline} is the same work without the line: the cost of
 * the line is the difference. At {@code work=0} the async ring fills and lines are dropped: that measures the
 * never-block path. Run with {@code -t 1} and {@code -t 2} (two shard threads logging at once), {@code -prof gc}.
 * <pre>
 *   benchmarks/run.sh jmh LogCallBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseSerialGC"})
public class LogCallBenchmark
{
    @Param({"slf4j-simple", "log4j2-async"})
    public String backend;

    @Param({"1000"})
    public long work;

    private Logger log;
    private Path file;
    private long dropsBefore;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        file = Files.createTempFile("pinwheel-log-bench", ".log");
        if ("slf4j-simple".equals(backend))
        {
            System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
            log = new org.slf4j.simple.SimpleLoggerFactory().getLogger("dev.pinwheel.bench.Shard");
        }
        else
        {
            final Path config = Files.createTempFile("pinwheel-log-bench", ".xml");
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
            if (!log.getClass().getName().startsWith("org.apache.logging"))
            {
                throw new IllegalStateException("SLF4J is not bound to Log4j: " + log.getClass());
            }
        }
        dropsBefore = LogCounters.droppedTotal();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        System.out.println("\n" + backend + ": lines dropped " + (LogCounters.droppedTotal() - dropsBefore)
            + ", file " + Files.size(file) + " B");
        Files.deleteIfExists(file);
    }

    @Benchmark
    public void baseline()
    {
        Blackhole.consumeCPU(work);
    }

    @Benchmark
    public void logLine()
    {
        Blackhole.consumeCPU(work);
        log.info("shard {}: op 4 refused: user {} guild {}: channel full", 1, 1_234_567_890_123L, 42L);
    }
}
