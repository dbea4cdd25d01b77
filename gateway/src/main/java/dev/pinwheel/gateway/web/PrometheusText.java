package dev.pinwheel.gateway.web;

/**
 * A writer of the Prometheus text exposition format (version 0.0.4): {@code # HELP}, {@code # TYPE}, then
 * samples {@code name{label="value",...} number}. Each family is declared once, its samples follow.
 */
final class PrometheusText
{
    /** The content type of the format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(16 * 1024);

    /**
     * Starts a metric family.
     *
     * @param name family name.
     * @param type {@code gauge}, {@code counter} or {@code histogram}.
     * @param help one line of help.
     * @return this.
     */
    PrometheusText family(final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
            .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /**
     * @param name   sample name.
     * @param labels label names and values, alternating.
     * @param value  the value.
     * @return this.
     */
    PrometheusText sample(final String name, final String[] labels, final double value)
    {
        out.append(name);
        if (labels.length > 0)
        {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escape(labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            out.append((long)value);
        }
        else if (Double.isNaN(value))
        {
            out.append("NaN");
        }
        else if (Double.isInfinite(value))
        {
            out.append(value > 0 ? "+Inf" : "-Inf");
        }
        else
        {
            out.append(value);
        }
        out.append('\n');
        return this;
    }

    /**
     * @param name  sample name.
     * @param value the value (no labels).
     * @return this.
     */
    PrometheusText sample(final String name, final double value)
    {
        return sample(name, new String[0], value);
    }

    /**
     * @param sample a sample already in the format, {@code name{label="value",...} number}, without the newline.
     * @return this.
     */
    PrometheusText line(final String sample)
    {
        out.append(sample).append('\n');
        return this;
    }

    private void escape(final String v)
    {
        for (int i = 0; i < v.length(); i++)
        {
            final char ch = v.charAt(i);
            switch (ch)
            {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(ch);
            }
        }
    }

    @Override
    public String toString()
    {
        return out.toString();
    }
}
