package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified Discord4J 3.2 (Maven Central: Reactor Netty REST client and gateway, API v8, the library's stable
 * line) against a Pinwheel node: {@code src/test/resources/discord4j/D4jSmoke.java}, run by the JDK's source
 * launcher in a child JVM on Discord4J's own dependency tree (Netty 4.1; the server's tests run Netty 4.2, and
 * Reactor Netty 1.0 on 4.2 fails now and then in the client — not a server fault). The classpath is resolved once
 * by Maven from {@code src/test/resources/discord4j/pom.xml} into {@code target/discord4j-client}.
 * <p>
 * What Discord4J needed that the other libraries did not: API v8 (REST and gateway; Discord still serves it,
 * deprecated), {@code t} and {@code s} on every gateway payload (null outside dispatches, as Discord sends them),
 * an application's {@code summary}, and an {@code id} on every activity of a presence. A payload Discord4J cannot
 * decode is only logged by it ("Error while decoding JSON") and the event dropped: the output is checked for that.
 */
@Tag("external")
@Tag("maven")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Discord4jCompatibilityTest
{
    private static final Path SOURCES = Path.of("src/test/resources/discord4j");

    @Test
    void discord4jBotsChatReactModerateAndResume() throws Exception
    {
        final Path dir = prepare();
        final String classpath = Files.readString(dir.resolve("cp.txt")).trim();
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 200, Map.of(), javaBinary(), "-cp", classpath, "D4jSmoke.java",
                Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK message", "OK edit", "OK reaction", "OK history", "OK pin",
                "OK delete", "OK dm", "OK guild", "OK application", "OK command", "OK file", "OK presence", "OK ban",
                "OK events", "OK rest", "OK resume"), ok, out);
            assertFalse(out.contains("FAIL"), out);
            assertFalse(out.contains("Error while decoding"), "Discord4J could not read a payload: " + out);
        }
    }

    /** Copies the program and its pom to {@code target/discord4j-client}; resolves the classpath unless done. */
    private static Path prepare() throws IOException, InterruptedException
    {
        final Path dir = Path.of("target", "discord4j-client").toAbsolutePath();
        Files.createDirectories(dir);
        Files.copy(SOURCES.resolve("D4jSmoke.java"), dir.resolve("D4jSmoke.java"),
            StandardCopyOption.REPLACE_EXISTING);
        final byte[] pom = Files.readAllBytes(SOURCES.resolve("pom.xml"));
        final Path cp = dir.resolve("cp.txt");
        final Path installedPom = dir.resolve("pom.xml");
        if (!Files.isRegularFile(cp) || !Files.isRegularFile(installedPom)
            || !java.util.Arrays.equals(pom, Files.readAllBytes(installedPom)))
        {
            Files.write(installedPom, pom);
            Files.deleteIfExists(cp);
            final Path mvnw = Path.of("..", "mvnw").toAbsolutePath().normalize();
            JsClients.run(dir, 300, Map.of("JAVA_HOME", System.getProperty("java.home")), mvnw.toString(), "-q",
                "-B", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt");
        }
        return dir;
    }

    private static String javaBinary()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
