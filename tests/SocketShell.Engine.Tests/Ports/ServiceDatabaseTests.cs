using SocketShell.Ports;

namespace SocketShell.Engine.Tests.Ports;

public class ServiceDatabaseTests
{
    private static ServiceDatabase Sample() =>
        ServiceDatabase.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "services", "services.txt")), "sample");

    [Fact]
    public void Parses_names_per_protocol_and_skips_malformed_lines()
    {
        ServiceDatabase db = Sample();
        Assert.Equal(["ssh"], db.Lookup(22, PortProtocol.Tcp));
        Assert.Empty(db.Lookup(22, PortProtocol.Udp));
        Assert.Equal(["http"], db.Lookup(80, PortProtocol.Any));
        Assert.Equal(["kerberos"], db.Lookup(88, PortProtocol.Any));
        Assert.Empty(db.Lookup(9, PortProtocol.Any)); // sctp only
        Assert.Equal(11, db.Count); // (port, protocol) pairs: 1/tcp, 7/tcp+udp, 22/tcp, 53/tcp+udp, 80/tcp, 88/tcp+udp, 443/tcp+udp
        Assert.Equal("domain", db.LookupFirst(53, PortProtocol.Udp));
        Assert.Null(db.LookupFirst(12345, PortProtocol.Tcp));
    }

    [Fact]
    public void Entries_list_every_name_by_port_then_protocol()
    {
        var entries = Sample().Entries().ToList();
        Assert.Equal(11, entries.Count);
        Assert.Equal((1, PortProtocol.Tcp, "tcpmux"), entries[0]);
        Assert.Equal((7, PortProtocol.Udp, "echo"), entries[2]);
        Assert.Equal(entries.OrderBy(e => e.Port).ThenBy(e => e.Protocol), entries);
    }

    [Fact]
    public void A_missing_file_falls_back_to_the_built_in_table()
    {
        ServiceDatabase db = ServiceDatabase.Load(Path.Combine(Path.GetTempPath(), "no-such-dir-socketshell", "services"));
        Assert.Equal("built-in", db.Source);
        Assert.Equal(["https"], db.Lookup(443, PortProtocol.Tcp));
        Assert.Equal(["ntp"], db.Lookup(123, PortProtocol.Udp));
        Assert.Empty(db.Lookup(123, PortProtocol.Tcp));
    }

    [Fact]
    public void The_system_database_is_the_os_file_when_there_is_one()
    {
        ServiceDatabase db = ServiceDatabase.System;
        if (File.Exists(ServiceDatabase.SystemPath))
        {
            Assert.Equal(ServiceDatabase.SystemPath, db.Source);
            Assert.Contains("ssh", db.Lookup(22, PortProtocol.Tcp));
        }
        else
        {
            Assert.Equal("built-in", db.Source);
        }
    }
}
