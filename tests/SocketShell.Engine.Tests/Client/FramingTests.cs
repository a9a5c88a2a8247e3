using System.Text;
using SocketShell.Client;

namespace SocketShell.Engine.Tests.Client;

/// <summary>Receive-SocketData's framers on their own: bytes in, (length, skip) out; no sockets.</summary>
public class FramingTests
{
    private static readonly byte[] Lf = "\n"u8.ToArray();
    private static readonly byte[] Cr = "\r"u8.ToArray();

    private static (bool Found, string Frame, int Skip) Run(string text, bool ended, Framing.Framer framer, Encoding? encoding = null)
    {
        byte[] data = (encoding ?? Encoding.UTF8).GetBytes(text);
        bool found = framer(data, ended, out int length, out int skip);
        return (found, found ? (encoding ?? Encoding.UTF8).GetString(data, 0, length) : string.Empty, found ? skip : 0);
    }

    [Theory]
    [InlineData("", false, false, "")]
    [InlineData("", true, false, "")]
    [InlineData("abc", false, true, "abc")]
    [InlineData("a\nb", true, true, "a\nb")]
    public void Available_takes_everything_buffered(string text, bool ended, bool found, string frame)
        => Assert.Equal((found, frame, 0), Run(text, ended, Framing.Available));

    [Theory]
    [InlineData("one\ntwo", false, true, "one", 1)]
    [InlineData("one\r\ntwo", false, true, "one", 2)]
    [InlineData("\n", false, true, "", 1)]
    [InlineData("\r\n", false, true, "", 2)]
    [InlineData("a\rb\n", false, true, "a\rb", 1)]     // a lone CR inside the line stays
    [InlineData("no end yet", false, false, "", 0)]
    [InlineData("last line", true, true, "last line", 0)] // unfinished last line at the end of the stream
    [InlineData("", true, false, "", 0)]
    public void Line_ends_at_LF_or_CRLF_and_returns_an_unfinished_line_only_at_the_end(string text, bool ended, bool found, string frame, int skip)
        => Assert.Equal((found, frame, skip), Run(text, ended, (ReadOnlySpan<byte> d, bool e, out int l, out int s) => Framing.Line(d, e, Lf, Cr, out l, out s)));

    [Fact]
    public void Line_ends_are_matched_in_the_encoding_given()
    {
        Encoding utf16 = Encoding.Unicode;
        byte[] lf = utf16.GetBytes("\n");
        byte[] cr = utf16.GetBytes("\r");
        var r = Run("hé\r\nrest", false, (ReadOnlySpan<byte> d, bool e, out int l, out int s) => Framing.Line(d, e, lf, cr, out l, out s), utf16);
        Assert.Equal((true, "hé", 4), r);
    }

    [Theory]
    [InlineData("a||b", "||", false, true, "a", 2)]
    [InlineData("||", "||", false, true, "", 2)]
    [InlineData("a|b", "||", false, false, "", 0)]
    [InlineData("a|b", "||", true, true, "a|b", 0)]
    [InlineData("END", "END", false, true, "", 3)]
    public void Until_stops_at_the_delimiter_and_consumes_it(string text, string delimiter, bool ended, bool found, string frame, int skip)
    {
        byte[] pattern = Encoding.UTF8.GetBytes(delimiter);
        Assert.Equal((found, frame, skip), Run(text, ended, (ReadOnlySpan<byte> d, bool e, out int l, out int s) => Framing.Until(d, e, pattern, out l, out s)));
    }

    [Theory]
    [InlineData("abcdef", 4, false, true, "abcd")]
    [InlineData("abcd", 4, false, true, "abcd")]
    [InlineData("abc", 4, false, false, "")]
    [InlineData("abc", 4, true, true, "abc")]   // fewer only when the stream ended
    [InlineData("", 4, true, false, "")]
    public void Count_takes_exactly_that_many_bytes_or_the_rest_at_the_end(string text, int count, bool ended, bool found, string frame)
        => Assert.Equal((found, frame, 0), Run(text, ended, (ReadOnlySpan<byte> d, bool e, out int l, out int s) => Framing.Count(d, e, count, out l, out s)));
}
