package dev.pinwheel.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Unmodified Kord 0.15 (Maven Central: Kotlin, coroutines, Ktor 3 on OkHttp, kotlinx.serialization models with
 * required fields) driven by {@code src/test/resources/kord/KordSmoke.kt}. The program and its pom are copied to
 * {@code target/kord-client}, compiled there by Maven's Kotlin plugin (again when either changes) and run in a child
 * JVM on Kord's own dependency tree. Kord is pointed at the node the way its users can: its HTTP client (a Ktor
 * plugin sends discord.com's requests to the node) and its gateway's URL.
 */
public final class KordClient
{
    /** Every step the program reports, in order. */
    public static final List<String> STEPS = List.of("OK ready", "OK message", "OK edit", "OK reaction",
        "OK history", "OK pin", "OK delete", "OK dm", "OK guild", "OK application", "OK command", "OK file",
        "OK presence", "OK events", "OK rest", "OK components", "OK unreact", "OK category", "OK members", "OK apps",
        "OK ban", "OK resume");
    private static final Path SOURCES = Path.of("src/test/resources/kord");

    private KordClient()
    {
    }

    /**
     * Runs the smoke program against a node and requires every step, no failure, and no payload Kord could not
     * decode (its gateway logs those, a kotlinx.serialization exception, and drops the event).
     *
     * @param port the node's REST and gateway port.
     * @param made nothing (the program registers its users and makes its guild), or ALICE_TOKEN BOB_TOKEN
     *             CAROL_TOKEN GUILD_ID CHANNEL_ID: alice owns the guild, bob (a bot) and carol (a person) are in it.
     * @return the program's output.
     */
    public static String runSmoke(final int port, final String... made) throws IOException, InterruptedException
    {
        final Path dir = prepare();
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-cp", dir.resolve("target/classes") + java.io.File.pathSeparator
            + Files.readString(dir.resolve("cp.txt")).trim(), "KordSmokeKt", Integer.toString(port)));
        command.addAll(Arrays.asList(made));
        final String out = JsClients.run(dir, 200, Map.of(), command.toArray(String[]::new));
        JsClients.assertSteps(out, STEPS, "kotlinx.serialization.", "Kord");
        return out;
    }

    /** Copies the program and its pom to {@code target/kord-client}; compiles it unless done for these bytes. */
    private static synchronized Path prepare() throws IOException, InterruptedException
    {
        final Path dir = Path.of("target", "kord-client").toAbsolutePath();
        Files.createDirectories(dir.resolve("src"));
        final byte[] pom = Files.readAllBytes(SOURCES.resolve("pom.xml"));
        final byte[] program = Files.readAllBytes(SOURCES.resolve("KordSmoke.kt"));
        final Path cp = dir.resolve("cp.txt");
        final Path installedPom = dir.resolve("pom.xml");
        final Path installedProgram = dir.resolve("src/KordSmoke.kt");
        if (!Files.isRegularFile(cp) || !Files.isRegularFile(installedPom) || !Files.isRegularFile(installedProgram)
            || !Arrays.equals(pom, Files.readAllBytes(installedPom))
            || !Arrays.equals(program, Files.readAllBytes(installedProgram)))
        {
            Files.write(installedPom, pom);
            Files.write(installedProgram, program);
            Files.deleteIfExists(cp);
            final Path mvnw = Path.of("..", "mvnw").toAbsolutePath().normalize();
            JsClients.run(dir, 600, Map.of("JAVA_HOME", System.getProperty("java.home")), mvnw.toString(), "-q",
                "-B", "compile", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt");
        }
        return dir;
    }
}
