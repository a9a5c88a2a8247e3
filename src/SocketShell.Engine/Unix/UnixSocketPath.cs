using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SocketShell.Interop;

using SocketShell.Common;

namespace SocketShell.Unix;

/// <summary>
/// Unix socket paths: '@name' for a Linux abstract name (as ss shows them), anything else a file
/// path; endpoints, the file type behind a path, and the classification of connect failures.
/// </summary>
internal static class UnixSocketPath
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL on Linux (104 on macOS).</summary>
    public static int MaxPathBytes => OperatingSystem.IsLinux() ? 107 : 103;

    /// <summary>True for '@name', a Linux abstract socket name.</summary>
    public static bool IsAbstract(string path) => path.Length > 1 && path[0] == '@';

    /// <summary>The endpoint for <paramref name="path"/>; throws InvalidSocketPath for an empty or too long path.</summary>
    public static UnixDomainSocketEndPoint EndPoint(string path)
    {
        if (string.IsNullOrEmpty(path) || path == "@")
        {
            throw new SocketShellException(SocketErrorKind.InvalidSocketPath, "The socket path is empty.", path);
        }

        bool isAbstract = IsAbstract(path);
        if (isAbstract && !OperatingSystem.IsLinux())
        {
            throw new SocketShellException(SocketErrorKind.InvalidSocketPath, $"'{path}' is an abstract socket name (leading '@'); only Linux has those. Write ./{path} for a file of that name.", path);
        }

        string name = isAbstract ? "\0" + path[1..] : path;
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxPathBytes)
        {
            throw new SocketShellException(SocketErrorKind.InvalidSocketPath, $"The socket path is {bytes} bytes long; the operating system allows {MaxPathBytes} at most (use a shorter path or a relative one).", path);
        }

        try
        {
            return new UnixDomainSocketEndPoint(name);
        }
        catch (ArgumentException e)
        {
            throw new SocketShellException(SocketErrorKind.InvalidSocketPath, $"'{path}' cannot be used as a socket path: {e.Message}", path, e);
        }
    }

    /// <summary>What is at <paramref name="path"/> (a final symbolic link is followed).</summary>
    public static UnixPathKind Inspect(string path) => Inspect(path, out _, out _);

    /// <summary>What is at <paramref name="path"/>, and its inode number (0 where not known).</summary>
    public static UnixPathKind Inspect(string path, out ulong inode) => Inspect(path, out inode, out _);

    /// <summary>
    /// What is at <paramref name="path"/>, its inode number and its device as the kernel encodes it
    /// internally ((major &lt;&lt; 20) | minor, what sock_diag reports as udiag_vfs_dev); 0 where not known.
    /// </summary>
    public static unsafe UnixPathKind Inspect(string path, out ulong inode, out long device)
    {
        inode = 0;
        device = 0;
        if (IsAbstract(path))
        {
            return UnixPathKind.Abstract;
        }

        if (Directory.Exists(path))
        {
            return UnixPathKind.Directory;
        }

        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? UnixPathKind.Unknown : UnixPathKind.Missing;
        }

        byte* buffer = stackalloc byte[Libc.StatxSize];
        if (Libc.Statx(Libc.AtFdCwd, path, 0, Libc.StatxType | Libc.StatxIno, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is 2 or 20 ? UnixPathKind.Missing : UnixPathKind.Unknown; // ENOENT, ENOTDIR
        }

        int mode = *(ushort*)(buffer + Libc.StatxModeOffset);
        inode = *(ulong*)(buffer + Libc.StatxInoOffset);
        device = ((long)*(uint*)(buffer + Libc.StatxDevMajorOffset) << 20) | *(uint*)(buffer + Libc.StatxDevMinorOffset);
        return (mode & 0xF000) switch
        {
            0xC000 => UnixPathKind.Socket,     // S_IFSOCK
            0x4000 => UnixPathKind.Directory,  // S_IFDIR
            _ => UnixPathKind.OtherFile,
        };
    }

    /// <summary>
    /// Turns a failed connect (or send) to <paramref name="path"/> into the failure a user can act on:
    /// PathNotFound, NotASocket, AccessDenied or ConnectionRefused.
    /// </summary>
    public static SocketShellException ConnectFailure(string path, SocketException e, string verb = "connect to")
    {
        UnixPathKind kind = Inspect(path);
        if (kind == UnixPathKind.Missing || (kind == UnixPathKind.Abstract && e.SocketErrorCode == SocketError.ConnectionRefused))
        {
            string what = kind == UnixPathKind.Abstract ? "No socket has the abstract name" : "The socket path does not exist:";
            return new SocketShellException(SocketErrorKind.PathNotFound, $"{what} '{path}'.", path, e);
        }

        if (kind is UnixPathKind.Directory or UnixPathKind.OtherFile)
        {
            string type = kind == UnixPathKind.Directory ? "a directory" : "a file";
            return new SocketShellException(SocketErrorKind.NotASocket, $"'{path}' is {type}, not a socket.", path, e);
        }

        SocketErrorKind classified = SocketFailure.Classify(e.SocketErrorCode);
        if (classified == SocketErrorKind.AccessDenied || e.SocketErrorCode == SocketError.AccessDenied)
        {
            return new SocketShellException(SocketErrorKind.AccessDenied, $"Permission denied to {verb} '{path}' (the socket file needs write permission and its directories search permission for this user).", path, e);
        }

        if (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new SocketShellException(SocketErrorKind.ConnectionRefused, $"The connection was refused: '{path}' is a socket file, but nothing listens on it (a stale file left by a process that ended).", path, e);
        }

        if (e.SocketErrorCode == SocketError.ProtocolType || e.SocketErrorCode == SocketError.SocketNotSupported || e.ErrorCode == 91)
        {
            return new SocketShellException(SocketErrorKind.ConnectionRefused, $"The socket at '{path}' is of another type (stream versus datagram): {e.Message}.", path, e);
        }

        return new SocketShellException(classified == SocketErrorKind.Unknown ? SocketErrorKind.ConnectionRefused : classified, $"Cannot {verb} '{path}': {e.Message}.", path, e);
    }
}
