namespace SocketShell.SystemSockets;

/// <summary>Picks the Unix socket table source for the running OS.</summary>
public static class UnixSocketSource
{
    /// <summary>The source of the running operating system.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.SocketTableNotSupported"/> on
    /// Windows (it has AF_UNIX sockets but no documented way to list them: netstat does not show them
    /// either) and macOS (its sysctl net.local.*.pcblist tables are not read yet).
    /// </exception>
    public static IUnixSocketSource ForCurrentOS()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxUnixSocketSource();
        }

        if (OperatingSystem.IsWindows())
        {
            throw SocketTableFailure.NotSupported("Listing Unix domain sockets is not supported on Windows: Windows offers no documented interface that enumerates AF_UNIX sockets (netstat does not show them either). TCP and UDP sockets can be listed.", "Unix");
        }

        if (OperatingSystem.IsMacOS())
        {
            throw SocketTableFailure.NotSupported("Listing Unix domain sockets is not supported on macOS yet (its sysctl net.local pcblist tables are not read by SocketShell; use 'lsof -U'). TCP and UDP sockets can be listed.", "Unix");
        }

        throw SocketTableFailure.NotSupported("SocketShell can list Unix domain sockets on Linux only.", "Unix");
    }
}
