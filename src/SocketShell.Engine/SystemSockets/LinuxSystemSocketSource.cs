using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Text;

namespace SocketShell.SystemSockets;

/// <summary>How the Linux source reads the socket table.</summary>
public enum LinuxTableReader
{
    /// <summary>Netlink sock_diag, falling back to /proc/net per table when netlink is refused.</summary>
    Auto = 0,
    /// <summary>Netlink sock_diag only (what ss uses).</summary>
    Netlink,
    /// <summary>/proc/net/{tcp,tcp6,udp,udp6} only.</summary>
    ProcNet,
}

/// <summary>
/// Linux: the table from netlink sock_diag (or /proc/net), owners by matching socket inodes with the
/// "socket:[inode]" links in /proc/&lt;pid&gt;/fd, names from /proc/&lt;pid&gt;/comm.
/// </summary>
public sealed partial class LinuxSystemSocketSource : ISystemSocketSource
{
    private static readonly (TransportProtocol Protocol, IPFamily Family, string File)[] s_tables =
    [
        (TransportProtocol.Tcp, IPFamily.IPv4, "tcp"),
        (TransportProtocol.Tcp, IPFamily.IPv6, "tcp6"),
        (TransportProtocol.Udp, IPFamily.IPv4, "udp"),
        (TransportProtocol.Udp, IPFamily.IPv6, "udp6"),
    ];

    private readonly string _procRoot;
    private readonly LinuxTableReader _reader;

    /// <summary>Reads from <paramref name="procRoot"/> (the real /proc unless a test gives another root).</summary>
    public LinuxSystemSocketSource(string procRoot = "/proc", LinuxTableReader reader = LinuxTableReader.Auto)
    {
        _procRoot = procRoot.TrimEnd('/');
        _reader = reader;
    }

    /// <inheritdoc/>
    public string Name => "linux";

    /// <inheritdoc/>
    public SystemSocketTable ReadTable(SystemSocketScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var sockets = new List<SystemSocket>();
        var notes = new List<string>();
        var sources = new SortedSet<string>(StringComparer.Ordinal);
        int skipped = 0;
        NetlinkSocket? netlink = null;
        try
        {
            if (_reader != LinuxTableReader.ProcNet)
            {
                try
                {
                    netlink = NetlinkSocket.Open();
                }
                catch (IOException e) when (_reader == LinuxTableReader.Auto)
                {
                    notes.Add($"netlink sock_diag is not available ({e.Message}); read /proc/net instead.");
                }
            }

            foreach ((TransportProtocol protocol, IPFamily family, string file) in s_tables)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!scope.Includes(protocol, family))
                {
                    continue;
                }

                if (netlink is not null)
                {
                    int before = sockets.Count;
                    try
                    {
                        netlink.Dump(family, protocol, sockets, ref skipped, cancellationToken);
                        sources.Add("netlink sock_diag");
                        continue;
                    }
                    catch (IOException e) when (_reader == LinuxTableReader.Auto)
                    {
                        sockets.RemoveRange(before, sockets.Count - before);
                        notes.Add($"netlink sock_diag could not list {protocol}/{family} ({e.Message}); read /proc/net/{file} instead.");
                    }
                }

                if (ReadProcNet(file, protocol, family, sockets, ref skipped, notes))
                {
                    sources.Add("/proc/net");
                }
            }
        }
        finally
        {
            netlink?.Dispose();
        }

        if (sources.Count == 0 && notes.Count > 0)
        {
            // Nothing at all could be read: that is a failure, not an empty table.
            throw new IOException(string.Join(" ", notes));
        }

        List<SystemSocket> unique = Deduplicate(sockets);
        return new SystemSocketTable(sources.Count == 0 ? "none" : string.Join(" + ", sources), unique, skipped, notes);
    }

    private bool ReadProcNet(string file, TransportProtocol protocol, IPFamily family, List<SystemSocket> sockets, ref int skipped, List<string> notes)
    {
        string path = $"{_procRoot}/net/{file}";
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No IPv6 in this kernel, or no procfs: say so, list what can be listed.
            notes.Add($"{path} could not be read ({e.Message}).");
            return false;
        }

        ProcNetParser.Parse(text, protocol, family, sockets, ref skipped, BitConverter.IsLittleEndian);
        return true;
    }

    /// <summary>
    /// A table read in several pieces may list a socket twice when it changed in between; keep the
    /// first of each (protocol, local end, remote end, inode).
    /// </summary>
    internal static List<SystemSocket> Deduplicate(List<SystemSocket> sockets)
    {
        var seen = new HashSet<(TransportProtocol, System.Net.IPAddress, int, System.Net.IPAddress, int, long?)>();
        var unique = new List<SystemSocket>(sockets.Count);
        foreach (SystemSocket s in sockets)
        {
            if (seen.Add((s.Protocol, s.LocalAddress, s.LocalPort, s.RemoteAddress, s.RemotePort, s.Inode)))
            {
                unique.Add(s);
            }
        }

        return unique;
    }

    /// <inheritdoc/>
    public void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        var wanted = new Dictionary<long, List<SystemSocket>>();
        foreach (SystemSocket s in sockets)
        {
            if (s.Inode is > 0 and long inode)
            {
                if (!wanted.TryGetValue(inode, out List<SystemSocket>? list))
                {
                    wanted[inode] = list = new List<SystemSocket>(1);
                }

                list.Add(s);
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        Dictionary<long, List<int>> owners = LinuxProcessScanner.FindOwners(_procRoot, wanted.Keys.ToHashSet(), out Dictionary<int, string?> names, cancellationToken);
        foreach ((long inode, List<int> pids) in owners)
        {
            pids.Sort();
            int first = pids[0];
            names.TryGetValue(first, out string? name);
            foreach (SystemSocket s in wanted[inode])
            {
                s.ProcessIds = pids;
                s.ProcessId = first;
                s.ProcessName = name;
            }
        }
    }
}

/// <summary>Finds which processes hold which socket inodes by reading /proc/&lt;pid&gt;/fd links.</summary>
internal static partial class LinuxProcessScanner
{
    private static readonly EnumerationOptions s_options = new()
    {
        IgnoreInaccessible = true,
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Descriptors per work item: a process with more is split so that cores share it.</summary>
    private const int ChunkSize = 2048;

    /// <summary>
    /// Scans every /proc/&lt;pid&gt;/fd (in parallel on several cores). A process that exits or
    /// refuses access is skipped; a name that cannot be read stays null.
    /// </summary>
    public static Dictionary<long, List<int>> FindOwners(string procRoot, HashSet<long> inodes, out Dictionary<int, string?> names, CancellationToken cancellationToken)
    {
        int[] pids = ListNumericEntries(procRoot, directoriesOnly: true);
        Array.Sort(pids);

        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        int[][] fdLists = new int[pids.Length][];
        Parallel.For(0, pids.Length, options, i => fdLists[i] = ListNumericEntries($"{procRoot}/{pids[i]}/fd", directoriesOnly: false));

        // Work items: (pid, its fds, first index, count); a big process is split into chunks.
        var work = new List<(int Pid, int[] Fds, int Start, int Count)>();
        for (int p = 0; p < pids.Length; p++)
        {
            int[] fds = fdLists[p];
            for (int start = 0; start < fds.Length; start += ChunkSize)
            {
                work.Add((pids[p], fds, start, Math.Min(ChunkSize, fds.Length - start)));
            }
        }

        var found = new List<(long Inode, int Pid)>[work.Count];
        Parallel.For(0, work.Count, options, i =>
        {
            (int pid, int[] fds, int start, int count) = work[i];
            found[i] = ScanChunk(procRoot, pid, fds.AsSpan(start, count), inodes);
        });

        var owners = new Dictionary<long, List<int>>();
        names = new Dictionary<int, string?>();
        foreach (List<(long Inode, int Pid)> chunk in found)
        {
            foreach ((long inode, int pid) in chunk)
            {
                if (!owners.TryGetValue(inode, out List<int>? list))
                {
                    owners[inode] = list = new List<int>(1);
                }

                if (!list.Contains(pid))
                {
                    list.Add(pid);
                }

                if (!names.ContainsKey(pid))
                {
                    names[pid] = ReadComm(procRoot, pid);
                }
            }
        }

        return owners;
    }

    /// <summary>Reads the links of some descriptors of one process, relative to its open fd directory.</summary>
    private static unsafe List<(long Inode, int Pid)> ScanChunk(string procRoot, int pid, ReadOnlySpan<int> fds, HashSet<long> inodes)
    {
        var found = new List<(long, int)>();
        int dir = OpenDirectory($"{procRoot}/{pid}/fd", OpenReadOnly | OpenCloseOnExec);
        if (dir < 0)
        {
            return found; // the process exited, or its descriptors are not ours to see.
        }

        try
        {
            byte* name = stackalloc byte[16];
            byte* target = stackalloc byte[64];
            foreach (int fd in fds)
            {
                int len = FormatDecimal(fd, name);
                name[len] = 0;
                nint n = ReadLinkAt(dir, name, target, 64);
                if (n <= 0)
                {
                    continue; // closed meanwhile
                }

                long inode = ParseSocketLink(new ReadOnlySpan<byte>(target, (int)n));
                if (inode > 0 && inodes.Contains(inode))
                {
                    found.Add((inode, pid));
                }
            }
        }
        finally
        {
            _ = CloseDescriptor(dir);
        }

        return found;
    }

    private static unsafe int FormatDecimal(int value, byte* into)
    {
        Span<byte> digits = stackalloc byte[12];
        int n = 0;
        do
        {
            digits[n++] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);

        for (int i = 0; i < n; i++)
        {
            into[i] = digits[n - 1 - i];
        }

        return n;
    }

    /// <summary>Parses "socket:[12345]"; 0 for anything else.</summary>
    internal static long ParseSocketLink(ReadOnlySpan<byte> link)
    {
        ReadOnlySpan<byte> prefix = "socket:["u8;
        if (!link.StartsWith(prefix) || link.Length < prefix.Length + 2 || link[^1] != (byte)']')
        {
            return 0;
        }

        long value = 0;
        foreach (byte b in link[prefix.Length..^1])
        {
            if (b is < (byte)'0' or > (byte)'9' || value > long.MaxValue / 10)
            {
                return 0;
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private static string? ReadComm(string procRoot, int pid)
    {
        try
        {
            string comm = File.ReadAllText($"{procRoot}/{pid}/comm");
            comm = comm.TrimEnd('\n');
            return comm.Length == 0 ? null : comm;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process exited or hides its name.
        }
    }

    /// <summary>Numeric entries of a directory (pids in /proc, fds in /proc/pid/fd); empty when it is gone or closed to us.</summary>
    private static int[] ListNumericEntries(string directory, bool directoriesOnly)
    {
        // readdir directly: .NET's enumeration stats every symbolic link it meets (to tell whether it
        // points to a directory), which triples the cost of listing /proc/<pid>/fd. struct dirent has
        // the same layout in glibc and musl on 64-bit Linux; elsewhere the managed enumeration is used.
        return Environment.Is64BitProcess ? ListWithReadDir(directory, directoriesOnly) : ListManaged(directory, directoriesOnly);
    }

    private static unsafe int[] ListWithReadDir(string directory, bool directoriesOnly)
    {
        const int TypeOffset = 18;  // d_type, after d_ino (8), d_off (8), d_reclen (2)
        const int NameOffset = 19;  // d_name
        const byte DtDir = 4;
        const byte DtUnknown = 0;
        nint dir = OpenDir(directory);
        if (dir == 0)
        {
            return [];
        }

        var list = new List<int>(64);
        try
        {
            for (byte* entry = (byte*)ReadDir(dir); entry != null; entry = (byte*)ReadDir(dir))
            {
                byte type = entry[TypeOffset];
                if (directoriesOnly && type != DtDir && type != DtUnknown)
                {
                    continue;
                }

                int value = 0;
                int length = 0;
                for (byte* c = entry + NameOffset; *c != 0; c++, length++)
                {
                    if (*c is < (byte)'0' or > (byte)'9' || length >= 9)
                    {
                        value = -1;
                        break;
                    }

                    value = (value * 10) + (*c - '0');
                }

                if (value >= 0 && length > 0)
                {
                    list.Add(value);
                }
            }
        }
        finally
        {
            _ = CloseDir(dir);
        }

        return [.. list];
    }

    private static int[] ListManaged(string directory, bool directoriesOnly)
    {
        try
        {
            var enumerable = new FileSystemEnumerable<int>(directory, static (ref FileSystemEntry e) => ParseNumber(e.FileName), s_options)
            {
                ShouldIncludePredicate = directoriesOnly
                    ? static (ref FileSystemEntry e) => e.IsDirectory && ParseNumber(e.FileName) >= 0
                    : static (ref FileSystemEntry e) => ParseNumber(e.FileName) >= 0,
            };
            return enumerable.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static int ParseNumber(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 9)
        {
            return -1;
        }

        int value = 0;
        foreach (char c in name)
        {
            if (c is < '0' or > '9')
            {
                return -1;
            }

            value = (value * 10) + (c - '0');
        }

        return value;
    }

    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000; // O_CLOEXEC on x86, x86-64, arm and arm64

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenDirectory(string path, int flags);

    [LibraryImport("libc", EntryPoint = "readlinkat")]
    private static unsafe partial nint ReadLinkAt(int directory, byte* name, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int fd);

    [LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint OpenDir(string path);

    [LibraryImport("libc", EntryPoint = "readdir")]
    private static partial nint ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint dir);
}
