package dev.pinwheel.jvmflags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JvmFlagProfilesTest
{
    /** Output that means a flag was rejected, ignored or is on its way out. */
    private static final List<String> FORBIDDEN_OUTPUT = List.of(
        "Unrecognized", "Error", "Could not", "Invalid", "Ignoring option", "deprecated", "obsolete");
    private static final Path INSTALLED_JDKS = Path.of("/usr/lib/jvm");

    private static final JvmFlagProfiles PROFILES = JvmFlagProfiles.locate();

    @TempDir
    Path tmp;

    static List<String> profiles()
    {
        return PROFILES.profileNames();
    }

    @Test
    void findsTheProfilesFromTheWorkingDirectory()
    {
        final Path dir = PROFILES.directory();
        assertTrue(Files.isRegularFile(dir.resolve("modules.args")));
        assertTrue(dir.endsWith(Path.of("jvm-flags", "profiles")), dir.toString());
        assertEquals(dir, JvmFlagProfiles.locateFrom(dir.resolve("..")).directory());
        assertThrows(IllegalStateException.class, () -> JvmFlagProfiles.locateFrom(tmp));
        assertThrows(IllegalArgumentException.class, () -> JvmFlagProfiles.at(tmp));
    }

    @Test
    void aSystemPropertyOverridesTheSearch() throws IOException
    {
        Files.writeString(tmp.resolve("modules.args"), "-Da=b # x\n");
        final String saved = System.getProperty(JvmFlagProfiles.FLAGS_DIR_PROP_NAME);
        try
        {
            System.setProperty(JvmFlagProfiles.FLAGS_DIR_PROP_NAME, tmp.toString());
            assertEquals(tmp.toAbsolutePath().normalize(), JvmFlagProfiles.locate().directory());
        }
        finally
        {
            if (saved == null)
            {
                System.clearProperty(JvmFlagProfiles.FLAGS_DIR_PROP_NAME);
            }
            else
            {
                System.setProperty(JvmFlagProfiles.FLAGS_DIR_PROP_NAME, saved);
            }
        }
    }

    @Test
    void listsTheLaunchableProfilesOnly()
    {
        final List<String> names = PROFILES.profileNames();
        assertTrue(names.containsAll(List.of("ci", "dev", "latency", "throughput")), names.toString());
        for (final String hidden : List.of("modules", "jdk23", "jdk25", "test", "latency-jdk21", "dev-jdk21"))
        {
            assertFalse(names.contains(hidden), hidden);
        }
        for (final String bad : List.of("modules", "jdk23", "jdk25", "latency-jdk21", "nope", "../profiles/dev", ""))
        {
            assertThrows(IllegalArgumentException.class, () -> PROFILES.argFiles(bad, 25), bad);
        }
    }

    @Test
    void ordersArgFilesByJdkVersion()
    {
        final Path dir = PROFILES.directory();
        assertEquals(
            List.of(dir.resolve("modules.args"), dir.resolve("latency.args"), dir.resolve("latency-jdk21.args")),
            PROFILES.argFiles("latency", 21));
        assertEquals(List.of(dir.resolve("modules.args"), dir.resolve("jdk23.args"), dir.resolve("jdk25.args"),
            dir.resolve("latency.args")), PROFILES.argFiles("latency", 25));
        assertEquals(List.of(dir.resolve("modules.args"), dir.resolve("jdk23.args"), dir.resolve("latency.args")),
            PROFILES.argFiles("latency", 24));
        assertEquals(List.of(dir.resolve("modules.args"), dir.resolve("jdk23.args"), dir.resolve("test.args")),
            PROFILES.argFiles("test", 23));
        assertEquals(List.of("@" + dir.resolve("modules.args"), "@" + dir.resolve("ci.args")),
            PROFILES.argFileOptions("ci", 21));
        final List<String> flags = PROFILES.flags("latency", 21);
        assertEquals("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", flags.get(0));
        assertEquals("-XX:+ZGenerational", flags.get(flags.size() - 1));
        assertFalse(PROFILES.flags("latency", 25).contains("-XX:+ZGenerational"));
        assertTrue(PROFILES.flags("latency", 25).contains("-XX:+UseCompactObjectHeaders"));
        assertFalse(PROFILES.flags("test", 23).contains("-XX:+UseCompactObjectHeaders"), "JDK 23 has no such flag");
    }

    @ParameterizedTest
    @MethodSource("profiles")
    void everyProfileSelectsItsTuningProfile(final String profile)
    {
        final List<String> flags = PROFILES.flags(profile);
        final List<String> selected = flags.stream().filter(f -> f.startsWith("-Dpinwheel.profile=")).toList();
        assertEquals(List.of("-Dpinwheel.profile=" + profile), selected);
    }

    @Test
    void everyFlagHasAReason() throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROFILES.directory(), "*.args"))
        {
            dir.forEach(files::add);
        }
        assertTrue(files.size() >= 6, files.toString());
        for (final Path file : files)
        {
            int lineNo = 0;
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                lineNo++;
                final String where = file.getFileName() + ":" + lineNo + ": " + line;
                final String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#"))
                {
                    continue;
                }
                final int hash = line.indexOf('#');
                assertTrue(hash > 0, "no '# reason': " + where);
                assertTrue(Character.isWhitespace(line.charAt(hash - 1)), "'#' must follow a space: " + where);
                assertFalse(line.substring(hash + 1).isBlank(), "empty reason: " + where);
                final List<String> flags = ArgFile.parse(line);
                assertEquals(List.of(line.substring(0, hash).strip().split("\\s+")), flags, "flag lost: " + where);
                assertTrue(flags.stream().allMatch(f -> f.startsWith("-")), "not a flag: " + where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("profiles")
    void everyProfileStartsTheRunningJdk(final String profile) throws Exception
    {
        assertStarts(Path.of(System.getProperty("java.home")), JvmFlagProfiles.runningFeatureVersion(), profile);
    }

    @Test
    void everyProfileStartsJdk21() throws Exception
    {
        final List<Path> jdk21 = installedJdks().filter(home -> JvmFlagProfiles.featureVersion(home) == 21).toList();
        Assumptions.assumeFalse(jdk21.isEmpty(),
            "no JDK 21 under " + INSTALLED_JDKS + ": the *-jdk21.args variants are not checked on this machine");
        for (final Path home : jdk21)
        {
            for (final String profile : profiles())
            {
                assertStarts(home, 21, profile);
            }
        }
    }

    @Test
    void readsTheFeatureVersionOfAJdk()
    {
        assertEquals(JvmFlagProfiles.runningFeatureVersion(),
            JvmFlagProfiles.featureVersion(Path.of(System.getProperty("java.home"))));
        assertEquals(0, JvmFlagProfiles.featureVersion(tmp));
    }

    private void assertStarts(final Path javaHome, final int feature, final String profile) throws Exception
    {
        final List<String> args = new ArrayList<>(PROFILES.argFileOptions(profile, feature));
        args.add("-version");
        final Path workDir = Files.createTempDirectory(tmp, profile + "-jdk" + feature + "-");
        final ChildJvm.Result result = ChildJvm.run(ChildJvm.javaOf(javaHome), workDir, args);
        final String what =
            profile + " on " + javaHome + " (" + result.millis() + " ms): " + args + "\n" + result.output();
        assertEquals(0, result.exitCode(), what);
        assertTrue(result.output().contains("version \"" + feature), what);
        for (final String bad : FORBIDDEN_OUTPUT)
        {
            assertFalse(result.output().contains(bad), "'" + bad + "' in the output of " + what);
        }
    }

    private static Stream<Path> installedJdks() throws IOException
    {
        if (!Files.isDirectory(INSTALLED_JDKS))
        {
            return Stream.empty();
        }
        final List<Path> homes = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(INSTALLED_JDKS))
        {
            for (final Path home : dir)
            {
                if (Files.isExecutable(ChildJvm.javaOf(home)) && !Files.isSymbolicLink(home))
                {
                    homes.add(home);
                }
            }
        }
        return homes.stream();
    }
}
