package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The unmodified JavaScript client libraries of the discord.js and Oceanic.js tests, from npm, pinned to exact
 * versions and installed once into {@code target/js-clients} (again when a pinned version changes), plus a
 * runner for the node scripts of {@code src/test/resources/discordjs} and {@code src/test/resources/oceanic}.
 * Without node/npm every use fails and says so.
 * <p>
 * No package needs native compilation: AES-GCM comes from node's crypto, XChaCha20-Poly1305 from the pure-JS
 * {@code @noble/ciphers}; {@code @snazzah/davey} (DAVE, pulled in by {@code @discordjs/voice} but disabled
 * with {@code daveEncryption: false}) ships prebuilt binaries.
 */
public final class JsClients
{
    /** discord.js (REST + gateway). */
    public static final String DISCORD_JS = "discord.js@14.28.1";
    /** discord.js voice (voice gateway v8, UDP, both rtpsize AEAD modes). */
    public static final String DISCORD_JS_VOICE = "@discordjs/voice@0.19.2";
    /** Pure-JS XChaCha20-Poly1305 that @discordjs/voice loads for {@code aead_xchacha20_poly1305_rtpsize}. */
    public static final String NOBLE_CIPHERS = "@noble/ciphers@2.4.0";
    /** Oceanic.js (REST + gateway of its own, not built on discord.js). */
    public static final String OCEANIC = "oceanic.js@1.15.0";
    /** Discordeno's bot package (its own REST manager, gateway and transformers). */
    public static final String DISCORDENO = "@discordeno/bot@21.0.0";
    /** Eris (the library Oceanic.js was forked from: REST and gateway of its own). */
    public static final String ERIS = "eris@0.18.0";
    /** Detritus (REST API v9 and a gateway of its own). */
    public static final String DETRITUS = "detritus-client@0.16.3";
    private static final List<String> PACKAGES = List.of(DISCORD_JS, DISCORD_JS_VOICE, NOBLE_CIPHERS, OCEANIC,
        DISCORDENO, ERIS, DETRITUS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsClients()
    {
    }

    /**
     * Installs the pinned packages unless every one is already there at its pinned version, and copies the
     * script into the install directory (node resolves {@code require} from the script's directory).
     *
     * @param script file name below {@code src/test/resources/discordjs}.
     * @return the install directory, to run {@code node script} in.
     */
    public static Path prepare(final String script) throws IOException, InterruptedException
    {
        final Path dir = install();
        Files.copy(Path.of("src/test/resources/discordjs", script), dir.resolve(script),
            StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /**
     * Like {@link #prepare(String)} for the scripts of another folder: installs the pinned packages and copies
     * {@code src/test/resources/FOLDER/SCRIPT} to {@code FOLDER/SCRIPT} below the install directory (node finds
     * the packages in the parent's {@code node_modules}).
     *
     * @param folder folder below {@code src/test/resources}.
     * @param script file name in that folder.
     * @return the install directory, to run {@code node FOLDER/SCRIPT} in.
     */
    public static Path prepare(final String folder, final String script) throws IOException, InterruptedException
    {
        final Path dir = install();
        Files.createDirectories(dir.resolve(folder));
        Files.copy(Path.of("src/test/resources", folder, script), dir.resolve(folder).resolve(script),
            StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static synchronized Path install() throws IOException, InterruptedException
    {
        final Path dir = Path.of("target", "js-clients").toAbsolutePath();
        Files.createDirectories(dir);
        run(dir, 30, Map.of(), "node", "--version");
        if (!installed(dir))
        {
            if (!Files.exists(dir.resolve("package.json")))
            {
                Files.writeString(dir.resolve("package.json"), "{\"name\":\"pinwheel-js-clients\",\"private\":true}");
            }
            final List<String> command = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund",
                "--save-exact", "--loglevel=error"));
            command.addAll(PACKAGES);
            run(dir, 240, Map.of(), command.toArray(String[]::new));
            if (!installed(dir))
            {
                throw new AssertionError("npm install did not install " + PACKAGES + " into " + dir);
            }
        }
        return dir;
    }

    private static boolean installed(final Path dir) throws IOException
    {
        for (final String spec : PACKAGES)
        {
            final int at = spec.lastIndexOf('@');
            final Path pkg = dir.resolve("node_modules").resolve(spec.substring(0, at)).resolve("package.json");
            if (!Files.isRegularFile(pkg))
            {
                return false;
            }
            final JsonNode json = JSON.readTree(pkg.toFile());
            if (!spec.substring(at + 1).equals(json.path("version").asText()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a client-library program's output: every step it reports ({@code OK <step>} lines) in order, no
     * {@code FAIL}, and no sign that the library could not read a payload (those libraries log it and drop the event).
     *
     * @param out         the program's output.
     * @param steps       the {@code OK} lines expected, in order.
     * @param undecodable what the library logs for a payload it could not read.
     * @param library     the library's name, for the message.
     */
    public static void assertSteps(final String out, final List<String> steps, final String undecodable,
        final String library)
    {
        assertEquals(steps, out.lines().filter(l -> l.startsWith("OK ")).toList(), out);
        assertFalse(out.contains("FAIL"), out);
        assertFalse(out.contains(undecodable), library + " could not read a payload: " + out);
    }

    /**
     * Runs a command to completion (stdout and stderr merged) and requires exit status 0.
     *
     * @param dir            working directory.
     * @param timeoutSeconds the process is killed after this long.
     * @param env            extra environment variables.
     * @param command        the command.
     * @return the output.
     * @throws AssertionError if the command cannot be started (node/npm missing), times out or exits non-zero;
     *                        the message carries the output.
     */
    public static String run(final Path dir, final long timeoutSeconds, final Map<String, String> env,
        final String... command) throws InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        final Process p;
        try
        {
            p = pb.start();
        }
        catch (final IOException e)
        {
            throw new AssertionError("node and npm are needed for this test (apt-get install nodejs npm); cannot run "
                + String.join(" ", command) + ": " + e);
        }
        final byte[][] out = new byte[1][];
        final Thread reader = Thread.ofPlatform().start(() ->
        {
            try
            {
                out[0] = p.getInputStream().readAllBytes();
            }
            catch (final IOException e)
            {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        final boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited)
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        final String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
        if (!exited)
        {
            throw new AssertionError(String.join(" ", command) + " timed out after " + timeoutSeconds + " s:\n"
                + text);
        }
        if (p.exitValue() != 0)
        {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }
}
