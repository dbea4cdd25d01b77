package dev.pinwheel.server.top;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@code pinwheel top}: a terminal view of a node's {@code /metrics} for headless servers — the numbers of
 * the web dashboard, redrawn in place with ANSI escapes every interval. Ctrl-C quits.
 * <pre>
 *   pinwheel top [--url http://127.0.0.1:8080] [--token TOKEN] [--interval SECONDS] [--once] [--no-color]
 * </pre>
 * The token is an admin's (see the README); without {@code --token} it is read from {@code PINWHEEL_TOKEN}.
 * {@code --once} prints a single frame (two reads one interval apart, for rates) without clearing the screen.
 */
public final class PinwheelTop
{
    static final String USAGE = """
        usage: pinwheel top [--url URL] [--token TOKEN] [--interval SECONDS] [--once] [--no-color]
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

    public static void main(final String[] args) throws InterruptedException
    {
        String url = "http://127.0.0.1:8080";
        String token = System.getenv("PINWHEEL_TOKEN");
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
        if (token == null || token.isBlank())
        {
            System.err.print("pinwheel top needs an admin's token: --token TOKEN or PINWHEEL_TOKEN\n" + USAGE);
            System.exit(2);
        }
        final long sleepMillis = Math.max(100, Math.round(interval * 1000));
        final String base = url.replaceAll("/+$", "");
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final TopView view = new TopView(base, color);
        final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try
        {
            if (once)
            {
                final MetricsScrape first = read(http, base, token);
                Thread.sleep(sleepMillis);
                view.render(first, read(http, base, token)).forEach(out::println);
                out.flush();
                return;
            }
            loop(http, base, token, view, out, sleepMillis);
        }
        catch (final Refused | IOException e)
        {
            out.flush();
            System.err.println("pinwheel top: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void loop(final HttpClient http, final String base, final String token, final TopView view,
        final PrintStream out, final long sleepMillis) throws Refused, InterruptedException
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
                final MetricsScrape curr = read(http, base, token);
                lines = view.render(prev, curr);
                prev = curr;
            }
            catch (final IOException e)
            {
                lines = List.of("pinwheel top — " + base, "", "cannot read " + base + "/metrics: " + e.getMessage(),
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
