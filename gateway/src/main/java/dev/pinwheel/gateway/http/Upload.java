package dev.pinwheel.gateway.http;

/**
 * One file part of a multipart request ({@code files[n]}), copied out of the request's buffer.
 *
 * @param field       the part's name, e.g. {@code files[0]}.
 * @param filename    the part's file name as sent.
 * @param contentType the part's Content-Type, or null.
 * @param data        the bytes.
 */
public record Upload(String field, String filename, String contentType, byte[] data)
{
    /**
     * @return n of a {@code files[n]} field (also {@code file} = 0, {@code fileN} = N, as older clients send), or -1.
     */
    public int index()
    {
        if (field.startsWith("files[") && field.endsWith("]"))
        {
            return parse(field.substring(6, field.length() - 1));
        }
        if (field.startsWith("file"))
        {
            return field.length() == 4 ? 0 : parse(field.substring(4));
        }
        return -1;
    }

    private static int parse(final String s)
    {
        if (s.isEmpty() || s.length() > 3)
        {
            return -1;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) < '0' || s.charAt(i) > '9')
            {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }
}
