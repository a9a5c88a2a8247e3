namespace SocketShell.SystemSockets;

/// <summary>Picks the source for the running OS.</summary>
public static class SystemSocketSource
{
    /// <summary>The source of the running operating system.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.SocketTableNotSupported"/> on another operating system.</exception>
    public static ISystemSocketSource ForCurrentOS()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxSystemSocketSource();
        }

        if (OperatingSystem.IsWindows())
        {
            return new WindowsSystemSocketSource();
        }

        if (OperatingSystem.IsMacOS())
        {
            return new MacSystemSocketSource();
        }

        throw SocketTableFailure.NotSupported("SocketShell cannot read the socket table of this operating system (Linux, Windows and macOS are supported).", Environment.OSVersion.Platform.ToString());
    }
}
