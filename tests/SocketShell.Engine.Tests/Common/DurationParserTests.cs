using SocketShell.Common;

namespace SocketShell.Engine.Tests.Common;

public class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5_000)]
    [InlineData("1m", 60_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("0.25", 250)]
    [InlineData(" 1.5 s ", 1_500)]
    [InlineData("00:00:05", 5_000)]
    [InlineData("0", 0)]
    public void Strings_parse_to_the_duration_they_name(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryConvert(text, out TimeSpan d, out string? error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
    }

    [Theory]
    [InlineData(5, 5_000)]
    [InlineData(0.25, 250)]
    public void Numbers_are_seconds(double seconds, double milliseconds)
    {
        Assert.True(DurationParser.TryConvert(seconds, out TimeSpan d, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
        Assert.True(DurationParser.TryConvert((int)Math.Ceiling(seconds), out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("-1s")]
    [InlineData("-3")]
    [InlineData("msms")]
    [InlineData("1e30s")]
    [InlineData("NaN")]
    public void Invalid_strings_are_refused_with_a_reason(string text)
    {
        Assert.False(DurationParser.TryConvert(text, out _, out string? error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Negative_and_oversized_values_are_refused()
    {
        Assert.False(DurationParser.TryConvert(TimeSpan.FromSeconds(-1), out _, out _));
        Assert.False(DurationParser.TryConvert(double.NaN, out _, out _));
        Assert.False(DurationParser.TryConvert(TimeSpan.FromDays(30), out _, out _));
        Assert.False(DurationParser.TryConvert(null, out _, out _));
        Assert.False(DurationParser.TryConvert(new object(), out _, out _));
    }
}
