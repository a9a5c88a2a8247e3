using SocketShell.Common;

namespace SocketShell.Engine.Tests.Common;

public class HostNameRulesTests
{
    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData(" example.test ", "example.test")]
    [InlineData("host-1.example.test.", "host-1.example.test.")]
    [InlineData("_sip._tcp.example.test", "_sip._tcp.example.test")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("fe80::1%1", "fe80::1%1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("1host.example", "1host.example")]
    public void Hosts_pass_trimmed(string input, string expected)
    {
        Assert.Equal(expected, HostNameRules.Validate(input));
        Assert.True(HostNameRules.IsValid(input));
    }

    [Theory]
    [InlineData("[::1]:8080", "8080")]
    [InlineData("127.0.0.1:80", "80")]
    [InlineData("host:80", "80")]
    [InlineData("example.test:443", "443")]
    public void A_host_carrying_a_port_is_refused_naming_the_port(string input, string port)
    {
        SocketShellException e = Assert.Throws<SocketShellException>(() => HostNameRules.Validate(input));
        Assert.Equal(SocketErrorKind.InvalidComputerName, e.Kind);
        Assert.Contains($"includes a port ({port})", e.Message, StringComparison.Ordinal);
        Assert.Equal(input, e.Target);
    }

    [Theory]
    [InlineData("1", "0.0.0.1")]
    [InlineData("22", "0.0.0.22")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("017.0.0.1", "15.0.0.1")]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("4294967295", "255.255.255.255")]
    public void Resolver_shorthands_are_not_hosts(string input, string wouldBe)
    {
        SocketShellException e = Assert.Throws<SocketShellException>(() => HostNameRules.Validate(input));
        Assert.Equal(SocketErrorKind.InvalidComputerName, e.Kind);
        Assert.Contains(wouldBe, e.Message, StringComparison.Ordinal);
        Assert.Contains("four decimal numbers", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.256")]
    [InlineData("my host")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("[127.0.0.1]")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("host:http")]
    [InlineData("::1::2")]
    [InlineData("host/path")]
    public void Other_non_hosts_are_refused(string? input)
    {
        SocketShellException e = Assert.Throws<SocketShellException>(() => HostNameRules.Validate(input));
        Assert.Equal(SocketErrorKind.InvalidComputerName, e.Kind);
        Assert.DoesNotContain("Parameter", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("127.1")]
    [InlineData("[::1]:8080")]
    [InlineData("127.0.0.1:80")]
    public async Task The_resolver_refuses_before_resolving(string input)
    {
        // InvalidComputerName (not HostNotFound, not an address): the check runs before any lookup.
        SocketShellException e = await Assert.ThrowsAsync<SocketShellException>(() => HostResolver.ResolveAsync(input, IPFamily.Any, CancellationToken.None));
        Assert.Equal(SocketErrorKind.InvalidComputerName, e.Kind);
    }

    [Theory]
    [InlineData("017.0.0.1")]
    [InlineData("127.1")]
    [InlineData("[::1]:8080")]
    public void Literals_are_never_shorthands_or_carry_ports(string input)
        => Assert.False(HostResolver.TryParseLiteral(input, out _));
}
