using System.Text;
using SocketShell.Common;

namespace SocketShell.Engine.Tests.Common;

public class PayloadTests
{
    [Fact]
    public void Strings_are_encoded_utf8_without_bom_by_default()
    {
        Assert.Equal([0x68, 0xC3, 0xA9], Payload.ToBytes("hé", Payload.Utf8NoBom));
        Assert.Empty(Payload.Utf8NoBom.GetPreamble());
    }

    [Fact]
    public void Byte_arrays_pass_through_and_number_lists_become_bytes()
    {
        byte[] raw = [1, 2, 255];
        Assert.Same(raw, Payload.ToBytes(raw, Encoding.ASCII));
        Assert.Equal([0x41, 0x42], Payload.ToBytes(new object[] { 0x41, 0x42 }, Encoding.ASCII));
        Assert.Equal(SocketErrorKind.InvalidPayload, Assert.Throws<SocketShellException>(() => Payload.ToBytes(new object[] { 256 }, Encoding.ASCII)).Kind);
        Assert.Equal(SocketErrorKind.InvalidPayload, Assert.Throws<SocketShellException>(() => Payload.ToBytes(new object[] { "x" }, Encoding.ASCII)).Kind);
    }

    [Fact]
    public void Other_values_are_sent_as_invariant_text()
    {
        Assert.Equal("1.5"u8.ToArray(), Payload.ToBytes(1.5, Payload.Utf8NoBom));
        Assert.Empty(Payload.ToBytes(null, Payload.Utf8NoBom));
    }

    [Theory]
    [InlineData("utf8", 65001)]
    [InlineData("UTF8NoBOM", 65001)]
    [InlineData("ascii", 20127)]
    [InlineData("unicode", 1200)]
    [InlineData("bigendianunicode", 1201)]
    [InlineData("utf32", 12000)]
    [InlineData("latin1", 28591)]
    [InlineData("65001", 65001)]
    public void Encoding_names_resolve(string name, int codePage)
    {
        Assert.Equal(codePage, Payload.GetEncoding(name).CodePage);
    }

    [Fact]
    public void Unknown_encodings_are_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Payload.GetEncoding("klingon"));
    }

    [Fact]
    public void Messages_decode_lazily_and_can_be_redecoded()
    {
        var m = new SocketMessage(Encoding.Unicode.GetBytes("hi"), Encoding.Unicode);
        Assert.Equal("hi", m.Text);
        Assert.Equal(4, m.Length);
        m.SetEncoding(Encoding.Latin1);
        Assert.Equal("h\0i\0", m.Text);
    }
}
