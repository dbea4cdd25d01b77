package dev.pinwheel.benchmarks.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rounds of {@link RecoveryProbe}, kept by name (in first-seen order) so that its summary prints each one's
 * median: a noisy machine moves single runs by hundreds of milliseconds, and cases compared in the same round see
 * the same noise.
 * <p>
 * <b>Not thread-safe</b>: the probe's main thread only.
 */
final class RecoverySamples
{
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    /**
     * @param name  what was measured, e.g. {@code "server serving, reuse on"}.
     * @param value one round's value.
     */
    void add(final String name, final double value)
    {
        samples.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /**
     * @param name what was measured.
     * @return true if at least one round measured it.
     */
    boolean has(final String name)
    {
        return samples.containsKey(name);
    }

    /**
     * @param name what was measured.
     * @return the median of its rounds (the mean of the two middle ones for an even count), NaN if none.
     */
    double median(final String name)
    {
        final List<Double> values = samples.get(name);
        if (values == null || values.isEmpty())
        {
            return Double.NaN;
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * @param name what was measured.
     * @return its rounds in order, e.g. {@code [1830, 1790, 2010]}.
     */
    String rounds(final String name)
    {
        final List<Double> values = samples.get(name);
        if (values == null)
        {
            return "[]";
        }
        return Arrays.toString(values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toArray());
    }
}
