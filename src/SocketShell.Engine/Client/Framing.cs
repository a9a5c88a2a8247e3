namespace SocketShell.Client;

/// <summary>
/// How Receive-SocketData cuts one message out of the bytes received so far: pure functions over a span,
/// answering whether a whole frame is there, how long it is and how many bytes after it belong to its
/// end marker (consumed, not returned). At the end of the stream an unfinished frame is returned as it is.
/// </summary>
internal static class Framing
{
    /// <summary>One frame of data, as received: a frame at <paramref name="length"/> bytes, then <paramref name="skip"/> bytes of end marker.</summary>
    public delegate bool Framer(ReadOnlySpan<byte> data, bool ended, out int length, out int skip);

    /// <summary>Everything there is (-Available): a frame whenever anything is buffered.</summary>
    public static bool Available(ReadOnlySpan<byte> data, bool ended, out int length, out int skip)
    {
        _ = ended;
        skip = 0;
        length = data.Length;
        return data.Length > 0;
    }

    /// <summary>One line ended by <paramref name="lf"/> or <paramref name="cr"/><paramref name="lf"/>, without its end.</summary>
    public static bool Line(ReadOnlySpan<byte> data, bool ended, ReadOnlySpan<byte> lf, ReadOnlySpan<byte> cr, out int length, out int skip)
    {
        int at = data.IndexOf(lf);
        if (at >= 0)
        {
            int end = at >= cr.Length && data[(at - cr.Length)..at].SequenceEqual(cr) ? at - cr.Length : at;
            skip = at + lf.Length - end;
            length = end;
            return true;
        }

        return RestAtEnd(data, ended, out length, out skip);
    }

    /// <summary>The data up to <paramref name="delimiter"/>, which is consumed.</summary>
    public static bool Until(ReadOnlySpan<byte> data, bool ended, ReadOnlySpan<byte> delimiter, out int length, out int skip)
    {
        int at = data.IndexOf(delimiter);
        if (at >= 0)
        {
            length = at;
            skip = delimiter.Length;
            return true;
        }

        return RestAtEnd(data, ended, out length, out skip);
    }

    /// <summary>Exactly <paramref name="count"/> bytes; fewer only at the end of the stream.</summary>
    public static bool Count(ReadOnlySpan<byte> data, bool ended, int count, out int length, out int skip)
    {
        if (data.Length >= count)
        {
            length = count;
            skip = 0;
            return true;
        }

        return RestAtEnd(data, ended, out length, out skip);
    }

    /// <summary>Whether <paramref name="encoding"/> writes LF and CR as the single bytes 0x0A and 0x0D (UTF-8, ASCII, Latin-1, the Windows code pages...).</summary>
    public static bool IsAsciiLineEnd(System.Text.Encoding encoding)
        => encoding is System.Text.UTF8Encoding or System.Text.ASCIIEncoding || encoding.CodePage is 28591 or 1252;

    private static bool RestAtEnd(ReadOnlySpan<byte> data, bool ended, out int length, out int skip)
    {
        skip = 0;
        length = data.Length;
        return ended && data.Length > 0;
    }
}
