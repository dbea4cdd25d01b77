package dev.pinwheel.tuning;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a {@link CpuLayout} from a sysfs/procfs tree. Every read is lenient: a missing, unreadable or
 * malformed file yields "unknown" and never an exception, because a VM, a container or an old kernel may
 * lack any of these files and the server must still start.
 */
final class SysfsLayoutReader
{
    private static final Pattern CPU_DIR = Pattern.compile("cpu(\\d+)");
    private static final Pattern NODE_DIR = Pattern.compile("node(\\d+)");
    private static final int MAX_FILE_CHARS = 64 * 1024;

    private final Path root;
    private final Path cpuDir;

    SysfsLayoutReader(final Path root)
    {
        this.root = root;
        this.cpuDir = root.resolve("sys/devices/system/cpu");
    }

    CpuLayout read()
    {
        final CpuSet online = onlineCpus();
        final SortedMap<Integer, CpuSet> nodes = numaNodes(online);
        final List<LogicalCpu> cpus = new ArrayList<>(online.size());
        online.stream().forEach(id -> cpus.add(logicalCpu(id, nodes)));
        return new CpuLayout(
            root,
            cpus,
            nodes,
            cpuList(cpuDir.resolve("isolated")).intersect(online),
            cpuList(cpuDir.resolve("nohz_full")).intersect(online),
            allowedCpus(),
            TransparentHugePages.parse(text(root.resolve("sys/kernel/mm/transparent_hugepage/enabled"))),
            TransparentHugePages.parse(text(root.resolve("sys/kernel/mm/transparent_hugepage/shmem_enabled"))));
    }

    private CpuSet onlineCpus()
    {
        final CpuSet online = CpuSet.parseOrNull(text(cpuDir.resolve("online")));
        if (online != null && !online.isEmpty())
        {
            return online;
        }
        final List<Integer> ids = new ArrayList<>();
        forEachNumbered(cpuDir, CPU_DIR, (id, dir) -> ids.add(id));
        if (!ids.isEmpty())
        {
            return CpuSet.of(ids.stream().mapToInt(Integer::intValue).toArray());
        }
        final int[] assumed = new int[Math.max(1, Runtime.getRuntime().availableProcessors())];
        for (int i = 0; i < assumed.length; i++)
        {
            assumed[i] = i;
        }
        return CpuSet.of(assumed);
    }

    private SortedMap<Integer, CpuSet> numaNodes(final CpuSet online)
    {
        final SortedMap<Integer, CpuSet> nodes = new TreeMap<>();
        forEachNumbered(root.resolve("sys/devices/system/node"), NODE_DIR, (id, dir) ->
        {
            final CpuSet cpus = CpuSet.parseOrNull(text(dir.resolve("cpulist")));
            if (cpus != null && !cpus.intersect(online).isEmpty())
            {
                nodes.put(id, cpus.intersect(online));
            }
        });
        return nodes;
    }

    private LogicalCpu logicalCpu(final int id, final SortedMap<Integer, CpuSet> nodes)
    {
        final Path dir = cpuDir.resolve("cpu" + id);
        final Path topology = dir.resolve("topology");
        final int packageId = number(topology.resolve("physical_package_id"), LogicalCpu.UNKNOWN);
        final int coreId = number(topology.resolve("core_id"), id);
        CpuSet siblings = CpuSet.parseOrNull(text(topology.resolve("thread_siblings_list")));
        if (siblings == null || !siblings.contains(id))
        {
            siblings = CpuSet.of(id);
        }
        int node = LogicalCpu.UNKNOWN;
        for (final var entry : nodes.entrySet())
        {
            if (entry.getValue().contains(id))
            {
                node = entry.getKey();
                break;
            }
        }
        final String governor = text(dir.resolve("cpufreq/scaling_governor"));
        return new LogicalCpu(id, packageId, coreId, siblings, node,
            governor == null || governor.isBlank() ? null : governor.strip());
    }

    private CpuSet allowedCpus()
    {
        final String status = text(root.resolve("proc/self/status"));
        if (status == null)
        {
            return null;
        }
        for (final String line : status.split("\n"))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                final CpuSet allowed = CpuSet.parseOrNull(line.substring("Cpus_allowed_list:".length()));
                return allowed == null || allowed.isEmpty() ? null : allowed;
            }
        }
        return null;
    }

    private static CpuSet cpuList(final Path file)
    {
        final CpuSet cpus = CpuSet.parseOrNull(text(file));
        return cpus == null ? CpuSet.empty() : cpus;
    }

    private static int number(final Path file, final int unknown)
    {
        final String text = text(file);
        if (text == null)
        {
            return unknown;
        }
        try
        {
            final int value = Integer.parseInt(text.strip());
            return value < 0 ? unknown : value;
        }
        catch (final NumberFormatException ex)
        {
            return unknown;
        }
    }

    /**
     * @param file a small text file.
     * @return its content, or {@code null} if it is missing, unreadable or implausibly large (sysfs and
     *         procfs report sizes of 4096 or 0, so the size is checked after reading).
     */
    static String text(final Path file)
    {
        try
        {
            if (!Files.isRegularFile(file))
            {
                return null;
            }
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() > MAX_FILE_CHARS ? null : text;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private interface NumberedDirConsumer
    {
        void accept(int id, Path dir);
    }

    private static void forEachNumbered(final Path parent, final Pattern pattern, final NumberedDirConsumer consumer)
    {
        if (!Files.isDirectory(parent))
        {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent))
        {
            for (final Path entry : entries)
            {
                final var matcher = pattern.matcher(entry.getFileName().toString());
                if (matcher.matches() && matcher.group(1).length() <= 5 && Files.isDirectory(entry))
                {
                    consumer.accept(Integer.parseInt(matcher.group(1)), entry);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // an unreadable directory means: nothing known there
        }
    }
}
