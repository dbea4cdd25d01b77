package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher ({@code ./pinwheel}, bash) takes the README's {@code ./pinwheel run -Dkey=value …}: every {@code -D…}
 * after {@code run} becomes a JVM system property placed before the main class (PinwheelMain never sees it), server
 * options stay program arguments, and {@code JAVA_TOOL_OPTIONS} still reaches the JVM. The launcher runs for real
 * ({@code PINWHEEL_DRY_RUN=1}: it prints its java command instead of executing it and builds nothing); that command
 * is then run for real with a probe in place of the server's main class.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LauncherArgumentsTest
{
    private static final String MAIN = "dev.pinwheel.server.PinwheelMain";

    private static List<String> run(final List<String> command, final Path dir, final Map<String, String> env)
        throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ended: " + command);
        assertEquals(0, p.exitValue(), "exit of " + command + "\n" + out);
        return out.lines().toList();
    }

    @Test
    void systemPropertiesAfterRunReachTheJvm() throws Exception
    {
        final Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("pinwheel")), "run from the server module: " + root);
        final List<String> java = run(List.of("bash", "pinwheel", "run", "-Dpinwheel.test.a=1", "--port", "0",
            "-Dpinwheel.test.b=two words", "--profile", "ci", "--shards", "2"), root,
            Map.of("PINWHEEL_DRY_RUN", "1"));
        final int main = java.indexOf(MAIN);
        assertTrue(main > 0, "main class in " + java);
        final int propA = java.indexOf("-Dpinwheel.test.a=1");
        assertTrue(propA > 0 && propA < main, java.toString());
        assertTrue(java.indexOf("-Dpinwheel.test.b=two words") < main && java.contains("-Dpinwheel.test.b=two words"));
        assertEquals(List.of("--port", "0", "--shards", "2"), java.subList(main + 1, java.size()),
            "only server options reach PinwheelMain");
        assertFalse(java.subList(main, java.size()).stream().anyMatch(a -> a.startsWith("-D")));

        // Run that very command line with the test's class path and a probe as the main class.
        final List<String> real = new ArrayList<>();
        for (int i = 0; i < java.size(); i++)
        {
            final String a = java.get(i);
            if (a.startsWith("-XX:SharedArchiveFile") || a.equals("-XX:+AutoCreateSharedArchive")
                || a.startsWith("-Xlog:cds"))
            {
                continue; // class-data sharing of the server jar: not this class path
            }
            if (a.equals("-cp"))
            {
                real.add(a);
                real.add(System.getProperty("java.class.path"));
                i++;
                continue;
            }
            real.add(a.equals(MAIN) ? LauncherProbe.class.getName() : a);
        }
        final List<String> seen = run(real, root, Map.of("JAVA_TOOL_OPTIONS", "-Dpinwheel.test.tool=yes"));
        assertTrue(seen.contains("pinwheel.test.a=1"), seen.toString());
        assertTrue(seen.contains("pinwheel.test.b=two words"), seen.toString());
        assertTrue(seen.contains("pinwheel.test.tool=yes"), "JAVA_TOOL_OPTIONS still works: " + seen);
        assertTrue(seen.contains("pinwheel.profile=ci"), seen.toString());
        assertTrue(seen.contains("args=[--port, 0, --shards, 2]"), seen.toString());
    }
}
