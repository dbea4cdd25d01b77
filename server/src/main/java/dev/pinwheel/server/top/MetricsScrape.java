package dev.pinwheel.server.top;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One read of {@code /metrics}: the Prometheus text format parsed into samples by name, with the time it
 * was taken. Enough of the format for what Pinwheel serves: {@code name{label="value",...} number} lines,
 * comments skipped.
 */
public final class MetricsScrape
{
    /** One sample line. */
    public record Sample(Map<String, String> labels, double value)
    {
    }

    private final long nanos;
    private final Map<String, List<Sample>> samples;

    private MetricsScrape(final long nanos, final Map<String, List<Sample>> samples)
    {
        this.nanos = nanos;
        this.samples = samples;
    }

    /**
     * @param text  exposition text.
     * @param nanos when it was read ({@link System#nanoTime()}).
     * @return the parsed scrape.
     */
    public static MetricsScrape parse(final String text, final long nanos)
    {
        final Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (final String raw : text.split("\n"))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
            {
                i++;
            }
            final String name = line.substring(0, i);
            final Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{')
            {
                i = parseLabels(line, i + 1, labels);
            }
            final String rest = line.substring(Math.min(i, line.length())).strip();
            final String number = rest.split("\\s+")[0];
            final double value = switch (number)
            {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> parseDouble(number);
            };
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(new Sample(labels, value));
        }
        return new MetricsScrape(nanos, out);
    }

    private static double parseDouble(final String s)
    {
        try
        {
            return Double.parseDouble(s);
        }
        catch (final NumberFormatException e)
        {
            return Double.NaN;
        }
    }

    private static int parseLabels(final String line, final int from, final Map<String, String> labels)
    {
        int i = from;
        while (i < line.length() && line.charAt(i) != '}')
        {
            final int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
            {
                return line.length();
            }
            final String key = line.substring(i, eq).strip();
            final StringBuilder v = new StringBuilder();
            int j = eq + 2;
            while (j < line.length() && line.charAt(j) != '"')
            {
                char ch = line.charAt(j);
                if (ch == '\\' && j + 1 < line.length())
                {
                    j++;
                    ch = line.charAt(j) == 'n' ? '\n' : line.charAt(j);
                }
                v.append(ch);
                j++;
            }
            labels.put(key, v.toString());
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',')
            {
                i++;
            }
        }
        return i + 1;
    }

    /**
     * @return when this was read ({@link System#nanoTime()}).
     */
    public long nanos()
    {
        return nanos;
    }

    /**
     * @param name   sample name.
     * @param labels label name/value pairs the sample must have.
     * @return the first matching value, or NaN.
     */
    public double value(final String name, final String... labels)
    {
        for (final Sample s : samples.getOrDefault(name, List.of()))
        {
            if (matches(s, labels))
            {
                return s.value();
            }
        }
        return Double.NaN;
    }

    /**
     * @param name  sample name.
     * @param label a label.
     * @return its distinct values over the samples of {@code name}, in order of appearance.
     */
    public Set<String> labelValues(final String name, final String label)
    {
        final Set<String> out = new LinkedHashSet<>();
        for (final Sample s : samples.getOrDefault(name, List.of()))
        {
            final String v = s.labels().get(label);
            if (v != null)
            {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Cumulative histogram buckets of {@code name} (its {@code _bucket} samples) summed over the label sets
     * that match {@code labels}.
     *
     * @param name   histogram name.
     * @param labels required labels.
     * @return upper bound → cumulative count.
     */
    public TreeMap<Double, Double> buckets(final String name, final String... labels)
    {
        final TreeMap<Double, Double> out = new TreeMap<>();
        for (final Sample s : samples.getOrDefault(name + "_bucket", List.of()))
        {
            if (matches(s, labels))
            {
                final String le = s.labels().get("le");
                final double bound = "+Inf".equals(le) ? Double.POSITIVE_INFINITY : parseDouble(le);
                out.merge(bound, s.value(), Double::sum);
            }
        }
        return out;
    }

    private static boolean matches(final Sample s, final String[] labels)
    {
        for (int i = 0; i + 1 < labels.length; i += 2)
        {
            if (!labels[i + 1].equals(s.labels().get(labels[i])))
            {
                return false;
            }
        }
        return true;
    }
}
