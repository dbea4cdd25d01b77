package dev.pinwheel.benchmarks.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A hand-written SVG of latency percentile distributions, the plot HdrHistogram's
 * {@code outputPercentileDistribution} output is usually drawn as: x is the percentile on a log "nines" scale
 * ({@code 1 / (1 - p)}: 0%, 90%, 99%, 99.9%... equally spaced), y is the latency in milliseconds (linear).
 * Histograms hold microseconds, as {@link DeliveryStats} records them. One line per series, with a legend.
 */
public final class PercentilePlot
{
    private static final int W = 860;
    private static final int H = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private PercentilePlot()
    {
    }

    /**
     * Writes the plot. Empty histograms are left out; with none left, nothing is written.
     *
     * @param file   the .svg file.
     * @param title  title line.
     * @param series legend label to histogram (µs), in drawing order.
     * @return whether a file was written.
     * @throws IOException on a write failure.
     */
    public static boolean write(final Path file, final String title, final Map<String, Histogram> series)
        throws IOException
    {
        final List<String> names = new ArrayList<>();
        final List<List<double[]>> lines = new ArrayList<>();
        double maxNines = 1;
        double maxMs = 0;
        for (final Map.Entry<String, Histogram> e : series.entrySet())
        {
            final Histogram h = e.getValue();
            if (h == null || h.getTotalCount() == 0)
            {
                continue;
            }
            final List<double[]> pts = new ArrayList<>();
            for (final HistogramIterationValue v : h.percentiles(5))
            {
                final double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p >= 1.0)
                {
                    break;
                }
                pts.add(new double[] {nines(p), h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0});
            }
            // the maximum, plotted one step beyond the last percentile with a value below it
            final double lastX = pts.isEmpty() ? 0 : pts.get(pts.size() - 1)[0];
            final double countNines = Math.log10(Math.max(10, h.getTotalCount()));
            pts.add(new double[] {Math.max(lastX, countNines), h.getMaxValue() / 1000.0});
            for (final double[] pt : pts)
            {
                maxNines = Math.max(maxNines, pt[0]);
                maxMs = Math.max(maxMs, pt[1]);
            }
            names.add(String.format(Locale.ROOT, "%s (n=%d, p99 %.2f ms)", e.getKey(), h.getTotalCount(),
                h.getValueAtPercentile(99) / 1000.0));
            lines.add(pts);
        }
        if (lines.isEmpty())
        {
            return false;
        }
        final int xMax = (int)Math.ceil(maxNines);
        final double yMax = niceCeil(maxMs);
        final int pw = W - LEFT - RIGHT;
        final int ph = H - TOP - BOTTOM;
        final StringBuilder s = new StringBuilder(16_384);
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));
        // grid and x ticks: 0%, 90%, 99%, ...
        for (int n = 0; n <= xMax; n++)
        {
            final double x = LEFT + pw * (double)n / xMax;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                x, TOP, x, TOP + ph));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                TOP + ph + 16, ninesLabel(n)));
        }
        for (int i = 0; i <= 5; i++)
        {
            final double y = TOP + ph - ph * i / 5.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, y, LEFT + pw, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                y + 4, trim(yMax * i / 5.0)));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
            + "stroke=\"#333\"/>%n", LEFT, TOP, pw, ph));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + pw / 2, H - 12));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">"
            + "latency (ms)</text>%n", TOP + ph / 2));
        for (int k = 0; k < lines.size(); k++)
        {
            final String color = COLORS[k % COLORS.length];
            s.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(color).append("\" points=\"");
            for (final double[] pt : lines.get(k))
            {
                s.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + pw * pt[0] / xMax,
                    TOP + ph - ph * Math.min(1, pt[1] / yMax)));
            }
            s.append("\"/>\n");
        }
        // legend in the top left corner, where percentile curves (rising to the right) seldom are
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" "
            + "fill-opacity=\"0.85\" stroke=\"#bbb\"/>%n", LEFT + 8, TOP + 8, 380, 10 + 18 * lines.size()));
        for (int k = 0; k < lines.size(); k++)
        {
            final int ly = TOP + 22 + 18 * k;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"3\"/>%n", LEFT + 16, ly, LEFT + 36, ly, COLORS[k % COLORS.length]));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n",
                LEFT + 42, ly + 4, escape(names.get(k))));
        }
        s.append("</svg>\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, s, StandardCharsets.UTF_8);
        return true;
    }

    /** @return {@code log10(1 / (1 - p))}: 0 at the median's left end, 1 at 90%, 2 at 99%... */
    static double nines(final double p)
    {
        return Math.log10(1.0 / (1.0 - p));
    }

    private static String ninesLabel(final int n)
    {
        if (n == 0)
        {
            return "0%";
        }
        if (n == 1)
        {
            return "90%";
        }
        if (n == 2)
        {
            return "99%";
        }
        return "99." + "9".repeat(n - 2) + "%";
    }

    private static double niceCeil(final double v)
    {
        if (v <= 0)
        {
            return 1;
        }
        final double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] {1, 2, 2.5, 5, 10})
        {
            if (m * mag >= v)
            {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static String trim(final double v)
    {
        return v == Math.rint(v) ? Long.toString((long)v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
