using System.Net.Sockets;

using SocketShell.Common;

namespace SocketShell.Unix;

/// <summary>
/// A socket bound to a Unix path by SocketShell, and the socket file it created. The file is
/// created by Bind and removed by <see cref="Remove"/> only while it is still the one this object
/// created (same inode), so a file someone put there since is never deleted. An existing path is
/// never silently replaced: a live socket or any other file is PathInUse; a stale socket file
/// (nobody listening) is replaced only when the caller forces it.
/// </summary>
internal sealed class UnixSocketFile
{
    // Files made by this process and not yet removed: removed on process exit too (pwsh ending without
    // Remove-Module), so a normal exit leaves no stale socket file behind.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<UnixSocketFile, byte> s_live = new();
    private static int s_hooked;

    private readonly ulong _inode;
    private int _removed;

    private UnixSocketFile(string path, Socket socket, ulong inode)
    {
        Path = path;
        Socket = socket;
        _inode = inode;
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
            {
                foreach (UnixSocketFile file in s_live.Keys)
                {
                    file.Remove();
                }
            };
        }

        s_live[this] = 0;
    }

    /// <summary>The path (or '@abstract' name).</summary>
    public string Path { get; }

    /// <summary>The bound socket (not yet listening).</summary>
    public Socket Socket { get; }

    /// <summary>
    /// Binds a new <paramref name="type"/> socket to <paramref name="path"/>, then applies
    /// <paramref name="mode"/> to the socket file (before any client can connect: a stream socket only
    /// accepts once the caller calls Listen).
    /// </summary>
    /// <exception cref="SocketShellException">PathInUse, PathNotFound (the directory is missing), AccessDenied, InvalidSocketPath.</exception>
    public static UnixSocketFile Bind(string path, SocketType type, bool force, UnixFileMode? mode)
    {
        UnixDomainSocketEndPoint endPoint = UnixSocketPath.EndPoint(path);
        bool isAbstract = UnixSocketPath.IsAbstract(path);
        if (!isAbstract)
        {
            ClearWay(path, force);
        }

        var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        try
        {
            try
            {
                socket.Bind(new KeptFileEndPoint(endPoint)); // not endPoint: .NET would delete the path on Dispose, whatever is there then
            }
            catch (SocketException e)
            {
                throw BindFailure(path, e);
            }

            ulong inode = 0;
            if (!isAbstract)
            {
                _ = UnixSocketPath.Inspect(path, out inode);
                if (mode is { } m && !OperatingSystem.IsWindows())
                {
                    try
                    {
                        File.SetUnixFileMode(path, m);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        TryDelete(path);
                        throw new SocketShellException(SocketErrorKind.AccessDenied, $"Cannot set the mode of '{path}': {e.Message}", path, e);
                    }
                }
            }

            return new UnixSocketFile(path, socket, inode);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Removes the socket file if it is still the one created here; safe to call more than once.</summary>
    public void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0)
        {
            return;
        }

        s_live.TryRemove(this, out _);
        if (UnixSocketPath.IsAbstract(Path))
        {
            return;
        }

        if (UnixSocketPath.Inspect(Path, out ulong inode) == UnixPathKind.Socket && (inode == _inode || _inode == 0))
        {
            TryDelete(Path);
        }
    }

    /// <summary>
    /// True when something accepts connections or datagrams at the socket file <paramref name="path"/>:
    /// a stream connect that succeeds (or would block: a full backlog), or a datagram connect that succeeds.
    /// </summary>
    public static bool IsLive(string path)
    {
        var endPoint = new UnixDomainSocketEndPoint(path);
        foreach (SocketType type in new[] { SocketType.Stream, SocketType.Dgram, SocketType.Seqpacket })
        {
            using var probe = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified) { Blocking = false };
            try
            {
                probe.Connect(endPoint);
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.AccessDenied)
            {
                return true; // a listener with a full backlog, or one we may not talk to: alive either way
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ProtocolType or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported)
            {
                continue; // a socket of another type: try the next type
            }
            catch (SocketException)
            {
                return false; // refused: a stale file
            }
        }

        return false;
    }

    private static void ClearWay(string path, bool force)
    {
        UnixPathKind kind = UnixSocketPath.Inspect(path);
        switch (kind)
        {
            case UnixPathKind.Missing:
                return;
            case UnixPathKind.Socket:
                if (IsLive(path))
                {
                    throw new SocketShellException(SocketErrorKind.PathInUse, $"Another socket is listening at '{path}'; it was left alone.", path);
                }

                if (!force)
                {
                    throw new SocketShellException(SocketErrorKind.PathInUse, $"'{path}' is a stale socket file (nothing listens on it). Use -Force to replace it.", path);
                }

                TryDelete(path);
                return;
            case UnixPathKind.Directory:
                throw new SocketShellException(SocketErrorKind.PathInUse, $"'{path}' is a directory; a socket cannot be created there.", path);
            case UnixPathKind.Unknown:
                // Cannot tell what it is (another OS, or no permission to look): never replace it.
                throw new SocketShellException(SocketErrorKind.PathInUse, $"'{path}' already exists and was left alone.", path);
            default:
                throw new SocketShellException(SocketErrorKind.PathInUse, $"'{path}' already exists and is not a socket; it was left alone.", path);
        }
    }

    private static SocketShellException BindFailure(string path, SocketException e)
    {
        return e.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => new SocketShellException(SocketErrorKind.PathInUse, $"'{path}' is already in use.", path, e),
            SocketError.AccessDenied => new SocketShellException(SocketErrorKind.AccessDenied, $"Permission denied to create the socket '{path}' (the directory needs write and search permission for this user).", path, e),
            _ when e.ErrorCode == 2 || e.SocketErrorCode == SocketError.AddressNotAvailable || !Directory.Exists(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)))
                => new SocketShellException(SocketErrorKind.PathNotFound, $"Cannot create the socket '{path}': its directory does not exist.", path, e),
            _ => new SocketShellException(SocketFailure.Classify(e.SocketErrorCode), $"Cannot create the socket '{path}': {e.Message}", path, e),
        };
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the user; nothing else can be done from here.
        }
    }
}
