using SocketShell.Common;

namespace SocketShell.Engine.Tests.Common;

public class PortListParserTests
{
    [Fact]
    public void Lists_and_ranges_expand_in_order()
    {
        Assert.Equal([22, 80, 8000, 8001, 8002], PortListParser.Parse("22,80,8000-8002"));
        Assert.Equal([1, 2, 3], PortListParser.Parse(new object[] { 1, "2", 3L }));
        Assert.Equal([443, 80], PortListParser.Parse(new object[] { "443", 80.0 }));
        Assert.Equal(Enumerable.Range(1, 1024), PortListParser.Parse(Enumerable.Range(1, 1024).ToArray()));
        Assert.Equal([0, 65535], PortListParser.Parse("0 65535"));
        Assert.Equal(Enumerable.Range(1, 1024), PortListParser.Parse("1..1024"));
        Assert.Equal([22, 8000, 8001], PortListParser.Parse("22,8000..8001"));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("80-")]
    [InlineData("90-80")]
    [InlineData("")]
    [InlineData("1.5")]
    [InlineData("1..")]
    [InlineData("5..3")]
    public void Bad_tokens_are_a_format_error_naming_them(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => PortListParser.Parse(text));
        Assert.Contains("'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("70000-70001")]
    public void Out_of_range_ports_are_named(string text)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PortListParser.Parse(text));
        Assert.Contains(text.Split('-', StringSplitOptions.RemoveEmptyEntries)[0], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_out_of_range_and_fractions_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PortListParser.Parse(65536));
        Assert.Throws<FormatException>(() => PortListParser.Parse(1.5));
        Assert.Throws<FormatException>(() => PortListParser.Parse(null));
    }
}
