package dev.pinwheel.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Unmodified Discord4J 3.2 (Maven Central: Reactor Netty REST client and gateway, API v8, the library's stable line)
 * driven by {@code src/test/resources/discord4j/D4jSmoke.java}, run by the JDK's source launcher in a child JVM on
 * Discord4J's own dependency tree (Netty 4.1; the server's tests run Netty 4.2, and Reactor Netty 1.0 on 4.2 fails
 * now and then in the client — not a server fault). The classpath is resolved once by Maven from
 * {@code src/test/resources/discord4j/pom.xml} into {@code target/discord4j-client} (again when the pom changes).
 */
public final class Discord4jClient
{
    /** Every step the program reports, in order. */
    public static final List<String> STEPS = List.of("OK ready", "OK message", "OK edit", "OK reaction",
        "OK history", "OK pin", "OK delete", "OK dm", "OK guild", "OK application", "OK command", "OK file",
        "OK presence", "OK ban", "OK events", "OK rest", "OK resume");
    private static final Path SOURCES = Path.of("src/test/resources/discord4j");

    private Discord4jClient()
    {
    }

    /**
     * Runs the smoke program against a node and requires every step, no failure, and no payload Discord4J could not
     * decode (it only logs those, "Error while decoding JSON", and drops the event).
     *
     * @param port the node's REST and gateway port.
     * @param made nothing (the program registers its users and makes its guild), or ALICE_TOKEN BOB_TOKEN
     *             CAROL_TOKEN GUILD_ID CHANNEL_ID: alice owns the guild, bob (a bot) and carol (a person) are in it.
     * @return the program's output.
     */
    public static String runSmoke(final int port, final String... made) throws IOException, InterruptedException
    {
        final Path dir = prepare();
        // Reactor Netty's multipart encoder keeps a file part over 16 KB in a temporary file (Netty's DiskFileUpload,
        // "FUp_...") that it leaves behind: the client's temporary directory is one of this run's, removed after it
        final Path tmp = Files.createTempDirectory(dir, "tmp-");
        try
        {
            final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-Djava.io.tmpdir=" + tmp, "-cp", Files.readString(dir.resolve("cp.txt")).trim(),
                "D4jSmoke.java", Integer.toString(port)));
            command.addAll(Arrays.asList(made));
            final String out = JsClients.run(dir, 200, Map.of(), command.toArray(String[]::new));
            JsClients.assertSteps(out, STEPS, "Error while decoding", "Discord4J");
            return out;
        }
        finally
        {
            TestNode.deleteTree(tmp);
        }
    }

    /** Copies the program and its pom to {@code target/discord4j-client}; resolves the classpath unless done. */
    private static synchronized Path prepare() throws IOException, InterruptedException
    {
        final Path dir = Path.of("target", "discord4j-client").toAbsolutePath();
        Files.createDirectories(dir);
        Files.copy(SOURCES.resolve("D4jSmoke.java"), dir.resolve("D4jSmoke.java"),
            StandardCopyOption.REPLACE_EXISTING);
        final byte[] pom = Files.readAllBytes(SOURCES.resolve("pom.xml"));
        final Path cp = dir.resolve("cp.txt");
        final Path installedPom = dir.resolve("pom.xml");
        if (!Files.isRegularFile(cp) || !Files.isRegularFile(installedPom)
            || !Arrays.equals(pom, Files.readAllBytes(installedPom)))
        {
            Files.write(installedPom, pom);
            Files.deleteIfExists(cp);
            final Path mvnw = Path.of("..", "mvnw").toAbsolutePath().normalize();
            JsClients.run(dir, 300, Map.of("JAVA_HOME", System.getProperty("java.home")), mvnw.toString(), "-q",
                "-B", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt");
        }
        return dir;
    }
}
