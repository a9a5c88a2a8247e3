using System.Collections;
using System.Globalization;
using System.Text;

namespace SocketShell.Common;

/// <summary>Converts what users send (strings, byte arrays, lists of byte values) into bytes, and names into encodings.</summary>
public static class Payload
{
    /// <summary>UTF-8 without a byte order mark: the default everywhere.</summary>
    public static readonly Encoding Utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The encoding names cmdlets complete and accept, besides any name or code page .NET knows.</summary>
    public static readonly IReadOnlyList<string> EncodingNames =
        ["utf8", "utf8NoBOM", "ascii", "unicode", "bigendianunicode", "utf32", "bigendianutf32", "latin1"];

    /// <summary>Resolves an encoding by the names PowerShell users know, a .NET name, or a code page number.</summary>
    /// <exception cref="ArgumentException">The name is not an encoding.</exception>
    public static Encoding GetEncoding(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToUpperInvariant())
        {
            case "UTF8" or "UTF-8" or "UTF8NOBOM":
                return Utf8NoBom;
            case "UTF8BOM":
                // Strings are encoded piece by piece (lines, datagrams, replies), so no byte order mark is ever
                // written: offering utf8BOM would promise one and send plain utf8.
                throw new ArgumentException(
                    "SocketShell writes no byte order mark, so utf8BOM would send the same bytes as utf8: use utf8, and send the mark as bytes (0xEF,0xBB,0xBF) where a peer needs it.");
            case "ASCII":
                return Encoding.ASCII;
            case "UNICODE" or "UTF16" or "UTF-16":
                return new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
            case "BIGENDIANUNICODE":
                return new UnicodeEncoding(bigEndian: true, byteOrderMark: false);
            case "UTF32" or "UTF-32":
                return new UTF32Encoding(bigEndian: false, byteOrderMark: false);
            case "BIGENDIANUTF32":
                return new UTF32Encoding(bigEndian: true, byteOrderMark: false);
            case "LATIN1" or "ISO-8859-1":
                return Encoding.Latin1;
        }

        try
        {
            return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int codePage)
                ? Encoding.GetEncoding(codePage)
                : Encoding.GetEncoding(name.Trim());
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentException(
                $"'{name}' is not an encoding. Use one of {string.Join(", ", EncodingNames)}, a .NET encoding name or a code page number.",
                nameof(name),
                e);
        }
    }

    /// <summary>
    /// Converts <paramref name="data"/> to bytes: <c>byte[]</c> as it is; a string or char[] encoded with
    /// <paramref name="encoding"/>; a list of whole numbers 0–255 as those bytes; any other single value
    /// as its invariant string form, encoded.
    /// </summary>
    /// <exception cref="SocketShellException">InvalidPayload: a list holds something that is not a byte value.</exception>
    public static byte[] ToBytes(object? data, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        switch (data)
        {
            case null:
                return [];
            case byte[] bytes:
                return bytes;
            case string s:
                return encoding.GetBytes(s);
            case char[] chars:
                return encoding.GetBytes(chars);
            case ReadOnlyMemory<byte> rom:
                return rom.ToArray();
            case ArraySegment<byte> seg:
                return seg.ToArray();
            case IEnumerable<byte> seq:
                return seq.ToArray();
            case IEnumerable items:
                var list = new List<byte>();
                foreach (object? item in items)
                {
                    list.Add(ToByte(item));
                }

                return list.ToArray();
            case IFormattable f:
                return encoding.GetBytes(f.ToString(null, CultureInfo.InvariantCulture));
            default:
                return encoding.GetBytes(data.ToString() ?? string.Empty);
        }
    }

    private static byte ToByte(object? item)
    {
        try
        {
            return item switch
            {
                byte b => b,
                int or long or short or sbyte or uint or ulong or ushort => checked((byte)Convert.ToInt64(item, CultureInfo.InvariantCulture)),
                char c when c <= 0xFF => (byte)c,
                _ => throw NotAByte(item, null),
            };
        }
        catch (OverflowException e)
        {
            throw NotAByte(item, e);
        }
    }

    private static SocketShellException NotAByte(object? item, Exception? inner) =>
        new(SocketErrorKind.InvalidPayload, $"'{item}' is not a byte value (a whole number from 0 to 255).", null, inner);
}
