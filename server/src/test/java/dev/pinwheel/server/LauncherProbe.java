package dev.pinwheel.server;

import java.util.Arrays;

/**
 * Stands in for {@link PinwheelMain} when {@link LauncherArgumentsTest} runs the launcher's java command line: prints
 * the system properties the test set and the program arguments it got.
 */
public final class LauncherProbe
{
    private LauncherProbe()
    {
    }

    public static void main(final String[] args)
    {
        for (final String key : new String[] {"pinwheel.test.a", "pinwheel.test.b", "pinwheel.test.tool",
            "pinwheel.profile"})
        {
            System.out.println(key + "=" + System.getProperty(key));
        }
        System.out.println("args=" + Arrays.toString(args));
    }
}
