package dev.pinwheel.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * The web client and the dashboard in a real browser: Debian's Chromium driven by Playwright
 * ({@code playwright-core} from npm, launched on {@code /usr/bin/chromium}; nothing downloads a browser).
 * The scenario lives in {@code web-tests/test/} and runs on node's own test runner against a fresh node whose
 * first account is the admin; see that directory's README.
 * <p>
 * Without Chromium (or node) this test FAILS and says how to install it: {@code .ci/install-browser.sh}.
 * {@code -Dpinwheel.chromium=PATH} picks another binary; {@code -Dpinwheel.screenshots=DIR} writes the PNGs
 * there instead of {@code target/screenshots} (the README's are made with {@code ../docs/screenshots}).
 */
@Tag("external")
@Tag("browser")
@Tag("node")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BrowserTest
{
    private static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    static final Path CHROMIUM = Path.of(System.getProperty("pinwheel.chromium", "/usr/bin/chromium"));
    static final Path WEB_TESTS = BASEDIR.resolve("../web-tests").normalize();

    /** A finished process: exit code and what it printed. */
    record Run(int exit, String output)
    {
    }

    static Run run(final Path dir, final Map<String, String> env, final long timeoutSeconds,
        final List<String> command) throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        final Process p = pb.start();
        final StringBuilder out = new StringBuilder();
        final Thread reader = Thread.ofPlatform().name("browser-test-output").start(() ->
        {
            try (var in = p.getInputStream())
            {
                final byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0)
                {
                    final String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                    System.out.print(chunk);
                    synchronized (out)
                    {
                        out.append(chunk);
                    }
                }
            }
            catch (final IOException e)
            {
                synchronized (out)
                {
                    out.append(e);
                }
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            synchronized (out)
            {
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s:\n" + out);
            }
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (out)
        {
            return new Run(p.exitValue(), out.toString());
        }
    }

    static void requireTools() throws InterruptedException
    {
        if (!Files.isExecutable(CHROMIUM))
        {
            fail("Chromium is not installed at " + CHROMIUM + ". The browser tests drive Debian's chromium with "
                + "Playwright and do not download a browser: run .ci/install-browser.sh (as root: apt-get update && "
                + "apt-get install -y chromium), which .ci/run does, or point -Dpinwheel.chromium at a Chromium binary.");
        }
        try
        {
            final Run node = run(WEB_TESTS, Map.of(), 30, List.of("node", "--version"));
            final int major = Integer.parseInt(node.output().strip().replaceFirst("^v(\\d+).*", "$1"));
            if (major < 20)
            {
                fail("node >= 20 is needed for the browser tests, found " + node.output().strip());
            }
        }
        catch (final IOException | NumberFormatException e)
        {
            fail("node (>= 20) and npm are needed for the browser tests (apt-get install nodejs npm): " + e);
        }
    }

    static void installPlaywright() throws IOException, InterruptedException
    {
        if (Files.isDirectory(WEB_TESTS.resolve("node_modules/playwright-core")))
        {
            return;
        }
        final List<String> npm = Files.exists(WEB_TESTS.resolve("package-lock.json"))
            ? List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
            : List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
        final Run r = run(WEB_TESTS, Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"), 300, npm);
        if (r.exit() != 0)
        {
            fail(String.join(" ", npm) + " in " + WEB_TESTS + " exited " + r.exit() + ":\n" + r.output());
        }
    }

    @Test
    void twoUsersChatLiveAndTheAdminSeesTheShards() throws Exception
    {
        if (!Files.isDirectory(WEB_TESTS))
        {
            fail("the browser scenario is missing: " + WEB_TESTS);
        }
        requireTools();
        installPlaywright();
        final String shots = System.getProperty("pinwheel.screenshots");
        final Path screenshots = shots != null && !shots.isBlank() ? BASEDIR.resolve(shots).normalize()
            : BASEDIR.resolve("target/screenshots");
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User admin = node.register("admin"); // the first account is the admin
            final Run r = run(WEB_TESTS, Map.of(
                    "PINWHEEL_URL", "http://127.0.0.1:" + node.port(),
                    "PINWHEEL_ADMIN_TOKEN", admin.token(),
                    "CHROMIUM_PATH", CHROMIUM.toString(),
                    "PINWHEEL_SCREENSHOTS", screenshots.toString()),
                300, List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/"));
            assertEquals(0, r.exit(), "the browser scenario failed (output above and here):\n" + r.output());
        }
    }
}
