using System.Net.Sockets;
using System.Net;
using SocketShell.Common;

namespace SocketShell.Engine.Tests.Common;

public class HostResolverTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    public async Task Literals_resolve_to_themselves_without_dns(string text, string expected)
    {
        IPAddress[] result = await HostResolver.ResolveAsync(text, IPFamily.Any, CancellationToken.None);
        Assert.Equal([IPAddress.Parse(expected)], result);
    }

    [Fact]
    public async Task A_literal_of_the_wrong_family_is_host_not_found()
    {
        var e = await Assert.ThrowsAsync<SocketShellException>(() => HostResolver.ResolveAsync("::1", IPFamily.IPv4, CancellationToken.None));
        Assert.Equal(SocketErrorKind.HostNotFound, e.Kind);
    }

    [Fact]
    public async Task Localhost_filters_by_family()
    {
        IPAddress[] v4 = await HostResolver.ResolveAsync("localhost", IPFamily.IPv4, CancellationToken.None);
        Assert.NotEmpty(v4);
        Assert.All(v4, a => Assert.Equal(AddressFamily.InterNetwork, a.AddressFamily));
        Assert.Contains(IPAddress.Loopback, v4);
    }

    [Fact]
    public async Task An_ipv4_literal_asked_for_as_ipv6_is_host_not_found_and_classifies_so()
    {
        // No DNS query is made for a literal: tests send nothing beyond loopback.
        var e = await Assert.ThrowsAsync<SocketShellException>(() => HostResolver.ResolveAsync("127.0.0.1", IPFamily.IPv6, CancellationToken.None));
        Assert.Equal(SocketErrorKind.HostNotFound, e.Kind);
        Assert.Equal(SocketErrorKind.HostNotFound, SocketFailure.Classify(new AggregateException(e)));
        Assert.Equal("127.0.0.1", e.Target);
    }

    [Fact]
    public void Short_ipv4_forms_are_not_literals()
    {
        Assert.False(HostResolver.TryParseLiteral("1", out _));
        Assert.True(HostResolver.TryParseLiteral("10.0.0.1", out _));
    }

    [Fact]
    public void Endpoints_are_written_as_users_type_them()
    {
        Assert.Equal("[::1]:80", EndPointText.Format(IPAddress.IPv6Loopback, 80));
        Assert.Equal("127.0.0.1:80", EndPointText.Format(IPAddress.Loopback, 80));
        Assert.Equal("db:5432", EndPointText.Format("db", 5432));
        Assert.Equal("[fe80::1]:22", EndPointText.Format("fe80::1", 22));
    }

    [Fact]
    public void Socket_errors_classify_to_stable_kinds()
    {
        Assert.Equal(SocketErrorKind.ConnectionRefused, SocketFailure.Classify(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Equal(SocketErrorKind.PortInUse, SocketFailure.Classify(new AggregateException(new SocketException((int)SocketError.AddressAlreadyInUse))));
        Assert.Equal(SocketErrorKind.TlsHandshakeFailed, SocketFailure.Classify(new IOException("x", new System.Security.Authentication.AuthenticationException())));
        Assert.Equal(SocketErrorKind.Unknown, SocketFailure.Classify(new InvalidOperationException()));
    }
}
