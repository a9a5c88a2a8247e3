using SocketShell.SystemSockets;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.SystemSockets;

/// <summary>The /proc/&lt;pid&gt;/fd scan over a fake /proc made of real directories and symbolic links.</summary>
public sealed class LinuxProcessScannerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("socketshell-proc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Process(int pid, string? comm, params (int Fd, string Target)[] fds)
    {
        string dir = Path.Combine(_root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        if (comm is not null)
        {
            File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
        }

        if (fds.Length > 0)
        {
            Directory.CreateDirectory(Path.Combine(dir, "fd"));
            foreach ((int fd, string target) in fds)
            {
                File.CreateSymbolicLink(Path.Combine(dir, "fd", fd.ToString(System.Globalization.CultureInfo.InvariantCulture)), target);
            }
        }
    }

    [FactNeeding(Requirement.NotWindows)]
    public void Finds_owners_names_and_shared_sockets_and_skips_what_is_gone()
    {
        Process(300, "worker", (3, "socket:[1001]"), (4, "pipe:[5]"), (5, "socket:[1002]"));
        Process(200, "master", (3, "socket:[1001]"), (7, "/dev/null"));
        Process(400, null, (9, "socket:[1003]"));          // exited after its fds were listed: no comm
        Process(500, "gone");                                // exited: no fd directory any more
        Process(600, "other", (1, "socket:[9999]"));        // holds a socket nobody asked about
        Directory.CreateDirectory(Path.Combine(_root, "self-ish"));
        File.WriteAllText(Path.Combine(_root, "uptime"), "1 1\n");

        Dictionary<long, List<int>> owners = LinuxProcessScanner.FindOwners(_root, [1001, 1002, 1003, 1004], out Dictionary<int, string?> names, CancellationToken.None);
        Assert.Equal([200, 300], owners[1001].Order());
        Assert.Equal([300], owners[1002]);
        Assert.Equal([400], owners[1003]);
        Assert.False(owners.ContainsKey(1004));
        Assert.False(owners.ContainsKey(9999));
        Assert.Equal("master", names[200]);
        Assert.Equal("worker", names[300]);
        Assert.Null(names[400]);
        Assert.False(names.ContainsKey(600));
    }

    [FactNeeding(Requirement.NotWindows)]
    public void The_source_fills_the_lowest_pid_all_pids_and_the_name_and_leaves_unknown_owners_null()
    {
        Process(300, "worker", (3, "socket:[1001]"));
        Process(200, "master", (3, "socket:[1001]"));
        var shared = new SystemSocket { Inode = 1001 };
        var orphan = new SystemSocket { Inode = 1002 };
        var timeWait = new SystemSocket { Inode = 0 };
        new LinuxSystemSocketSource(_root).ResolveProcesses([shared, orphan, timeWait], CancellationToken.None);
        Assert.Equal((int?)200, shared.ProcessId);
        Assert.Equal("master", shared.ProcessName);
        Assert.Equal([200, 300], shared.ProcessIds);
        Assert.Equal(((int?)null, (string?)null), (orphan.ProcessId, orphan.ProcessName));
        Assert.Empty(orphan.ProcessIds);
        Assert.Null(timeWait.ProcessId);
    }

    [Fact]
    public void A_missing_proc_root_finds_nothing_and_does_not_throw()
    {
        Dictionary<long, List<int>> owners = LinuxProcessScanner.FindOwners(Path.Combine(_root, "nothing"), [1], out _, CancellationToken.None);
        Assert.Empty(owners);
    }

    [Fact]
    public void A_cancelled_scan_stops()
    {
        Process(1, "init", (3, "socket:[1]"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => LinuxProcessScanner.FindOwners(_root, [1], out _, cts.Token));
    }

    [Theory]
    [InlineData("socket:[12345]", 12345L)]
    [InlineData("socket:[0]", 0L)]
    [InlineData("socket:[]", 0L)]
    [InlineData("socket:[12a]", 0L)]
    [InlineData("socket:[123", 0L)]
    [InlineData("pipe:[123]", 0L)]
    [InlineData("/dev/null", 0L)]
    [InlineData("socket:[99999999999999999999999]", 0L)]
    public void Parses_socket_links(string link, long inode)
    {
        Assert.Equal(inode, LinuxProcessScanner.ParseSocketLink(System.Text.Encoding.ASCII.GetBytes(link)));
    }
}
