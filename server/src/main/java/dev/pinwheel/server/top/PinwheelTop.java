package dev.pinwheel.server.top;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pinwheel.core.counters.CountersFile;
import dev.pinwheel.core.counters.CountersFileReader;

/**
 * {@code pinwheel top}: a terminal view of a node for headless servers — the numbers of the web dashboard, redrawn
 * in place with ANSI escapes every interval. Ctrl-C quits. Two sources:
 * <pre>
 *   pinwheel top --data DIR [--interval SECONDS] [--once] [--no-color]
 *       the node's counters file in its data directory (DIR/counters.dat, memory-mapped, read-only): no HTTP, no
 *       token, works while the node is too busy to answer; says whether the node runs, stopped or is gone
 *   pinwheel top [--url http://127.0.0.1:8080] [--token TOKEN] [--interval SECONDS] [--once] [--no-color]
 *       the node's /metrics with an admin's token (see the README; default $PINWHEEL_TOKEN); adds the inbox
 *       hand-off latency of the node's web probes
 * </pre>
 * {@code --once} prints a single frame (two reads one interval apart, for rates) without clearing the screen.
 */
public final class PinwheelTop
{
    static final String USAGE = """
        usage: pinwheel top --data DIR [--interval SECONDS] [--once] [--no-color]
               pinwheel top [--url URL] [--token TOKEN] [--interval SECONDS] [--once] [--no-color]
          --data      a node's data directory: read its counters file (no HTTP, no token)
          --url       the node (default http://127.0.0.1:8080); reads URL/metrics
          --token     an admin's token (default: $PINWHEEL_TOKEN)
          --interval  seconds between reads (default 1)
          --once      print one frame and exit
          --no-color  no ANSI attributes
        """;
    private static final String HOME = "\033[H";
    private static final String CLEAR = "\033[2J";
    private static final String CLEAR_LINE = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";
    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";

    private PinwheelTop()
    {
    }

    /** Why a read failed in a way that retrying does not fix. */
    static final class Refused extends Exception
    {
        Refused(final String message)
        {
            super(message);
        }
    }

    /** Where the numbers come from. */
    interface Source
    {
        /**
         * @return one read.
         * @throws Refused     when retrying would not help.
         * @throws IOException when the node cannot be read now.
         */
        MetricsScrape read() throws Refused, IOException, InterruptedException;

        /**
         * @return a line on the source's state for the frame, or null.
         */
        String status();

        /**
         * @return what is watched, for the title.
         */
        String name();
    }

    public static void main(final String[] args) throws InterruptedException
    {
        String url = "http://127.0.0.1:8080";
        String token = System.getenv("PINWHEEL_TOKEN");
        Path data = null;
        double interval = 1;
        boolean once = false;
        boolean color = System.console() != null;
        for (int i = 0; i < args.length; i++)
        {
            final String a = args[i];
            final String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a)
            {
                case "--url" -> { url = need(a, v); i++; }
                case "--token" -> { token = need(a, v); i++; }
                case "--data" -> { data = Path.of(need(a, v)); i++; }
                case "--interval" -> { interval = Double.parseDouble(need(a, v)); i++; }
                case "--once" -> once = true;
                case "--no-color" -> color = false;
                case "-h", "--help" ->
                {
                    System.out.print(USAGE);
                    return;
                }
                default ->
                {
                    System.err.print("unknown option " + a + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (data == null && (token == null || token.isBlank()))
        {
            System.err.print("pinwheel top needs an admin's token (--token TOKEN or PINWHEEL_TOKEN), or a data "
                + "directory (--data DIR)\n" + USAGE);
            System.exit(2);
        }
        final long sleepMillis = Math.max(100, Math.round(interval * 1000));
        final Source source = data != null ? new FileSource(data) : new HttpSource(url.replaceAll("/+$", ""), token);
        final TopView view = new TopView(source.name(), color);
        final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try
        {
            if (once)
            {
                once(source, view, sleepMillis).forEach(out::println);
                out.flush();
                return;
            }
            loop(source, view, out, sleepMillis);
        }
        catch (final Refused | IOException e)
        {
            out.flush();
            System.err.println("pinwheel top: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * One frame from two reads {@code sleepMillis} apart.
     *
     * @return the frame's lines.
     */
    static List<String> once(final Source source, final TopView view, final long sleepMillis)
        throws Refused, IOException, InterruptedException
    {
        final MetricsScrape first = source.read();
        Thread.sleep(sleepMillis);
        return frame(source, view, first, source.read());
    }

    private static List<String> frame(final Source source, final TopView view, final MetricsScrape prev,
        final MetricsScrape curr)
    {
        final List<String> lines = new ArrayList<>(view.render(prev, curr));
        final String status = source.status();
        if (status != null)
        {
            lines.add(1, status);
        }
        return lines;
    }

    private static void loop(final Source source, final TopView view, final PrintStream out, final long sleepMillis)
        throws Refused, InterruptedException
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            out.print(SHOW_CURSOR + "\n");
            out.flush();
        }, "pinwheel-top-exit"));
        out.print(HIDE_CURSOR + CLEAR);
        MetricsScrape prev = null;
        while (true)
        {
            List<String> lines;
            try
            {
                final MetricsScrape curr = source.read();
                lines = frame(source, view, prev, curr);
                prev = curr;
            }
            catch (final IOException e)
            {
                lines = List.of("pinwheel top — " + source.name(), "", "cannot read: " + e.getMessage(),
                    "retrying every " + sleepMillis + " ms (Ctrl-C quits)");
                prev = null;
            }
            final StringBuilder frame = new StringBuilder(HOME);
            for (final String line : lines)
            {
                frame.append(line).append(CLEAR_LINE).append('\n');
            }
            frame.append(CLEAR_BELOW);
            out.print(frame);
            out.flush();
            Thread.sleep(sleepMillis);
        }
    }

    /** {@code /metrics} with an admin's token. */
    static final class HttpSource implements Source
    {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;
        private final String token;

        HttpSource(final String base, final String token)
        {
            this.base = base;
            this.token = token;
        }

        @Override
        public MetricsScrape read() throws Refused, IOException, InterruptedException
        {
            return PinwheelTop.read(http, base, token);
        }

        @Override
        public String status()
        {
            return null;
        }

        @Override
        public String name()
        {
            return base;
        }
    }

    /** The node's counters file, re-opened when the node restarts (a new file replaces the old one). */
    static final class FileSource implements Source
    {
        private final Path dataDir;
        private CountersFileReader file;

        FileSource(final Path dataDir)
        {
            this.dataDir = dataDir;
        }

        @Override
        public MetricsScrape read() throws IOException
        {
            if (file == null || file.replaced())
            {
                try
                {
                    file = CountersFileReader.open(dataDir);
                }
                catch (final NoSuchFileException e)
                {
                    file = null;
                    throw new IOException("no " + CountersFile.FILE_NAME + " in " + dataDir
                        + ": has a node run there?");
                }
            }
            return CountersScrape.read(file, System.currentTimeMillis(), System.nanoTime());
        }

        @Override
        public String status()
        {
            return file == null ? null : CountersScrape.status(file, System.currentTimeMillis());
        }

        @Override
        public String name()
        {
            return dataDir.resolve(CountersFile.FILE_NAME).toString();
        }
    }

    /**
     * @return the parsed {@code /metrics}.
     * @throws Refused     on 401/403 (wrong or non-admin token): retrying would not help.
     * @throws IOException when the node cannot be reached or answers otherwise.
     */
    static MetricsScrape read(final HttpClient http, final String base, final String token)
        throws Refused, IOException, InterruptedException
    {
        final HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/metrics"))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", token.regionMatches(true, 0, "Bot ", 0, 4) ? token : "Bot " + token)
            .GET().build();
        final HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 401 || res.statusCode() == 403)
        {
            throw new Refused(base + "/metrics answered " + res.statusCode() + ": " + res.body());
        }
        if (res.statusCode() != 200)
        {
            throw new IOException(base + "/metrics answered " + res.statusCode());
        }
        return MetricsScrape.parse(res.body(), System.nanoTime());
    }

    private static String need(final String option, final String value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
