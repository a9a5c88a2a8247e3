using System.Net;

namespace SocketShell.Engine.Tests.Model;

/// <summary>
/// Rule 5 of issue 10: the public properties of the output objects are text a user would type (so JSON and
/// CSV read well); the engine's rich values stay behind them and come back through the Get...() methods.
/// </summary>
public class ModelTextTests
{
    [Fact]
    public void Endpoints_are_written_as_users_type_them_and_read_back_through_the_methods()
    {
        var v4 = new IPEndPoint(IPAddress.Loopback, 8080);
        var v6 = new IPEndPoint(IPAddress.IPv6Loopback, 8080);
        var m = new SocketMessage([], null) { Local = v4, Remote = v6 };
        Assert.Equal("127.0.0.1:8080", m.LocalEndPoint);
        Assert.Equal("[::1]:8080", m.RemoteEndPoint);
        Assert.Same(v6, m.GetRemoteEndPoint());
        Assert.Equal(IPAddress.IPv6Loopback, m.GetRemoteAddress());

        var d = new DatagramResult { Remote = v6 };
        Assert.Equal("[::1]:8080", d.RemoteEndPoint);
        Assert.Null(d.LocalEndPoint);
        Assert.Null(d.GetLocalEndPoint());

        var e = new ForwardError { Client = v4 };
        Assert.Equal("127.0.0.1:8080", e.ClientEndPoint);
        Assert.Same(v4, e.GetClientEndPoint());
    }

    [Fact]
    public void Addresses_are_canonical_text_and_the_rich_value_follows_a_set_text()
    {
        var s = new SystemSocket { LocalIP = IPAddress.IPv6Any, LocalPort = 22, RemoteIP = IPAddress.Parse("::ffff:127.0.0.1"), RemotePort = 50000 };
        Assert.Equal("::", s.LocalAddress);
        Assert.Equal("[::]:22", s.LocalEndPoint);
        Assert.Equal("::ffff:127.0.0.1", s.RemoteAddress);
        Assert.True(s.GetRemoteAddress().IsIPv4MappedToIPv6);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 22), s.GetLocalEndPoint());

        // Setting the text (tests, scripts building objects) keeps the rich value in step.
        s.LocalAddress = "127.0.0.1";
        Assert.Equal(IPAddress.Loopback, s.GetLocalAddress());
        Assert.Equal("127.0.0.1:22", s.LocalEndPoint);

        var p = new PortStatus { RemoteIP = IPAddress.IPv6Loopback, Port = 443 };
        Assert.Equal("::1", p.RemoteAddress);
        Assert.Equal("[::1]:443", p.RemoteEndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 443), p.GetRemoteEndPoint());
        p.RemoteAddress = "not an address";
        Assert.Equal("not an address", p.RemoteAddress);
        Assert.Null(p.GetRemoteAddress());
    }

    [Fact]
    public void No_public_property_of_an_output_type_is_a_rich_network_or_certificate_object()
    {
        Type[] outputs = [typeof(SocketListener), typeof(SocketConnection), typeof(SocketMessage), typeof(DatagramResult), typeof(PortStatus),
            typeof(SystemSocket), typeof(UnixSystemSocket), typeof(ForwardError), typeof(PortInfo), typeof(PortRange)];
        Type[] rich = [typeof(IPAddress), typeof(EndPoint), typeof(System.Security.Cryptography.X509Certificates.X509Certificate), typeof(Exception), typeof(ForwardTarget)];
        foreach (Type t in outputs)
        {
            foreach (var prop in t.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
            {
                Assert.False(rich.Any(r => r.IsAssignableFrom(prop.PropertyType)), $"{t.Name}.{prop.Name} is a {prop.PropertyType.Name}: ConvertTo-Json would dump its internals; make it text and add a Get{prop.Name}() method");
            }
        }
    }

    [Fact]
    public void Lists_read_as_one_cell()
    {
        Assert.Equal("http, www", new PortInfo { Services = ["http", "www"] }.Services.ToString());
        Assert.Equal("812,813", new SystemSocket { ProcessIds = [812, 813] }.ProcessIds.ToString());
    }
}
