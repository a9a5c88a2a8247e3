using SocketShell.Ports;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.Ports;

public sealed class LinuxPortRangeSourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("socketshell-proc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LinuxPortRangeSource WithFiles(string? range, string? reserved)
    {
        string dir = Path.Combine(_root, "sys", "net", "ipv4");
        Directory.CreateDirectory(dir);
        if (range is not null)
        {
            File.WriteAllText(Path.Combine(dir, "ip_local_port_range"), range);
        }

        if (reserved is not null)
        {
            File.WriteAllText(Path.Combine(dir, "ip_local_reserved_ports"), reserved);
        }

        return new LinuxPortRangeSource(_root);
    }

    [Fact]
    public void Reads_ephemeral_and_reserved_ranges_with_their_source()
    {
        LinuxPortRangeSource source = WithFiles("40000\t50000\n", "8080,9000-9001\n");
        PortRange e = Assert.Single(source.GetEphemeralRanges());
        Assert.Equal(("Ephemeral", 40000, 50000, 10001, PortProtocol.Any), (e.Name, e.Start, e.End, e.Count, e.Protocol));
        Assert.Equal(source.LocalPortRangePath, e.Source);
        Assert.Equal([(8080, 8080), (9000, 9001)], source.GetReservedRanges().Select(r => (r.Start, r.End)));
        Assert.All(source.GetReservedRanges(), r => Assert.Equal("Reserved", r.Name));
    }

    [Fact]
    public void A_catalog_over_a_broken_source_reports_the_problem_and_no_range()
    {
        LinuxPortRangeSource source = WithFiles("garbage\n", null);
        PortCatalog catalog = PortCatalog.Read(source, ServiceDatabase.BuiltIn());
        Assert.Empty(catalog.Ephemeral);
        Assert.Empty(catalog.Reserved);
        PortRangeProblem problem = Assert.Single(catalog.Problems);
        Assert.Contains("ip_local_port_range", problem.Message, StringComparison.Ordinal);
        var typed = Assert.IsType<SocketShellException>(problem.Exception);
        Assert.Equal(SocketErrorKind.PortRangeUnavailable, typed.Kind);
        Assert.NotNull(typed.InnerException);
        Assert.Equal(3, catalog.All.Count()); // the IANA ranges are still there
    }

    [Fact]
    public void A_missing_file_is_a_problem_not_a_crash()
    {
        PortCatalog catalog = PortCatalog.Read(new LinuxPortRangeSource(Path.Combine(_root, "nothing")), ServiceDatabase.BuiltIn());
        Assert.Single(catalog.Problems);
    }

    [Fact]
    public void Describe_uses_the_ranges_and_services()
    {
        PortCatalog catalog = PortCatalog.Read(WithFiles("40000 50000", "45000"), ServiceDatabase.BuiltIn());
        PortInfo p = catalog.Describe(45000, PortProtocol.Tcp);
        Assert.Equal(("User", true, true), (p.Range, p.IsEphemeral, p.IsReserved));
        PortInfo ssh = catalog.Describe(22, PortProtocol.Tcp);
        Assert.Equal(("System", false, false), (ssh.Range, ssh.IsEphemeral, ssh.IsReserved));
        Assert.Equal(["ssh"], ssh.Services);
        Assert.Equal("Dynamic", catalog.Describe(65535, PortProtocol.Any).Range);
        Assert.Throws<ArgumentOutOfRangeException>(() => catalog.Describe(65536, PortProtocol.Any));
    }

    [FactNeeding(Requirement.Linux)]
    public void On_linux_the_real_catalog_matches_procfs()
    {
        string[] parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        PortCatalog catalog = PortCatalog.Read();
        Assert.Empty(catalog.Problems);
        PortRange e = Assert.Single(catalog.Ephemeral);
        Assert.Equal(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), e.Start);
        Assert.Equal(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), e.End);
        Assert.Equal("/proc/sys/net/ipv4/ip_local_port_range", e.Source);

        string reservedText = File.ReadAllText("/proc/sys/net/ipv4/ip_local_reserved_ports");
        Assert.Equal(PortRangeParser.ParseLinuxReservedPorts(reservedText, "t"), catalog.Reserved.Select(r => (r.Start, r.End)).ToList());
    }
}
