using System.IO.Enumeration;
using SocketShell.Interop;

namespace SocketShell.SystemSockets;

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

    /// <summary>Up to this many descriptors in all, links are read on the calling thread.</summary>
    private const int SequentialLimit = 4096;

    /// <summary>
    /// Finds the processes holding <paramref name="sockets"/> (matched by inode; an inode of 0 or null
    /// is never looked up) and hands each socket found its owners: every pid in ascending order, the
    /// first of them, and that first process's name (null when it could not be read).
    /// </summary>
    public static void AssignOwners<TSocket>(
        string procRoot,
        IReadOnlyList<TSocket> sockets,
        Func<TSocket, long?> inodeOf,
        Action<TSocket, List<int>, int, string?> assign,
        CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<long, List<TSocket>>();
        foreach (TSocket s in sockets)
        {
            if (inodeOf(s) is > 0 and long inode)
            {
                if (!wanted.TryGetValue(inode, out List<TSocket>? list))
                {
                    wanted[inode] = list = new List<TSocket>(1);
                }

                list.Add(s);
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        Dictionary<long, List<int>> owners = FindOwners(procRoot, wanted.Keys.ToHashSet(), out Dictionary<int, string?> names, cancellationToken);
        foreach ((long inode, List<int> pids) in owners)
        {
            pids.Sort();
            int first = pids[0];
            names.TryGetValue(first, out string? name);
            foreach (TSocket s in wanted[inode])
            {
                assign(s, pids, first, name);
            }
        }
    }

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
        long totalFds = 0;
        foreach (int[] fds in fdLists)
        {
            totalFds += fds.Length;
        }

        if (totalFds <= SequentialLimit)
        {
            // A machine's usual few thousand descriptors: one thread reads them faster than handing
            // chunks to the pool, above all on a busy machine where pool threads wait for a core.
            for (int i = 0; i < work.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                (int pid, int[] fds, int start, int count) = work[i];
                found[i] = ScanChunk(procRoot, pid, fds.AsSpan(start, count), inodes);
            }
        }
        else
        {
            Parallel.For(0, work.Count, options, i =>
            {
                (int pid, int[] fds, int start, int count) = work[i];
                found[i] = ScanChunk(procRoot, pid, fds.AsSpan(start, count), inodes);
            });
        }

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
        int dir = Libc.OpenDirectory($"{procRoot}/{pid}/fd", Libc.OpenReadOnly | Libc.OpenCloseOnExec);
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
                nint n = Libc.ReadLinkAt(dir, name, target, 64);
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
            _ = Libc.Close(dir);
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
        nint dir = Libc.OpenDir(directory);
        if (dir == 0)
        {
            return [];
        }

        var list = new List<int>(64);
        try
        {
            for (byte* entry = (byte*)Libc.ReadDir(dir); entry != null; entry = (byte*)Libc.ReadDir(dir))
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
            _ = Libc.CloseDir(dir);
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

}
