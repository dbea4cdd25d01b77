package dev.pinwheel.tuning;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The recorded sysfs trees under {@code src/test/resources/layouts} (see the README there).
 */
final class Layouts
{
    /** 2 vCPUs, no hyperthreads, no NUMA files, no cpufreq: the development VM. */
    static final String VM_2CPU = "vm-2cpu";
    /** 1 socket, 8 cores x 2 hyperthreads, isolcpus and nohz_full 2-7,10-15, governor powersave. */
    static final String HT_16CPU_ISOLATED = "ht-16cpu-isolated";
    /** 2 sockets x 32 cores, no hyperthreads, 2 NUMA nodes. */
    static final String NUMA_2X32 = "numa-2x32";

    private Layouts()
    {
    }

    static Path root(final String name)
    {
        final URL url = Layouts.class.getResource("/layouts/" + name);
        if (url == null)
        {
            throw new IllegalStateException("no recorded layout " + name);
        }
        try
        {
            return Path.of(url.toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static CpuLayout read(final String name)
    {
        return CpuLayout.read(root(name));
    }
}
