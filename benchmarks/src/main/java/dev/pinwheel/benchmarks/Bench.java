package dev.pinwheel.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.pinwheel.jvmflags.ArgFile;
import dev.pinwheel.jvmflags.JvmFlagProfiles;

/**
 * Runs JMH like {@code org.openjdk.jmh.Main}, same command line, but every forked JVM also gets the module
 * flags of {@code jvm-flags/profiles} ({@code modules.args}, plus {@code jdk23.args} on JDK 23+ and
 * {@code jdk25.args} on JDK 25+), read from the files so that the list lives in one place (JMH annotations cannot
 * compute a path).
 * <p>
 * The profiles are found through {@code -Dpinwheel.flags.dir} or by walking up from the working directory.
 * Flags the forks already inherit from this JVM's own command line are not repeated. They go in as
 * {@code jvmArgsPrepend}, so a benchmark's own {@code @Fork(jvmArgsAppend)} still applies.
 */
public final class Bench
{
    private Bench()
    {
    }

    /**
     * @param args JMH command line ({@code -h} for help).
     * @throws RunnerException if a benchmark fails.
     * @throws java.io.IOException if JMH cannot list benchmarks or profilers.
     */
    public static void main(final String[] args) throws RunnerException, java.io.IOException
    {
        final CommandLineOptions cmd;
        try
        {
            cmd = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line: " + ex.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
            || cmd.shouldListResultFormats())
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        // Prepended, so that benchmarks keep their own @Fork(jvmArgsAppend) (JMH replaces, never merges, a list).
        final List<String> prepend = new ArrayList<>(forkFlags(cmd));
        prepend.addAll(cmd.getJvmArgsPrepend().orElse(List.of()));
        final OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cmd);
        if (!prepend.isEmpty())
        {
            builder.jvmArgsPrepend(prepend.toArray(String[]::new));
        }
        final Options options = builder.build();
        final Collection<?> results = new Runner(options).run();
        if (results.isEmpty() && !cmd.getIncludes().isEmpty())
        {
            System.err.println("No benchmark matched " + cmd.getIncludes());
            System.exit(1);
        }
    }

    /**
     * @param cmd the parsed command line.
     * @return module flags from the argfiles that the forks would not get otherwise.
     */
    static List<String> forkFlags(final CommandLineOptions cmd)
    {
        final JvmFlagProfiles profiles = JvmFlagProfiles.locate();
        final int feature = JvmFlagProfiles.runningFeatureVersion();
        final List<String> flags = new ArrayList<>(ArgFile.read(profiles.directory().resolve("modules.args")));
        if (feature >= JvmFlagProfiles.JDK23_MIN_FEATURE)
        {
            flags.addAll(ArgFile.read(profiles.directory().resolve("jdk23.args")));
        }
        if (feature >= JvmFlagProfiles.JDK25_MIN_FEATURE)
        {
            flags.addAll(ArgFile.read(profiles.directory().resolve("jdk25.args")));
        }
        // Without -jvmArgs JMH forks with this JVM's own input arguments: skip what is already among them.
        final Set<String> inherited = new HashSet<>();
        if (cmd.getJvmArgs().hasValue())
        {
            inherited.addAll(cmd.getJvmArgs().get());
        }
        else
        {
            inherited.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
        flags.removeIf(inherited::contains);
        System.out.println("# Pinwheel: forks get " + flags.size() + " more flags from " + profiles.directory()
            + " (modules" + (feature >= JvmFlagProfiles.JDK23_MIN_FEATURE ? " + jdk23" : "")
            + (feature >= JvmFlagProfiles.JDK25_MIN_FEATURE ? " + jdk25" : "") + ".args)");
        return flags;
    }
}
