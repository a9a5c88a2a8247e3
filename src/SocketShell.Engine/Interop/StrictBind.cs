using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>
/// Binds a TCP socket the way a server not written in .NET does: without SO_REUSEADDR. On Linux and
/// macOS, <see cref="Socket.Bind"/> turns SO_REUSEADDR on for every TCP socket, so it succeeds on a port
/// that still has connections in TIME_WAIT, where nginx, sshd or Python then fail with EADDRINUSE. A port
/// check that must match what other servers see binds through here instead. Windows has no such default
/// (its SO_REUSEADDR means something else), so there the ordinary bind is already strict.
/// </summary>
internal static partial class StrictBind
{
    /// <summary>Binds <paramref name="socket"/> to <paramref name="endPoint"/> with SO_REUSEADDR off.</summary>
    /// <exception cref="SocketException">AddressAlreadyInUse, AccessDenied, AddressNotAvailable, or another bind failure.</exception>
    public static void Bind(Socket socket, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(endPoint);
        if (OperatingSystem.IsWindows() || socket.SocketType != SocketType.Stream || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()))
        {
            socket.Bind(endPoint);
            return;
        }

        bool linux = OperatingSystem.IsLinux();
        int solSocket = linux ? 1 : 0xFFFF;
        int soReuseAddr = linux ? 2 : 4;
        socket.SetRawSocketOption(solSocket, soReuseAddr, [0, 0, 0, 0]);

        // SocketAddress holds the platform's own sockaddr layout.
        SocketAddress address = endPoint.Serialize();
        byte[] native = address.Buffer[..address.Size].ToArray();
        if (NativeBind((int)socket.Handle, native, native.Length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SocketException((int)ToSocketError(errno, linux));
        }
    }

    private static SocketError ToSocketError(int errno, bool linux) => errno switch
    {
        13 => SocketError.AccessDenied, // EACCES
        1 => SocketError.AccessDenied, // EPERM
        98 when linux => SocketError.AddressAlreadyInUse,
        48 when !linux => SocketError.AddressAlreadyInUse,
        99 when linux => SocketError.AddressNotAvailable,
        49 when !linux => SocketError.AddressNotAvailable,
        22 => SocketError.InvalidArgument, // EINVAL: already bound
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int NativeBind(int fd, byte[] address, int length);
}
