namespace SocketShell.Unix;

/// <summary>What is at a path, as far as a Unix socket is concerned.</summary>
internal enum UnixPathKind
{
    /// <summary>Nothing: the path does not exist.</summary>
    Missing,
    /// <summary>A socket file.</summary>
    Socket,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A file of another type (regular file, FIFO, device, ...).</summary>
    OtherFile,
    /// <summary>The path is an abstract name (no file).</summary>
    Abstract,
    /// <summary>Cannot tell: the OS refused to say (permissions) or this OS is not supported.</summary>
    Unknown,
}
