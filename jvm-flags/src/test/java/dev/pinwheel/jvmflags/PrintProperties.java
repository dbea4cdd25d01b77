package dev.pinwheel.jvmflags;

import java.util.TreeMap;

/**
 * Child-JVM main for {@link ArgFileTest}: prints every system property whose key starts with the prefix in
 * {@code args[0]}, one {@code key=value} a line, control characters escaped, sorted by key.
 */
public final class PrintProperties
{
    private PrintProperties()
    {
    }

    /**
     * @param args the key prefix.
     */
    public static void main(final String[] args)
    {
        final TreeMap<String, String> selected = new TreeMap<>();
        System.getProperties().forEach((key, value) ->
        {
            if (key.toString().startsWith(args[0]))
            {
                selected.put(key.toString(), value.toString());
            }
        });
        selected.forEach((key, value) -> System.out.println(key + "=" + escape(value)));
    }

    static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
            .replace("\f", "\\f");
    }
}
