package dev.pinwheel.tuning;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints the pinning plan for this machine (or a recorded layout) and its warnings.
 * <pre>
 *   PlanCli [--profile dev|ci|latency|throughput] [--shards N] [--media N] [--conductor]
 *           [--pin | --no-pin] [--root DIR]
 * </pre>
 * {@code --root} reads {@code DIR/sys/...} instead of {@code /sys}; the profile defaults to the
 * {@value TuningProfile#PROFILE_PROP_NAME} system property, else {@value TuningProfile#PROFILE_DEFAULT}.
 * The server's CLI calls {@link #describe(String[])} for its {@code plan} command.
 */
public final class PlanCli
{
    /** Usage text, printed on bad arguments and for {@code --help}. */
    public static final String USAGE = """
        usage: plan [--profile dev|ci|latency|throughput] [--shards N] [--media N] [--conductor]
                    [--pin | --no-pin] [--root DIR]
          --profile NAME  tuning profile (default: -Dpinwheel.profile, else dev)
          --shards N      shards wanted, 0 = one per core that can be dedicated (default 0)
          --media N       UDP media loops wanted (default 0)
          --conductor     plan an Aeron conductor thread too
          --pin/--no-pin  override the profile's pinning
          --root DIR      read a recorded layout from DIR/sys/... instead of /sys
        """;

    private PlanCli()
    {
    }

    /**
     * Prints the plan to stdout; on bad arguments prints the usage to stderr and exits with status 2.
     *
     * @param args command-line arguments, see {@link #USAGE}.
     */
    public static void main(final String[] args)
    {
        final String text;
        try
        {
            text = describe(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("plan: " + ex.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        System.out.print(text);
    }

    /**
     * @param args command-line arguments, see {@link #USAGE}.
     * @return the rendered plan with its warnings, or the usage for {@code --help}.
     * @throws IllegalArgumentException on an unknown option, a bad number, an unknown profile or a missing
     *                                  {@code --root} directory.
     */
    public static String describe(final String[] args)
    {
        TuningProfile profile = null;
        Boolean pin = null;
        int shards = 0;
        int media = 0;
        boolean conductor = false;
        Path root = Path.of("/");
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int eq = arg.indexOf('=');
            final String option = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            switch (option)
            {
                case "--help", "-h" ->
                {
                    return USAGE;
                }
                case "--profile" ->
                {
                    profile = TuningProfile.forName(value(args, i, eq));
                    i += eq > 0 ? 0 : 1;
                }
                case "--shards" ->
                {
                    shards = count(option, value(args, i, eq));
                    i += eq > 0 ? 0 : 1;
                }
                case "--media" ->
                {
                    media = count(option, value(args, i, eq));
                    i += eq > 0 ? 0 : 1;
                }
                case "--root" ->
                {
                    root = Path.of(value(args, i, eq));
                    i += eq > 0 ? 0 : 1;
                    if (!Files.isDirectory(root))
                    {
                        throw new IllegalArgumentException("--root " + root + " is not a directory");
                    }
                }
                case "--conductor" -> conductor = true;
                case "--pin" -> pin = Boolean.TRUE;
                case "--no-pin" -> pin = Boolean.FALSE;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (profile == null)
        {
            profile = TuningProfile.fromSystemProperty();
        }
        if (pin != null)
        {
            profile = profile.withPin(pin);
        }
        final PlanRequest request = new PlanRequest(profile, shards, media, conductor);
        return PinningPlanner.plan(CpuLayout.read(root), request).render();
    }

    private static String value(final String[] args, final int i, final int eq)
    {
        if (eq > 0)
        {
            return args[i].substring(eq + 1);
        }
        if (i + 1 >= args.length)
        {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static int count(final String option, final String text)
    {
        try
        {
            final int value = Integer.parseInt(text.strip());
            if (value < 0 || value > PlanRequest.MAX_THREADS_PER_ROLE)
            {
                throw new IllegalArgumentException(option + " must be 0 to " + PlanRequest.MAX_THREADS_PER_ROLE);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs a number, got '" + text + "'", ex);
        }
    }
}
