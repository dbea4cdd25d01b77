package dev.pinwheel.server.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What every child server JVM of this test JVM shares: a class path of jars only, and a class-data-sharing archive of
 * the classes a server loads, made once per test JVM.
 * <p>
 * A server JVM spends most of its 2.3–2.9 s to serving here on loading and verifying classes (Netty, Chronicle, Aeron,
 * Jackson, Log4j, Pinwheel's). The JVM can map them from an archive instead ({@code -XX:SharedArchiveFile}): about
 * 1.1–1.5 s to serving, measured on an idle box. The server tests start a server JVM for every cluster node and every
 * crash, so this is minutes of a CI run.
 * <p>
 * The archive can only hold classes from jars, and the test class path has two directories ({@code target/classes}
 * and {@code target/test-classes} of this module). They are copied into jars under {@code target/child-jvm-PID/} once,
 * and the child JVMs get the same class path with the jars in their place (the JVM refuses an archive whose class path
 * differs). The archive comes from one training run: a one-member cluster node started with
 * {@code -XX:ArchiveClassesAtExit}, asked for {@code /api/v10/gateway}, and stopped with SIGTERM (a node killed with
 * SIGKILL writes no archive, and most tests end their nodes so). The training costs about 5 s once.
 * <p>
 * The archive only saves time. If the training fails, the children start without one, and a line on standard error
 * says why. A child JVM that cannot map the archive runs without it, silently (its class-data-sharing log is off).
 */
final class ChildJvm
{
    private static final Object LOCK = new Object();
    private static String classPath;
    private static List<String> sharing;

    private ChildJvm()
    {
    }

    /**
     * @return this JVM's class path with every non-empty directory replaced by a jar of its content (made at the first
     *         call).
     */
    static String classPath()
    {
        synchronized (LOCK)
        {
            if (classPath == null)
            {
                classPath = jarred(System.getProperty("java.class.path"), workDir());
            }
            return classPath;
        }
    }

    /**
     * The options that map the archive, made at the first call by a training run of {@code train}.
     *
     * @param train starts a server JVM with the options given (added to its usual ones), asks it for something and
     *              stops it with SIGTERM; returns its exit status. Called at most once per test JVM.
     * @return the options ({@code -XX:SharedArchiveFile=...}); empty if no archive could be made.
     */
    static List<String> sharing(final Function<List<String>, Integer> train)
    {
        synchronized (LOCK)
        {
            if (sharing == null)
            {
                sharing = List.of(); // a failed training is not tried again
                final Path archive = workDir().resolve("server.jsa");
                final Path writing = workDir().resolve("server.jsa.writing");
                try
                {
                    Files.deleteIfExists(writing);
                    final long started = System.nanoTime();
                    final int status = train.apply(List.of("-XX:ArchiveClassesAtExit=" + writing, "-Xlog:cds=off",
                        "-Xlog:cds+dynamic=off"));
                    if (Files.isRegularFile(writing) && Files.size(writing) > 0) // SIGTERM's status is 143
                    {
                        Files.move(writing, archive, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                        sharing = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off",
                            "-Xlog:cds+dynamic=off");
                        System.err.printf("child JVMs: class-data-sharing archive %s (%d MB) made in %d ms%n", archive,
                            Files.size(archive) >> 20, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    }
                    else
                    {
                        System.err.println("child JVMs: no class-data-sharing archive (the training server exited "
                            + status + (Files.exists(writing) ? "" : " and wrote none") + "); they start without one");
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    System.err.println("child JVMs: no class-data-sharing archive (" + ex + "); they start without one");
                }
            }
            return sharing;
        }
    }

    /** {@code target/child-jvm-PID} of the working directory (the module's); older ones of dead JVMs are removed. */
    private static Path workDir()
    {
        final Path target = Path.of("target").toAbsolutePath();
        final Path mine = target.resolve("child-jvm-" + ProcessHandle.current().pid());
        try
        {
            Files.createDirectories(mine);
            try (Stream<Path> old = Files.list(target))
            {
                old.filter(p -> p.getFileName().toString().startsWith("child-jvm-") && !p.equals(mine))
                    .filter(p -> ProcessHandle.of(pidOf(p)).map(h -> !h.isAlive()).orElse(true))
                    .forEach(dev.pinwheel.server.TestNode::deleteTree);
            }
            return mine;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long pidOf(final Path dir)
    {
        try
        {
            return Long.parseLong(dir.getFileName().toString().substring("child-jvm-".length()));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String jarred(final String path, final Path into)
    {
        final List<String> entries = new ArrayList<>();
        int n = 0;
        for (final String entry : path.split(java.io.File.pathSeparator))
        {
            final Path dir = Path.of(entry);
            if (entry.isEmpty() || !Files.isDirectory(dir) || isEmpty(dir))
            {
                entries.add(entry);
                continue;
            }
            final Path jar = into.resolve((n++) + "-" + dir.getFileName() + ".jar");
            try
            {
                if (!Files.exists(jar))
                {
                    jar(dir, jar);
                }
                entries.add(jar.toString());
            }
            catch (final IOException ex)
            {
                System.err.println("child JVMs: could not jar " + dir + " (" + ex + "); it stays a directory");
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static boolean isEmpty(final Path dir)
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void jar(final Path dir, final Path jar) throws IOException
    {
        final Path part = jar.resolveSibling(jar.getFileName() + ".part");
        try (OutputStream file = Files.newOutputStream(part);
             ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(file, 1 << 16));
             Stream<Path> files = Files.walk(dir))
        {
            zip.setLevel(1);
            for (final Path f : (Iterable<Path>) files.sorted()::iterator)
            {
                if (f.equals(dir))
                {
                    continue;
                }
                final String name = dir.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                if (Files.isDirectory(f))
                {
                    zip.putNextEntry(new ZipEntry(name + "/"));
                }
                else
                {
                    zip.putNextEntry(new ZipEntry(name));
                    Files.copy(f, zip);
                }
                zip.closeEntry();
            }
        }
        Files.move(part, jar, StandardCopyOption.ATOMIC_MOVE);
    }
}
