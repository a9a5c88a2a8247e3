namespace SocketShell.Engine.Tests.Unix;

/// <summary>A fresh directory under the temp directory for a test's sockets; deleted with everything in it on Dispose.</summary>
internal sealed class UnixTestDirectory : IDisposable
{
    public UnixTestDirectory()
    {
        // Short: sun_path holds 107 bytes.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ssu-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
