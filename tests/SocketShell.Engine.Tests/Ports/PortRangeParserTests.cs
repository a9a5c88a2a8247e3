using SocketShell.Ports;

namespace SocketShell.Engine.Tests.Ports;

public class PortRangeParserTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    [Theory]
    [InlineData("32768\t60999\n", 32768, 60999)]
    [InlineData("1024 65535", 1024, 65535)]
    [InlineData("  49152   49152  ", 49152, 49152)]
    public void Linux_local_port_range_parses(string text, int start, int end)
    {
        Assert.Equal((start, end), PortRangeParser.ParseLinuxLocalPortRange(text, "test"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("32768")]
    [InlineData("32768 60999 1")]
    [InlineData("60999 32768")]
    [InlineData("a b")]
    [InlineData("1 70000")]
    [InlineData("-1 100")]
    public void Malformed_linux_local_port_range_is_an_error_naming_the_source(string text)
    {
        var e = Assert.Throws<FormatException>(() => PortRangeParser.ParseLinuxLocalPortRange(text, "/proc/x"));
        Assert.StartsWith("/proc/x:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Linux_reserved_ports_parse_merge_and_sort()
    {
        Assert.Empty(PortRangeParser.ParseLinuxReservedPorts("\n", "t"));
        Assert.Equal([(8080, 8080)], PortRangeParser.ParseLinuxReservedPorts("8080\n", "t"));
        Assert.Equal(
            [(80, 80), (9000, 9012), (20000, 20000)],
            PortRangeParser.ParseLinuxReservedPorts("20000,9000-9010,80,9011-9012,9005", "t"));
    }

    [Theory]
    [InlineData("8080,")]
    [InlineData("9010-9000")]
    [InlineData("x")]
    [InlineData("1-70000")]
    public void Malformed_linux_reserved_ports_are_an_error(string text)
    {
        Assert.Throws<FormatException>(() => PortRangeParser.ParseLinuxReservedPorts(text, "t"));
    }

    [Fact]
    public void Netsh_dynamic_port_output_parses_in_english_crlf_and_german()
    {
        Assert.Equal((49152, 65535), PortRangeParser.ParseNetshDynamicPort(Sample("netsh/dynamicport-tcp.txt"), "t"));
        Assert.Equal((50000, 59999), PortRangeParser.ParseNetshDynamicPort(Sample("netsh/dynamicport-udp.txt"), "t"));
        Assert.Equal((1025, 65534), PortRangeParser.ParseNetshDynamicPort(Sample("netsh/dynamicport-tcp-de.txt"), "t"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("The requested operation requires elevation.")]
    [InlineData("Start Port : 60000\nNumber of Ports : 10000\n")]
    [InlineData("Start Port : 60000\n")]
    public void Bad_netsh_dynamic_port_output_is_an_error(string text)
    {
        Assert.Throws<FormatException>(() => PortRangeParser.ParseNetshDynamicPort(text, "t"));
    }

    [Fact]
    public void Netsh_excluded_ranges_parse_including_administered_rows()
    {
        Assert.Equal(
            [(1701, 1701), (5357, 5357), (50000, 50159)],
            PortRangeParser.ParseNetshExcludedPortRanges(Sample("netsh/excludedportrange-tcp.txt"), "t"));
        Assert.Empty(PortRangeParser.ParseNetshExcludedPortRanges(Sample("netsh/excludedportrange-empty.txt"), "t"));
        Assert.Throws<FormatException>(() => PortRangeParser.ParseNetshExcludedPortRanges("Access is denied.", "t"));
    }

    [Fact]
    public void Sysctl_values_are_checked()
    {
        Assert.Equal((49152, 65535), PortRangeParser.CheckSysctlRange(49152, 65535, "t"));
        Assert.Throws<FormatException>(() => PortRangeParser.CheckSysctlRange(65535, 49152, "t"));
        Assert.Throws<FormatException>(() => PortRangeParser.CheckSysctlRange(0, 100, "t"));
        Assert.Throws<FormatException>(() => PortRangeParser.CheckSysctlRange(1, 70000, "t"));
    }

    [Fact]
    public void Windows_ranges_combine_when_equal_and_stay_apart_when_not()
    {
        var tcp = new PortRange("Ephemeral", 49152, 65535, PortProtocol.Tcp, "a");
        var udpSame = new PortRange("Ephemeral", 49152, 65535, PortProtocol.Udp, "b");
        var udpOther = new PortRange("Ephemeral", 50000, 59999, PortProtocol.Udp, "b");
        PortRange only = Assert.Single(WindowsPortRangeSource.Combine(tcp, udpSame));
        Assert.Equal(PortProtocol.Any, only.Protocol);
        Assert.Equal(2, WindowsPortRangeSource.Combine(tcp, udpOther).Count);
    }
}
