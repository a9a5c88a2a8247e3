using System.Net;
using System.Net.Sockets;
using SocketShell.Listeners;

namespace SocketShell.Engine.Tests.Forward;

public sealed class ForwardTargetTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1:8080")]
    [InlineData(" localhost:22 ", "localhost", 22, "localhost:22")]
    [InlineData("[::1]:443", "::1", 443, "[::1]:443")]
    [InlineData("db-1.internal.example:5432", "db-1.internal.example", 5432, "db-1.internal.example:5432")]
    [InlineData("127.0.0.1:65535", "127.0.0.1", 65535, "127.0.0.1:65535")]
    public void Host_and_port_forms_parse_and_print_back(string text, string host, int port, string printed)
    {
        ForwardTarget t = ForwardTarget.Parse(text);
        Assert.Equal(host, t.Host);
        Assert.Equal(port, t.Port);
        Assert.Null(t.Path);
        Assert.Equal(printed, t.ToString());
        Assert.Equal(printed, ForwardTarget.Parse(t.ToString()).ToString());
    }

    [Theory]
    [InlineData("/run/app.sock", "/run/app.sock")]
    [InlineData("unix:/tmp/x y.sock", "/tmp/x y.sock")]
    public void Socket_paths_parse(string text, string path)
    {
        ForwardTarget t = ForwardTarget.Parse(text);
        Assert.Equal(path, t.Path);
        Assert.Null(t.Host);
        Assert.Equal(path, t.ToString());
        Assert.IsType<UnixDomainSocketEndPoint>(t.ToEndPoint());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("localhost", "no port")]
    [InlineData("localhost:", "no port")]
    [InlineData(":80", "no host")]
    [InlineData("127.0.0.1:0", "not a port")]
    [InlineData("127.0.0.1:65536", "not a port")]
    [InlineData("127.0.0.1:http", "not a port")]
    [InlineData("127.0.0.1:-1", "not a port")]
    [InlineData("1:80", "four decimal numbers")]
    [InlineData("127.1:80", "would read it as 127.0.0.1")]
    [InlineData("::1:80", "brackets")]
    [InlineData("[::1]", "no port")]
    [InlineData("[::1:80", "never closes")]
    [InlineData("[127.0.0.1]:80", "not an IPv6")]
    [InlineData("bad_host!:80", "cannot contain '!'")]
    [InlineData("a..b:80", "empty label")]
    [InlineData("unix:relative.sock", "not a full path")]
    public void Bad_targets_say_what_is_wrong(string text, string reason)
    {
        Assert.False(ForwardTarget.TryParse(text, out ForwardTarget? target, out string? error));
        Assert.Null(target);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
        FormatException e = Assert.Throws<FormatException>(() => ForwardTarget.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void Endpoints_convert_both_ways()
    {
        ForwardTarget ip = ForwardTarget.FromEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, 9000));
        Assert.Equal("[::1]:9000", ip.ToString());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9000), ip.ToEndPoint());
        Assert.Equal(IPAddress.IPv6Loopback, ip.Address);

        ForwardTarget dns = ForwardTarget.FromEndPoint(new DnsEndPoint("localhost", 80));
        DnsEndPoint back = Assert.IsType<DnsEndPoint>(dns.ToEndPoint());
        Assert.Equal(("localhost", 80), (back.Host, back.Port));
        Assert.Null(dns.Address);

        Assert.Throws<FormatException>(() => ForwardTarget.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 0)));
        Assert.Throws<FormatException>(() => ForwardTarget.FromEndPoint(new DnsEndPoint("1", 80)));
    }
}
