package dev.pinwheel.jvmflags;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flag profiles in {@code jvm-flags/profiles}: java {@code @argfiles}, one flag per line with its
 * reason. Benchmarks, child-JVM tests and the server's own tools launch JVMs with them.
 * <pre>
 *   modules.args              always      module access the libraries need
 *   jdk23.args                JDK >= 23   native access, sun.misc.Unsafe memory access
 *   jdk25.args                JDK >= 25   compact object headers
 *   &lt;profile&gt;.args           always      dev, ci, latency, throughput (and test: Surefire's forks)
 *   &lt;profile&gt;-jdk&lt;N&gt;.args    JDK == N    flags only JDK N needs or accepts (JDK 21: -XX:+ZGenerational)
 * </pre>
 * {@link #argFiles(String, int)} lists them in that order, which is the order the JVM must see them in
 * (a later flag overrides an earlier one). The launcher script builds the same list.
 */
public final class JvmFlagProfiles
{
    /** System property naming the profiles directory; when unset it is searched for from the working directory. */
    public static final String FLAGS_DIR_PROP_NAME = "pinwheel.flags.dir";
    /** Where the profiles live, relative to the project root. */
    public static final String PROFILES_PATH = "jvm-flags/profiles";
    /** Argfile every JVM gets first. */
    public static final String MODULES = "modules";
    /** Argfile for JDK {@value #JDK23_MIN_FEATURE} and later. */
    public static final String JDK23 = "jdk23";
    /** Argfile for Surefire's test JVMs: a usable profile, but not listed by {@link #profileNames()}. */
    public static final String TEST = "test";
    /** First JDK feature version that gets {@code jdk23.args}. */
    public static final int JDK23_MIN_FEATURE = 23;
    /** Argfile for JDK {@value #JDK25_MIN_FEATURE} and later. */
    public static final String JDK25 = "jdk25";
    /** First JDK feature version that gets {@code jdk25.args}. */
    public static final int JDK25_MIN_FEATURE = 25;
    /** Extension of every argfile. */
    public static final String EXTENSION = ".args";

    private static final Set<String> NOT_PROFILES = Set.of(MODULES, JDK23, JDK25, TEST);
    private static final Pattern PROFILE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern VERSION_SPECIFIC = Pattern.compile(".*-jdk\\d+");
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?(\\d+)");

    private final Path directory;

    private JvmFlagProfiles(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * @param directory a directory holding {@code modules.args} and the profiles.
     * @return the profiles in it.
     * @throws IllegalArgumentException if it holds no {@code modules.args}.
     */
    public static JvmFlagProfiles at(final Path directory)
    {
        final Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve(MODULES + EXTENSION)))
        {
            throw new IllegalArgumentException("no " + MODULES + EXTENSION + " in " + dir);
        }
        return new JvmFlagProfiles(dir);
    }

    /**
     * Finds the profiles: the directory named by {@value #FLAGS_DIR_PROP_NAME}, else the first
     * {@value #PROFILES_PATH} found walking up from the working directory.
     *
     * @return the profiles.
     * @throws IllegalStateException if neither finds them.
     */
    public static JvmFlagProfiles locate()
    {
        final String configured = System.getProperty(FLAGS_DIR_PROP_NAME);
        if (configured != null && !configured.isBlank())
        {
            return at(Path.of(configured));
        }
        return locateFrom(Path.of(System.getProperty("user.dir")));
    }

    /**
     * @param start a directory inside the project.
     * @return the profiles of the first {@value #PROFILES_PATH} found in {@code start} or one of its parents.
     * @throws IllegalStateException if there is none.
     */
    public static JvmFlagProfiles locateFrom(final Path start)
    {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent())
        {
            final Path candidate = dir.resolve(PROFILES_PATH);
            if (Files.isRegularFile(candidate.resolve(MODULES + EXTENSION)))
            {
                return new JvmFlagProfiles(candidate);
            }
        }
        throw new IllegalStateException("no " + PROFILES_PATH + " above " + start + "; set -D" + FLAGS_DIR_PROP_NAME);
    }

    /**
     * @return the JDK feature version this JVM runs on (21, 25...).
     */
    public static int runningFeatureVersion()
    {
        return Runtime.version().feature();
    }

    /**
     * @param javaHome a JDK directory.
     * @return its feature version from its {@code release} file, or 0 if that cannot be read.
     */
    public static int featureVersion(final Path javaHome)
    {
        try
        {
            final Matcher matcher = JAVA_VERSION.matcher(
                Files.readString(javaHome.resolve("release"), StandardCharsets.UTF_8));
            if (matcher.find())
            {
                final int first = Integer.parseInt(matcher.group(1));
                return first == 1 ? 8 : first;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not a JDK, or an unreadable one
        }
        return 0;
    }

    /**
     * @return the profiles directory, absolute.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the names of the launchable profiles (dev, ci, latency, throughput...), sorted: every
     *         {@code *.args} except modules, jdk23, jdk25, test and the {@code -jdk<N>} variants.
     */
    public List<String> profileNames()
    {
        final List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + EXTENSION))
        {
            for (final Path file : files)
            {
                final String name = baseName(file);
                if (!NOT_PROFILES.contains(name) && !VERSION_SPECIFIC.matcher(name).matches()
                    && Files.isRegularFile(file))
                {
                    names.add(name);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + directory, ex);
        }
        names.sort(null);
        return names;
    }

    /**
     * @param profile    a profile name (or {@value #TEST}).
     * @param jdkFeature the feature version of the JDK that will run the flags.
     * @return the argfiles for that profile on that JDK, in the order the JVM must read them.
     * @throws IllegalArgumentException if there is no such profile.
     */
    public List<Path> argFiles(final String profile, final int jdkFeature)
    {
        final Path profileFile = profileFile(profile);
        final List<Path> files = new ArrayList<>(4);
        files.add(directory.resolve(MODULES + EXTENSION));
        if (jdkFeature >= JDK23_MIN_FEATURE)
        {
            files.add(directory.resolve(JDK23 + EXTENSION));
        }
        if (jdkFeature >= JDK25_MIN_FEATURE)
        {
            files.add(directory.resolve(JDK25 + EXTENSION));
        }
        files.add(profileFile);
        final Path versionSpecific = directory.resolve(profile + "-jdk" + jdkFeature + EXTENSION);
        if (Files.isRegularFile(versionSpecific))
        {
            files.add(versionSpecific);
        }
        return files;
    }

    /**
     * @param profile a profile name.
     * @return {@link #argFiles(String, int)} for the JDK running this code.
     */
    public List<Path> argFiles(final String profile)
    {
        return argFiles(profile, runningFeatureVersion());
    }

    /**
     * @param profile    a profile name.
     * @param jdkFeature the feature version of the JDK that will run the flags.
     * @return the argfiles as java command-line arguments: {@code @/abs/path/modules.args}, ...
     */
    public List<String> argFileOptions(final String profile, final int jdkFeature)
    {
        return argFiles(profile, jdkFeature).stream().map(file -> "@" + file).toList();
    }

    /**
     * @param profile    a profile name.
     * @param jdkFeature the feature version of the JDK that will run the flags.
     * @return every flag of the profile's argfiles, comments stripped, in order (for tools that take a flag
     *         list rather than argfiles, such as JMH's {@code jvmArgs}).
     */
    public List<String> flags(final String profile, final int jdkFeature)
    {
        final List<String> flags = new ArrayList<>();
        for (final Path file : argFiles(profile, jdkFeature))
        {
            flags.addAll(ArgFile.read(file));
        }
        return flags;
    }

    /**
     * @param profile a profile name.
     * @return {@link #flags(String, int)} for the JDK running this code.
     */
    public List<String> flags(final String profile)
    {
        return flags(profile, runningFeatureVersion());
    }

    private Path profileFile(final String profile)
    {
        Objects.requireNonNull(profile, "profile");
        final Path file = directory.resolve(profile + EXTENSION);
        if (!PROFILE_NAME.matcher(profile).matches() || VERSION_SPECIFIC.matcher(profile).matches()
            || NOT_PROFILES.contains(profile) && !TEST.equals(profile) || !Files.isRegularFile(file))
        {
            throw new IllegalArgumentException("unknown JVM flag profile '" + profile + "' in " + directory
                + ", known: " + profileNames());
        }
        return file;
    }

    private static String baseName(final Path file)
    {
        final String name = file.getFileName().toString();
        return name.substring(0, name.length() - EXTENSION.length());
    }

    @Override
    public String toString()
    {
        return "JvmFlagProfiles{" + directory + "}";
    }
}
